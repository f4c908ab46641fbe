"""Start the workshop hub (hub/jupyterhub_config.py) on free loopback ports, in a temporary
state folder: shared by the hub's test and benchmarks/hub_speed.py.

As root the hub runs in its "system" mode (an account per learner): the state folder is then
made where learners can reach their homes (a temporary folder open to passing through), and
:meth:`Hub.stop` removes the learners' accounts it made."""

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
LOCAL_CHP = ROOT / ".hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"


def proxy_command():
    return str(LOCAL_CHP) if LOCAL_CHP.exists() else shutil.which("configurable-http-proxy")


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Hub:
    def __init__(self, state=None, **env):
        self.made = None
        if state is None:
            self.made = Path(tempfile.mkdtemp(prefix="nncourse-hub-"))
            self.made.chmod(0o711)
            state = self.made / "state"
        self.state = Path(state)
        self.password = "workshop-" + secrets.token_hex(4)
        self.token = secrets.token_hex(16)
        port, api, proxy_api = free_ports(3)
        self.url = f"http://127.0.0.1:{port}"
        self.env = dict(os.environ, NNCOURSE_HUB_STATE=str(self.state),
                        NNCOURSE_HUB_PASSWORD=self.password, NNCOURSE_HUB_PORT=str(port),
                        NNCOURSE_HUB_API_PORT=str(api), NNCOURSE_HUB_PROXY_API_PORT=str(proxy_api),
                        NNCOURSE_HUB_ADMIN_TOKEN=self.token, **env)
        self.env.pop("MPLBACKEND", None)
        self.process = None

    def start(self, timeout=60):
        self.state.mkdir(parents=True, exist_ok=True)
        self.log = open(self.state / "hub.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "hub" / "run.py")], env=self.env, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the hub exited:\n" + self.log_tail())
            try:
                if requests.get(f"{self.url}/hub/api", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer within {timeout} s:\n" + self.log_tail())

    def admin(self, method, path, **kw):
        return requests.request(method, f"{self.url}/hub/api/{path}", timeout=60,
                                headers={"Authorization": f"token {self.token}"}, **kw)

    def log_tail(self, n=4000):
        try:
            return (self.state / "hub.log").read_bytes()[-n:].decode(errors="replace")
        except FileNotFoundError:   # removed with the hub's temporary folder
            return ""

    def stop(self, keep_log=None):
        """Stop the hub (and its learners' servers); ``keep_log``: copy its log there first."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)   # the hub stops the learners' servers
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if getattr(self, "log", None):
            self.log.close()
            if keep_log:
                shutil.copyfile(self.state / "hub.log", keep_log)
        homes = str(self.state.resolve() / "homes") + "/"
        for entry in pwd.getpwall():      # the learners' accounts this hub made
            if entry.pw_gecos.startswith("nncourse hub learner ") and \
                    entry.pw_dir.startswith(homes):
                subprocess.run(["userdel", entry.pw_name], capture_output=True)
        if self.made:
            shutil.rmtree(self.made, ignore_errors=True)
