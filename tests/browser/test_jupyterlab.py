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
            "JupyterLab asks about news: jupyter/overrides.json is not installed (make test does it)"
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
