"""A workshop JupyterHub for the nnlib course on one Linux server (see hub/README.md).

Start it with ``make hub`` (or ``python hub/run.py``). Settings come from the environment:

    NNCOURSE_HUB_PASSWORD   the workshop's shared password (at least 8 characters; required)
    NNCOURSE_HUB_PORT       the port learners open (default 8000), on NNCOURSE_HUB_IP (127.0.0.1;
                            0.0.0.0 serves the room: put it behind HTTPS, see the README)
    NNCOURSE_HUB_STATE      where the hub keeps its database, secrets and learners' homes
                            (default hub/state/, git-ignored)
    NNCOURSE_HUB_API_PORT, NNCOURSE_HUB_PROXY_API_PORT   internal ports (default 8081, 8001)
    NNCOURSE_HUB_MEM_LIMIT  per-learner memory, e.g. 2G (default): enforced per process here, see
                            below; NNCOURSE_HUB_CPU_LIMIT (default 1) is passed on only
    NNCOURSE_HUB_IDLE_TIMEOUT  seconds before an idle learner server is stopped (default 3600)
    NNCOURSE_HUB_ADMIN_TOKEN   optional: an API token with admin rights, for scripts (tests,
                            benchmarks/hub_speed.py)

Every learner logs in with any user name and the shared password and gets their own server,
started in their own home (``STATE/homes/<name>``), which holds their own workspace: the
course's learner notebooks, copied on first start and brought up to date on every later start
by ``nncourse update`` (answers kept, old notebooks backed up). The server opens on the start
page. The simple local spawner used here runs every learner as the hub's own user: it does
NOT isolate learners from each other (README: which spawners do).
"""

import os
import resource
import sys
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))   # nncourse, when the hub runs outside the course's venv
from nncourse import settings  # noqa: E402

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
class CourseSpawner(SimpleLocalProcessSpawner):
    """SimpleLocalProcessSpawner (every learner runs as the hub's user, home under HOMES) that
    caps each learner process's address space at ``mem_limit``. That is a per-process cap (the
    server and each kernel separately), not a per-learner total: real limits need the system
    users of a container or cgroup spawner (README)."""

    def make_preexec_fn(self, name):
        into_home = super().make_preexec_fn(name)   # creates and enters the learner's home
        limit = int(self.mem_limit or 0)

        def preexec():
            into_home()
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        return preexec


def _update_workspace(home):
    from nncourse.learner.workspace import Workspace
    home.mkdir(parents=True, exist_ok=True)
    return [change.describe() for change in Workspace(home).update()
            if change.action != "unchanged"]


async def prepare_workspace(spawner):
    """Before each start: the learner's workspace, created or brought up to date (in a thread,
    so that many learners starting at once do not hold up the hub)."""
    import asyncio
    home = Path(spawner.home_dir_template.format(username=spawner.user.name))
    for line in await asyncio.to_thread(_update_workspace, home):
        spawner.log.info("workspace of %s: %s", spawner.user.name, line)


c.JupyterHub.spawner_class = CourseSpawner
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.pre_spawn_hook = prepare_workspace
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
# the course's settings (nncourse/settings.py): the start page, the server's settings (output rate
# limits, the terminal's shell and PATH, JupyterLab's classroom options) in a server config of the
# hub's own, the kernel environment, and nncourse on the terminal's PATH
c.Spawner.default_url = settings.DEFAULT_URL
SERVER_CONFIG = settings.write_server_config(STATE / "jupyter", bin_path=str(BIN)).parent
c.Spawner.args = [
    # the learner's JupyterLab layout is kept in their home, not in one shared ~/.jupyter
    "--LabApp.workspaces_dir=.nncourse/lab",
    "--LabApp.user_settings_dir=.nncourse/lab-settings",
] + (["--allow-root"] if os.getuid() == 0 else [])
c.Spawner.environment = {
    **settings.kernel_env(),
    "PATH": f"{BIN}:{env('PATH', '/usr/bin:/bin')}",
    "JUPYTER_CONFIG_PATH": str(SERVER_CONFIG),
    "NNCOURSE_WORKSPACE": ".",
}
c.Spawner.mem_limit = env("NNCOURSE_HUB_MEM_LIMIT", "2G")
c.Spawner.cpu_limit = float(env("NNCOURSE_HUB_CPU_LIMIT", "1"))
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
if env("NNCOURSE_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services.append({"name": "course-admin",
                                  "api_token": env("NNCOURSE_HUB_ADMIN_TOKEN")})
    c.JupyterHub.load_roles.append({"name": "course-admin", "services": ["course-admin"],
                                    "scopes": ["admin:users", "admin:servers", "list:users",
                                               "read:users", "access:servers",
                                               "read:services"]})
