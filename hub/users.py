"""One system account per learner, for a hub that runs as root (as The Littlest JupyterHub does).

A hub user name can be anything a learner types at the login page ("Ana María", "bob.smith",
"root"); a system name must be short, ASCII and safe for ``useradd``. :func:`system_name` maps
the first to the second without collisions:

* a name that is already plain (``[a-z][a-z0-9]{0,19}``) becomes ``nncourse-<name>``;
* any other name becomes ``nncourse-<slug>-<hash>``: up to 12 letters and digits from the name,
  a hyphen, then 8 hex digits of its SHA-256. Plain names never contain a hyphen, so the two
  forms cannot meet; two hashed names meeting would need a hash collision, and even that is
  caught: every account records its hub name's full hash in its comment field, and
  :func:`ensure_account` refuses an existing account whose record differs (or that the hub did
  not make).

Every learner's home is ``HOMES/<system name>``, owned by them, mode 0700; ``HOMES`` itself is
root's, mode 0711, so nobody can list who else has a home there.
"""

import hashlib
import os
import pwd
import re
import subprocess
import threading
import unicodedata
from pathlib import Path

PREFIX = "nncourse-"
PLAIN = re.compile(r"[a-z][a-z0-9]{0,19}")
MARK = "nncourse hub learner "
_ACCOUNTS = threading.Lock()   # one useradd at a time (each locks /etc/passwd, 15 s at most)


def _digest(hub_name):
    return hashlib.sha256(hub_name.encode()).hexdigest()


def system_name(hub_name):
    """The system account name of hub user ``hub_name`` (at most 30 characters)."""
    if PLAIN.fullmatch(hub_name):
        return PREFIX + hub_name
    ascii_name = unicodedata.normalize("NFKD", hub_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]", "", ascii_name.lower())[:12] or "user"
    return f"{PREFIX}{slug}-{_digest(hub_name)[:8]}"


def home_of(homes, hub_name):
    return Path(homes) / system_name(hub_name)


def prepare_homes(homes):
    """The folder of every learner's home: root's, listable by nobody else (mode 0711)."""
    homes = Path(homes)
    homes.mkdir(parents=True, exist_ok=True)
    os.chown(homes, 0, 0)
    homes.chmod(0o711)


def ensure_account(hub_name, homes):
    """The system account of ``hub_name`` (a ``pwd`` entry), created with its home on first use:
    no password, home ``HOMES/<system name>`` mode 0700. Raises ``RuntimeError`` if an account
    of that name exists but belongs to someone else."""
    with _ACCOUNTS:
        return _ensure_account(hub_name, homes)


def _ensure_account(hub_name, homes):
    name, home = system_name(hub_name), home_of(homes, hub_name)
    mark = MARK + _digest(hub_name)[:32]
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        # no subordinate uids/gids (Debian's useradd gives each user 65536 by default, which
        # would let a learner map them in user namespaces of their own)
        made = subprocess.run(["useradd", "--home-dir", str(home), "--no-create-home",
                               "--user-group", "--shell", "/bin/bash", "--comment", mark,
                               "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", name],
                              capture_output=True, text=True)
        if made.returncode:
            raise RuntimeError(f"useradd {name} failed: {made.stderr.strip()} (hub/README.md: "
                               "troubleshooting)")
        entry = pwd.getpwnam(name)
    if entry.pw_gecos == mark and entry.pw_uid != 0 and Path(entry.pw_dir) != home:
        # the hub's own account, whose homes folder has moved (a new state folder)
        subprocess.run(["usermod", "--home", str(home), name], check=True, capture_output=True)
        entry = pwd.getpwnam(name)
    if entry.pw_gecos != mark or entry.pw_uid == 0 or Path(entry.pw_dir) != home:
        raise RuntimeError(f"system account {name!r} exists but is not hub user {hub_name!r}'s "
                           "(made by someone else, or a name collision): refusing to use it")
    home.mkdir(mode=0o700, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    home.chmod(0o700)
    return entry
