"""The workshop hub under a class: N learners (default 20) log in at the same moment.

Starts hub/jupyterhub_config.py on free loopback ports in a temporary folder (as the hub's test
does), then every learner, in their own thread: logs in with the shared password, waits for
their server (time to a ready server, measured from the login request), opens notebook 01,
runs its set-up cell, the flatten exercise and its check in a kernel (which must pass).
Memory per learner: the proportional set size (PSS) of that learner's processes (their server
and their kernel, found by working directory), once every kernel is up, plus an equal share of
the fork server's (the process their servers are forked from, whose memory they share).

Two ways to run a workshop, one benchmark:
* walk-in (default): nobody is expected; every server starts when its learner logs in;
* ``--prestart``: the learners' names are given to the hub (NNCOURSE_HUB_LEARNERS), which starts
  their servers before anyone logs in; the benchmark waits until all are up (and reports how
  long that took) and only then lets the 20 learners log in at once.

    python benchmarks/hub_speed.py [--learners 20] [--prestart] [--no-forkserver] [--shared]

``measure(learners=20, prestart=False)`` returns the figures as a dict (``median_s``,
``worst_s``, ``mb_per_learner``, ...) for benchmarks/run.py.
"""

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from classroom.hubfixture import Hub, proxy_command  # noqa: E402
from hub.learner import Learner  # noqa: E402
from hub.users import home_of  # noqa: E402

NB = "01_input_flattening.ipynb"


def src(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def by_gid(nb, gid):
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


SOLUTION = src(by_gid(nbformat.read(str(ROOT / "solutions" / NB), as_version=4),
                      "nb01_flatten_solution"))


def learner(hub, name, timeout=240):
    """One learner: log in, wait for their server, run the flatten check. A server not ready
    after ``timeout`` seconds counts as not ready (reported), not as a crash of the benchmark."""
    me = Learner(hub.url, name, hub.password)
    t0 = time.perf_counter()
    me.login()
    login = time.perf_counter() - t0
    try:
        me.wait_ready(timeout=timeout)
    except (TimeoutError, RuntimeError):
        return {"name": name, "login_s": login, "ready_s": None, "check_s": None,
                "passed": False}
    ready = time.perf_counter() - t0
    try:
        nb = me.read_notebook(NB)
        setup = src(next(c for c in nb["cells"] if c["cell_type"] == "code"))
        out = me.run([setup, SOLUTION, src(by_gid(nb, "nb01_flatten"))], timeout=600,
                     shutdown=False)
    except Exception as e:   # noqa: BLE001  (reported in the figures, not a crash)
        return {"name": name, "login_s": login, "ready_s": ready, "check_s": None,
                "passed": False, "error": f"{type(e).__name__}: {e}"[:300]}
    return {"name": name, "login_s": login, "ready_s": ready,
            "check_s": time.perf_counter() - t0 - ready, "passed": out[-1].startswith("✔ flatten")}


def memory_per_learner(homes, names):
    """PSS in MB of each learner's processes (by working directory: their home), the fork
    server's (shared by all), and the CPU seconds each learner's server process has used (its
    start, its workspace update and serving the benchmark; not its kernels)."""
    def home(n):      # an account's home (root hub), else a folder named after the learner
        return (home_of(homes, n) if home_of(homes, n).exists() else homes / n).resolve()
    by_home = {home(n): n for n in names}
    pss, cpu, shared = {n: 0 for n in names}, {n: 0.0 for n in names}, 0
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            cmdline = p.info["cmdline"] or ()
            name = by_home.get(Path(p.cwd()))
            if name in pss:
                pss[name] += p.memory_full_info().pss
                if not any("ipykernel" in a for a in cmdline):
                    cpu[name] += sum(p.cpu_times()[:2])
            elif any(a.endswith("hub/forkserver.py") for a in cmdline):
                shared += p.memory_full_info().pss   # the fork server (its forks have homes)
        except (psutil.Error, OSError):
            continue
    return {n: v / 2**20 for n, v in pss.items()}, shared / 2**20, cpu


def wait_all_ready(hub, names, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        users = {u["name"]: u for u in hub.admin("GET", "users").json()}
        if all(users.get(n, {}).get("servers", {}).get("", {}).get("ready") for n in names):
            return
        time.sleep(0.5)
    raise TimeoutError("the pre-started servers were not all ready")


def measure(learners=20, prestart=False, forkserver=True, shared=False):
    """Run the benchmark; returns its figures as a dict."""
    if proxy_command() is None:
        raise RuntimeError("configurable-http-proxy is missing (npm install --prefix .hub-node "
                           "configurable-http-proxy)")
    names = [f"learner{i:02d}" for i in range(learners)]
    mode = "shared" if shared or os.geteuid() != 0 else "system"
    env = {"NNCOURSE_HUB_IDLE_TIMEOUT": "3600", "NNCOURSE_HUB_USERS": mode,
           "NNCOURSE_HUB_FORKSERVER": "1" if forkserver else "0"}
    hub = Hub(**env)
    prestart_s = None
    if prestart:
        hub.made.joinpath("learners.txt").write_text("\n".join(names) + "\n")
        hub.env["NNCOURSE_HUB_LEARNERS"] = str(hub.made / "learners.txt")
    load = os.getloadavg()[0]
    hub.start()
    hub_process = psutil.Process(hub.process.pid)
    try:
        # the hub is up before the workshop: so is its fork server (imports done)
        deadline = time.monotonic() + 120
        while forkserver and not (hub.state / "forkserver.sock").exists() \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        if prestart:
            t0 = time.perf_counter()
            wait_all_ready(hub, names)
            prestart_s = time.perf_counter() - t0
        start = time.perf_counter()
        with ThreadPoolExecutor(len(names)) as pool:
            rows = list(pool.map(lambda n: learner(hub, n), names))
        wall = time.perf_counter() - start
        mem, shared_mb, server_cpu = memory_per_learner((hub.state / "homes").resolve(), names)
        hub_cpu = sum(hub_process.cpu_times()[:2])
    finally:
        out = ROOT / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        hub.stop(keep_log=out / "hub_speed.log")
    ready = [r["ready_s"] for r in rows if r["ready_s"] is not None]
    checks = [r["check_s"] for r in rows if r["check_s"] is not None]
    per = [v + shared_mb / len(names) for v in mem.values()]
    return {
        "learners": len(names), "cores": psutil.cpu_count(), "mode": mode,
        "forkserver": forkserver, "prestart": prestart,
        "load_average_before": round(load, 1),
        "all_checks_passed": all(r["passed"] for r in rows),
        "not_ready": len(rows) - len(ready),     # servers not up within 240 s
        "errors": [f"{r['name']}: {r['error']}" for r in rows if r.get("error")],
        "median_s": round(statistics.median(ready), 1) if ready else None,
        "worst_s": round(max(ready), 1) if ready else None,
        "best_s": round(min(ready), 1) if ready else None,
        "login_answered_s": {"median": round(statistics.median(r["login_s"] for r in rows), 1),
                             "max": round(max(r["login_s"] for r in rows), 1)},
        "prestart_all_ready_s": None if prestart_s is None else round(prestart_s, 1),
        "check_after_ready_s": {"median": round(statistics.median(checks), 1),
                                "max": round(max(checks), 1)} if checks else None,
        "everyone_checked_after_s": round(wall, 1),
        "hub_cpu_s": round(hub_cpu, 1),
        "server_cpu_s_per_learner": round(statistics.median(server_cpu.values()), 2),
        "mb_per_learner": round(statistics.median(per)),
        "mb_per_learner_max": round(max(per)), "mb_total": round(sum(per)),
        "mb_fork_server": round(shared_mb),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, default=20)
    ap.add_argument("--prestart", action="store_true",
                    help="start the learners' servers before they log in (a known list)")
    ap.add_argument("--no-forkserver", action="store_true",
                    help="start each server as a new Python (NNCOURSE_HUB_FORKSERVER=0)")
    ap.add_argument("--shared", action="store_true",
                    help="every learner as the hub's user (the mode for a hub without root)")
    args = ap.parse_args()
    try:
        result = measure(args.learners, args.prestart, not args.no_forkserver, args.shared)
    except RuntimeError as e:
        sys.exit(str(e))
    print(json.dumps(result, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    name = "hub_speed" + ("_prestart" if args.prestart else "") + ".json"
    (out / name).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
