"""The Gradescope autograder's run side: what ``run_autograder`` runs in Gradescope's container
for each submission (:mod:`nncourse.teacher.gradescope` exports the zip).

It grades the submitted notebook as ``nncourse grade`` does and turns the report into
Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
Without bubblewrap, as root, learner code runs as an unprivileged user whose Python sees only the
grading view of the course (:mod:`nncourse.grading.hiding`: the real copies are hidden from it
while it runs), every process of which is killed before ``results.json`` is written, last.
"""

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path

from nncourse.files import write_atomic
from nncourse.grading import hiding
from nncourse.grading.hiding import kill_processes_of
from nncourse.results import SubmissionReport
from nncourse.teacher.gradescope import CONFIG


def find_submission(folder, notebook):
    """``(path or None, note)``: the notebook to grade among the submitted files."""
    found = sorted(p for p in Path(folder).rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts) if Path(folder).is_dir() else []
    if not found:
        return None, ""
    exact = [p for p in found if p.name == f"{notebook}.ipynb"]
    close = [p for p in found if notebook.lower() in p.stem.lower()
             or p.stem.split("_", 1)[0] == notebook.split("_", 1)[0]]
    chosen = (exact or close or found)[0]
    others = [p.name for p in found if p != chosen]
    note = f" (also submitted, not graded: {', '.join(others)})" if others else ""
    return chosen, note


def results_from(report, config, elapsed=0.0, note=""):
    """Gradescope's results.json (a dict) from one ``nncourse grade`` report (a
    :class:`~nncourse.results.SubmissionReport`, or None when nothing was submitted)."""
    nb, exs = config["notebook"], config["exercises"]
    prefix = nb.split("_", 1)[0]
    rows = {e.id: e for e in report.exercises} if report is not None else {}
    wrong_notebook = report is not None and report.notebook not in (None, nb)
    tests, lines = [], []
    if report is None:
        why = f"No notebook was submitted: upload your {nb}.ipynb."
    elif wrong_notebook:
        why = (f"The submitted notebook is {report.notebook}, but this assignment is {nb}: "
               f"upload {nb}.ipynb.")
    elif not rows:
        why = f"Not graded: {report.error or 'the grader returned no verdicts'}."
    else:
        why = None
    for i, e in enumerate(exs, start=1):
        row = rows.get(e["id"]) if why is None else None
        if row is None:
            score, status, output = 0.0, "failed", why or "the grader returned no verdict"
        else:
            score = float(row.points)
            status = "passed" if row.passed else "failed"
            output = row.message
        tests.append({"name": e["name"], "number": f"{prefix}.{i}", "score": score,
                      "max_score": float(e["points"]), "status": status, "output": output,
                      "output_format": "text",
                      "visibility": config.get("test_visibility", "visible")})
    score = sum(t["score"] for t in tests)
    max_score = float(config["max_score"])
    lines.append(f"{nb}: {score:g} / {max_score:g} points{note}.")
    if why:
        lines.append(why)
    elif report.error:
        lines.append(f"The grader could not run all of your notebook: {report.error}")
    if report and report.modified_check_cells:
        lines.append("Edited or deleted check cells (the course's own checks were run instead): "
                     + ", ".join(report.modified_check_cells))
    if report and report.seed is not None:
        lines.append(f"Hidden cases drawn with seed {report.seed}.")
    extra = {"notebook": report.notebook if report else None,
             "seed": report.seed if report else None,
             "isolation": report.isolation if report else None,
             "modified_check_cells": report.modified_check_cells if report else [],
             "error": report.error if report else None}
    return {"score": score, "execution_time": int(round(elapsed)), "output": "\n".join(lines),
            "output_format": "text", "visibility": config.get("visibility", "visible"),
            "stdout_visibility": config.get("stdout_visibility", "hidden"),
            "extra_data": extra, "tests": tests}


def run(root, config_path, unsandboxed=False, user=None):
    """Grade ``root/submission`` into ``root/results/results.json``; returns the results. With
    ``user`` (no bubblewrap, as root), learner code runs as that unprivileged user, and every
    process it left is killed before the results are written, last."""
    from nncourse.grading.grader import Limits, NoSandbox, choose_isolation, grade_many
    root = Path(root)
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    start = time.monotonic()
    path, note = find_submission(root / "submission", config["notebook"])
    report = None
    if path is not None:
        seed = config.get("seed")
        seed = secrets.randbelow(2**31) if seed is None else seed
        try:
            isolation = choose_isolation(unsandboxed, user)
            # as the user, its Python sees only the grading view (the real course is hidden)
            # (and every process of the user is killed before the course is readable again)
            with hiding.hidden(user if isolation == "user" else None):
                report = grade_many([path], seed=seed, isolation=isolation,
                                    limits=Limits(user=user if isolation == "user" else None))[0]
        except (NoSandbox, hiding.HidingError) as exc:
            report = SubmissionReport(str(path), error=str(exc), error_kind="grader", seed=seed)
    if user:
        kill_processes_of(user)
    results = results_from(report, config, time.monotonic() - start, note)
    write_atomic(root / "results" / "results.json",
                 json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(results["output"])
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nncourse.teacher.autograder")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="grade a Gradescope submission (run_autograder calls this)")
    p.add_argument("--root", default=os.environ.get("NNCOURSE_AUTOGRADER_ROOT", "/autograder"))
    p.add_argument("--config", help=f"the zip's {CONFIG} (default: ROOT/source/{CONFIG})")
    p.add_argument("--unsandboxed", action="store_true",
                   help="grade without bubblewrap (Gradescope's container isolates the submission)")
    p.add_argument("--run-as", metavar="USER",
                   help="with --unsandboxed, as root: run learner code as this unprivileged user")
    args = parser.parse_args(argv)
    run(args.root, args.config or Path(args.root) / "source" / CONFIG, args.unsandboxed,
        args.run_as)
    return 0


if __name__ == "__main__":
    sys.exit(main())
