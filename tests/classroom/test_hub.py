"""The workshop JupyterHub, for real: hub/jupyterhub_config.py with configurable-http-proxy on
free loopback ports. Three learners log in at once with the shared password; each gets their
own server on the start page and their own workspace, runs notebook 01's first exercise and its
check (one of them in headless Chromium, through JupyterLab itself) and sees only their own files.

Run as root, the hub gives every learner their own system account and cgroup: one learner then
tries to list, read and signal another's files and processes (refused), and runs a memory and
CPU hog while the other runs a check (the hog is killed at its limit, the check is not slowed).
The shared-user mode (a hub without root) gets a learner of its own.

Needs configurable-http-proxy (npm; .ci/run installs it into .hub-node/) and, for the browser
learner, Debian's chromium; without them the test is skipped saying so.
"""

import json
import os
import re
import secrets
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil
import pytest

from .hubfixture import ROOT, Hub, proxy_command

sys.path.insert(0, str(ROOT))
from hub.learner import Learner  # noqa: E402
from hub.users import home_of, system_name  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "artifacts" / "screenshots"
LOGS = ROOT / "artifacts" / "logs"        # the test hubs' logs, kept for a failure's story
NB = "01_input_flattening.ipynb"

needs_proxy = pytest.mark.skipif(proxy_command() is None, reason=(
    "hub test skipped: configurable-http-proxy is missing (`npm install --prefix .hub-node "
    "configurable-http-proxy`, with Debian's nodejs and npm; .ci/run does it)"))
ROOT_MODE = os.geteuid() == 0   # then the test hub is in its "system" mode
MEMORY_LIMIT = 1 << 30          # each learner's, in the test hub
# Learners' names end in this run's own digits: on a root hub each has a system account, and
# two test runs on one machine must not share one.
RUN = secrets.token_hex(2)
ANA, BEN, CLEO, DAN, EVE, FAY = (n + RUN for n in ("ana", "ben", "cleo", "dan", "eve", "fay"))


def cell(nb, gid):
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


def src(c):
    return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]


SOLUTION = src(cell(nbformat.read(str(ROOT / "solutions" / NB), as_version=4),
                    "nb01_flatten_solution"))


@pytest.fixture(scope="module")
def hub():
    h = Hub(NNCOURSE_HUB_MEM_LIMIT=str(MEMORY_LIMIT), NNCOURSE_HUB_CPU_LIMIT="1")
    try:
        yield h.start()
    finally:
        LOGS.mkdir(parents=True, exist_ok=True)
        h.stop(keep_log=LOGS / "hub-test.log")


def home(hub, name):
    return home_of(hub.state / "homes", name)


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


@needs_proxy
def test_three_learners_at_once_each_in_their_own_workspace(hub):
    names = [ANA, BEN]
    jobs = [(api_learner, n) for n in names]
    if CHROMIUM:
        jobs.append((browser_learner, CLEO))
        names.append(CLEO)
    else:
        jobs.append((api_learner, CLEO))
        names.append(CLEO)
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
        assert (home(hub, name) / NB).exists()
    if CHROMIUM:
        cleo = results[-1]
        assert cleo["start_page"] == "00_start_here.ipynb"
        assert "solutions" not in cleo["tree"] and "00_start_here" in cleo["tree"]
        assert not cleo["errors"], cleo["errors"]

    users = {u["name"]: u for u in hub.admin("GET", "users").json()}
    assert all(users[n]["servers"][""]["ready"] for n in names)
    culler = hub.admin("GET", "services/idle-culler")
    assert culler.ok and culler.json()["command"], culler.text   # the idle culler runs


def test_system_names_are_safe_and_distinct():
    names = ["ana", "Ana", "ana.b", "ana-b", "ana_b", "Ana María", "анна", "root", "../etc",
             "a" * 20, "a" * 21, "x" * 200, "bob smith", "bob  smith", "", "0day", "nncourse-x"]
    mapped = [system_name(n) for n in names]
    assert len(set(mapped)) == len(names), mapped
    for m in mapped:      # what useradd accepts, at most 32 characters
        assert re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", m), m
    assert system_name("ana") == "nncourse-ana"     # a plain name stays readable


PROBE_OTHER = """
import json, os, signal
other, kernel, server = {home!r}, {kernel}, {server}
out = {{}}
def attempt(key, f):
    try:
        out[key] = "allowed: " + repr(f())[:300]
    except OSError as e:
        out[key] = type(e).__name__
attempt("list other home", lambda: os.listdir(other))
attempt("read other notebook", lambda: open(other + "/01_input_flattening.ipynb").read(50))
attempt("read other file", lambda: open(other + "/secret.txt").read())
attempt("list all homes", lambda: os.listdir(".."))
attempt("signal other kernel", lambda: os.kill(kernel, signal.SIGTERM))
attempt("kill other server", lambda: os.kill(server, signal.SIGKILL))
attempt("read other kernel environ", lambda: open(f"/proc/{{kernel}}/environ").read())
attempt("list other kernel files", lambda: os.listdir(f"/proc/{{kernel}}/fd"))
mine = []
for path in (f"/proc/{{os.getppid()}}/environ", "/proc/self/environ"):
    try:
        mine.append(open(path, "rb").read().decode(errors="replace"))
    except OSError:
        pass
out["my processes' environment"] = "\\n".join(mine) + json.dumps(dict(os.environ))
print(json.dumps(out))
"""

HOG = """
import resource, subprocess, sys, time
MEMORY = '''
import numpy as np
blocks = []
for i in range(60):    # at most 3 GB: past the 1 GB limit, never all of the machine's memory
    blocks.append(np.ones(50 * 2**20 // 8))
print("not limited", flush=True)
'''
SPIN = "import time\\nt = time.time()\\nwhile time.time() - t < 15: pass"
spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(2)]
hog = subprocess.run([sys.executable, "-c", MEMORY], capture_output=True, text=True)
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
before = cpu()
for s in spinners:
    s.wait()
print(hog.returncode, round(cpu() - before, 1), hog.stdout.strip())   # spinners: 15 s each
"""


def cgroup_dir(pid, controller):
    """The folder of ``pid``'s cgroup for ``controller`` (cgroup v1), or its v2 folder."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(",") and path != "/":
            return Path("/sys/fs/cgroup") / controller / path.lstrip("/")
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        if line.startswith("0::") and line[3:] != "/":
            return Path("/sys/fs/cgroup") / line[3:].lstrip("/")
    raise AssertionError(f"process {pid} is in no cgroup of its own")


def check_cells(me):
    nb = me.read_notebook(NB)
    imports = src(next(c for c in nb["cells"] if c["cell_type"] == "code"))
    return [imports, SOLUTION, src(cell(nb, "nb01_flatten"))]


@needs_proxy
@pytest.mark.skipif(not ROOT_MODE, reason="learners get their own accounts only on a root hub")
def test_learners_kept_apart_on_a_root_hub(hub):
    dan, eve = (Learner(hub.url, n, hub.password) for n in (DAN, EVE))
    for me in (dan, eve):
        me.login()
        me.wait_ready()
    eve_home = home(hub, EVE)
    kernel, server = map(int, eve.run([
        "import os; open('secret.txt', 'w').write('eve only'); print(os.getpid(), os.getppid())"],
        shutdown=False)[0].split())
    assert eve_home.stat().st_mode & 0o777 == 0o700
    assert (hub.state / "homes").stat().st_mode & 0o777 == 0o711
    assert psutil.Process(server).uids().real == eve_home.stat().st_uid != 0

    probe = json.loads(dan.run([PROBE_OTHER.format(home=str(eve_home), kernel=kernel,
                                                   server=server)])[0])
    environment = probe.pop("my processes' environment")
    assert probe == {key: "PermissionError" for key in probe}, probe
    assert hub.password not in environment and hub.token not in environment
    assert psutil.pid_exists(kernel) and psutil.pid_exists(server)   # eve's still running
    # dan's terminal runs as dan and finds the course's command (the learners' Python)
    shell = dan.terminal("id -un; nncourse --help | head -n 1; echo done-$((6*7))", "done-42")
    assert system_name(DAN) in shell and "usage: nncourse" in shell, shell

    # eve's check alone, then while dan's memory hog and two CPU spinners run
    cells = check_cells(eve)
    t0 = time.perf_counter()
    assert eve.run(cells)[-1].startswith("✔ flatten")
    alone = time.perf_counter() - t0
    with ThreadPoolExecutor(1) as pool:
        hogging = pool.submit(dan.run, [HOG], 120, False)
        time.sleep(2)
        t0 = time.perf_counter()
        verdict = eve.run(cells)[-1]
        beside_hog = time.perf_counter() - t0
        hog = hogging.result()[0]
    assert verdict.startswith("✔ flatten"), verdict
    assert hog.split()[0] == "-9", hog        # killed at dan's memory limit, not "not limited"
    dan_kernel = next(p for p in psutil.process_iter() if p.uids().real ==
                      home(hub, DAN).stat().st_uid and "ipykernel_launcher" in p.cmdline())
    memory, cpu = cgroup_dir(dan_kernel.pid, "memory"), cgroup_dir(dan_kernel.pid, "cpu")
    oom = {f.name: f.read_text() for f in memory.glob("memory.*") if f.name in
           ("memory.events", "memory.oom_control", "memory.failcnt")}
    assert any(re.search(r"oom_kill [1-9]", t) for t in oom.values()) or \
        oom.get("memory.failcnt", "0").strip() != "0", oom
    spun = float(hog.split()[1])   # CPU seconds of the two 15 s spinners: at most 1 CPU's worth
    assert spun <= 1.2 * 15, (spun, (cpu / "cpu.stat").read_text())
    assert beside_hog < max(4 * alone, alone + 20), (alone, beside_hog)


@needs_proxy
def test_shared_user_mode_for_a_hub_without_root():
    h = Hub(NNCOURSE_HUB_USERS="shared")
    try:
        h.start()
        me = Learner(h.url, FAY, h.password)
        me.login()
        me.wait_ready()
        assert me.run(check_cells(me))[-1].startswith("✔ flatten"), h.log_tail()
        assert (home_of(h.state / "homes", FAY) / NB).stat().st_uid == os.geteuid()
    finally:
        LOGS.mkdir(parents=True, exist_ok=True)
        h.stop(keep_log=LOGS / "hub-test-shared.log")
