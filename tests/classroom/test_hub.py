"""The workshop JupyterHub, for real: hub/jupyterhub_config.py with configurable-http-proxy on
free loopback ports. Three learners log in at once with the shared password; each gets their
own server on the start page and their own workspace, runs notebook 01's first exercise and its
check (one of them in headless Chromium, through JupyterLab itself) and sees only their own files.

Needs configurable-http-proxy (npm; .ci/run installs it into .hub-node/) and, for the browser
learner, Debian's chromium; without them the test is skipped saying so.
"""

import shutil
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from .hubfixture import ROOT, Hub, proxy_command

sys.path.insert(0, str(ROOT))
from hub.learner import Learner  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts" / "screenshots"
NB = "01_input_flattening.ipynb"

pytestmark = pytest.mark.skipif(proxy_command() is None, reason=(
    "hub test skipped: configurable-http-proxy is missing (`npm install --prefix .hub-node "
    "configurable-http-proxy`, with Debian's nodejs and npm; .ci/run does it)"))


def cell(nb, gid):
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


def src(c):
    return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]


SOLUTION = src(cell(nbformat.read(str(ROOT / "solutions" / NB), as_version=4),
                    "nb01_flatten_solution"))


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("hub") / "state")
    try:
        yield h.start()
    finally:
        h.stop()


def api_learner(hub, name):
    """Log in, land on the start page, solve and check flatten in a kernel, save the answer."""
    me = Learner(hub.url, name, hub.password)
    landed = me.login()
    lab = me.wait_ready()
    nb = me.read_notebook(NB)
    imports = src(next(c for c in nb["cells"] if c["cell_type"] == "code"))   # its set-up cell
    answer = SOLUTION + f"\n# {name}'s answer"
    out = me.run([imports, answer, src(cell(nb, "nb01_flatten"))])
    cell(nb, "nb01_flatten_solution")["source"] = answer
    me.save_notebook(NB, nb)
    return {"name": name, "landed": landed, "lab": lab, "check": out[-1], "me": me}


def browser_learner(hub, name):
    """The same in JupyterLab in headless Chromium, through the hub's login page."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{hub.url}/hub/login")
        page.fill("#username_input", name)
        page.fill("#password_input", hub.password)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{name}/lab/tree/00_start_here.ipynb*", timeout=240_000)
        landed = page.url
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.context"
            " && window.jupyterapp.shell.currentWidget.context.path === '00_start_here.ipynb'",
            timeout=120_000)
        start_page = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
        page.wait_for_timeout(1500)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hub-learner-lab.png"))
        tree = page.locator(".jp-DirListing-content").inner_text()
        page.evaluate("""async (path) => {
            await window.jupyterapp.commands.execute('docmanager:open', {path});
        }""", NB)
        page.wait_for_function(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " return w && w.context && w.context.path.endsWith('01_input_flattening.ipynb')"
            " && w.sessionContext.session && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.status === 'idle'; }", timeout=120_000)
        result = page.evaluate("""async ({answer}) => {
            const app = window.jupyterapp, panel = app.shell.currentWidget, nb = panel.content;
            const gid = c => (c.model.getMetadata('nbgrader') || {}).grade_id;
            const cells = nb.widgets;
            const setup = cells.findIndex(c => c.model.type === 'code');
            const sol = cells.findIndex(c => gid(c) === 'nb01_flatten_solution');
            const chk = cells.findIndex(c => gid(c) === 'nb01_flatten');
            cells[sol].model.sharedModel.setSource(answer);
            for (const i of [setup, sol, chk]) {          // set-up cell, answer, check
                nb.activeCellIndex = i;
                await app.commands.execute('notebook:run-cell');
            }
            return {sol, chk};
        }""", {"answer": SOLUTION + f"\n# {name}'s answer"})
        verdict = page.wait_for_function("""(chk) => {
            const m = window.jupyterapp.shell.currentWidget.content.widgets[chk].model.outputs;
            for (let i = 0; i < m.length; i++) {
                const t = (m.get(i).toJSON().data || {})['text/plain'];
                if (t) return Array.isArray(t) ? t.join('') : t;
            }
            return false;
        }""", arg=result["chk"], timeout=120_000).json_value()
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "hub-learner-check.png"))
        browser.close()
    me = Learner(hub.url, name, hub.password)
    me.login()
    me.wait_ready()
    return {"name": name, "landed": landed, "start_page": start_page, "tree": tree,
            "check": verdict, "errors": errors, "me": me}


def test_three_learners_at_once_each_in_their_own_workspace(hub):
    names = ["ana", "ben"]
    jobs = [(api_learner, n) for n in names]
    if CHROMIUM:
        jobs.append((browser_learner, "cleo"))
        names.append("cleo")
    else:
        jobs.append((api_learner, "cleo"))
        names.append("cleo")
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = [f.result() for f in [pool.submit(fn, hub, n) for fn, n in jobs]]

    course_files = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for r in results:
        name, me = r["name"], r["me"]
        start = f"/user/{name}/lab/tree/00_start_here.ipynb"
        assert (r.get("lab") or r["landed"]).split("?")[0].endswith(start), r
        assert r["check"].startswith("✔ flatten"), (name, r["check"], hub.log_tail())
        files = me.files()
        assert [f for f in files if f.endswith(".ipynb")] == course_files, (name, files)
        assert "solutions" not in files
        saved = src(cell(me.read_notebook(NB), "nb01_flatten_solution"))
        assert saved.endswith(f"# {name}'s answer"), (name, saved)
        for other in names:
            if other != name:   # another learner's server refuses them
                assert me.api("GET", "contents", owner=other).status_code in (302, 403, 404)
        assert (hub.state / "homes" / name / NB).exists()
    if CHROMIUM:
        cleo = results[-1]
        assert cleo["start_page"] == "00_start_here.ipynb"
        assert "solutions" not in cleo["tree"] and "00_start_here" in cleo["tree"]
        assert not cleo["errors"], cleo["errors"]

    users = {u["name"]: u for u in hub.admin("GET", "users").json()}
    assert all(users[n]["servers"][""]["ready"] for n in names)
    culler = hub.admin("GET", "services/idle-culler")
    assert culler.ok and culler.json()["command"], culler.text   # the idle culler runs
