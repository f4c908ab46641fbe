"""Without bubblewrap, as root: the real nnlib and nncourse hidden from the learner's user.

Where no sandbox can be made and the grader runs as root, learner code runs as an unprivileged
system user (``isolation: user``: Gradescope's container, ``nncourse grade --unsandboxed
--run-as USER``). There is no mount to put the grading view (:mod:`.view`) over the real
packages, so the worker puts the view first on its import path (``PYTHONPATH``), and for as long
as learner code may run every other copy of the two packages that user could reach is made
root's, mode 0700 (a folder) or 0600 (a file): no import, ``open()``, ``inspect.getsource``,
``importlib.metadata`` path or child Python without the view on its path reads a real
implementation. The copies (:func:`copies`) are what each Python on the machine's usual paths
can import or point to: its ``sys.path`` (site-packages, folders ``.pth`` files add, the user's
site), the folders that ``.pth`` and ``.egg-link`` files *in* those folders name (processed or
not: a learner can read them), an editable install's checkout (its finder module's
``MAPPING``), and the grader's own packages; beside a source checkout, also its ``solutions``,
``tests`` and ``.git``, which hold answers. Each is given back its owner and mode afterwards
(:func:`hidden`), once every process of the user has been killed. A copy the user can still read
after hiding (a file system that ignores modes) stops the grading with an error.

Not covered: a copy of the course that none of those Pythons imports or points to (another
checkout or environment elsewhere on the disk, a zip the teacher left readable) stays as
readable as it was.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

NAMES = ("nnlib", "nncourse")
CHECKOUT_SECRETS = ("solutions", "tests", ".git")   # beside a source checkout's packages

# Run by each Python (``-c``) as it would start for the learner: every copy of the course it
# can import, or find through a path file; a JSON list of real paths.
PROBE = r'''
import ast, importlib.util, json, os, sys, zipfile
NAMES = ("nnlib", "nncourse")
found, seen, todo = set(), set(), [p or os.getcwd() for p in sys.path]

def mapped(path):
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())
    except Exception:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "MAPPING"
                                                for t in node.targets):
            try:
                out += [str(v) for v in dict(ast.literal_eval(node.value)).values()]
            except Exception:
                pass
    return out

while todo:
    entry = os.path.realpath(todo.pop())
    if entry in seen:
        continue
    seen.add(entry)
    if os.path.isfile(entry):
        try:
            with zipfile.ZipFile(entry) as z:
                if any(n.split("/")[0].removesuffix(".py") in NAMES for n in z.namelist()):
                    found.add(entry)
        except Exception:
            pass
        continue
    try:
        files = os.listdir(entry)
    except OSError:
        continue
    for f in files:
        full = os.path.join(entry, f)
        if f in NAMES or f.removesuffix(".py") in NAMES and f.endswith(".py"):
            found.add(os.path.realpath(full))
        elif f.endswith((".pth", ".egg-link")):
            try:
                lines = open(full, encoding="utf-8", errors="replace").read().splitlines()
            except OSError:
                continue
            todo += [os.path.join(entry, l.strip()) for l in lines
                     if l.strip() and not l.startswith(("#", "import ", "import\t"))]
        elif f.startswith("__editable__") and f.endswith(".py"):
            for p in mapped(full):
                found.add(os.path.realpath(p))
                todo.append(os.path.dirname(p))
for name in NAMES:
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        spec = None
    if spec is not None:
        for p in list(spec.submodule_search_locations or []) or [spec.origin]:
            if p and os.path.exists(p):
                found.add(os.path.realpath(p))
print(json.dumps(sorted(found)))
'''


def interpreters():
    """The Pythons learner code may start: the grader's own (a virtual environment's), the one
    it was made from, and ``python3``/``python`` on the path."""
    found = [sys.executable, os.path.realpath(sys.executable),
             getattr(sys, "_base_executable", None), shutil.which("python3"),
             shutil.which("python")]
    return list(dict.fromkeys(p for p in found if p and os.access(p, os.X_OK)))


def copies(pythons=None):
    """Every real copy of nnlib and nncourse (and a checkout's answers) reachable from
    ``pythons`` (default :func:`interpreters`), sorted real paths."""
    from nncourse.grading.view import package_dirs
    found = {str(d) for d in package_dirs().values()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    for python in interpreters() if pythons is None else pythons:
        try:
            res = subprocess.run([python, "-c", PROBE], capture_output=True, text=True,
                                 env=env, cwd="/", timeout=120)
            found.update(json.loads(res.stdout) if res.returncode == 0 else [])
        except (OSError, ValueError, subprocess.TimeoutExpired):
            continue
    for path in list(found):
        parent = Path(path).parent
        if Path(path).name in NAMES and (parent / "pyproject.toml").is_file():
            found.update(str(parent / s) for s in CHECKOUT_SECRETS if (parent / s).exists())
    return sorted(p for p in found if os.path.lexists(p))


def readable_by(user, paths):
    """Those of ``paths`` that the system user ``user`` can list or read (asked of a child
    process that becomes ``user``)."""
    from nncourse.grading.sandbox import run_as
    uid, gid = run_as(user)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:                            # pragma: no cover - the child only tests and exits
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            out = []
            for p in paths:
                try:
                    if os.path.isdir(p):
                        os.listdir(p)
                    else:
                        open(p, "rb").close()
                    out.append(p)
                except OSError:
                    pass
            os.write(write, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(child, 0)
    return json.loads(b"".join(chunks) or b"[]")


def _pids_of(uid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    out.append(int(entry))
            except OSError:
                pass
    return out


def kill_processes_of(user, rounds=100):
    """Kill every process of the system user ``user`` (what a submission left running, e.g.
    to rewrite results.json later): a child that becomes ``user`` sends SIGKILL to all it may
    signal, until none is left."""
    import signal

    from nncourse.grading.sandbox import run_as
    uid, gid = run_as(user)
    for _ in range(rounds):
        if not _pids_of(uid):
            return True
        child = os.fork()
        if child == 0:                       # pragma: no cover - the child only kills and exits
            try:
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(child, 0)
        time.sleep(0.05)
    return not _pids_of(uid)


class HidingError(RuntimeError):
    """A copy of the course stayed readable by the learner's user."""


@contextmanager
def hidden(user, paths=None):
    """While the block runs, ``paths`` (default :func:`copies`) are root's, mode 0700/0600,
    so that the system user ``user`` can read none of them; then every process of ``user`` is
    killed (one left alive would read them once they are back) and they are given back their
    owner and mode. Nothing is done unless the grader is root and ``user`` is given."""
    if not user or os.geteuid() != 0:
        yield []
        return
    paths = copies() if paths is None else list(paths)
    saved = []
    try:
        for p in paths:
            try:
                st = os.stat(p)
                saved.append((p, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid))
                os.chown(p, 0, 0)
                os.chmod(p, 0o700 if stat.S_ISDIR(st.st_mode) else 0o600)
            except OSError as exc:      # a read-only file system: grading would not be safe
                raise HidingError(f"the course could not be hidden from {user}: {exc}") from None
        still = readable_by(user, paths)
        if still:
            raise HidingError(f"the course could not be hidden from {user}: it can still read "
                              + ", ".join(still[:5]))
        yield paths
    finally:
        kill_processes_of(user)
        for p, mode, uid, gid in reversed(saved):
            try:
                os.chown(p, uid, gid)
                os.chmod(p, mode)
            except OSError:
                pass
