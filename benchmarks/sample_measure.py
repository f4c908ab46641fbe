"""Measure the exercise checks against answers the course did not write.

    .venv/bin/python benchmarks/sample_measure.py [SAMPLES.jsonl] [--notebooks 09 10 11]
                                                  [--show named|unnamed|passing|rejected|all]
                                                  [--json OUT.json] [--grader]

SAMPLES.jsonl (default /work/samples/samples.jsonl) holds one learner answer a line, written
from the notebooks' statements alone, not from the checks or their catalogs:

    {"notebook": "09_generalization", "function": "l2_penalty", "kind": "wrong" | "right",
     "mistake": "what is wrong with it, in words", "code": "def l2_penalty(weights, lam): ..."}

Each answer runs as a learner's cell runs: in a namespace made by every code cell of the
solution notebook above the exercise, in order, check cells left out (the imports, the
notebook's own helpers, the solutions of the earlier exercises: a learner who got there has
those defined), then its ``code``; the exercise's check judges the function it defines
(``nncourse.checks.judging.run``, as the check cell does). Counted per exercise:

* wrong answers **named**: the check named a known mistake (``Result.mistake``); whether the
  name fits the sample's described mistake is for a reader to judge (``--show named`` lists
  both side by side);
* wrong answers **explained**: rejected with a specific message but no named mistake (an error
  at the learner's line, an input changed in place, a wrong type, shape or dtype, None);
* wrong answers **unnamed**: rejected with expected-against-got only;
* wrong answers **passing** (the learner would see ✔), and right answers **rejected**.

With ``--grader`` every answer is also graded by the grader (``nncourse.grading``, in its
sandbox), as a submission made of the whole solution notebook with this answer in its
exercise's cell; the script then counts the answers on which the grader's verdict or named
mistake differs from the notebook check's.

This is a measurement, not a test: the samples live outside the repository, and the catalogs
(tests/course/test_catalog_nbNN.py) must not copy them, so that they stay an independent
measure. Nothing here runs under pytest.
"""

import argparse
import collections
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

SPECIFIC = ("changed its input", "raised an error", "returned None", "wrong dtype", "wrong shape",
            "returned a", "returned an", "NaN or inf", "not a Value", "return the pair",
            "should be a whole number", "emitted a warning", "time limit", "not implemented",
            "expected a function", "problem:  the driver", "is None", "the list holds",
            "each node must appear once", "return a list", "appears", "return the ")


def notebook_cells(stem):
    import nbformat
    return nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4).cells


_PREFIXES = {}


def _prefixes(stem, exercises):
    """For each exercise of ``stem``, the namespace a learner has just before its cell: every
    code cell above it run in order (imports, the notebook's own helpers such as 12's ``fit``
    and ``predict``, the cells that make ``reloaded``, the solutions of the earlier exercises),
    but not the check cells. Run once per notebook; each exercise gets a shallow copy."""
    if stem in _PREFIXES:
        return _PREFIXES[stem]
    import contextlib
    import io
    ids = {e.id: e for e in exercises if e.notebook == stem}
    ns, snapshots = {"__name__": "__main__"}, {}
    for n, cell in enumerate(notebook_cells(stem)):
        if cell.cell_type != "code":
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        ex = ids.get(grade_id.removesuffix("_solution"))
        if grade_id and not grade_id.endswith("_solution"):
            continue                                   # a check cell
        if ex is not None:
            snapshots[ex.function] = dict(ns)
        source = "\n".join(line for line in cell.source.splitlines()
                           if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
                           and not line.lstrip().startswith(("%", "!")))
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, f"<{stem} cell {n}>", "exec"), ns)
        try:
            import matplotlib.pyplot as plt
            plt.close("all")
        except ImportError:
            pass
    _PREFIXES[stem] = snapshots
    return snapshots


def namespace(stem, function, exercises):
    """The learner's namespace just before the exercise defining ``function``."""
    return dict(_prefixes(stem, exercises)[function])


def classify(sample, result):
    if sample["kind"] == "right":
        return "accepted" if result.passed else "rejected"
    if result.passed:
        return "passing"
    if result.mistake is not None:
        return "named"
    if result.status != "failed" or any(s in result.message for s in SPECIFIC):
        return "explained"
    return "unnamed"


def measure(samples, notebooks):
    from nncourse.checks import judging, registry
    exercises = list(registry.load_all().values())
    rows = []
    for sample in samples:
        stem = registry.current_notebook(sample["notebook"])
        if notebooks and stem[:2] not in notebooks:
            continue
        ex = next((e for e in exercises if e.notebook == stem
                   and e.function == sample["function"]), None)
        if ex is None:
            rows.append(dict(sample, exercise=None, outcome="no such exercise", message=""))
            continue
        try:
            ns = namespace(stem, sample["function"], exercises)
            exec(compile(sample["code"], "<learner's cell>", "exec"), ns)
            fn = ns.get(ex.function)
        except Exception as exc:       # the sample's own cell fails to run: the learner sees it
            rows.append(dict(sample, exercise=ex.id, outcome="cell fails",
                             message=f"{type(exc).__name__}: {exc}"))
            continue
        result = judging.run(ex, fn)
        rows.append(dict(sample, exercise=ex.id, exercise_notebook=stem,
                         outcome=classify(sample, result),
                         message=result.message,
                         named=result.mistake.name if result.mistake else None))
    return rows


def grade_with_grader(rows, jobs=2):
    """The grader's verdict and named mistake for each row (in place: ``grader``, a dict)."""
    import tempfile

    import nbformat

    from nncourse.grading import grader
    todo = [r for r in rows if r.get("exercise") and r["outcome"] != "cell fails"]
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, r in enumerate(todo):
            stem = r["exercise_notebook"]
            nb = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
            for cell in nb.cells:
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
                if grade_id == f"{r['exercise']}_solution":
                    cell.source = r["code"]
            path = Path(tmp) / f"{i:04d}" / f"{stem}.ipynb"
            path.parent.mkdir()
            nbformat.write(nb, path)
            paths.append(path)
        reports = grader.grade_many(paths, seed=0, jobs=jobs)
    for r, report in zip(todo, reports):
        row = next((e for e in report.exercises if e.id == r["exercise"]), None)
        r["grader"] = {"passed": row.passed if row else None,
                       "mistake": row.mistake if row else None, "error": report.error}
    return todo


def agreement(rows):
    lost = [r for r in rows if "grader" in r and r["grader"]["error"]]
    judged = [r for r in rows if "grader" in r and not r["grader"]["error"]]
    differ = [r for r in judged
              if r["grader"]["passed"] != (r["outcome"] in ("passing", "accepted"))
              or r["grader"]["mistake"] != r.get("named")]
    lines = [f"grader against notebook check: {len(judged) - len(differ)} of {len(judged)} "
             "answers get the same verdict and the same named mistake"]
    if lost:     # the grader could not grade it (a lost sandbox): no verdict to compare
        lines.append(f"not graded ({len(lost)}): " + "; ".join(
            f"{r['exercise']}: {r['grader']['error']}" for r in lost[:5]))
    for r in differ[:20]:
        lines.append(f"  differs: {r['exercise']} [{r['kind']}] check {r['outcome']} "
                     f"{r.get('named')!r}; grader {r['grader']}")
    return "\n".join(lines)


def table(rows):
    kinds = ("named", "explained", "unnamed", "passing", "accepted", "rejected")
    per = collections.defaultdict(collections.Counter)
    for r in rows:
        per[r["exercise"]][r["outcome"]] += 1
    lines = [f"{'exercise':32} {'wrong':>5} {'named':>5} {'expl.':>5} {'unnamed':>7} "
             f"{'passing':>7} {'right':>5} {'rejected':>8}  named or explained"]
    total = collections.Counter()
    for ex, c in sorted(per.items(), key=lambda kv: str(kv[0])):
        total.update(c)
        lines.append(_line(str(ex), c))
    lines.append(_line("all", total))
    others = {k: v for k, v in total.items() if k not in kinds}
    if others:
        lines.append(f"not judged: {dict(others)}")
    return "\n".join(lines)


def _line(name, c):
    wrong = c["named"] + c["explained"] + c["unnamed"] + c["passing"]
    share = f"{(c['named'] + c['explained']) / wrong:6.0%}" if wrong else "     -"
    return (f"{name:32} {wrong:5} {c['named']:5} {c['explained']:5} {c['unnamed']:7} "
            f"{c['passing']:7} {c['accepted'] + c['rejected']:5} {c['rejected']:8}  {share}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("samples", nargs="?", default="/work/samples/samples.jsonl")
    parser.add_argument("--notebooks", nargs="*", default=[],
                        help="two-digit notebook numbers (default: every notebook sampled)")
    parser.add_argument("--show", choices=("named", "unnamed", "explained", "passing",
                                           "rejected", "all"), action="append", default=[])
    parser.add_argument("--json", help="write every row (sample, outcome, message) here")
    parser.add_argument("--grader", action="store_true",
                        help="also grade every answer with the grader, and compare verdicts")
    args = parser.parse_args(argv)
    path = Path(args.samples)
    if not path.is_file():
        parser.error(f"no samples file at {path}")
    samples = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    rows = measure(samples, args.notebooks)
    for r in rows:
        if "all" in args.show or r["outcome"] in args.show:
            print(f"--- {r['exercise']} [{r['kind']}] {r['outcome']}"
                  f"{' as ' + repr(r.get('named')) if r.get('named') else ''}\n"
                  f"    sample's mistake: {r.get('mistake')}\n"
                  + "\n".join("    " + line for line in r["message"].splitlines()[:12]))
    print(table(rows))
    if args.grader:
        grade_with_grader(rows)
        print(agreement(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
