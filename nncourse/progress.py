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

from . import exercises

SYMBOL = {"passed": "✔", "failed": "✘", "error": "✘", "timeout": "✘",
          "not_implemented": "…", "not_run": "·", "not_graded": "·"}
VERDICT = {"✔": "passed", "✘": "failed", "…": "not_implemented"}


def _verdict(cell):
    """Status from a check cell's saved output (the first character of its verdict)."""
    for out in cell.get("outputs", []):
        text = out.get("data", {}).get("text/plain") or out.get("text") or ""
        text = "".join(text) if isinstance(text, list) else text
        for line in text.splitlines():
            status = VERDICT.get(line.strip()[:1])
            if status:
                return status
    return "not_run"


def course_notebooks():
    """``{notebook stem: [Exercise, ...]}`` in course order."""
    out = {}
    for ex in exercises.load_all().values():
        out.setdefault(ex.notebook, []).append(ex)
    return dict(sorted(out.items()))


def saved_progress(folder="."):
    """Grader-style reports from the check verdicts saved in ``folder``'s notebooks."""
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
                    status[meta["grade_id"]] = _verdict(cell)
        else:
            error = f"{path.name} is not in {Path(folder).resolve()}"
        rows = [{"id": e.id, "status": status.get(e.id, "not_run"),
                 "passed": status.get(e.id) == "passed",
                 "points": e.points if status.get(e.id) == "passed" else 0,
                 "max_points": e.points} for e in exs]
        reports.append({"submission": str(path), "notebook": stem, "error": error,
                        "score": sum(r["points"] for r in rows),
                        "max_score": sum(r["max_points"] for r in rows), "exercises": rows})
    return reports


def format_progress(reports):
    """The progress table, then what is left and what to do next."""
    by_name = {e.id: e for e in exercises.load_all().values()}
    lines, earned, total, left, nxt = [], 0, 0, [], None
    for r in sorted(reports, key=lambda r: r["notebook"] or r["submission"]):
        if r["notebook"] is None:
            continue
        marks = "  ".join(f"{SYMBOL.get(e['status'], '✘')} {by_name[e['id']].name}"
                          if e["id"] in by_name else f"{SYMBOL.get(e['status'], '✘')} {e['id']}"
                          for e in r["exercises"])
        lines.append(f"{r['notebook']:<28}{r['score']:>3}/{r['max_score']:<3} {marks}")
        if r.get("error"):
            lines.append(f"{'':<28}note: {r['error']}")
        earned += r["score"]
        total += r["max_score"]
        for e in r["exercises"]:
            if not e["passed"]:
                left.append(e)
                if nxt is None:
                    nxt = (r["notebook"], e)
    lines.append(f"{'total':<28}{earned:>3}/{total:<3}")
    if not left:
        lines.append("All exercises pass. Well done!")
        return "\n".join(lines)
    lines.append(f"left: {len(left)} exercise(s), {sum(e['max_points'] for e in left)} point(s)")
    notebook, e = nxt
    name = by_name[e["id"]].name if e["id"] in by_name else e["id"]
    how = {"not_run": "run its cells and its check",
           "not_implemented": "write it in the cell marked # YOUR CODE HERE",
           }.get(e["status"], "its check does not pass yet: read the check's message")
    lines.append(f"next: {name} in {notebook}.ipynb ({how})")
    return "\n".join(lines)


def show_progress(folder="."):
    """The start page's progress cell: what the saved notebooks in ``folder`` show."""
    print(format_progress(saved_progress(folder)))
    print("(from the checks' verdicts saved in your notebooks: save a notebook, Ctrl+S, after "
          "running its checks; `nncourse progress` in a terminal re-runs every notebook to be sure)")
