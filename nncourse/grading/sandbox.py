"""One sandbox per submission: where the grader runs learner code, and how it talks to it.

On Linux with Debian's ``bubblewrap`` (``bwrap``), a submission's worker
(:mod:`nncourse.grading.worker`) runs in a sandbox made in three phases:

* the bubblewrap command line (:mod:`nncourse.grading.bwrap`): a read-only view of the system,
  of the Python environment and of nnlib and nncourse only; no ``solutions/``, no other
  submission, no teacher file (the grader sends the cells' text over a pipe, so not even the
  submission's own file is visible); a private, empty, size-capped home and temp dir; no
  network; its own namespaces; an unprivileged host user, also when the grader is root;
* limits for the whole sandbox: memory and number of processes through a cgroup
  (:mod:`nncourse.cgroups`) where the grader may create one (as root); else memory per process
  (``RLIMIT_AS``) and processes through the user's ``RLIMIT_NPROC``; file size
  (``RLIMIT_FSIZE``); output size, counted by the grader; and a hard wall-clock deadline on every
  request, enforced from outside by killing the whole sandbox (its PID namespace dies with it:
  no process is left behind). A reply that comes after its request's time is a time-out;
* the wire format (:mod:`nncourse.grading.wire`): every reply's size, number of values and
  nesting are bounded before it is decoded.

Without bubblewrap (macOS, Windows, no user namespaces) there is no isolation at all: the worker
runs as the grader's user (or the unprivileged ``--run-as`` user) with only the time, memory
and output limits, the grading view first on its import path (as another user, with the real
copies of the course hidden from it: :mod:`.hiding`). The grader then says so (``isolation:
none``/``user``) and runs only when asked to explicitly.
"""

import os
import secrets
import select
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
from nncourse.grading import wire
from nncourse.grading.bwrap import (  # noqa: F401  (isolation_available: this module's API)
    SANDBOX_HOME, bound_paths, bwrap_command, claim_user, isolation_available, release_user)
from nncourse.grading.bwrap import python as sandbox_python

GRACE = 2.0       # seconds past a request's own limit before the sandbox is killed
LATE = 0.5        # seconds past its limit after which a reply (but "timed out") is a time-out


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
    user: str = None     # grader run as root: the unprivileged system user learner code runs as


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


def _limit_child(limits=None, cgroups=(), user=None, nproc_uid=None):
    """Runs in the child before it becomes the sandbox: join its cgroups, set its rlimits and,
    given ``user`` as ``(uid, gid)``, become that user (after the cgroup, which needs root).
    ``nproc_uid``: the uid the sandbox's processes will run as, if not ``user``'s or ours."""
    nproc = None
    uid = nproc_uid or (user[0] if user else os.geteuid())
    if limits is not None and not cgroups and uid != 0:
        # No cgroup: RLIMIT_NPROC counts all of this user's processes, so allow those running
        # now plus the sandbox's own (root is exempt from it, but then has a cgroup).
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


def _says_timeout(reply):
    return reply.get("timeout") is True or reply.get("status") == "timeout"


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
        self._host_user = None     # the uid claimed for this sandbox (grader run as root)
        self.binds = []            # extra read-only binds: the grading view (see .view)
        self.view_path = None      # without bubblewrap: the view's folder, first on the path

    def start(self, seconds=60.0):
        read_fd, write_fd = os.pipe()
        os.set_inheritable(write_fd, True)
        python = [sys.executable, "-s", "-m", "nncourse.grading.worker"]
        user = None
        if self.isolated:
            python[0] = sandbox_python()
            self.cgroup = _cgroup(self.limits)
            if os.geteuid() == 0:     # never root's uid in the sandbox (see bwrap.py)
                self._host_user = user = claim_user(self.limits.user)
            cmd = bwrap_command(self.limits.tmp_mb, bound_paths(), user, self.binds) + python
            env = worker_environment(SANDBOX_HOME)
            env.pop("NNCOURSE_FONT_CACHE", None)   # bound in place instead: no telltale
            cwd = "/"
        else:
            import tempfile
            user = run_as(self.limits.user) if self.limits.user else None
            self._scratch = tempfile.TemporaryDirectory(prefix="nncourse-unsandboxed-")
            cmd, cwd = python, self._scratch.name
            env = worker_environment(self._scratch.name)
            # the grading view first (hiding.py: as another user, the real copies are hidden)
            env["PYTHONPATH"] = self.view_path or str(Path(nnlib.__file__).resolve().parent.parent)
            if user:
                self.cgroup = _cgroup(self.limits)
                os.chown(self._scratch.name, *user)
        cgroups = self.cgroup.procs if self.cgroup else ()
        # as root with bubblewrap, the outer bubblewrap drops to ``user`` itself (after its mounts)
        drop = user if not self.isolated else None
        limit = _limit_child(self.limits, cgroups, drop, nproc_uid=user and user[0])

        def preexec():      # replies on fd 3: no environment variable says "grading"
            os.dup2(write_fd, 3)
            limit()
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(3,), env=env, cwd=cwd, start_new_session=True, close_fds=True,
            preexec_fn=preexec)
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
        """Send ``message``; its reply (a dict). A reply that comes more than LATE seconds after
        ``seconds`` is a time-out (the sandbox is killed: its state is past its time), unless
        it says it timed out itself."""
        if self.proc is None or self.proc.poll() is not None:
            raise self._died()
        try:
            self.proc.stdin.write(wire.frame(message))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._died() from None
        return self._read_reply(seconds)

    def _read_reply(self, seconds):
        start = time.monotonic()
        deadline = start + seconds + GRACE
        (n,) = struct.unpack(">I", self._read_exactly(4, deadline))
        if n > wire.MAX_FRAME:
            self.kill()
            raise SandboxError("garbage", f"the sandbox sent a reply of {n} bytes")
        body = self._read_exactly(n, deadline)
        try:
            reply = wire.decode_frame(body)
        except wire.ShapeError as exc:
            self.kill()
            raise SandboxError("garbage", f"the sandbox sent {exc}") from None
        if time.monotonic() - start > seconds + LATE and not _says_timeout(reply):
            self.kill()
            raise SandboxError("timeout", "time limit (the reply came after it)")
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
        if self._host_user is not None:
            release_user(self._host_user)
            self._host_user = None
