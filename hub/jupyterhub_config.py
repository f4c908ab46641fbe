"""A workshop JupyterHub for the nnlib course on one Linux server (see hub/README.md).

Start it with ``make hub`` (or ``python hub/run.py``). Settings come from the environment:

    NNCOURSE_HUB_PASSWORD   the workshop's shared password (at least 8 characters; required)
    NNCOURSE_HUB_PORT       the port learners open (default 8000), on NNCOURSE_HUB_IP (127.0.0.1;
                            0.0.0.0 serves the room: put it behind HTTPS, see the README)
    NNCOURSE_HUB_STATE      where the hub keeps its database, secrets and learners' homes
                            (default hub/state/, git-ignored)
    NNCOURSE_HUB_API_PORT, NNCOURSE_HUB_PROXY_API_PORT   internal ports (default 8081, 8001)
    NNCOURSE_HUB_SERVER_PORTS  the learners' servers' ports (default 20000-29999)
    NNCOURSE_HUB_USERS      "system" (default as root): one system account per learner, made at
                            first login, with a private home and enforced limits; "shared"
                            (default without root): every learner runs as the hub's user
    NNCOURSE_HUB_MEM_LIMIT  memory per learner, e.g. 2G (default): everything the learner runs
                            (server, kernels, terminals) together, enforced by a cgroup where the
                            hub is root; otherwise only as a cap per process
    NNCOURSE_HUB_CPU_LIMIT  CPUs per learner (default 1), enforced by the same cgroup
    NNCOURSE_HUB_PROCESS_LIMIT  processes and threads per learner (default 512), likewise
    NNCOURSE_HUB_LEARNERS   optional: a file of learner names, one a line: their servers are
                            started as soon as the hub is up (hub/prestart.py), so they are
                            ready when the learners log in
    NNCOURSE_HUB_FORKSERVER 1 (default): learners' servers are forks of one process that has
                            imported the server already (hub/forkserver.py); 0: a new Python each
    NNCOURSE_HUB_IDLE_TIMEOUT  seconds before an idle learner server is stopped (default 3600)
    NNCOURSE_HUB_ADMIN_TOKEN   optional: an API token with admin rights, for scripts (tests,
                            benchmarks/hub_speed.py)

Every learner logs in with any user name and the shared password and gets their own server,
started in their own home (``STATE/homes/<system name>``, hub/users.py), which holds their own
workspace: the course's learner notebooks, copied on first start and brought up to date on every
later start by ``nncourse update`` (answers kept, old notebooks backed up), run by the learner's
own server process (hub/singleuser.py). The server opens on the start page.
"""

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.utils import random_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))   # nncourse and hub/, when the hub runs outside the course's venv

from hub import users  # noqa: E402
from hub.forkserver import become, request_server  # noqa: E402
from hub.python import blocker, learner_python  # noqa: E402
from nncourse import settings  # noqa: E402
from nncourse.cgroups import Cgroup  # noqa: E402

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

env = os.environ.get
STATE = Path(env("NNCOURSE_HUB_STATE") or ROOT / "hub" / "state").resolve()
HOMES = STATE / "homes"
HOMES.mkdir(parents=True, exist_ok=True)

# --- the hub, its proxy and its state ---------------------------------------------------------
ip = env("NNCOURSE_HUB_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{ip}:{env('NNCOURSE_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env("NNCOURSE_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('NNCOURSE_HUB_PROXY_API_PORT', '8001')}"
local_chp = ROOT / ".hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(local_chp) if local_chp.exists()
                                   else "configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True      # stopping the hub stops the learners' servers

# --- the workshop login: one shared password, any user name ------------------------------------
c.JupyterHub.authenticator_class = "shared-password"
password = env("NNCOURSE_HUB_PASSWORD", "")
if len(password) < 8:
    sys.exit("set NNCOURSE_HUB_PASSWORD to the workshop's shared password (at least 8 characters)")
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True


# --- one server per learner, in their own home with their own workspace -------------------------
# Two modes (NNCOURSE_HUB_USERS): "system" (the default when the hub runs as root): every learner
# gets their own system account at first login (hub/users.py), a home only they can open, and a
# cgroup that enforces their memory and CPU limits; "shared" (the default otherwise, e.g. a laptop
# without root): every learner runs as the hub's own user, which isolates nobody (README).
MODE = env("NNCOURSE_HUB_USERS") or ("system" if os.geteuid() == 0 else "shared")
if MODE not in ("system", "shared"):
    sys.exit(f"NNCOURSE_HUB_USERS={MODE!r}: use 'system' (one account per learner, needs root) "
             "or 'shared' (every learner as the hub's user)")
if MODE == "system" and os.geteuid() != 0:
    sys.exit("NNCOURSE_HUB_USERS=system needs the hub to run as root (it creates the learners' "
             "accounts); without root use NNCOURSE_HUB_USERS=shared")
if MODE == "system":
    users.prepare_homes(HOMES)
    STATE.chmod(0o711)      # learners pass through to their homes, list nothing
    if blocker(HOMES):
        sys.exit(f"learners cannot reach their homes in {HOMES}: {blocker(HOMES)} is not "
                 "open to other users (chmod o+x it, or set NNCOURSE_HUB_STATE elsewhere)")
    try:
        PYTHON = learner_python(STATE, ROOT)   # a Python every learner can run
    except RuntimeError as e:
        sys.exit(str(e))
else:
    PYTHON = sys.executable
USE_FORKSERVER = env("NNCOURSE_HUB_FORKSERVER", "1") != "0"
FORKSERVER_SOCKET = STATE / "forkserver.sock"
_forkserver = None


def forkserver():
    """The fork server (hub/forkserver.py), started on first use and again if it died. Its
    environment is a clean one: none of the hub's secrets reach a learner's process."""
    global _forkserver
    if _forkserver is None or _forkserver.poll() is not None:
        FORKSERVER_SOCKET.unlink(missing_ok=True)
        clean = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
        _forkserver = subprocess.Popen(
            [PYTHON, str(ROOT / "hub" / "forkserver.py"), str(FORKSERVER_SOCKET)],
            env=clean, cwd="/", stdin=subprocess.DEVNULL)
    return _forkserver


def _wait_for_socket(timeout=120):
    deadline = time.monotonic() + timeout
    while not FORKSERVER_SOCKET.exists():
        if forkserver().poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the fork server did not start (see the hub's log)")
        time.sleep(0.05)


class CourseSpawner(LocalProcessSpawner):
    """A learner's server as a local process: in "system" mode as their own account (made at
    first start) inside their own cgroup (memory, CPU and process limits for everything they
    run), in "shared" mode as the hub's user (an address-space cap per process where no cgroup
    can be made). Forked from the fork server unless NNCOURSE_HUB_FORKSERVER=0."""

    cgroup = None

    @property
    def home(self):
        return users.home_of(HOMES, self.user.name)

    def user_env(self, env):
        env["USER"] = users.system_name(self.user.name) if MODE == "system" else self.user.name
        env["HOME"] = str(self.home)
        env["SHELL"] = "/bin/bash"
        # the learners' Python (and its nncourse) first on their PATH, kernels and terminal
        env["PATH"] = f"{Path(PYTHON).parent}:{env.get('PATH', '/usr/bin:/bin')}"
        return env

    def _account(self):
        if MODE == "system":
            entry = users.ensure_account(self.user.name, HOMES)
            return [entry.pw_uid, entry.pw_gid, os.getgrouplist(entry.pw_name, entry.pw_gid)]
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        return None

    def _make_cgroup(self):
        memory = int(self.mem_limit or 0) or None
        short = users.system_name(self.user.name)[len(users.PREFIX):]
        group = Cgroup.create(f"nncourse-hub-{short}-{secrets.token_hex(3)}", memory_bytes=memory,
                              processes=PROCESS_LIMIT, cpus=self.cpu_limit or None)
        return group if group.active else None

    async def start(self):
        if self.port == 0:
            self.port = server_port()
        account = await asyncio.to_thread(self._account)
        self.cgroup = self._make_cgroup() if os.geteuid() == 0 else None
        if self.cgroup is None and MODE == "system":
            raise RuntimeError("could not make the learner's cgroup: their memory and CPU "
                               "limits cannot be enforced (README: troubleshooting)")
        request = {"argv": self.get_args(), "env": self.get_env(), "cwd": str(self.home),
                   "user": account, "cgroups": self.cgroup.procs if self.cgroup else [],
                   # without a cgroup, a cap per process is the only memory limit left
                   "memory_bytes": None if self.cgroup else int(self.mem_limit or 0) or None,
                   "umask": 0o077 if MODE == "system" else 0o022}
        self.log.info("starting %s's server (%s mode%s)", self.user.name, MODE,
                      ", forked" if USE_FORKSERVER else "")
        if USE_FORKSERVER:
            await asyncio.to_thread(_wait_for_socket)
            self.pid = await asyncio.to_thread(request_server, FORKSERVER_SOCKET, request)
        else:
            self.proc = subprocess.Popen(
                [PYTHON, str(ROOT / "hub" / "singleuser.py"), *request["argv"]],
                env=request["env"], start_new_session=True, preexec_fn=_become(request))
            self.pid = self.proc.pid
        return (self.ip or "127.0.0.1", self.port)

    async def poll(self):
        status = await super().poll()
        if status is not None:
            await self._end_cgroup()
        return status

    async def stop(self, now=False):
        await super().stop(now=now)
        await self._end_cgroup()

    async def _end_cgroup(self):
        """Whatever the learner left running (kernels, terminals) goes with their server (in a
        thread: removing a cgroup waits for its processes to be gone)."""
        group, self.cgroup = self.cgroup, None
        if group is not None:
            group.kill()
            await asyncio.to_thread(group.remove)


PORTS = range(*map(int, (env("NNCOURSE_HUB_SERVER_PORTS") or "20000-29999").split("-")))
_ports_given = set()


def server_port():
    """A free port for a learner's server, below the range the system takes ports for outgoing
    connections from (32768 and up on Linux): a port merely free at this moment (JupyterHub's
    random_port) can be taken by one of the hub's own connections before the server binds it,
    and the hub then waits on someone else's server (seen with 20 learners starting at once)."""
    for _ in range(200):
        port = secrets.choice(PORTS)
        if port in _ports_given:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_given.add(port)
        if len(_ports_given) > len(PORTS) // 2:
            _ports_given.clear()
        return port
    return random_port()


def _become(request):
    return lambda: become(request)


def server_extensions():
    """Every jupyter_server extension installed in this environment, off, except JupyterLab and
    its terminals: a learner's server loads nothing else."""
    keep = {"jupyterlab", "jupyter_server_terminals"}
    found = dict.fromkeys(keep, True)
    for path in (BIN.parent / "etc" / "jupyter" / "jupyter_server_config.d").glob("*.json"):
        try:
            names = json.loads(path.read_text())["ServerApp"]["jpserver_extensions"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.update({name: name in keep for name in names})
    return found


# Only in the hub itself (not when a test or tool reads this file):
RUNNING_HUB = Path(sys.argv[0]).name.startswith("jupyterhub")
if USE_FORKSERVER and RUNNING_HUB:
    forkserver()            # imports while the hub starts up, ready for the first login
if os.geteuid() == 0 and RUNNING_HUB:
    # The hub (and the proxy and services it starts from now on) is every learner's way in:
    # ahead of the learners' own processes for the CPU, as one learner's cgroup would otherwise
    # weigh as much as the hub when 20 servers start at once. The fork server keeps nice 0.
    os.setpriority(os.PRIO_PROCESS, 0, -10)
c.JupyterHub.spawner_class = CourseSpawner
# the course's settings (nncourse/settings.py): the start page, the server's settings (output rate
# limits, the terminal's shell and PATH, JupyterLab's classroom options) in a server config of the
# hub's own, the kernel environment, and nncourse on the terminal's PATH (the learners' Python's
# folder: hub/python.py)
c.Spawner.default_url = settings.DEFAULT_URL
SERVER_CONFIG = settings.write_server_config(STATE / "jupyter",
                                             bin_path=str(Path(PYTHON).parent)).parent
SERVER_CONFIG.chmod(0o755)                     # every learner's server reads it
(SERVER_CONFIG / settings.SERVER_CONFIG).chmod(0o644)
c.Spawner.args = [
    # the learner's JupyterLab layout is kept in their home, not in one shared ~/.jupyter
    "--LabApp.workspaces_dir=.nncourse/lab",
    "--LabApp.user_settings_dir=.nncourse/lab-settings",
    # only the server extensions a learner uses: JupyterLab and its terminal (not nbgrader's,
    # the language server's or the classic notebook's, which cost every server start time)
    f"--ServerApp.jpserver_extensions={server_extensions()!r}",
] + (["--allow-root"] if os.getuid() == 0 else [])
c.Spawner.environment = {
    **settings.kernel_env(),
    "PATH": f"{BIN}:{env('PATH', '/usr/bin:/bin')}",
    "JUPYTER_CONFIG_PATH": str(SERVER_CONFIG),
    "NNCOURSE_WORKSPACE": ".",
}
MEM_LIMIT = env("NNCOURSE_HUB_MEM_LIMIT", "2G")     # bytes, or with a suffix K, M, G, T
c.Spawner.mem_limit = int(MEM_LIMIT) if MEM_LIMIT.isdigit() else MEM_LIMIT
c.Spawner.cpu_limit = float(env("NNCOURSE_HUB_CPU_LIMIT", "1"))
PROCESS_LIMIT = int(env("NNCOURSE_HUB_PROCESS_LIMIT", "512"))   # threads count too
c.Spawner.start_timeout = 180    # 20 learners starting at once on 2 cores take a while
c.Spawner.http_timeout = 120

# --- stop idle servers (jupyterhub-idle-culler, from PyPI) --------------------------------------
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={env('NNCOURSE_HUB_IDLE_TIMEOUT', '3600')}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
if env("NNCOURSE_HUB_LEARNERS"):       # servers started ahead of the workshop
    c.JupyterHub.services.append({
        "name": "prestart", "command": [sys.executable, str(ROOT / "hub" / "prestart.py"),
                                        str(Path(env("NNCOURSE_HUB_LEARNERS")).resolve())]})
    c.JupyterHub.load_roles.append({"name": "prestart", "services": ["prestart"],
                                    "scopes": ["admin:users", "servers", "read:users"]})
if env("NNCOURSE_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services.append({"name": "course-admin",
                                  "api_token": env("NNCOURSE_HUB_ADMIN_TOKEN")})
    c.JupyterHub.load_roles.append({"name": "course-admin", "services": ["course-admin"],
                                    "scopes": ["admin:users", "admin:servers", "list:users",
                                               "read:users", "access:servers",
                                               "read:services"]})
