"""How fast does the course run for a learner?

* each solution notebook, executed top to bottom in a fresh kernel (target ≤ 15 s each, ≤ 60 s
  for all of them);
* each exercise check, run on nnlib's correct answer (target: a verdict in ≤ 0.5 s).

    python benchmarks/course_speed.py
"""

import time

import nbformat

from nncourse.checks import judging, registry
from nncourse.build.execute import execute
from nncourse.build.notebooks import SOLUTIONS, solution_paths


def notebook_times():
    times = {}
    for path in solution_paths(SOLUTIONS):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        execute(nb, path.parent)
        times[path.stem] = time.perf_counter() - start
    return times


def check_times(repeats=3):
    times = {}
    for ex in registry.load_all().values():
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            result = judging.run(ex, ex.reference)
            best = min(best, time.perf_counter() - start)
        assert result.passed, result.message
        times[ex.id] = best
    return times


def measure(repeats=3):
    """``{"notebooks": {stem: seconds}, "checks": {exercise id: seconds}}``."""
    return {"notebooks": notebook_times(), "checks": check_times(repeats)}


def main():
    r = measure()
    nb, checks = r["notebooks"], r["checks"]
    print(f"{'notebook':<28}{'seconds':>9}")
    for name, t in nb.items():
        print(f"{name:<28}{t:>9.1f}{'' if t <= 15 else '   over 15 s'}")
    total = sum(nb.values())
    print(f"{'all notebooks':<28}{total:>9.1f}{'' if total <= 60 else '   over 60 s'}\n")
    slowest = sorted(checks.items(), key=lambda kv: -kv[1])
    print(f"{len(checks)} checks on correct answers: median {sorted(checks.values())[len(checks) // 2] * 1000:.1f} ms, "
          f"slowest {slowest[0][0]} {slowest[0][1] * 1000:.0f} ms")
    for name, t in slowest[:5]:
        print(f"  {name:<32}{t * 1000:>8.1f} ms")
    ok = max(nb.values()) <= 15 and total <= 60 and slowest[0][1] <= 0.5
    print("\ntargets (≤ 15 s per notebook, ≤ 60 s in all, ≤ 0.5 s per check):",
          "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
