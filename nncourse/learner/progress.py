"""A learner's progress: points per notebook, what is left, what to do next.

Two ways to know which exercises pass:

* :func:`saved_progress` reads the verdicts the checks printed in the *saved* notebooks (instant;
  what the start page's progress cell shows). It says what the learner last ran and saved, so it
  is a view for the learner, never a grade;
* ``nncourse progress`` runs every notebook afresh with the grader's own checks (slower, the
  same verdict a teacher's ``nncourse grade`` gives).

Both look at the same files, :func:`workspace_notebooks`: each course notebook once, found at
the top of the folder by its exercise ids (a renamed copy counts) or its name, never the copies
kept in sub-folders (``.nncourse/base/``, ``backups/``, checkpoints). Both produce grader-style
reports, formatted by :func:`format_progress`.
"""

import os
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
    global _COURSE
    if _COURSE is None:
        _COURSE = _course_notebooks()
    return _COURSE


_COURSE = None


def _course_notebooks():
    out = {}
    for ex in registry.load_all().values():
        out.setdefault(ex.notebook, []).append(ex)
    return dict(sorted(out.items()))


def workspace_notebooks(folder="."):
    """``({course notebook stem: path}, [paths not counted])`` for the notebooks at the top of
    ``folder`` (sub-folders never: the workspace's base copies and backups live there).

    A notebook is the course notebook its exercise ids say (so ``03_forward_mine.ipynb`` counts
    as 03), else the one its name says. When two files hold the same course notebook, the one
    with the course's name counts, else the one saved last; the others are returned as not
    counted.
    """
    from nncourse.grading.submission import identify, read_notebook
    found = {}
    for path in sorted(Path(folder).glob("*.ipynb")):
        if not path.is_file():
            continue
        try:
            cells = read_notebook(path.read_bytes())
        except OSError:
            cells = None
        stem = identify(cells, path) if cells is not None else \
            registry.current_notebook(path.stem)
        if stem in course_notebooks():
            found.setdefault(stem, []).append(path)
    chosen, others = {}, []
    for stem, paths in found.items():
        paths.sort(key=lambda p: (p.stem != stem, -os.path.getmtime(p), p.name))
        chosen[stem] = paths[0]
        others.extend(paths[1:])
    return chosen, sorted(others)


def missing_report(stem, folder):
    """The report of a course notebook that is not in ``folder``: nothing earned."""
    rows = [ExerciseResult(e.id, e.name, Status.NOT_RUN, 0, e.points)
            for e in course_notebooks()[stem]]
    return SubmissionReport(str(Path(folder) / f"{stem}.ipynb"), stem, rows,
                            error=f"{stem}.ipynb is not in {Path(folder).resolve()}")


def saved_progress(folder="."):
    """Reports (:class:`~nncourse.results.SubmissionReport`) from the check verdicts saved in
    ``folder``'s notebooks (:func:`workspace_notebooks`)."""
    reports = []
    present, _ = workspace_notebooks(folder)
    for stem, exs in course_notebooks().items():
        path = present.get(stem, Path(folder) / f"{stem}.ipynb")
        status, error = {}, None
        if stem in present:
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception as exc:  # a broken file is reported, not fatal
                nb, error = None, f"cannot read {path.name}: {exc}"
            for cell in nb.cells if nb is not None else []:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type == "code" and meta.get("grade") and meta.get("grade_id"):
                    status[registry.current_id(meta["grade_id"])] = _verdict(cell)
        else:
            reports.append(missing_report(stem, folder))
            continue
        rows = [ExerciseResult(e.id, e.name, status.get(e.id, Status.NOT_RUN),
                               e.points if status.get(e.id) is Status.PASSED else 0, e.points)
                for e in exs]
        reports.append(SubmissionReport(str(path), stem, rows, error=error))
    return reports


def run_progress(folder, jobs=2, cell_timeout=60, stream=None):
    """Reports from running ``folder``'s notebooks (:func:`workspace_notebooks`) afresh with the
    grader's checks, one line on ``stream`` per notebook as it finishes; a course notebook that
    is missing or cannot be graded counts as nothing earned, as in :func:`saved_progress`."""
    from nncourse.grading.grader import Limits, grade_many
    present, _ = workspace_notebooks(folder)
    paths = list(present.values())

    def show(done, total, report):
        if stream is not None:
            got = f"{report.score:g}/{report.max_score:g}" if report.graded else "not graded"
            stream.write(f"  [{done}/{total}] {Path(report.submission).name}: {got}\n")
            stream.flush()

    # your own notebooks: a sandbox where there is one, else none (nothing to protect)
    graded = grade_many(paths, seed=None, limits=Limits(cell_timeout=cell_timeout), jobs=jobs,
                        progress=show, unsandboxed=True)
    by_stem = dict(zip(present, graded))
    reports = []
    for stem in course_notebooks():
        report = by_stem.get(stem)
        if report is None:
            report = missing_report(stem, folder)
        elif not report.graded:
            missing = missing_report(stem, folder)
            missing.submission, missing.error = report.submission, report.error
            report = missing
        reports.append(report)
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
        elif Path(r.submission).stem != r.notebook:
            lines.append(f"{'':<28}note: counted from {Path(r.submission).name}")
        earned += r.score
        total += r.max_score
        for e in r.exercises:
            if not e.passed:
                left.append(e)
                if nxt is None:
                    nxt = (r.notebook if r.error else Path(r.submission).stem, e)
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
