"""The course in a real JupyterLab, driven by a real (headless) Chromium.

For every notebook in solutions/ and notebooks/ (served from a temporary copy, so JupyterLab's
autosave never touches the repository) this runs all cells through JupyterLab's own
"run all cells" command and asserts what a learner would see:

* no error output, except the learner stubs' NotImplementedError;
* every matplotlib figure rendered as an image;
* every ipywidgets control rendered (no "Error displaying widget");
* moving one slider of each interactive view changes what it draws (a kernel round trip);
* no errors in the browser console.

A screenshot of each notebook is saved in artifacts/screenshots/ for people to look at.
Needs Debian's chromium (``apt-get install chromium``; .ci/run installs it) and the Python
package playwright (a test extra); without them the test is skipped with that message.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NOTEBOOKS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")) + \
    sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason=(
        "browser test skipped: no Chromium found. Install Debian's chromium "
        "(`sudo apt-get install chromium`) to run the course in a real JupyterLab; "
        ".ci/run installs it")),
    pytest.mark.skipif(sync_playwright is None, reason=(
        "browser test skipped: the Python package playwright is missing "
        "(`pip install -e .[test]`)")),
]

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of solutions/ and notebooks/."""
    root = tmp_path_factory.mktemp("lab")
    for folder in ("solutions", "notebooks"):
        shutil.copytree(ROOT / folder, root / folder)
    port = free_port()
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.pop("MPLBACKEND", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         "--IdentityProvider.token=",
         "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.expose_app_in_browser=True"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api", timeout=1)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail("jupyter lab exited: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("jupyter lab did not start within 60 s")
    yield url
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


JS_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.map(c => {
    const m = c.model;
    if (m.type !== 'code') return {type: m.type};
    const outputs = [];
    for (let i = 0; i < m.outputs.length; i++) {
      const o = m.outputs.get(i).toJSON();
      outputs.push({type: o.output_type, ename: o.ename || null,
                    mimes: Object.keys(o.data || {})});
    }
    return {type: 'code', count: m.executionCount, outputs: outputs};
  });
  return {kernel: kernel ? kernel.status : 'none', cells: cells};
}"""


def wait_for(page, predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate(JS_STATE)
        if state and predicate(state):
            return state
        page.wait_for_timeout(250)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def run_notebook(page, url, relpath):
    page.goto(f"{url}/lab/tree/{relpath}?reset", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)
    wait_for(page, lambda s: s["kernel"] == "idle", 60, "the kernel to start")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

    def finished(state):
        code = [c for c in state["cells"] if c["type"] == "code"]
        return state["kernel"] == "idle" and all(c["count"] is not None for c in code)
    wait_for(page, finished, 180, f"all cells of {relpath} to run")
    page.wait_for_timeout(1500)  # let images and widget views render
    return page.evaluate(JS_STATE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_notebook_in_jupyterlab(lab, browser, path):
    relpath = f"{path.parent.name}/{path.name}"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.on("response", lambda r: console_errors.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 else None)
    try:
        state = run_notebook(page, lab, relpath)
        outputs = [o for c in state["cells"] if c["type"] == "code" for o in c["outputs"]]
        errors = [o["ename"] for o in outputs if o["type"] == "error"]
        allowed = {"NotImplementedError"} if path.parent.name == "notebooks" else set()
        assert set(errors) <= allowed, f"error outputs in {relpath}: {errors}"

        notebook = page.locator("#" + page.evaluate("() => window.jupyterapp.shell.currentWidget.id"))
        n_png = sum("image/png" in o["mimes"] for o in outputs)
        n_img = notebook.locator(".jp-OutputArea-output img").count()
        assert n_img >= n_png, f"{relpath}: {n_png} figures in the model, {n_img} drawn"

        n_widgets = sum("application/vnd.jupyter.widget-view+json" in o["mimes"] for o in outputs)
        body = notebook.locator(".jp-Notebook").inner_text()
        assert "Error displaying widget" not in body
        if n_widgets:
            assert notebook.locator(".jp-OutputArea-output .jupyter-widgets").count() >= 1
            slider = notebook.locator(".widget-slider .noUi-handle, .widget-slider input[type=range]")
            if slider.count():
                area = slider.first.locator(
                    "xpath=ancestor::div[contains(@class,'jp-OutputArea-output')]")
                before = area.inner_html()
                slider.first.focus()
                for _ in range(3):
                    page.keyboard.press("ArrowRight")
                page.wait_for_timeout(2500)
                assert area.inner_html() != before, f"{relpath}: moving a slider changed nothing"

        assert "official Jupyter news" not in page.locator("body").inner_text(), \
            "JupyterLab asks about news: the lab settings (nncourse settings lab) are not installed (make test does it)"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{path.parent.name}-{path.stem}.png"))
        assert not console_errors, f"browser console errors in {relpath}: {console_errors[:5]}"
    finally:
        page.close()
        shutdown_kernels(lab)


def shutdown_kernels(url):
    """Stop every kernel the notebook started, so notebooks do not pile up kernels."""
    import json
    sessions = json.load(urllib.request.urlopen(f"{url}/api/sessions", timeout=10))
    for s in sessions:
        req = urllib.request.Request(f"{url}/api/sessions/{s['id']}", method="DELETE")
        urllib.request.urlopen(req, timeout=10)


# --- the learner's lab, as `make lab` starts it ---------------------------------------------------

FLOOD = "i = 0\nwhile i < 10: print(i)"   # a beginner's loop that forgot `i += 1`


@pytest.fixture(scope="module")
def learner_lab(tmp_path_factory):
    """JupyterLab started with make lab's settings on a learner workspace (made by nncourse) in
    which flatten's check has been run and saved; its own layout and settings folders, so that
    no saved layout is read or left behind."""
    import nbformat

    from nncourse import settings
    from nncourse.build.notebooks import dumps
    from nncourse.learner.workspace import Workspace
    tmp = tmp_path_factory.mktemp("learner")
    ws = Workspace(tmp / "workspace")
    ws.create()
    nb = nbformat.read(str(ws.path / "01_input_flattening.ipynb"), as_version=4)
    check = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                 == "nb01_flatten")
    check.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "✔ flatten — 5/5 cases (shapes, values)"},
        metadata={"nncourse": {"exercise": "nb01_flatten", "status": "passed", "points": 1,
                               "max_points": 1}})]
    (ws.path / "01_input_flattening.ipynb").write_text(dumps(nb))
    scratch = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOD),
                                              nbformat.v4.new_code_cell('print("still here")')],
                                       metadata={"kernelspec": {"name": "python3",
                                                                "display_name": "Python 3",
                                                                "language": "python"}})
    (ws.path / "scratch.ipynb").write_text(dumps(scratch))
    port = free_port()
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PYTHONHASHSEED="0", PATH=f"{bin_dir}:{os.environ.get('PATH', '')}",
               JUPYTER_CONFIG_PATH=str(settings.write_server_config(   # the lab's server settings
                   tmp / "server-config", root=ws.path).parent))
    env.pop("MPLBACKEND", None)
    env.pop("NNCOURSE_WORKSPACE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         "--IdentityProvider.token=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={ws.path}", "--LabApp.default_url=/lab/tree/00_start_here.ipynb",
         f"--LabApp.workspaces_dir={ws.path}/.nncourse/lab",
         f"--LabApp.user_settings_dir={tmp}/lab-settings",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.expose_app_in_browser=True"],
        cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api", timeout=1)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail("jupyter lab exited: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.5)
    yield url, ws.path
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


def open_lab(browser, url, path=""):
    context = browser.new_context(viewport={"width": 1280, "height": 900})   # a fresh profile
    page = context.new_page()
    page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext",
                           timeout=60_000)
    return context, page


def test_learner_lab_opens_the_start_page_and_shows_progress(learner_lab, browser):
    url, ws = learner_lab
    context, page = open_lab(browser, url)
    try:
        assert page.url.split("?")[0].endswith("/lab/tree/00_start_here.ipynb")
        assert page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path") == \
            "00_start_here.ipynb"
        tree = page.locator(".jp-DirListing-content").inner_text()
        assert "01_input_flattening" in tree and "solutions" not in tree
        wait_for(page, lambda s: s["kernel"] == "idle", 60, "the kernel to start")
        page.evaluate("""async () => {
            const app = window.jupyterapp, nb = app.shell.currentWidget.content;
            nb.activeCellIndex = nb.widgets.findIndex(c => c.model.id === 'progress');
            await app.commands.execute('notebook:run-cell');
        }""")
        text = page.wait_for_function("""() => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            const cell = nb.widgets.find(c => c.model.id === 'progress');
            const outs = cell.model.outputs;
            for (let i = 0; i < outs.length; i++) {
                const t = outs.get(i).toJSON().text;
                if (t) return Array.isArray(t) ? t.join('') : t;
            }
            return false;
        }""", timeout=60_000).json_value()
        assert "✔ flatten" in text and "· unflatten" in text, text
        assert "next: unflatten in 01_input_flattening.ipynb" in text, text
        progress = page.locator(".jp-Notebook .jp-CodeCell").last
        progress.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "learner-start-page-progress.png"))
    finally:
        context.close()
    # nothing was saved in the repository, and the layout went to the workspace's own folder
    assert not (ROOT / "workspace" / ".nncourse" / "lab" / "never").exists()
    assert (ws / ".nncourse" / "lab").is_dir()


def test_nncourse_progress_in_the_labs_terminal(learner_lab):
    """The lab's terminal finds `nncourse` (make lab puts the venv's bin on PATH)."""
    import asyncio
    import json

    from tornado.websocket import websocket_connect
    url, ws = learner_lab
    # as JupyterLab's File > New > Terminal does: in the file browser's folder, the workspace
    req = urllib.request.Request(f"{url}/api/terminals", method="POST",
                                 data=json.dumps({"cwd": str(ws)}).encode(),
                                 headers={"Content-Type": "application/json"})
    name = json.load(urllib.request.urlopen(req, timeout=30))["name"]

    async def session():
        ws = await websocket_connect(url.replace("http", "ws") + f"/terminals/websocket/{name}")
        ws.write_message(json.dumps(["stdin", "nncourse progress --saved; echo END-$((6*7))\r"]))
        out, deadline = "", time.monotonic() + 60
        while "END-42" not in out and time.monotonic() < deadline:
            msg = await asyncio.wait_for(ws.read_message(), 60)
            kind, *rest = json.loads(msg)
            if kind == "stdout":
                out += rest[0]
        ws.close()
        return out
    from concurrent.futures import ThreadPoolExecutor
    try:   # its own thread: playwright's sync API may hold this thread's event loop
        with ThreadPoolExecutor(1) as pool:
            out = pool.submit(asyncio.run, session()).result()
    finally:
        urllib.request.urlopen(urllib.request.Request(f"{url}/api/terminals/{name}",
                                                      method="DELETE"), timeout=30)
    assert "command not found" not in out, out
    assert "✔ flatten" in out and "next: unflatten" in out, out[-1500:]


def test_output_flood_cannot_freeze_the_tab(learner_lab, browser):
    """The forgotten-increment loop prints forever: the tab stays responsive, the output stays
    bounded (the server's output rate limit), the kernel can be interrupted and goes on."""
    url, _ = learner_lab
    context, page = open_lab(browser, url, "lab/tree/scratch.ipynb")
    try:
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.context.path"
                               " === 'scratch.ipynb'", timeout=60_000)
        wait_for(page, lambda s: s["kernel"] == "idle", 60, "the kernel to start")
        page.evaluate("""async () => {
            const app = window.jupyterapp, nb = app.shell.currentWidget.content;
            nb.activeCellIndex = 0;
            app.commands.execute('notebook:run-cell');
        }""")
        page.wait_for_timeout(8000)   # eight seconds of flooding
        started = time.monotonic()
        size = page.evaluate("""() => {
            const outs = window.jupyterapp.shell.currentWidget.content.widgets[0].model.outputs;
            let n = 0;
            for (let i = 0; i < outs.length; i++) {
                const t = outs.get(i).toJSON().text || '';
                n += Array.isArray(t) ? t.join('').length : t.length;
            }
            return {chars: n, heap: performance.memory ? performance.memory.usedJSHeapSize : 0};
        }""")
        responsive = time.monotonic() - started
        assert responsive < 3, f"the tab took {responsive:.1f} s to answer during the flood"
        assert 0 < size["chars"] < 1_500_000, size
        assert size["heap"] < 600 * 2**20, size
        notebook = page.locator(
            "#" + page.evaluate("() => window.jupyterapp.shell.currentWidget.id"))
        assert "IOPub data rate exceeded" in notebook.inner_text()
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:interrupt-kernel')")
        # the loop ends (while the limit holds, the server drops the KeyboardInterrupt message
        # too, so the cell just stops) and the kernel is ready again
        wait_for(page, lambda s: s["kernel"] == "idle" and s["cells"][0]["count"] is not None,
                 30, "the interrupted cell to end")
        page.evaluate("""async () => {
            const app = window.jupyterapp, nb = app.shell.currentWidget.content;
            nb.activeCellIndex = 1;
            await app.commands.execute('notebook:run-cell');
        }""")
        wait_for(page, lambda s: s["kernel"] == "idle" and s["cells"][1]["count"] is not None,
                 30, "the next cell")
        assert "still here" in notebook.locator(".jp-Cell").nth(1).inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "learner-output-flood.png"))
    finally:
        context.close()
        shutdown_kernels(url)
