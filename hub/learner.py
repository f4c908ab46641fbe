"""A scripted workshop learner: log in to the hub with the shared password, wait for their
server, read and write their files and run code in a kernel, all through the hub's proxy as a
browser would (cookies, XSRF tokens, the kernel's websocket). Used by the hub's test and by
benchmarks/hub_speed.py.
"""

import asyncio
import html
import json
import re
import time
import uuid

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect


class Learner:
    def __init__(self, base_url, name, password):
        self.base, self.name, self.password = base_url.rstrip("/"), name, password
        self.http = requests.Session()
        self.prefix = f"{self.base}/user/{name}"

    def login(self):
        """Log in; returns the URL the hub sends the learner to (their server's start page)."""
        self.http.get(f"{self.base}/hub/login", timeout=30)
        xsrf = self.http.cookies.get("_xsrf", path="/hub/")
        r = self.http.post(f"{self.base}/hub/login?next=", timeout=300,
                           data={"username": self.name, "password": self.password, "_xsrf": xsrf})
        r.raise_for_status()
        return r.url

    def wait_ready(self, timeout=300):
        """Wait until the learner's server answers, as a browser does: open the server's URL;
        while the hub's "server starting" page shows, follow its progress event stream until
        the server is ready, then reload. Returns the final URL of their lab."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.http.get(f"{self.prefix}/", timeout=60)   # redirects to the default URL
            if r.status_code == 200 and r.url.startswith(self.prefix) \
                    and self.http.cookies.get("_xsrf", path=f"/user/{self.name}/"):
                return r.url
            progress = re.search(r'new EventSource\("([^"]+)"\)', r.text)
            if progress:
                self._follow_progress(html.unescape(progress.group(1)), deadline)
            else:
                time.sleep(0.5)
        raise TimeoutError(f"{self.name}'s server not ready after {timeout} s")

    def _follow_progress(self, path, deadline):
        """Read the spawn's progress events (the page's EventSource) until ready or failed."""
        with self.http.get(self.base + path, stream=True,
                           timeout=max(1, deadline - time.monotonic())) as r:
            for line in r.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    event = json.loads(line[5:])
                    if event.get("ready"):
                        return
                    if event.get("failed"):
                        raise RuntimeError(f"{self.name}'s server failed to start: "
                                           f"{event.get('message')}")

    @property
    def _headers(self):
        return {"X-XSRFToken": self.http.cookies.get("_xsrf", path=f"/user/{self.name}/")}

    def api(self, method, path, owner=None, **kw):
        """A request to a single-user server's REST API (the learner's own, or ``owner``'s)."""
        url = f"{self.base}/user/{owner or self.name}/api/{path}"
        return self.http.request(method, url, headers=self._headers, timeout=60,
                                 allow_redirects=False, **kw)

    def files(self):
        r = self.api("GET", "contents")
        r.raise_for_status()
        return sorted(item["name"] for item in r.json()["content"])

    def read_notebook(self, path):
        r = self.api("GET", f"contents/{path}")
        r.raise_for_status()
        return r.json()["content"]

    def save_notebook(self, path, nb_json):
        r = self.api("PUT", f"contents/{path}", json={"type": "notebook", "content": nb_json})
        r.raise_for_status()

    def terminal(self, command, expect, timeout=60):
        """Type ``command`` in a new terminal of the learner's lab; returns what it printed
        once ``expect`` appears in it (or at ``timeout``)."""
        r = self.api("POST", "terminals")
        r.raise_for_status()
        name = r.json()["name"]
        try:
            return asyncio.run(self._terminal(name, command, expect, timeout))
        finally:
            self.api("DELETE", f"terminals/{name}")

    async def _terminal(self, name, command, expect, timeout):
        ws = await websocket_connect(HTTPRequest(
            self.prefix.replace("http", "ws", 1) + f"/terminals/websocket/{name}",
            headers={"Cookie": self._cookie(), "Origin": self.base, **self._headers},
            connect_timeout=60, request_timeout=60))
        text, deadline = "", time.monotonic() + timeout
        try:
            ws.write_message(json.dumps(["stdin", command + "\r"]))
            while expect not in text and time.monotonic() < deadline:
                try:
                    msg = await asyncio.wait_for(ws.read_message(), deadline - time.monotonic())
                except asyncio.TimeoutError:
                    break
                if msg is None:
                    break
                kind, *data = json.loads(msg)
                if kind == "stdout":
                    text += data[0]
        finally:
            ws.close()
        return text

    def _cookie(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies
                         if c.path in ("/", f"/user/{self.name}/"))

    def run(self, cells, timeout=120, shutdown=True):
        """Run code cells in a new kernel of the learner's server; returns each cell's text output
        (streams, text/plain of displays, error names). ``shutdown=False`` leaves the kernel
        running (the hub stops it with the server)."""
        r = self.api("POST", "kernels", json={"name": "python3"})
        r.raise_for_status()
        kernel = r.json()["id"]
        try:
            return asyncio.run(asyncio.wait_for(self._run(kernel, cells), timeout))
        finally:
            if shutdown:
                self.api("DELETE", f"kernels/{kernel}")

    async def _run(self, kernel, cells):
        ws_url = self.prefix.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels"
        ws = await websocket_connect(HTTPRequest(     # a loaded hub may take a while to answer
            ws_url, headers={"Cookie": self._cookie(), "Origin": self.base, **self._headers},
            connect_timeout=120, request_timeout=120))
        outputs = []
        try:
            for code in cells:
                msg_id = uuid.uuid4().hex
                ws.write_message(json.dumps({
                    "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": "s",
                               "username": self.name, "version": "5.3", "date": ""},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": code, "silent": False, "store_history": True,
                                "user_expressions": {}, "allow_stdin": False,
                                "stop_on_error": True}}))
                text = []
                while True:
                    msg = json.loads(await ws.read_message())
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind, content = msg["msg_type"], msg["content"]
                    if kind == "stream":
                        text.append(content["text"])
                    elif kind in ("display_data", "execute_result"):
                        text.append(content["data"].get("text/plain", ""))
                    elif kind == "error":
                        text.append(f"{content['ename']}: {content['evalue']}")
                    elif kind == "status" and content["execution_state"] == "idle":
                        break
                outputs.append("".join(text))
        finally:
            ws.close()
        return outputs
