"""``make bench``: every benchmark in one run, one table, one JSON file to compare runs with.

    python benchmarks/run.py [--json PATH] [--compare OLD.json] [--only train,grading,hub,course]
    python benchmarks/run.py --compare OLD.json NEW.json      (no run: the two side by side)

Sections, each sized so that the whole run takes at most 10 minutes on 2 cores:

* ``train``   nnlib against a hand-written numpy loop, PyTorch (CPU), scikit-learn and the
              matrix-product floor (train_speed.py), epochs interleaved round by round;
* ``grading`` sandboxed ``nncourse grade`` against nbgrader's ``autograde`` per submission
              (grading_speed.py), rounds alternating;
* ``hub``     the workshop hub's time to a ready server for 20 learners logging in at once, and
              memory per learner (hub_speed.py, in a process of its own);
* ``course``  every solution notebook's execution time and every exercise check's
              (course_speed.py).

Every comparison is a ratio taken within one round (the two contestants timed back to back),
summarised over the rounds by its median and interquartile range (IQR), so that load which
comes and goes hits both sides of a ratio alike. The training comparison runs every library on
one BLAS thread and times CPU seconds (``--threads N`` for N threads, timed by the wall clock):
on a machine other work shares, that leaves out the time the core was someone else's. The load
average is recorded before and after each section.
"""

import os
import sys

THREADS = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--threads=")), None)
if THREADS is None and "--threads" in sys.argv[:-1]:
    THREADS = sys.argv[sys.argv.index("--threads") + 1]
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):   # before numpy is imported
    os.environ[variable] = THREADS or "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
# the hub last: its 20 learners' servers and kernels keep the machine busy for a while after
SECTIONS = ("train", "grading", "course", "hub")


# --- the figures: one row each ---------------------------------------------------------------

def figure(label, value, unit="", q1=None, q3=None, target=None, met=None, note=""):
    """One row of the table. ``target`` is text such as "≤ 1.00"; ``met`` True/False/None."""
    return {"label": label, "value": value, "unit": unit, "q1": q1, "q3": q3,
            "target": target, "met": met, "note": note}


def run_train(args):
    import train_speed
    r = train_speed.measure(rounds=args.train_rounds, samples=args.samples, also=args.also)
    epoch = r["seconds_per_epoch"]["nnlib"]
    rows = {"train.nnlib_s": figure(f"nnlib s/epoch ({r['samples']} samples, {r['clock']} s)",
                                    epoch["median"], "s", epoch["q1"], epoch["q3"])}
    targets = {"numpy loop": 1.0, "matmul floor": 1.3, "PyTorch (CPU)": 0.8, "scikit-learn": 0.8}
    for name, limit in targets.items():
        key = f"train.nnlib_over_{name.split()[0].lower().replace('-', '_')}"
        if name not in r["nnlib_ratio"]:
            rows[key] = figure(f"nnlib ÷ {name}", None, note=r["skipped"].get(name, "skipped"))
            continue
        q = r["nnlib_ratio"][name]
        rows[key] = figure(f"nnlib ÷ {name}", q["median"], "×", q["q1"], q["q3"],
                           f"≤ {limit:.2f}", q["median"] <= limit)
    for checkout in args.also:
        q = r["nnlib_ratio"][f"nnlib at {checkout}"]
        rows[f"train.nnlib_over_nnlib_at_{checkout}"] = figure(
            f"nnlib ÷ nnlib at {checkout}", q["median"], "×", q["q1"], q["q3"])
    rows["train.peak_mib"] = figure("nnlib peak memory in an epoch", r["peak_mib"], "MiB",
                                    note=f"data {r['data_mib']:.0f} MiB, {'/'.join(r['dtypes'])}")
    return rows, r


def run_grading(args):
    import grading_speed
    r = grading_speed.measure(submissions=args.submissions, rounds=args.grading_rounds, jobs=2)
    per = r["seconds_per_submission"]
    rows = {
        "grading.nncourse_s": figure(f"nncourse grade --jobs 2 ({', '.join(r['isolation'])})",
                                     per["nncourse"]["median"], "s/sub", per["nncourse"]["q1"],
                                     per["nncourse"]["q3"]),
        "grading.nbgrader_s": figure("nbgrader autograde (no sandbox)", per["nbgrader"]["median"],
                                     "s/sub", per["nbgrader"]["q1"], per["nbgrader"]["q3"]),
        "grading.ratio": figure("nncourse ÷ nbgrader", r["ratio"]["median"], "×",
                                r["ratio"]["q1"], r["ratio"]["q3"], "≤ 1.00",
                                r["ratio"]["median"] <= 1.0),
        "grading.scores_equal": figure("scores equal", r["scores_equal"],
                                       f"/{r['submissions']}", target="all",
                                       met=r["scores_equal"] == r["submissions"]),
    }
    return rows, r


HUB_CALL = """
import json, sys
sys.path.insert(0, {here!r})
import hub_speed
if not hasattr(hub_speed, "measure"):
    sys.exit(3)
print("HUB_RESULT " + json.dumps(hub_speed.measure(learners={learners})))
"""


def run_hub(args):
    """hub_speed.measure(learners) in a process of its own when hub_speed.py has it; otherwise
    the script itself, reading the JSON file it writes."""
    code = HUB_CALL.format(here=str(HERE), learners=args.learners)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    how = "hub_speed.measure"
    if done.returncode == 3:   # an older hub_speed.py, without measure()
        how = "hub_speed.py (no measure() in it)"
        done = subprocess.run([sys.executable, str(HERE / "hub_speed.py"), "--learners",
                               str(args.learners)], cwd=ROOT, capture_output=True, text=True)
        if done.returncode == 0:
            done.stdout = "HUB_RESULT " + (HERE / "results" / "hub_speed.json").read_text()
    if done.returncode != 0:
        raise RuntimeError((done.stderr or done.stdout).strip().splitlines()[-1])
    r = json.loads(done.stdout.split("HUB_RESULT ", 1)[1])
    ready = r.get("ready_s", {})
    median = r.get("median_s", ready.get("median"))
    worst = r.get("worst_s", ready.get("max"))
    memory = r.get("mb_per_learner", r.get("memory_per_learner_mb", {}).get("median"))
    r["called"] = how
    n = r.get("learners", args.learners)
    rows = {
        "hub.ready_median_s": figure(f"hub: ready, median of {n} learners", median, "s",
                                     target="≤ 15", met=median <= 15, note=how),
        "hub.ready_worst_s": figure(f"hub: ready, worst of {n}", worst, "s", target="≤ 30",
                                    met=worst <= 30),
        "hub.mb_per_learner": figure("hub: memory per learner (PSS)", memory, "MB"),
        "hub.checks_passed": figure("hub: every learner's first check passed",
                                    r.get("all_checks_passed"), met=r.get("all_checks_passed")),
    }
    return rows, r


def run_course(args):
    import course_speed
    r = course_speed.measure()
    nb, checks = r["notebooks"], r["checks"]
    total = sum(nb.values())
    slow_nb = max(nb, key=nb.get)
    slow_check = max(checks, key=checks.get)
    median_check = sorted(checks.values())[len(checks) // 2]
    rows = {
        "course.all_notebooks_s": figure(f"all {len(nb)} solution notebooks", total, "s",
                                         target="≤ 60", met=total <= 60),
        "course.slowest_notebook_s": figure("slowest notebook", nb[slow_nb], "s",
                                            target="≤ 15", met=nb[slow_nb] <= 15, note=slow_nb),
        "course.median_check_ms": figure(f"median of {len(checks)} checks", median_check * 1000,
                                         "ms"),
        "course.slowest_check_ms": figure("slowest check", checks[slow_check] * 1000, "ms",
                                          target="≤ 500", met=checks[slow_check] <= 0.5,
                                          note=slow_check),
    }
    return rows, r


RUNNERS = {"train": run_train, "grading": run_grading, "hub": run_hub, "course": run_course}


# --- the table ---------------------------------------------------------------------------------

def number(value, unit=""):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value}{unit if unit.startswith('/') else ''}"
    digits = 3 if abs(value) < 10 else 1
    return f"{value:.{digits}f}"


def spread_text(row):
    if row["q1"] is None:
        return ""
    return f"{number(row['q1'])}–{number(row['q3'])}"


def table(result):
    lines = [f"{'figure':<46}{'value':>9} {'unit':<6}{'IQR':>14}  {'target':<8}{'':<7}note"]
    for section in SECTIONS:
        info = result["sections"].get(section)
        if info is None:
            continue
        lines.append(f"-- {section} ({info['seconds']:.0f} s; load average "
                     f"{info['load_before']:.1f} → {info['load_after']:.1f})"
                     + (f": FAILED, {info['error']}" if info.get("error") else ""))
        for key, row in result["figures"].items():
            if key.split(".")[0] != section:
                continue
            met = {True: "met", False: "MISSED", None: ""}[row["met"]]
            lines.append(f"  {row['label']:<44}{number(row['value'], row['unit']):>9} "
                         f"{row['unit'] if not row['unit'].startswith('/') else '':<6}"
                         f"{spread_text(row):>14}  {row['target'] or '':<8}{met:<7}"
                         f"{row['note']}")
    m = result["machine"]
    lines.append(f"{m['cores']} cores, {m['threads']} BLAS thread(s) for training; "
                 f"{result['seconds']:.0f} s in all; {result['date']}, {result['commit']}")
    return "\n".join(lines)


def compare(old, new):
    lines = [f"{'figure':<46}{'old':>12}{'new':>12}{'new ÷ old':>11}",
             f"{'':<46}{old['date'][:10]:>12}{new['date'][:10]:>12}",
             f"{'':<46}{old['date'][11:16]:>12}{new['date'][11:16]:>12}"]
    for key in list(dict.fromkeys([*old["figures"], *new["figures"]])):
        a, b = old["figures"].get(key), new["figures"].get(key)
        row = b or a
        va = a["value"] if a else None
        vb = b["value"] if b else None
        ratio = (f"{vb / va:.2f}" if isinstance(va, (int, float)) and isinstance(vb, (int, float))
                 and not isinstance(va, bool) and va else "")
        lines.append(f"{row['label'][:45]:<46}{number(va):>12}{number(vb):>12}{ratio:>11}")
    for name, run in (("old", old), ("new", new)):
        loads = ", ".join(f"{s} {i['load_before']:.1f}" for s, i in run["sections"].items())
        lines.append(f"{name}: {run['commit']}, load average at start of {loads}")
    return "\n".join(lines)


def commit():
    done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="where to write the results (default: "
                        "benchmarks/results/<date>.json)")
    parser.add_argument("--compare", nargs="+", type=Path, metavar="JSON",
                        help="OLD.json: print this run beside it; OLD.json NEW.json: only "
                        "print the two side by side")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default: {','.join(SECTIONS)})")
    parser.add_argument("--threads", default=None,
                        help="BLAS threads for the training comparison (default 1)")
    parser.add_argument("--samples", type=int, default=60_000, help="training samples")
    parser.add_argument("--train-rounds", type=int, default=7)
    parser.add_argument("--also", action="append", default=[], metavar="PATH",
                        help="also train with the nnlib of the checkout at PATH (e.g. main's)")
    parser.add_argument("--submissions", type=int, default=6, help="grading submissions")
    parser.add_argument("--grading-rounds", type=int, default=3)
    parser.add_argument("--learners", type=int, default=20, help="hub learners")
    args = parser.parse_args(argv)
    if args.compare and len(args.compare) > 2:
        parser.error("--compare takes OLD.json, or OLD.json NEW.json")
    if args.compare and len(args.compare) == 2:
        old, new = (json.loads(p.read_text()) for p in args.compare)
        print(compare(old, new))
        return 0
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")

    import numpy
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "commit": commit(),
              "machine": {"cores": os.cpu_count(), "threads": int(os.environ["OMP_NUM_THREADS"]),
                          "python": platform.python_version(), "numpy": numpy.__version__},
              "sections": {}, "figures": {}, "raw": {}}
    start = time.perf_counter()
    failed = False
    for section in sections:
        print(f"[bench] {section} ...", file=sys.stderr, flush=True)
        info = {"load_before": os.getloadavg()[0]}
        t0 = time.perf_counter()
        try:
            rows, raw = RUNNERS[section](args)
            result["figures"].update(rows)
            result["raw"][section] = raw
        except Exception as error:   # one section failing must not lose the others' figures
            failed = True
            info["error"] = f"{type(error).__name__}: {error}"
            traceback.print_exc()
        info.update(seconds=time.perf_counter() - t0, load_after=os.getloadavg()[0])
        result["sections"][section] = info
    result["seconds"] = time.perf_counter() - start

    print(table(result))
    path = args.json or HERE / "results" / f"{result['date'][:19].replace(':', '-')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {path}")
    if args.compare:
        print("\n" + compare(json.loads(args.compare[0].read_text()), result))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
