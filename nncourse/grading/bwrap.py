"""The bubblewrap command line around a sandboxed worker, and the host user it runs as.

What the sandbox sees: ``/usr`` and the system's libraries, the few files of ``/etc`` the worker
needs (``ETC``; not the rest: no ``/etc/shadow``, no ``/etc/passwd``), the Python environment,
nnlib and nncourse, all read-only; a private, empty, size-capped ``/tmp`` and home; its own
``/proc`` and ``/dev``; no network; its own PID, IPC, UTS and user namespaces, in which it can
make no further user namespace (``--disable-userns``, bubblewrap 0.8 or newer).

**Whose user it is.** Started by an ordinary user, bubblewrap maps that user to the sandbox's
uid 1000: the sandbox can read what that user can (and the binds let it see only the above).
Started by **root**, a plain ``bwrap --unshare-user`` would map host root into the sandbox, so
root-only files (``0600``/``0640``) would be readable there. So as root the sandbox runs as an
unprivileged host uid that **no account owns**: for each sandbox one of systemd's range for
dynamic users (61184–65519) that is not in the user database and runs no process (or the user
``--run-as`` names). Root sets up the mounts (so an environment under ``/root``, which is
``0700``, can still be bound), then the sandbox drops to that uid, and, where unprivileged
user namespaces work, an inner bubblewrap maps it to uid 1000 with ``--disable-userns``
(where they do not, learner code cannot make a user namespace either).
"""

import functools
import os
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

SANDBOX_HOME = "/home/learner"
SANDBOX_UID = 1000
DYNAMIC_UIDS = range(61184, 65520)      # systemd's range for dynamic users
# what of /etc the worker needs: the dynamic loader's cache and configuration, alternatives
# (Debian's BLAS/LAPACK are chosen there), the time zone
ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
       "/etc/localtime")
SYSTEM = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
# run as root, between the two bubblewraps: become the sandbox's host user, then exec the rest
_DROP = ("import os, sys; u, g = int(sys.argv[1]), int(sys.argv[2]); os.setgroups([]); "
         "os.setgid(g); os.setuid(u); os.execv(sys.argv[3], sys.argv[3:])")


def bwrap_path():
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=None)
def _has_option(option):
    try:
        out = subprocess.run([bwrap_path(), "--help"], capture_output=True, text=True,
                             timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return option in out


@functools.lru_cache(maxsize=None)
def _works(nested=None):
    """Whether this bubblewrap set-up starts here (``nested``: as root, with the inner one)."""
    if nested is None:
        cmd = [bwrap_path(), "--unshare-all", "--unshare-user", "--ro-bind", "/", "/",
               "--die-with-parent", "true"]
    else:
        cmd = _root_command(1, DYNAMIC_UIDS[-1], DYNAMIC_UIDS[-1], nested, bound_paths()) \
            + [shutil.which("true") or "/bin/true"]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def isolation_available():
    """'bubblewrap' when a sandbox can be made here, else None."""
    if not sys.platform.startswith("linux") or bwrap_path() is None:
        return None
    if os.geteuid() == 0:
        return "bubblewrap" if _works(True) or _works(False) else None
    return "bubblewrap" if _works() else None


def python():
    """This Python as the sandbox sees it: its folder's real path (the binds are real paths),
    the file itself unresolved (a virtual environment's ``bin/python`` finds its ``pyvenv.cfg``
    beside it)."""
    return os.path.join(os.path.realpath(os.path.dirname(sys.executable)),
                        os.path.basename(sys.executable))


def _package_dir(module):
    return str(Path(module.__file__).resolve().parent)


def bound_paths(extra=()):
    """The folders outside the system's that the worker needs, read-only: the Python
    environment, nnlib, nncourse, and ``extra`` (matplotlib's font cache)."""
    import nncourse
    import nnlib
    out = []
    for path in (os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
                 _package_dir(nnlib), _package_dir(nncourse), *extra):
        if path and path not in out and path != "/usr" and not path.startswith("/usr/"):
            out.append(path)
    return out


def _system():
    """--ro-bind arguments for the system's folders and the needed files of /etc."""
    return [arg for path in (*SYSTEM, *ETC) if os.path.exists(path)
            for arg in ("--ro-bind", path, path)]


def _private(tmp_mb, perms=False):
    """The private, size-capped /tmp and home (``perms``: writable by any uid, for a tmpfs
    made by root). They come before the binds: binds below them (a course installed under
    /tmp) then stay visible on top of them."""
    size = str(max(1, tmp_mb) * 2**20)
    return ["--proc", "/proc", "--dev", "/dev", *(["--perms", "01777"] if perms else []),
            "--size", size, "--tmpfs", "/tmp", *(["--perms", "0777"] if perms else []),
            "--size", size, "--tmpfs", SANDBOX_HOME]


def _open_parents(paths, private):
    """As root, bubblewrap makes the folders above a bind 0700, and the sandbox's user could
    not reach through them: make them 0755 first (``private``: those inside /tmp and home,
    which must come after those are mounted)."""
    parents = {str(p) for path in (*ETC, *paths) for p in Path(path).parents} - {"/"}
    inside = {p for p in parents if p == "/tmp" or p.startswith(("/tmp/", SANDBOX_HOME))}
    args = []
    for parent in sorted(inside - {"/tmp", SANDBOX_HOME} if private else parents - inside,
                         key=lambda p: p.count("/")):
        args += ["--perms", "0755", "--dir", parent]
    return args


def _paths(paths, binds):
    """--ro-bind arguments for ``paths`` and the extra ``binds`` ([(source, destination)])."""
    args = []
    for path in paths:
        args += ["--ro-bind", path, path]
    for source, destination in binds:
        args += ["--ro-bind", source, destination]
    return args


def bwrap_command(tmp_mb, paths, user=None, binds=()):
    """The command line around the worker, showing it ``paths`` and the extra read-only
    ``binds`` ([(source, destination)], on top of everything else); ``user`` is the host
    ``(uid, gid)`` the sandbox runs as when the grader is root (see the module's docstring)."""
    if user is not None:
        return _root_command(tmp_mb, *user, _works(True), paths, binds)
    return [bwrap_path(), "--unshare-all", "--unshare-user", *_disable_userns(),
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
            "--die-with-parent", "--new-session", *_system(),   # the host's name, as a kernel has
            *_private(tmp_mb), *_paths(paths, binds),
            "--remount-ro", "/", "--chdir", SANDBOX_HOME]


def _disable_userns():
    return ["--disable-userns"] if _has_option("--disable-userns") else []


def _root_command(tmp_mb, uid, gid, nested, paths, binds=()):
    """As root: an outer bubblewrap (root's, no user namespace) makes the mounts, then drops to
    ``uid``; ``nested``: an inner, unprivileged one adds the user namespace."""
    cmd = [bwrap_path(), "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
           "--unshare-cgroup-try", "--die-with-parent", "--new-session",
           *_open_parents(paths, False), *_system(), *_private(tmp_mb, perms=True),
           *_open_parents(paths, True), *_paths(paths, binds),
           "--remount-ro", "/", "--chdir", SANDBOX_HOME,
           "--", python(), "-I", "-S", "-c", _DROP, str(uid), str(gid)]
    if nested:
        cmd += [bwrap_path(), "--dev-bind", "/", "/", "--unshare-user", *_disable_userns(),
                "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--die-with-parent",
                "--chdir", SANDBOX_HOME, "--"]
    return cmd


# --- the host user of a sandbox, when the grader is root ----------------------------------

_TAKEN = set()
_TAKEN_LOCK = threading.Lock()


def uids_running():
    """The uids of the processes running now."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                found.add(os.stat(f"/proc/{entry}").st_uid)
            except OSError:
                pass
    return found


def claim_user(name=None):
    """``(uid, gid)`` for one sandbox run by root: the user ``name``, or a uid no account owns
    and no process runs as (released with :func:`release_user`)."""
    if name:
        from nncourse.grading.sandbox import run_as
        return run_as(name)
    with _TAKEN_LOCK:
        busy = uids_running() | _TAKEN
        start = random.randrange(len(DYNAMIC_UIDS))
        for i in range(len(DYNAMIC_UIDS)):
            uid = DYNAMIC_UIDS[(start + i) % len(DYNAMIC_UIDS)]
            if uid in busy or _known(uid):
                continue
            _TAKEN.add(uid)
            return uid, uid
    raise RuntimeError("no free uid for a sandbox")


def _known(uid):
    import grp
    import pwd
    for lookup in (pwd.getpwuid, grp.getgrgid):
        try:
            lookup(uid)
            return True
        except KeyError:
            pass
    return False


def release_user(user):
    with _TAKEN_LOCK:
        _TAKEN.discard(user[0])
