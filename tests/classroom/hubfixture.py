"""Start the workshop hub (hub/jupyterhub_config.py) on free loopback ports, in a temporary
state folder: shared by the hub's test and benchmarks/hub_speed.py."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
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
    def __init__(self, state, **env):
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
        return (self.state / "hub.log").read_bytes()[-n:].decode(errors="replace")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)   # the hub stops the learners' servers
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if getattr(self, "log", None):
            self.log.close()
