"""A fork server for learners' single-user servers: Python, jupyter_server, JupyterLab, the
JupyterHub extension and nncourse are imported once, and every learner's server is a fork of
that process, so a server start skips those imports (about 2 s of CPU each) and the learners'
servers share the imported code's memory.

The hub (as root or as the shared user) starts it once with a clean environment (none of the
hub's secrets) and asks it for a server over a Unix socket only the hub's user may open. Each
request is read by a freshly forked child, never by the fork server itself, so no learner's
token or environment is ever in the memory that later children copy. The child then, in order:
joins the learner's cgroups, sets its resource limits, becomes the learner's account (when one
is given), enters their home, takes the environment the spawner made, replies with its pid,
and runs hub/singleuser.py's ``run`` (workspace update, then the server).

    python hub/forkserver.py SOCKET      # the hub does this (hub/jupyterhub_config.py)
"""

import gc
import json
import os
import random
import resource
import signal
import socket
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _send(conn, obj):
    data = json.dumps(obj).encode()
    conn.sendall(struct.pack("!I", len(data)) + data)


def _recv(conn, limit=1 << 20):
    head = b""
    while len(head) < 4:
        chunk = conn.recv(4 - len(head))
        if not chunk:
            raise EOFError("connection closed")
        head += chunk
    size = struct.unpack("!I", head)[0]
    if size > limit:
        raise ValueError(f"request of {size} bytes")
    data = b""
    while len(data) < size:
        chunk = conn.recv(min(65536, size - len(data)))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return json.loads(data)


def request_server(sock_path, request, timeout=60):
    """Ask the fork server at ``sock_path`` for a server; returns its pid. ``request``: ``argv``,
    ``env``, ``cwd``, and optionally ``user`` ([uid, gid, [groups]]), ``cgroups`` (cgroup.procs
    files to join), ``memory_bytes`` (an address-space cap), ``umask``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(str(sock_path))
        _send(conn, request)
        reply = _recv(conn)
    if "error" in reply:
        raise RuntimeError(f"fork server: {reply['error']}")
    return reply["pid"]


def become(request):
    """In the child: everything between fork and the server (see the module's docstring)."""
    for procs in request.get("cgroups") or ():
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
    if request.get("memory_bytes"):
        limit = int(request["memory_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if request.get("user"):
        uid, gid, groups = request["user"]
        os.setgroups(groups)
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise RuntimeError("could not drop to the learner's account")
    os.umask(request.get("umask", 0o022))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])


def _child(listener, conn):
    listener.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setsid()
    try:
        conn.settimeout(60)
        request = _recv(conn)
        become(request)
        _send(conn, {"pid": os.getpid()})
    except Exception as e:   # noqa: BLE001  (told to the spawner, which logs it)
        try:
            _send(conn, {"error": f"{type(e).__name__}: {e}"})
        finally:
            os._exit(1)
    conn.close()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    random.seed()          # not the fork server's random state, shared by every child
    from hub.singleuser import run
    code = 1
    try:
        code = run(request["argv"]) or 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:   # noqa: BLE001
        import traceback
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap(*_):
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(sock_path):
    sys.path.insert(0, str(ROOT))
    from hub.singleuser import preload
    preload()
    gc.collect()
    gc.freeze()            # imported objects stay out of the children's garbage collections
    sock_path = Path(sock_path)
    sock_path.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    listener.bind(str(sock_path))          # mode 0600: only the hub's user may ask
    os.umask(old)
    listener.listen(64)
    listener.settimeout(1.0)
    parent = os.getppid()
    signal.signal(signal.SIGCHLD, _reap)   # a dead server must not linger as a zombie: the
    print(f"[nncourse] fork server ready on {sock_path}", file=sys.stderr, flush=True)
    while os.getppid() == parent:          # hub polls its pid to see whether it still runs
        try:
            conn, _ = listener.accept()
        except (socket.timeout, InterruptedError):
            continue
        pid = os.fork()
        if pid == 0:
            _child(listener, conn)
        conn.close()
    listener.close()
    sock_path.unlink(missing_ok=True)


if __name__ == "__main__":
    serve(sys.argv[1])
