"""Reading a submission, without running any of it.

:func:`read_submission` reads a submitted file's bytes and works out which course notebook it
is, which of its check cells were edited or deleted, which answers call nnlib's own
implementation of their exercise (by reading the code), and which code cells the sandbox will
run (every learner cell, never a check cell), noting where each exercise is checked. A file
that cannot be graded raises :class:`SubmissionError` with its kind and the reason.
"""

import ast
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from nncourse.build.notebooks import CHECK_RE
from nncourse.checks import registry

NBGRADER_KEY = "nbgrader"
# CPython 3.11's ast.parse is not safe in two threads at once ("SystemError: AST constructor
# recursion depth mismatch", python/cpython#106905), and the grader reads submissions in threads.
_PARSING = threading.Lock()


class SubmissionError(Exception):
    """A file that cannot be graded: ``kind`` (unreadable, not_a_notebook, not_this_course)
    and a message for the teacher and the student."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind, self.message = kind, message


@dataclass
class Cell:
    cell_type: str
    source: str
    metadata: dict = field(default_factory=dict)

    def get(self, key, default=None):
        return getattr(self, key, default)


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


def read_notebook(raw):
    """The cells of a notebook file's bytes, read leniently the way nbformat reads them (a BOM,
    sources as strings or lists, missing fields); None when it is not a notebook."""
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if type(data) is not dict:
        return None
    if "worksheets" in data:                      # nbformat 3
        try:
            import nbformat
            data = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception:
            return None
    cells = data.get("cells")
    if type(cells) is not list:
        return None
    out = []
    for cell in cells:
        if type(cell) is not dict:
            continue
        source = cell.get("source", "")
        if type(source) is list:
            source = "".join(s for s in source if type(s) is str)
        if type(source) is not str:
            source = ""
        metadata = cell.get("metadata") if type(cell.get("metadata")) is dict else {}
        out.append(Cell(str(cell.get("cell_type", "")), source, metadata))
    return out


# what a file that is not a notebook is, by its first bytes
MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"%PDF", "a PDF"),
         (b"PK\x03\x04", "a zip archive (an export or several files?)"), (b"GIF8", "a GIF image"),
         (b"\x1f\x8b", "a gzip archive"))


def not_a_notebook(raw):
    """``(kind, message)`` for bytes that are not a notebook: empty, binary, cut short, or
    text of another kind."""
    text = raw.lstrip(b"\xef\xbb\xbf").strip()
    if not text:
        return "empty", f"the file is empty ({len(raw)} bytes): it was not saved, or the upload failed"
    for magic, what in MAGIC:
        if raw.startswith(magic):
            return "binary", f"the file is {what}, not a Jupyter notebook"
    if b"\x00" in raw[:4096]:
        return "binary", "the file is binary data, not a Jupyter notebook"
    if text.startswith(b"{"):
        try:
            json.loads(text.decode("utf-8", "replace"))
        except ValueError as exc:
            body = text.decode("utf-8", "replace")
            at_end = getattr(exc, "pos", 0) >= len(body) - 1 or str(exc).startswith("Unterminated")
            if at_end and _ends_early(text):
                return "truncated", (f"the notebook file is cut short ({len(raw)} bytes, its JSON "
                                     "ends early): it was not saved completely, or the upload "
                                     "was interrupted")
            return "not_a_notebook", ("not a Jupyter notebook: the file's notebook JSON is damaged "
                                      f"({str(exc)[:120]})")
        return "not_a_notebook", "not a Jupyter notebook: the file is JSON without cells"
    return "not_a_notebook", "not a Jupyter notebook: the file is text, not notebook JSON " \
                             "(a .py script or a notebook exported as another format?)"


def _ends_early(text):
    """True when JSON ``text`` stops inside a string or with brackets still open."""
    depth, in_string, escaped = 0, False, False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:        # backslash
                escaped = True
            elif byte == 0x22:        # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):    # { [
            depth += 1
        elif byte in (0x7D, 0x5D):    # } ]
            depth -= 1
    return in_string or depth > 0


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


def copied_references(cells, course_exercises):
    """Ids of exercises whose learner function calls nnlib's own implementation of that same
    exercise (or imports the course's checks), found by reading the code, never running it.
    The function is what its name is bound to last before the exercise's check cell: a def, or
    an assignment or import with no def (``mse = nnlib.losses.mse``, a lambda, a partial)."""
    aliases, trees, check_at = {}, [], {}
    for position, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        for name in CHECK_RE.findall(cell.source):
            check_at.setdefault(name, position)
        try:
            with _PARSING:
                tree = ast.parse(cell.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        trees.append((position, tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                        a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    copied = []
    for ex in course_exercises:
        targets = set(ex.implemented_by)
        before = check_at.get(ex.name, len(cells))
        bound = [b for position, tree in trees if position < before
                 for node in _module_level(tree.body)
                 for b in [_binds(node, ex.function)] if b is not None]
        if not bound:
            continue
        for full in _names_in(bound[-1], aliases):
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


def read_submission(path):
    """The submitted file at ``path``, read; raises :class:`SubmissionError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SubmissionError("unreadable", f"cannot read the file: {exc.strerror or exc}") \
            from None
    cells = read_notebook(raw)
    if cells is None:
        raise SubmissionError(*not_a_notebook(raw))
    notebook = identify(cells, path)
    if notebook is None:
        raise SubmissionError("not_this_course",
                              "a Jupyter notebook, but not one of this course's: no nnlib course "
                              "exercise found in it")
    course_exercises = [e for e in registry.load_all().values() if e.notebook == notebook]
    sources, captures = cells_to_run(cells, course_exercises)
    return Submission(path, cells, notebook, course_exercises,
                      modified_check_cells(cells, course_exercises),
                      copied_references(cells, course_exercises),
                      name_mismatch(path, notebook), sources, captures)
