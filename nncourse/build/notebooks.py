"""Generate the learner notebooks from the solution notebooks (the single source of truth).

In ``solutions/NN_topic.ipynb`` an exercise is a code cell whose answer sits between
``### BEGIN SOLUTION`` and ``### END SOLUTION``, followed (as the next code cell) by its check
cell ``check.<name>(<function>)``. Generation:

* replaces every solution region by ``# YOUR CODE HERE`` / ``raise NotImplementedError()``,
  at the region's indentation, and clears the outputs of exercise and check cells;
* keeps every other cell, prose and demo output as it is, except the outputs of cells tagged
  ``clear-output-in-learner-version`` (e.g. the start page's progress, which in the solutions
  shows the solution run's full marks: untrue of a learner's copy);
* writes nbgrader metadata on exercise cells (``solution``) and check cells (``grade``, with the
  exercise's id and points from :mod:`nncourse.exercises`), in both notebooks, so a teacher
  who uses nbgrader can drop them in;
* puts a "generated — do not edit" note at the top of each learner notebook.

``tests/course/test_notebooks.py`` fails when ``notebooks/`` or the solutions' metadata
are stale.
"""

import copy
import re
from pathlib import Path

import nbformat

from nncourse.checks import registry

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
CHECK_RE = re.compile(r"^check\.(\w+)\(", re.MULTILINE)
HEADER_ID = "generated-notice"
CLEAR_TAG = "clear-output-in-learner-version"   # cell tag: no stored output in the learner version
NBGRADER_SCHEMA = 3

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS, NOTEBOOKS = ROOT / "solutions", ROOT / "notebooks"


class NotebookError(ValueError):
    """A solution notebook breaks the course's rules (said with the notebook and cell)."""


def strip_solutions(source):
    """Replace each BEGIN/END SOLUTION region of a cell's source by the stub."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            if inside:
                raise NotebookError(f"nested {BEGIN}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB)
        elif line.strip() == END:
            if not inside:
                raise NotebookError(f"{END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise NotebookError(f"{BEGIN} without {END}")
    return "\n".join(out)


def _nbgrader(solution, grade, grade_id, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
            "schema_version": NBGRADER_SCHEMA, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def exercise_cells(nb, name=""):
    """``[(solution_index, check_index, Exercise)]`` for one notebook, in order, after checking
    that every solution cell is followed by its check and every check follows a solution.
    A solution cell has a BEGIN SOLUTION marker (solutions) or nbgrader ``solution`` metadata
    (learner versions)."""
    known = registry.load_all()
    by_check = {e.name: e for e in known.values()}
    pairs, pending = [], None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        src = cell.source
        if BEGIN in src or cell.metadata.get("nbgrader", {}).get("solution"):
            if pending is not None:
                raise NotebookError(f"{name}: cell {pending} has a solution but no check after it")
            pending = i
        match = CHECK_RE.search(src)
        if match:
            check = match.group(1)
            if check not in by_check:
                raise NotebookError(f"{name}: cell {i} calls unknown check.{check}")
            if pending is None:
                raise NotebookError(f"{name}: check.{check} in cell {i} follows no solution cell")
            pairs.append((pending, i, by_check[check]))
            pending = None
    if pending is not None:
        raise NotebookError(f"{name}: cell {pending} has a solution but no check after it")
    return pairs


def sync_metadata(nb, name=""):
    """Set nbgrader metadata on a solution notebook's exercise and check cells (in place)."""
    notebook_name = Path(name).stem
    for sol, chk, ex in exercise_cells(nb, name):
        if notebook_name and ex.notebook != notebook_name:
            raise NotebookError(f"{name}: check.{ex.name} belongs to notebook {ex.notebook}")
        nb.cells[sol].metadata["nbgrader"] = _nbgrader(True, False, ex.id + "_solution")
        nb.cells[chk].metadata["nbgrader"] = _nbgrader(False, True, ex.id, ex.points)
    return nb


def header_cell(name):
    cell = nbformat.v4.new_markdown_cell(
        f"> **Generated file.** This is the learner version of `solutions/{name}`, made by "
        "`make notebooks`. Work through it here; to change the course, edit the solution "
        "notebook and regenerate.")
    cell.id = HEADER_ID
    return cell


def clear_tagged_outputs(nb):
    """Drop the stored outputs of code cells tagged :data:`CLEAR_TAG` (in place)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and CLEAR_TAG in cell.metadata.get("tags", []):
            cell.outputs = []
            cell.execution_count = None
    return nb


def make_learner(solution_nb, name):
    """The learner notebook for a solution notebook (neither is changed)."""
    nb = sync_metadata(copy.deepcopy(solution_nb), name)
    for sol, chk, _ in exercise_cells(nb, name):
        nb.cells[sol].source = strip_solutions(nb.cells[sol].source)
        for i in (sol, chk):
            nb.cells[i].outputs = []
            nb.cells[i].execution_count = None
    clear_tagged_outputs(nb)
    nb.cells.insert(0, header_cell(name))
    return nb


def dumps(nb):
    return nbformat.writes(nb) + "\n"


def solution_paths(folder=SOLUTIONS):
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))


def generate(solutions=SOLUTIONS, notebooks=NOTEBOOKS, write=True, paths=None):
    """Sync metadata into the solutions and write their learner notebooks (all of them, or
    only the solution notebooks in ``paths``).

    Returns ``{path: text}`` of every file whose content is (or would be) changed.
    """
    changed = {}
    for path in [Path(p) for p in paths] if paths else solution_paths(solutions):
        nb = nbformat.read(path, as_version=4)
        text = dumps(sync_metadata(copy.deepcopy(nb), path.name))
        if text != path.read_text():
            changed[path] = text
        learner = dumps(make_learner(nb, path.name))
        target = Path(notebooks) / path.name
        if not target.exists() or target.read_text() != learner:
            changed[target] = learner
    if write:
        Path(notebooks).mkdir(exist_ok=True)
        for path, text in changed.items():
            path.write_text(text)
    return changed
