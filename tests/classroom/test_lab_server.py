"""The learner's lab as the course starts it, running: `make lab` itself (its Makefile recipe,
settings written by `nncourse settings`), and a server reading the config Binder's postBuild
writes. What is checked is what the running server does, never what a file says:

* `/` lands on the start page, and the server serves the workspace and nothing above it;
* the lab's terminal (the terminals REST and websocket API, as JupyterLab's File > New >
  Terminal uses it) finds `nncourse` and the course's Python, also in a `bash -l` typed in it,
  and `nncourse progress` runs there;
* the forgotten-increment loop, run in a notebook in Chromium, gets the "IOPub data rate
  exceeded" notice at the course's limit (50 kB/s), not jupyter_server's default (1 MB/s).

One server per fixture (module scope), all on 127.0.0.1 with a token.
"""

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from nncourse import settings
from nncourse.checks import registry
from nncourse.build.notebooks import dumps

TOTAL = sum(e.points for e in registry.load_all().values())   # the course's points

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
FLOOD = "i = 0\nwhile i < 10: print(i)"   # a beginner's loop that forgot `i += 1`
COURSE = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not (BIN / "nncourse").exists(),
                                 reason="the course is not installed in this environment")]
needs_chromium = pytest.mark.skipif(CHROMIUM is None or sync_playwright is None, reason=(
    "browser test skipped: Debian's chromium (`apt-get install chromium`) and the Python "
    "package playwright are needed"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running server started by ``command`` (in its own process group), with a token."""

    def __init__(self, command, env, cwd, port, token, workspace):
        self.url, self.token, self.workspace = f"http://127.0.0.1:{port}", token, workspace
        self.log = open(Path(workspace).parent / "server.log", "wb")
        self.proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                self.get("/api/status")
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        self.stop()
        pytest.fail("the lab did not start: " + self.log_text()[-3000:])

    def log_text(self):
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def request(self, path, method="GET", data=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if data is None else json.dumps(data).encode(),
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        return urllib.request.urlopen(req, timeout=30)

    def get(self, path):
        with self.request(path) as res:
            return json.loads(res.read() or b"null")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def server_env(tmp, token):
    env = dict(os.environ, JUPYTER_TOKEN=token, BROWSER="true",   # no browser opened
               HOME=str(tmp / "home"), JUPYTER_CONFIG_DIR=str(tmp / "home" / ".jupyter"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "lab-settings"))
    (tmp / "home").mkdir(exist_ok=True)
    for key in ("MPLBACKEND", "NNCOURSE_WORKSPACE", "JUPYTER_CONFIG_PATH", "MAKEFLAGS",
                *settings.KERNEL_ENV):
        env.pop(key, None)    # what the lab gives, not what the test runner had
    return env


def add_scratch(ws):
    scratch = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(FLOOD), nbformat.v4.new_code_cell('print("still here")')],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    (ws / "scratch.ipynb").write_text(dumps(scratch))


@pytest.fixture(scope="module")
def make_lab(tmp_path_factory):
    """`make lab` on a new workspace (its own PORT and WORKSPACE), as a learner runs it."""
    tmp = tmp_path_factory.mktemp("make-lab")
    ws, port, token = tmp / "workspace", free_port(), secrets.token_hex(16)
    ws.mkdir()
    add_scratch(ws)
    server = Server(["make", "--no-print-directory", "lab", f"PORT={port}", f"WORKSPACE={ws}"],
                    server_env(tmp, token), ROOT, port, token, ws)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def binder_lab(tmp_path_factory):
    """postBuild run into a prefix, then a plain `jupyter lab` (as Binder starts it) whose
    config path holds that prefix's etc/jupyter."""
    tmp = tmp_path_factory.mktemp("binder")
    prefix, ws, port, token = tmp / "prefix", tmp / "workspace", free_port(), secrets.token_hex(16)
    env = server_env(tmp, token)
    subprocess.run(["bash", str(ROOT / "postBuild")], check=True, capture_output=True,
                   env=dict(env, NB_PYTHON_PREFIX=str(prefix), NNCOURSE_WORKSPACE=str(ws),
                            PATH=f"{BIN}:{env.get('PATH', '')}"))
    env["JUPYTER_CONFIG_PATH"] = str(prefix / "etc" / "jupyter")
    server = Server([str(BIN / "jupyter"), "lab", "--ip=127.0.0.1", f"--port={port}",
                     "--allow-root"], env, tmp, port, token, ws)
    yield server
    server.stop()


@pytest.fixture(params=["make_lab", "binder_lab"])
def lab(request):
    return request.getfixturevalue(request.param)


# --- without a browser ----------------------------------------------------------------------

def test_the_server_serves_the_workspace_only(lab):
    names = {item["name"] for item in lab.get("/api/contents")["content"]}
    assert set(COURSE) <= names and "solutions" not in names and "nnlib" not in names, names
    with pytest.raises(urllib.error.HTTPError) as err:
        lab.get("/api/contents/..%2Fsolutions")
    assert err.value.code in (400, 403, 404)
    # the root the server reports is the workspace itself
    assert Path(lab.get("/api/contents")["path"] or ".") == Path(".")
    assert (lab.workspace / "00_start_here.ipynb").exists()


def test_slash_lands_on_the_start_page(lab):
    req = urllib.request.Request(lab.url + "/", headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(req, timeout=30) as res:
        assert res.url.split("?")[0] == lab.url + settings.DEFAULT_URL


def terminal_session(lab, lines, until, timeout=240):
    """Open a terminal as JupyterLab does, type ``lines``, return what it printed up to the
    marker ``until``."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect
    name = json.load(lab.request("/api/terminals", "POST",
                                 {"cwd": str(lab.workspace)}))["name"]

    async def session():
        url = lab.url.replace("http", "ws") + f"/terminals/websocket/{name}"
        conn = await websocket_connect(HTTPRequest(
            url, headers={"Authorization": f"token {lab.token}"}))
        for line in lines:
            conn.write_message(json.dumps(["stdin", line + "\r"]))
        out, deadline = "", time.monotonic() + timeout
        while until not in out and time.monotonic() < deadline:
            try:
                msg = await asyncio.wait_for(conn.read_message(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                break
            if msg is None:
                break
            kind, *rest = json.loads(msg)
            if kind == "stdout":
                out += rest[0]
        conn.close()
        return out
    try:
        with ThreadPoolExecutor(1) as pool:   # its own event loop
            return pool.submit(asyncio.run, session()).result()
    finally:
        lab.request(f"/api/terminals/{name}", "DELETE").close()


def test_terminal_finds_nncourse_also_in_a_login_shell(lab):
    python = json.dumps(str(BIN / "python"))[1:-1]
    out = terminal_session(lab, [
        "command -v nncourse; python -c 'import sys; print(\"PY=\" + sys.executable)'",
        "bash -l",                                  # a login shell resets PATH on Debian
        "command -v nncourse && nncourse --help | head -1; nncourse progress --saved | tail -1;"
        " echo LOGIN-$((40+2))",
        "exit",
    ], until="LOGIN-42")
    assert "command not found" not in out, out[-2000:]
    assert f"{BIN}/nncourse" in out and f"PY={python}" in out, out[-2000:]
    login = out.split("LOGIN-$((40+2))")[-1]
    assert "usage: nncourse" in login and "next: flatten" in login, out[-2000:]


def test_nncourse_progress_runs_in_the_terminal(make_lab):
    """`nncourse progress` in the lab's terminal: the saved verdicts, and a real re-run of one
    notebook with the course's checks, printed as it goes."""
    out = terminal_session(make_lab, [
        "nncourse progress --saved; echo SAVED-$((40+2))",
        "mkdir -p one && cp 01_input_flattening.ipynb one/ && nncourse progress one --jobs 1;"
        " echo RUN-$((40+2))",
    ], until="RUN-42", timeout=300)
    assert "command not found" not in out and "Traceback" not in out, out[-3000:]
    saved = out.split("SAVED-42")[0]
    assert "total" in saved and f"/{TOTAL}" in saved, saved[-2000:]
    ran = out.split("SAVED-42")[-1]
    assert "[1/1] 01_input_flattening.ipynb: 0/6" in ran, ran[-2000:]
    assert "next: flatten in 01_input_flattening.ipynb (write it" in ran, ran[-2000:]


def test_the_output_limit_is_the_courses(lab):
    """A kernel's flood through the server's websocket: the notice names 50 kB/s."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect
    kernel = json.load(lab.request("/api/kernels", "POST", {"name": "python3"}))["id"]

    async def flood():
        url = lab.url.replace("http", "ws") + f"/api/kernels/{kernel}/channels"
        conn = await websocket_connect(HTTPRequest(
            url, headers={"Authorization": f"token {lab.token}"}))
        msg_id = secrets.token_hex(8)
        conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "t",
                       "session": secrets.token_hex(8), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": "import time\nt = time.time()\n"
                                "while time.time() - t < 8: print('x' * 100)",
                        "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out, deadline = "", time.monotonic() + 60
        while "IOPub data rate exceeded" not in out and time.monotonic() < deadline:
            msg = json.loads(await asyncio.wait_for(conn.read_message(), 60))
            if msg["msg_type"] == "stream" and "IOPub" in msg["content"]["text"]:
                out += msg["content"]["text"]
        conn.close()
        return out
    try:
        with ThreadPoolExecutor(1) as pool:
            out = pool.submit(asyncio.run, flood()).result()
    finally:
        lab.request(f"/api/kernels/{kernel}", "DELETE").close()
    assert "IOPub data rate exceeded" in out
    assert f"iopub_data_rate_limit={float(settings.IOPUB_DATA_RATE_LIMIT)}" in out, out


# --- in Chromium --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None or sync_playwright is None:
        pytest.skip("no Chromium or playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_page(browser, lab, path=""):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{lab.url}/{path}?token={lab.token}", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext",
                           timeout=90_000)
    return context, page


@needs_chromium
def test_browser_lands_on_the_start_page_with_no_stored_progress(make_lab, browser):
    context, page = open_page(browser, make_lab)
    try:
        assert page.url.split("?")[0].endswith(settings.DEFAULT_URL)
        assert page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path") == \
            settings.START_PAGE
        text = page.locator(".jp-Notebook").inner_text()
        assert "Well done" not in text and "79/79" not in text
        assert "official Jupyter news" not in page.locator("body").inner_text()
    finally:
        context.close()


@needs_chromium
def test_browser_flood_gets_the_iopub_notice(make_lab, browser):
    context, page = open_page(browser, make_lab, "lab/tree/scratch.ipynb")
    try:
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.context.path"
                               " === 'scratch.ipynb' && window.jupyterapp.shell.currentWidget"
                               ".sessionContext.session && window.jupyterapp.shell"
                               ".currentWidget.sessionContext.session.kernel && window.jupyterapp"
                               ".shell.currentWidget.sessionContext.session.kernel.status"
                               " === 'idle'", timeout=90_000)
        page.evaluate("""() => {
            const app = window.jupyterapp, nb = app.shell.currentWidget.content;
            nb.activeCellIndex = 0;
            app.commands.execute('notebook:run-cell');
        }""")
        notebook = page.locator(".jp-Notebook").first
        deadline = time.monotonic() + 60
        while "IOPub data rate exceeded" not in notebook.inner_text():
            assert time.monotonic() < deadline, "no IOPub notice after 60 s of flooding"
            page.wait_for_timeout(500)
        text = notebook.inner_text()
        assert f"iopub_data_rate_limit={float(settings.IOPUB_DATA_RATE_LIMIT)}" in text
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:interrupt-kernel')")
    finally:
        context.close()
        for s in make_lab.get("/api/sessions"):
            make_lab.request(f"/api/sessions/{s['id']}", "DELETE").close()


def test_make_teach_serves_the_whole_course_on_the_solutions_start_page(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    server = Server(["make", "--no-print-directory", "teach", f"PORT={port}"],
                    server_env(tmp_path, token), ROOT, port, token, tmp_path / "unused")
    try:
        names = {item["name"] for item in server.get("/api/contents")["content"]}
        assert {"solutions", "notebooks", "nnlib"} <= names, names
        req = urllib.request.Request(server.url + "/", headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=30) as res:
            assert res.url.split("?")[0] == f"{server.url}/lab/tree/{settings.TEACHER_START}"
    finally:
        server.stop()
