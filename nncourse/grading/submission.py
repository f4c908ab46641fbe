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
from dataclasses import dataclass, field
from pathlib import Path

from nncourse.build.notebooks import CHECK_RE
from nncourse.checks import registry
from nncourse.grading.reading import (  # noqa: F401  (Cell, SubmissionError: this module's API)
    MAX_CELL_CHARS, MAX_CODE_CHARS, Cell, ShapeError, SubmissionError, not_a_notebook, read_file,
    read_notebook)
from nncourse.pysource import parse

NBGRADER_KEY = "nbgrader"


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


def _module_level(statements):
    """The statements run at a cell's top level (inside if/try/with/for, not inside a def)."""
    for node in statements:
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for name in ("body", "orelse", "finalbody", "handlers"):
                yield from _module_level(getattr(node, name, None) or [])


def _binds(node, name):
    """What the top-level statement ``node`` binds ``name`` to (a node to read), or None:
    a def or class, an assignment's value (``f = nnlib.sigmoid``, a lambda, a partial), an
    import (``from nnlib.losses import mse``)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node if node.name == name else None
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return node if any((a.asname or a.name.split(".")[0]) == name for a in node.names) \
            else None
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value \
        else []
    names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return node.value if name in names else None


def _names_in(node, aliases):
    """Every dotted name ``node`` reads, with import aliases resolved (``getattr(m, "f")`` and
    imported names read as ``m.f``)."""
    for sub in ast.walk(node):
        name = None
        if isinstance(sub, (ast.Name, ast.Attribute)):
            name = _dotted(sub)
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and \
                sub.func.id == "getattr" and len(sub.args) >= 2 and \
                isinstance(sub.args[1], ast.Constant) and isinstance(sub.args[1].value, str):
            base = _dotted(sub.args[0]) if isinstance(sub.args[0], (ast.Name, ast.Attribute)) \
                else None
            name = f"{base}.{sub.args[1].value}" if base else None
        elif isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
            for a in sub.names:
                yield f"{sub.module}.{a.name}"
        elif isinstance(sub, ast.Import):
            for a in sub.names:
                yield a.name
        if name is not None:
            head, _, rest = name.partition(".")
            yield aliases.get(head, head) + (f".{rest}" if rest else "")


def copied_references(cells, course_exercises, unreadable=None):
    """Ids of exercises whose learner function calls nnlib's own implementation of that same
    exercise (or imports the course's checks), found by reading the code, never running it.
    The function is what its name is bound to last before the exercise's check cell: a def, or
    an assignment or import with no def (``mse = nnlib.losses.mse``, a lambda, a partial).
    Indexes of cells too deeply nested to be parsed are added to ``unreadable``. No cell's
    whole tree is kept: only the imports and, per exercise, what its name is bound to last."""
    check_at = {}
    for position, cell in enumerate(cells):
        if cell.cell_type == "code":
            for name in CHECK_RE.findall(cell.source):
                check_at.setdefault(name, position)
    aliases, bound = {}, {}      # exercise id -> what its function's name is bound to last
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = parse(cell.source)
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
        for ex in course_exercises:
            if i < check_at.get(ex.name, len(cells)):
                found = [b for node in _module_level(tree.body)
                         for b in [_binds(node, ex.function)] if b is not None]
                if found:
                    bound[ex.id] = found[-1]
        del tree
    copied = []
    for ex in course_exercises:
        targets = set(ex.implemented_by)
        before = bound.get(ex.id)
        if before is None:
            continue
        for full in _names_in(before, aliases):
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
