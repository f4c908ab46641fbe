"""Grade submitted notebooks: ``nncourse grade SUBMISSION_OR_FOLDER ...``.

For each submission (a learner notebook), in a fresh kernel started in a temporary folder:

1. a grader cell caps the kernel's memory and snapshots numpy, builtins, ... (grading_kernel);
2. the submission's own code cells run, **except its check cells** (they may have been edited);
   a cell that runs too long is interrupted and the notebook carries on, up to a limit for the
   whole notebook;
3. a last grader cell restores what the submission may have patched, imports the checks afresh
   and runs the grader's own checks on the learner's functions, with the fixed cases plus
   hidden ones drawn from a seed chosen at grading time.

The submission file is only ever read. Check cells whose text differs from the course's are
reported (as nbgrader's checksums do). A submission that is not a notebook, crashes its kernel or
exhausts its memory gets an ``error`` in its report; the batch always completes.

This limits time, memory and where the kernel starts, but learner code still runs as the grading
user: grade untrusted classes inside their JupyterHub's isolation or a container.
"""

import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import exercises
from .notebooks import CHECK_RE

NBGRADER_KEY = "nbgrader"


@dataclass
class Limits:
    cell_timeout: float = 60.0       # seconds for one learner cell
    notebook_timeout: float = 300.0  # seconds for all learner cells together
    check_time: float = 10.0         # seconds for one exercise's check
    memory_mb: int = 4096            # address-space cap of the kernel


def expand(paths):
    """Submissions: the given files, and every .ipynb below given folders (sorted)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts))
        else:
            out.append(p)
    return out


def _report(path, notebook=None, error=None, exercise_rows=(), modified=()):
    rows = list(exercise_rows)
    return {
        "submission": str(path),
        "notebook": notebook,
        "score": sum(r["points"] for r in rows),
        "max_score": sum(r["max_points"] for r in rows),
        "error": error,
        "exercises": rows,
        "modified_check_cells": list(modified),
    }


def _zero_rows(course_exercises, message):
    return [{"id": e.id, "passed": False, "status": "not_graded", "points": 0,
             "max_points": e.points, "message": message} for e in course_exercises]


def identify(nb, path):
    """The course notebook a submission is: from its exercise ids, else from its file name."""
    registry = exercises.load_all()
    counts = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get(NBGRADER_KEY, {}).get("grade_id", "")
        ex = registry.get(grade_id) or registry.get(grade_id.removesuffix("_solution"))
        if ex:
            counts[ex.notebook] = counts.get(ex.notebook, 0) + 1
    if counts:
        return max(counts, key=counts.get)
    notebooks = {e.notebook for e in registry.values()}
    return Path(path).stem if Path(path).stem in notebooks else None


def modified_check_cells(nb, course_exercises):
    """Ids of check cells that were edited or deleted (their text is fixed by the course)."""
    found = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get(NBGRADER_KEY, {})
        if meta.get("grade"):
            found[meta.get("grade_id")] = cell.source.strip()
    modified = []
    for ex in course_exercises:
        expected = f"check.{ex.name}({ex.function})"
        if found.get(ex.id) != expected:
            modified.append(ex.id if ex.id in found else f"{ex.id} (deleted)")
    return modified


def _grading_notebook(nb, course_exercises, seed, out_path, limits):
    """The notebook the kernel runs: prologue, the learner's non-check code, epilogue."""
    import nbformat

    cells = [nbformat.v4.new_code_cell(
        "import nncourse.grading_kernel as _nncourse_grader\n"
        f"_nncourse_grader.prologue(memory_mb={int(limits.memory_mb)})\n"
        "del _nncourse_grader")]
    for cell in nb.cells:
        is_check = cell.get("metadata", {}).get(NBGRADER_KEY, {}).get("grade") or \
            CHECK_RE.match(cell.source.strip() or "-")
        if cell.cell_type == "code" and not is_check:
            cells.append(nbformat.v4.new_code_cell(cell.source))
    ids = [e.id for e in course_exercises]
    cells.append(nbformat.v4.new_code_cell(
        "import sys as _s\n"
        "_g = _s.modules.get('nncourse.grading_kernel')\n"
        "if _g is None:\n"
        "    import nncourse.grading_kernel as _g\n"
        f"_g.epilogue({ids!r}, {seed!r}, {str(out_path)!r}, get_ipython().user_ns, "
        f"{float(limits.check_time)!r})"))
    grading_nb = nbformat.v4.new_notebook()
    grading_nb.cells = cells
    return grading_nb


def grade_file(path, seed=None, limits=None):
    """Grade one submission; returns its report (never raises)."""
    import nbformat
    from nbclient.exceptions import DeadKernelError

    from .execute import Client

    limits = limits or Limits()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _report(path, error=f"cannot read the file: {exc.strerror or exc}")
    try:
        json.loads(raw)
    except ValueError:
        return _report(path, error="not a notebook: the file is not valid JSON")
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        _ = nb.cells
    except Exception as exc:
        return _report(path, error=f"not a Jupyter notebook ({type(exc).__name__})")

    notebook = identify(nb, path)
    if notebook is None:
        return _report(path, error="not a notebook of this course: no nnlib course exercise found")
    course_exercises = [e for e in exercises.load_all().values() if e.notebook == notebook]
    modified = modified_check_cells(nb, course_exercises)

    with tempfile.TemporaryDirectory(prefix="nncourse-grade-") as tmp:
        out_path = Path(tmp) / f"results-{secrets.token_hex(8)}.json"
        grading_nb = _grading_notebook(nb, course_exercises, seed, out_path, limits)
        deadline = time.monotonic() + limits.notebook_timeout
        epilogue_budget = limits.check_time * len(course_exercises) + 60

        def timeout_for(cell):
            if cell is grading_nb.cells[-1]:
                return int(epilogue_budget)
            return int(max(1, min(limits.cell_timeout, deadline - time.monotonic())))

        client = Client(grading_nb, kernel_name="python3", allow_errors=True,
                                interrupt_on_timeout=True, timeout_func=timeout_for,
                                resources={"metadata": {"path": tmp}})
        error = None
        try:
            client.execute(stderr=subprocess.DEVNULL)  # the kernel's own start-up chatter
        except DeadKernelError:
            error = ("the kernel died while running the notebook (a crash such as os._exit or "
                     "a segmentation fault, or the memory limit)")
        except Exception as exc:  # nbclient failures must not stop the batch
            error = f"the notebook could not be run ({type(exc).__name__}: {exc})"
        if error is None:
            for i, cell in enumerate(grading_nb.cells[1:-1], start=1):
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error" and out.get("ename") == "MemoryError":
                        error = error or f"memory limit ({limits.memory_mb} MB) reached in code cell {i}"
            if time.monotonic() > deadline:
                error = f"notebook time limit ({limits.notebook_timeout:g} s) reached; later cells were cut short"
        results = None
        if out_path.exists():
            try:
                results = json.loads(out_path.read_text())
            except ValueError:
                results = None
    if results is None or "exercises" not in results:
        why = (results or {}).get("error") or error or "the grader's checks did not run"
        return _report(path, notebook, error or why,
                       _zero_rows(course_exercises, f"not graded: {why}"), modified)

    by_id = {r["id"]: r for r in results["exercises"]}
    rows = []
    for ex in course_exercises:
        r = by_id[ex.id]
        rows.append({"id": ex.id, "passed": r["passed"], "status": r["status"],
                     "points": ex.points if r["passed"] else 0, "max_points": ex.points,
                     "message": r["message"]})
    return _report(path, notebook, error, rows, modified)


def _grade_in_worker(args):
    path, seed, limits = args
    from .execute import STABLE_ENV
    os.environ.update(STABLE_ENV)
    os.environ.setdefault("MPLBACKEND", "Agg")   # figures are not graded; draw nothing
    os.environ.pop("NBGRADER_EXECUTION", None)
    return grade_file(path, seed, limits)


def grade_many(paths, seed=None, limits=None, jobs=1, progress=None):
    """Grade every submission (in ``jobs`` parallel processes); reports in input order."""
    limits = limits or Limits()
    todo = [(str(p), seed, limits) for p in paths]
    reports = [None] * len(todo)
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(_grade_in_worker, t): i for i, t in enumerate(todo)}
        for done, future in enumerate(as_completed(futures), start=1):
            i = futures[future]
            try:
                reports[i] = future.result()
            except Exception as exc:  # a worker crash is that submission's error
                reports[i] = _report(todo[i][0], error=f"grading failed ({type(exc).__name__}: {exc})")
            if progress:
                progress(done, len(todo), reports[i])
    return reports


def progress_bar(stream=sys.stderr, width=30):
    """A text progress bar for ``grade_many(progress=...)``."""
    def show(done, total, report):
        filled = int(width * done / total)
        name = Path(report["submission"]).name
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


def summary_table(reports):
    lines = [f"{'submission':<44}{'notebook':<24}{'score':>9}  note"]
    for r in reports:
        score = f"{r['score']}/{r['max_score']}" if r["notebook"] else "-"
        note = r["error"] or (f"edited check cells: {', '.join(r['modified_check_cells'])}"
                              if r["modified_check_cells"] else "")
        lines.append(f"{r['submission'][-43:]:<44}{(r['notebook'] or '-')[:23]:<24}{score:>9}  {note}")
    return "\n".join(lines)


def write_csv(reports, stream):
    """A gradebook: one row per submission, one column per exercise, then total and error."""
    ids = []
    for r in reports:
        ids.extend(e["id"] for e in r["exercises"] if e["id"] not in ids)
    writer = csv.writer(stream)
    writer.writerow(["submission", "notebook", *ids, "total", "max", "error"])
    for r in reports:
        points = {e["id"]: e["points"] for e in r["exercises"]}
        writer.writerow([r["submission"], r["notebook"] or "", *[points.get(i, "") for i in ids],
                         r["score"], r["max_score"], r["error"] or ""])
