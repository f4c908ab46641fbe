"""A learner's progress: points per notebook, what is left, what to do next.

Two ways to know which exercises pass:

* :func:`saved_progress` reads the verdicts the checks printed in the *saved* notebooks (instant;
  what the start page's progress cell shows). It says what the learner last ran and saved, so it
  is a view for the learner, never a grade;
* ``nncourse progress`` runs every notebook afresh with the grader's own checks (slower, the
  same verdict a teacher's ``nncourse grade`` gives).

Both produce grader-style reports, formatted by :func:`format_progress`.
"""

from pathlib import Path

import nbformat

from nncourse.checks import registry
from nncourse.checks.notebook import METADATA_KEY
from nncourse.results import ExerciseResult, Status, SubmissionReport


def _verdict(cell):
    """The status a check cell's saved output holds as data (its output metadata), else
    ``not_run``."""
    for out in cell.get("outputs", []):
        meta = out.get("metadata", {}).get(METADATA_KEY)
        if isinstance(meta, dict) and meta.get("status"):
            try:
                return Status.of(meta["status"])
            except ValueError:
                pass
    return Status.NOT_RUN


def course_notebooks():
    """``{notebook stem: [Exercise, ...]}`` in course order."""
    out = {}
    for ex in registry.load_all().values():
        out.setdefault(ex.notebook, []).append(ex)
    return dict(sorted(out.items()))


def saved_progress(folder="."):
    """Reports (:class:`~nncourse.results.SubmissionReport`) from the check verdicts saved in
    ``folder``'s notebooks."""
    reports = []
    for stem, exs in course_notebooks().items():
        path = Path(folder) / f"{stem}.ipynb"
        status, error = {}, None
        if path.exists():
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception as exc:  # a broken file is reported, not fatal
                nb, error = None, f"cannot read {path.name}: {exc}"
            for cell in nb.cells if nb is not None else []:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type == "code" and meta.get("grade") and meta.get("grade_id"):
                    status[registry.current_id(meta["grade_id"])] = _verdict(cell)
        else:
            error = f"{path.name} is not in {Path(folder).resolve()}"
        rows = [ExerciseResult(e.id, e.name, status.get(e.id, Status.NOT_RUN),
                               e.points if status.get(e.id) is Status.PASSED else 0, e.points)
                for e in exs]
        reports.append(SubmissionReport(str(path), stem, rows, error=error))
    return reports


def format_progress(reports):
    """The progress table, then what is left and what to do next."""
    lines, earned, total, left, nxt = [], 0, 0, [], None
    for r in sorted(reports, key=lambda r: r.notebook or r.submission):
        if not r.graded:
            continue
        marks = "  ".join(f"{e.status.symbol} {e.name}" for e in r.exercises)
        lines.append(f"{r.notebook:<28}{r.score:>3g}/{r.max_score:<3g} {marks}")
        if r.error:
            lines.append(f"{'':<28}note: {r.error}")
        earned += r.score
        total += r.max_score
        for e in r.exercises:
            if not e.passed:
                left.append(e)
                if nxt is None:
                    nxt = (r.notebook, e)
    lines.append(f"{'total':<28}{earned:>3g}/{total:<3g}")
    if not left:
        lines.append("All exercises pass. Well done!")
        return "\n".join(lines)
    lines.append(f"left: {len(left)} exercise(s), {sum(e.max_points for e in left):g} point(s)")
    notebook, e = nxt
    how = {Status.NOT_RUN: "run its cells and its check",
           Status.NOT_IMPLEMENTED: "write it in the cell marked # YOUR CODE HERE",
           }.get(e.status, "its check does not pass yet: read the check's message")
    lines.append(f"next: {e.name} in {notebook}.ipynb ({how})")
    return "\n".join(lines)


def show_progress(folder="."):
    """The start page's progress cell: what the saved notebooks in ``folder`` show."""
    print(format_progress(saved_progress(folder)))
    print("(from the checks' verdicts saved in your notebooks: save a notebook, Ctrl+S, after "
          "running its checks; `nncourse progress` in a terminal re-runs every notebook to be sure)")
