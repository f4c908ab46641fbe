"""The workshop hub under a class: N learners (default 20) log in at the same moment.

Starts hub/jupyterhub_config.py on free loopback ports in a temporary folder (as the hub's test
does), then every learner, in their own thread: logs in with the shared password, waits for
their server (time to a ready server, measured from the login request), opens notebook 01,
runs its set-up cell, the flatten exercise and its check in a kernel (which must pass).
Memory per learner: the proportional set size (PSS) of that learner's processes (their server
and their kernel, found by working directory), once every kernel is up.

    python benchmarks/hub_speed.py [--learners 20]
"""

import argparse
import json
import statistics
import sys
import tempfile
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

NB = "01_input_flattening.ipynb"


def src(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def by_gid(nb, gid):
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


SOLUTION = src(by_gid(nbformat.read(str(ROOT / "solutions" / NB), as_version=4),
                      "nb01_flatten_solution"))


def learner(hub, name):
    me = Learner(hub.url, name, hub.password)
    t0 = time.perf_counter()
    me.login()
    me.wait_ready(timeout=600)
    ready = time.perf_counter() - t0
    nb = me.read_notebook(NB)
    setup = src(next(c for c in nb["cells"] if c["cell_type"] == "code"))
    out = me.run([setup, SOLUTION, src(by_gid(nb, "nb01_flatten"))], timeout=600, shutdown=False)
    return {"name": name, "ready_s": ready, "check_s": time.perf_counter() - t0 - ready,
            "passed": out[-1].startswith("✔ flatten")}


def memory_per_learner(homes, names):
    pss = {n: 0 for n in names}
    for p in psutil.process_iter(["pid"]):
        try:
            cwd = Path(p.cwd())
            name = cwd.name if cwd.parent == homes else None
            if name in pss:
                pss[name] += p.memory_full_info().pss
        except (psutil.Error, OSError):
            continue
    return {n: v / 2**20 for n, v in pss.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, default=20)
    args = ap.parse_args()
    if proxy_command() is None:
        sys.exit("configurable-http-proxy is missing (npm install --prefix .hub-node "
                 "configurable-http-proxy)")
    names = [f"learner{i:02d}" for i in range(args.learners)]
    with tempfile.TemporaryDirectory() as tmp:
        hub = Hub(Path(tmp) / "state", NNCOURSE_HUB_IDLE_TIMEOUT="3600")
        hub.start()
        try:
            start = time.perf_counter()
            with ThreadPoolExecutor(len(names)) as pool:
                rows = list(pool.map(lambda n: learner(hub, n), names))
            wall = time.perf_counter() - start
            mem = memory_per_learner((hub.state / "homes").resolve(), names)
        finally:
            hub.stop()
    ready = [r["ready_s"] for r in rows]
    per = list(mem.values())
    result = {
        "learners": len(names), "cores": psutil.cpu_count(),
        "all_checks_passed": all(r["passed"] for r in rows),
        "ready_s": {"median": round(statistics.median(ready), 1), "max": round(max(ready), 1),
                    "min": round(min(ready), 1)},
        "check_after_ready_s": {"median": round(statistics.median(r["check_s"] for r in rows), 1),
                                "max": round(max(r["check_s"] for r in rows), 1)},
        "everyone_checked_after_s": round(wall, 1),
        "memory_per_learner_mb": {"median": round(statistics.median(per)),
                                  "max": round(max(per)), "total": round(sum(per))},
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "hub_speed.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
