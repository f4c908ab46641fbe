"""Reading a submission, without running any of it.

:func:`read_submission` reads a submitted file's bytes (:func:`read_file`: only a regular file,
never through a symbolic link, a FIFO or a device, and at most a bound; its JSON and cells
checked before they are parsed: :mod:`.reading`), and works out which course notebook it is,
which of its check cells were edited or deleted, which answers call nnlib's own
implementation of their exercise (by reading the code), and which code cells the sandbox will
run (every learner cell, never a check cell), noting where each exercise is checked. A code
cell too long (``MAX_CELL_CHARS``) or too deeply nested to be read is not run either. A file
that cannot be graded raises :class:`SubmissionError` with its kind and the reason.
"""

import ast
import threading
from dataclasses import dataclass, field
from pathlib import Path

from nncourse.build.notebooks import CHECK_RE
from nncourse.checks import registry
from nncourse.grading.reading import (  # noqa: F401  (Cell, SubmissionError: this module's API)
    MAX_CELL_CHARS, MAX_CODE_CHARS, Cell, ShapeError, SubmissionError, not_a_notebook, read_file,
    read_notebook)

NBGRADER_KEY = "nbgrader"
# CPython 3.11's ast.parse is not safe in two threads at once ("SystemError: AST constructor
# recursion depth mismatch", python/cpython#106905), and the grader reads submissions in threads.
_PARSING = threading.Lock()


@dataclass
class Submission:
    """A submitted notebook, read: what the grader needs to run and judge it."""
    path: Path
    cells: list                      # [Cell]
    notebook: str                    # the course notebook it is
    exercises: list                  # the course's Exercises of that notebook
    modified_check_cells: list       # ids of check cells edited or deleted
    copied_reference: list           # ids of answers that call nnlib's own implementation
    name_mismatch: str = None
    sources: list = field(default_factory=list)   # [(label, source)] of the cells to run
    captures: dict = field(default_factory=dict)  # source index -> functions checked after it
    too_long: list = field(default_factory=list)  # notes on the code cells not read (too long)


def nbgrader_meta(cell):
    meta = cell.metadata.get(NBGRADER_KEY)
    return meta if type(meta) is dict else {}


def identify(cells, path):
    """The course notebook a submission is: from its exercise ids (ids of an earlier course
    version included), else from its file name."""
    by_id = registry.load_all()
    counts = {}
    for cell in cells:
        grade_id = registry.current_id(str(nbgrader_meta(cell).get("grade_id", ""))
                                       .removesuffix("_solution"))
        ex = by_id.get(grade_id)
        if ex:
            counts[ex.notebook] = counts.get(ex.notebook, 0) + 1
    if counts:
        return max(sorted(counts), key=counts.get)
    # no exercise ids (an editor that drops cell metadata): the file's name, if the notebook
    # still holds that notebook's check cells
    stem = registry.current_notebook(Path(path).stem)
    checks = {m for c in cells if c.cell_type == "code" for m in CHECK_RE.findall(c.source)}
    names = {e.name for e in registry.load_all().values() if e.notebook == stem}
    return stem if names & checks else None


def name_mismatch(path, notebook):
    """A note when the file's name is another course notebook's name than its content's."""
    stem = Path(path).stem
    named = next((n for n in registry.notebooks() if n != notebook and
                  (stem == n or stem.startswith(n[:3]) and n[:2].isdigit())), None)
    if named and not stem.startswith(notebook[:3]):
        return f"the file is named {Path(path).name} but holds notebook {notebook}"
    return None


def is_check_cell(cell):
    return bool(nbgrader_meta(cell).get("grade")) or \
        bool(CHECK_RE.match(cell.source.strip() or "-"))


def modified_check_cells(cells, course_exercises):
    """Ids of check cells that were edited or deleted (their text is fixed by the course)."""
    found = {}
    for cell in cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            found[registry.current_id(str(meta.get("grade_id")))] = cell.source.strip()
    modified = []
    for ex in course_exercises:
        expected = f"check.{ex.name}({ex.function})"
        if found.get(ex.id) != expected:
            modified.append(ex.id if ex.id in found else f"{ex.id} (deleted)")
    return modified


# --- answers that call nnlib's own implementation ------------------------------------------------

def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _names_used(node):
    """The dotted names (``np.sum``, ``mse``) a function's body uses, each chain once."""
    inner = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    return [name for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute))
            and id(n) not in inner and (name := _dotted(n)) is not None]


def copied_references(cells, course_exercises, unreadable=None):
    """Ids of exercises whose learner function calls nnlib's own implementation of that same
    exercise (or imports the course's checks), found by reading the code, never running it.
    Indexes of cells too deeply nested to be parsed are added to ``unreadable``. Only what is
    needed of each cell's tree is kept (its imports, the exercises' functions' names)."""
    functions = {ex.function for ex in course_exercises}
    aliases, defs = {}, {}       # function name -> the names its last definition uses
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        try:
            with _PARSING:
                tree = ast.parse(cell.source)
        except (SyntaxError, ValueError):
            continue
        except (RecursionError, MemoryError):
            if unreadable is not None:
                unreadable.append(i)
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                        a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                    and node.name in functions:
                defs[node.name] = _names_used(node)
        del tree
    copied = []
    for ex in course_exercises:
        targets = set(ex.implemented_by)
        for name in defs.get(ex.function, ()):
            head, _, rest = name.partition(".")
            full = aliases.get(head, head) + (f".{rest}" if rest else "")
            if full.startswith("nncourse.") and not full.startswith(("nncourse.check",
                                                                     "nncourse.setup_notebook")) \
                    or any(full == t or full.startswith(t + ".") for t in targets):
                copied.append(ex.id)
                break
    return copied


def cells_to_run(cells, course_exercises):
    """``(sources, captures)``: the learner's non-empty code cells, labelled by their number
    among the notebook's code cells, without the check cells; and, for each exercise, the
    index of the cell after which the notebook checks it (the function is judged as it is
    there: later cells may carry on with the course's version under the same name)."""
    sources, captures, number = [], {}, 0
    by_id = {e.id: e for e in course_exercises}
    for cell in cells:
        if cell.cell_type != "code":
            continue
        number += 1
        if is_check_cell(cell):
            ex = by_id.get(registry.current_id(str(nbgrader_meta(cell).get("grade_id", ""))))
            if ex is not None and sources:
                captures.setdefault(len(sources) - 1, []).append(ex.function)
        elif cell.source.strip():
            sources.append((f"code cell {number}", cell.source))
    return sources, captures


def bound_cells(cells):
    """Notes on the code cells too long to be read (their text is dropped: they are neither
    parsed nor run); :class:`SubmissionError` when all code together is over its bound."""
    notes, number, total = [], 0, 0
    for cell in cells:
        if cell.cell_type != "code":
            continue
        number += 1
        total += len(cell.source)
        if len(cell.source) > MAX_CELL_CHARS:
            notes.append(f"code cell {number}: not run: its {len(cell.source):,} characters are "
                         f"over the grader's limit of {MAX_CELL_CHARS:,} per cell")
            cell.source = ""
    if total > MAX_CODE_CHARS:
        raise SubmissionError("too_large", f"not graded: the notebook's code cells hold "
                                           f"{total:,} characters (the grader reads at most "
                                           f"{MAX_CODE_CHARS:,})")
    return notes


def read_submission(path):
    """The submitted file at ``path``, read; raises :class:`SubmissionError`."""
    path = Path(path)
    raw = read_file(path)
    try:
        cells = read_notebook(raw)
    except ShapeError as exc:
        raise SubmissionError("too_large", f"not graded: {exc}") from None
    if cells is None:
        raise SubmissionError(*not_a_notebook(raw))
    too_long = bound_cells(cells)
    notebook = identify(cells, path)
    if notebook is None:
        raise SubmissionError("not_this_course",
                              "a Jupyter notebook, but not one of this course's: no nnlib course "
                              "exercise found in it")
    course_exercises = [e for e in registry.load_all().values() if e.notebook == notebook]
    unreadable = []
    copied = copied_references(cells, course_exercises, unreadable)
    numbers = _code_numbers(cells)
    for i in unreadable:       # what the grader cannot read, it does not run
        too_long.append(f"code cell {numbers[i]}: not run: nested too deeply to be read")
        cells[i].source = ""
    sources, captures = cells_to_run(cells, course_exercises)
    return Submission(path, cells, notebook, course_exercises,
                      modified_check_cells(cells, course_exercises), copied,
                      name_mismatch(path, notebook), sources, captures, too_long)


def _code_numbers(cells):
    """cell index -> its number among the code cells (as the labels count them)."""
    numbers, n = {}, 0
    for i, cell in enumerate(cells):
        if cell.cell_type == "code":
            n += 1
            numbers[i] = n
    return numbers
