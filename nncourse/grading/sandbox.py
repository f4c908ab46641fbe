"""One sandbox per submission: where the grader runs learner code, and how it talks to it.

On Linux with Debian's ``bubblewrap`` (``bwrap``), a submission's worker
(:mod:`nncourse.grading.worker`) runs with

* a read-only view of the system and of the Python environment, plus nnlib and nncourse; no
  ``solutions/``, no other submission, no teacher file (the grader sends the cells' text over a
  pipe, so not even the submission's own file is visible);
* a private, empty, size-capped home and temp dir; no network; its own PID, IPC and UTS
  namespaces; ``--die-with-parent``, ``--new-session``;
* limits for the whole sandbox: memory and number of processes through a cgroup where the
  grader may create one (as root); else memory per process (``RLIMIT_AS``) and processes
  through the user's ``RLIMIT_NPROC``; file size (``RLIMIT_FSIZE``); output size,
  counted by the grader; and a hard wall-clock deadline on every request, enforced from outside
  by killing the whole sandbox (its PID namespace dies with it: no process is left behind).

Without bubblewrap (macOS, Windows, no user namespaces) there is no isolation at all: the worker
runs as the grader's user with only the time, memory and output limits. The grader then says so
(``isolation: none``) and runs only when asked to explicitly.
"""

import json
import os
import secrets
import select
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nnlib
from nncourse import settings
from nncourse.cgroups import Cgroup

GRACE = 2.0                    # seconds past a request's own limit before the sandbox is killed
MAX_REPLY = 64 * 2**20         # bytes in one reply frame
SANDBOX_HOME = "/home/learner"


class SandboxError(Exception):
    """The sandbox died, overran its hard deadline, or sent something that is not a reply."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind, self.message = kind, message   # kind: died, timeout, garbage, output


@dataclass
class SandboxLimits:
    memory_mb: int = 2048
    processes: int = 32
    file_mb: int = 64
    tmp_mb: int = 256
    output_mb: int = 16
    user: str = None     # unsandboxed as root: run the worker as this unprivileged system user


def bwrap_path():
    return shutil.which("bwrap")


def isolation_available():
    """'bubblewrap' when a sandbox can be made here, else None."""
    if not sys.platform.startswith("linux") or bwrap_path() is None:
        return None
    if _BWRAP_WORKS.get("ok") is None:
        try:
            ok = subprocess.run([bwrap_path(), "--unshare-all", "--unshare-user", "--ro-bind",
                                 "/", "/", "--die-with-parent", "true"], capture_output=True,
                                timeout=20).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        _BWRAP_WORKS["ok"] = ok
    return "bubblewrap" if _BWRAP_WORKS["ok"] else None


_BWRAP_WORKS = {}


def _processes_of(uid):
    """How many processes ``uid`` runs now (what RLIMIT_NPROC counts)."""
    n = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                n += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return n


def run_as(user):
    """``(uid, gid)`` of the system user ``user``; ValueError if there is none or it is root."""
    import pwd
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise ValueError(f"no system user {user!r} to run learner code as") from None
    if entry.pw_uid == 0:
        raise ValueError(f"{user!r} is root: learner code must run as an unprivileged user")
    return entry.pw_uid, entry.pw_gid


def _limit_child(limits=None, cgroups=(), user=None):
    """Runs in the child before it becomes the sandbox: join its cgroups, set its rlimits and,
    given ``user`` as ``(uid, gid)``, become that user (after the cgroup, which needs root)."""
    nproc = None
    if limits is not None and not cgroups and (os.geteuid() != 0 or user):
        # No cgroup: RLIMIT_NPROC counts all of this user's processes, so allow those running
        # now plus the sandbox's own (root is exempt from it, but then has a cgroup).
        uid = user[0] if user else os.geteuid()
        nproc = _processes_of(uid) + limits.processes

    def preexec():
        import resource
        for procs in cgroups:
            with open(procs, "w") as f:
                f.write(str(os.getpid()))
        if limits is not None:
            # With a cgroup, it limits the sandbox's memory as a whole (the sum of its
            # processes); address space per process is then only a backstop.
            memory = limits.memory_mb * 2**20 * (4 if cgroups else 1)
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            files = limits.file_mb * 2**20
            resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if nproc is not None:
                resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        if user:
            os.setgroups([])
            os.setgid(user[1])
            os.setuid(user[0])
    return preexec


def _cgroup(limits):
    """A memory + pids cgroup for one sandbox where the grader may create one (as root)."""
    return Cgroup.create(f"nncourse-{os.getpid()}-{secrets.token_hex(4)}",
                         memory_bytes=limits.memory_mb * 2**20, processes=limits.processes)


def _package_dir(module):
    return str(Path(module.__file__).resolve().parent)


def bwrap_command(tmp_mb):
    """The bubblewrap command line around the worker."""
    import nncourse
    prefix = os.path.realpath(sys.prefix)
    base = os.path.realpath(sys.base_prefix)
    # --unshare-user with a uid of its own: a user namespace with no capabilities in it, also
    # when the grader is root.
    cmd = [bwrap_path(), "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000",
           "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    for path in ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc"):
        if os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    # the private tmp and home first: binds below them (a course installed under /tmp) then
    # stay visible on top of them
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--size", str(tmp_mb * 2**20), "--tmpfs", "/tmp",
            "--size", str(tmp_mb * 2**20), "--tmpfs", SANDBOX_HOME]
    seen = set()
    for path in (prefix, base, _package_dir(nnlib), _package_dir(nncourse), _font_cache()):
        if path and path not in seen and not path.startswith("/usr/"):
            cmd += ["--ro-bind", path, path]
            seen.add(path)
    cmd += ["--remount-ro", "/", "--chdir", SANDBOX_HOME]
    return cmd


def _font_cache():
    """matplotlib's cache folder (its font list), shown read-only to the sandbox, whose worker
    copies the list so that it does not rebuild it on its first figure; None if there is none."""
    try:
        import matplotlib
        path = os.path.realpath(matplotlib.get_cachedir())
    except Exception:  # pragma: no cover
        return None
    return path if os.path.isdir(path) else None


def worker_environment(home):
    fonts = _font_cache()
    env = {**settings.kernel_env(),   # the course's kernel environment (nncourse/settings.py)
           "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin", "HOME": home,
           "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{home}/.matplotlib",
           "IPYTHONDIR": f"{home}/.ipython", "TMPDIR": "/tmp"}
    if fonts:   # the worker copies the font list into its own writable config folder
        env["NNCOURSE_FONT_CACHE"] = fonts
    if "OPENBLAS_CORETYPE" in os.environ:   # see the machine notes: old OpenBLAS builds need it
        env.setdefault("OPENBLAS_CORETYPE", os.environ["OPENBLAS_CORETYPE"])   # settings' first
    return env


class Sandbox:
    """One running worker. ``request`` sends one request and waits for its reply at most
    ``seconds`` + GRACE; past that, or on anything but a well-formed reply, the whole sandbox
    is killed and :class:`SandboxError` raised. It is never reused after an error."""

    def __init__(self, limits=None, isolated=True):
        self.limits = limits or SandboxLimits()
        self.isolated = isolated
        self.proc = None
        self.output_bytes = 0
        self.output_exceeded = False
        self.tail = b""            # the last printed bytes, for the grader's own debugging
        self.cgroup = None
        self._scratch = None

    def start(self, seconds=60.0):
        read_fd, write_fd = os.pipe()
        os.set_inheritable(write_fd, True)
        python = [sys.executable, "-s", "-m", "nncourse.grading.worker"]
        user = run_as(self.limits.user) if self.limits.user and not self.isolated else None
        if self.isolated:
            self.cgroup = _cgroup(self.limits)
            cmd = bwrap_command(self.limits.tmp_mb) + python
            env = worker_environment(SANDBOX_HOME)
            cwd = "/"
        else:
            import tempfile
            self._scratch = tempfile.TemporaryDirectory(prefix="nncourse-unsandboxed-")
            cmd, cwd = python, self._scratch.name
            env = worker_environment(self._scratch.name)
            env["PYTHONPATH"] = os.pathsep.join(sorted({str(Path(_package_dir(nnlib)).parent)}))
            if user:
                self.cgroup = _cgroup(self.limits)
                os.chown(self._scratch.name, *user)
        env["NNCOURSE_REPLY_FD"] = str(write_fd)
        cgroups = self.cgroup.procs if self.cgroup else ()
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(write_fd,), env=env, cwd=cwd, start_new_session=True, close_fds=True,
            preexec_fn=_limit_child(self.limits, cgroups, user))
        os.close(write_fd)
        self.replies = read_fd
        self._drain = threading.Thread(target=self._drain_output, daemon=True)
        self._drain.start()
        self._expect_ready(seconds)

    def _expect_ready(self, seconds):
        reply = self._read_reply(seconds)
        if reply.get("ready") is not True:
            self.kill()
            raise SandboxError("garbage", "the sandbox did not start")

    def _drain_output(self):
        """Read (and drop) everything the learner's code prints, counting it."""
        cap = self.limits.output_mb * 2**20
        stream = self.proc.stdout
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                return
            self.output_bytes += len(chunk)
            self.tail = (self.tail + chunk)[-4096:]
            if self.output_bytes > cap and not self.output_exceeded:
                self.output_exceeded = True
                self.kill()

    def request(self, message, seconds):
        if self.proc is None or self.proc.poll() is not None:
            raise self._died()
        data = json.dumps(message, ensure_ascii=True).encode("ascii")
        try:
            self.proc.stdin.write(struct.pack(">I", len(data)) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._died() from None
        return self._read_reply(seconds)

    def _read_reply(self, seconds):
        deadline = time.monotonic() + seconds + GRACE
        header = self._read_exactly(4, deadline)
        (n,) = struct.unpack(">I", header)
        if n > MAX_REPLY:
            self.kill()
            raise SandboxError("garbage", f"the sandbox sent a reply of {n} bytes")
        body = self._read_exactly(n, deadline)
        try:
            reply = json.loads(body.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            self.kill()
            raise SandboxError("garbage", "the sandbox sent something that is not a reply") \
                from None
        if type(reply) is not dict:
            self.kill()
            raise SandboxError("garbage", "the sandbox sent something that is not a reply")
        return reply

    def _read_exactly(self, n, deadline):
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise SandboxError("timeout", "time limit")
            ready, _, _ = select.select([self.replies], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(self.replies, min(n - got, 1 << 20))
            if not chunk:
                raise self._died()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _died(self):
        try:                        # its own exit status first (a crash), then make sure
            self.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        if self.output_exceeded:
            return SandboxError("output", f"output limit ({self.limits.output_mb} MB of printed "
                                          "text) reached")
        if self.cgroup is not None and self.cgroup.hit_memory_limit():
            return SandboxError("died", f"memory limit ({self.limits.memory_mb} MB) reached")
        code = self.proc.returncode if self.proc else None
        # bwrap reports a signal that ended the worker as 128 + its number
        if code is not None and (code == -signal.SIGSEGV or code == 128 + signal.SIGSEGV):
            return SandboxError("died", "the kernel crashed (segmentation fault)")
        return SandboxError("died", "the kernel stopped (it exited, crashed or ran out of memory)")

    def kill(self):
        """Kill the whole sandbox (its PID namespace takes every process in it along)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.request({"op": "exit"}, 0.0)
            except SandboxError:
                pass
        self.kill()
        if self.cgroup is not None and self.cgroup.dirs:
            self.cgroup.kill()   # a process of the sandbox may still be dying
            self.cgroup.remove()
        for stream in (self.proc.stdin, self.proc.stdout) if self.proc else ():
            try:
                stream.close()
            except OSError:
                pass
        try:
            os.close(self.replies)
        except (OSError, AttributeError):
            pass
        if self._scratch is not None:
            self._scratch.cleanup()
