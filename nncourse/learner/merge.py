"""A three-way merge of one notebook, cell by cell: the learner's copy, the course version it was
made from (the *base*, kept in the workspace) and the new course version.

Cells are matched by exercise id (nbgrader ``grade_id``) where they have one, else by cell id.
For every cell:

* only the course changed it: the new version;
* only the learner changed it (an answer, a note in a markdown cell, an experiment in a demo):
  the learner's version, outputs included;
* both changed it: the new version in place and the learner's version kept next to it, marked.
  An earlier answer to an exercise whose starting code changed goes just above the new stub as
  a code cell that still runs but cannot shadow the stub: its functions are renamed
  ``<name>_earlier`` (or, when the cell holds more than definitions, it is commented out);
* the learner deleted it and the course did not change it: it stays deleted (check cells, which
  grading needs, always come back);
* the course deleted it: gone, unless the learner had changed it (then it is kept as theirs).

Cells the learner added stay after the course cell they followed. Without a base (a workspace
copied by hand) an answer that is neither the stub nor the new version is kept as an earlier
answer: never lost, never merged over the new stub.
"""

import ast
import copy
import re
import uuid
from dataclasses import dataclass, field

import nbformat

from nncourse.checks import registry
from nncourse.pysource import parse

MARK = "previous_answer"       # cell metadata (under "nncourse"): an earlier answer, kept
YOURS = "your_version_of"      # cell metadata (under "nncourse"): the learner's version of a cell
SUFFIX = "_earlier"


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_answer(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution", False)


def is_check(cell):
    return cell.cell_type == "code" and bool(cell.metadata.get("nbgrader", {}).get("grade"))


def key(cell):
    gid = grade_id(cell)
    return ("exercise", registry.current_id(gid)) if gid else ("cell", cell.get("id"))


def untouched_stub(source):
    return "raise NotImplementedError()" in source and "# YOUR CODE HERE" in source


@dataclass
class Merge:
    """What the merge did (for the learner to read)."""
    carried: list = field(default_factory=list)   # exercise ids whose answer was carried across
    kept: list = field(default_factory=list)      # exercise ids whose old answer sits above the stub
    edits_kept: int = 0                           # course cells the learner edited, theirs kept
    both_changed: int = 0                         # cells both changed: theirs kept next to the new
    own_cells: int = 0                            # cells the learner added, kept


def _defined(source):
    """Top-level function and class names of ``source`` when it holds only definitions (and
    imports, docstrings); else None."""
    try:
        tree = parse(source)
    except SyntaxError:
        return None
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif not isinstance(node, (ast.Import, ast.ImportFrom)) and not (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            return None
    return names


def earlier_answer_cell(gid, answer):
    """The learner's earlier answer as a runnable code cell that does not shadow the new stub."""
    ex_id = gid.removesuffix("_solution")
    names = _defined(answer)
    if names:
        body = answer
        for name in names:
            body = re.sub(rf"\b{re.escape(name)}\b(?=\s*\()", name + SUFFIX, body)
        how = ("renamed " + ", ".join(f"`{n}` to `{n}{SUFFIX}`" for n in names) +
               " so that it does not replace the new cell below; run it to compare")
    else:
        body = "\n".join("# " + line if line.strip() else "#" for line in answer.splitlines())
        how = "commented out so that it does not replace the new cell below"
    head = (f"# ⚠ Your earlier answer to {ex_id}, kept by `nncourse update`: the exercise's "
            "starting code changed\n# in the new version of the course, so your answer was "
            f"not put back. It is {how}.\n# Copy what still applies into the new cell below, "
            "then delete this cell.\n")
    cell = nbformat.v4.new_code_cell(head + body)
    cell.metadata["nncourse"] = {MARK: gid}
    cell.id = f"previous-{ex_id}-{uuid.uuid4().hex[:6]}"[:64]
    return cell


def your_version_cell(mine):
    """The learner's version of a course cell that the course changed too, marked."""
    cell = copy.deepcopy(mine)
    note = ("⚠ Your version of the cell above, kept by `nncourse update`: the course changed "
            "that cell too. Keep what you need, then delete this cell.")
    cell.source = (f"> {note}\n\n" if cell.cell_type == "markdown" else f"# {note}\n") + \
        cell.source
    cell.metadata.setdefault("nncourse", {})[YOURS] = mine.get("id")
    cell.id = f"yours-{uuid.uuid4().hex[:8]}"
    return cell


def _with_outputs(cell, mine):
    """``cell`` (the course's) with the learner's source, outputs and execution count."""
    cell.source = mine.source
    if "attachments" in mine:   # images pasted into a markdown cell
        cell["attachments"] = copy.deepcopy(mine["attachments"])
    if cell.cell_type == "code" and mine.cell_type == "code":
        cell.outputs = copy.deepcopy(mine.get("outputs", []))
        cell.execution_count = mine.get("execution_count")
    return cell


def _pick(new, b, mine, merge, before, after):
    """The merged version of one course cell (``new``), given its base ``b`` and the learner's
    ``mine`` (either may be None); appends kept cells to ``before`` / ``after``. Returns the
    cell to put in, or None to leave it out."""
    if mine is None:   # the learner deleted it
        return new if (b is None or new.source != b.source or is_check(new)) else None
    if b is None:      # no record of what the learner started from
        if is_answer(new) and not untouched_stub(mine.source) and mine.source != new.source:
            before.append(earlier_answer_cell(grade_id(new), mine.source))
            merge.kept.append(registry.current_id(grade_id(new).removesuffix("_solution")))
        return new
    learner_changed, course_changed = mine.source != b.source, new.source != b.source
    if not learner_changed:
        return new if course_changed else _with_outputs(new, mine)
    if not course_changed or mine.source == new.source:
        if is_answer(new):
            merge.carried.append(registry.current_id(grade_id(new).removesuffix("_solution")))
        else:
            merge.edits_kept += 1
        return _with_outputs(new, mine)
    if is_answer(new):
        before.append(earlier_answer_cell(grade_id(new), mine.source))
        merge.kept.append(registry.current_id(grade_id(new).removesuffix("_solution")))
    else:
        after.append(your_version_cell(mine))
        merge.both_changed += 1
    return new


def _learner_cells(learner, base_cells):
    """``({key: the learner's cell}, {id() of copies})``: a cell the learner duplicated (a copy
    keeps its exercise id) is matched once, the one with the course's cell id first; the
    other copies are the learner's own cells."""
    mine, copies = {}, set()
    for c in learner.cells:
        k = key(c)
        if k in mine:
            b = base_cells.get(k)
            if b is not None and c.get("id") == b.get("id") != mine[k].get("id"):
                copies.add(id(mine[k]))
                mine[k] = c
            else:
                copies.add(id(c))
        else:
            mine[k] = c
    return mine, copies


def merge(learner, base, new):
    """The new course notebook with the learner's work merged in. Returns ``(notebook, Merge)``;
    none of the three is changed."""
    result, out = Merge(), []
    merged = copy.deepcopy(new)
    base_cells = {key(c): c for c in base.cells} if base is not None else {}
    mine, copies = _learner_cells(learner, base_cells)
    new_keys = {key(c) for c in merged.cells}
    # the learner's own cells (and cells kept by an earlier update), after the course cell they
    # followed; course cells they edited that the course has since removed count as their own
    own, anchor = {}, None
    for c in learner.cells:
        k = key(c)
        course_cell = (k in base_cells or (base is None and k in new_keys)) and \
            id(c) not in copies
        if course_cell and not (k not in new_keys and c.source != base_cells[k].source):
            anchor = k
            continue
        if base is None and not c.metadata.get("nncourse"):
            continue   # without a base we cannot tell the learner's cells from the course's
        own.setdefault(anchor, []).append(copy.deepcopy(c))
        result.own_cells += 1
    stale_checks = set()
    out.extend(own.pop(None, []))   # cells the learner put before the first course cell
    for cell in merged.cells:
        k = key(cell)
        before, after = [], []
        chosen = _pick(cell, base_cells.get(k), mine.get(k), result, before, after)
        if before:   # an earlier answer kept: the check's saved verdict was about it
            stale_checks.add(k[1].removesuffix("_solution"))
        if is_check(cell) and k[1] in stale_checks and chosen is not None:
            chosen.outputs, chosen.execution_count = [], None
        out.extend(before)
        if chosen is not None:
            out.append(chosen)
        out.extend(after)
        out.extend(own.pop(k, []))
    for cells in own.values():
        out.extend(cells)   # the cell they followed is gone: at the end
    merged.cells = _unique_ids(out, {id(c) for c in merged.cells})
    return merged, result


def _unique_ids(cells, course):
    """Cell ids stay unique: a learner's cell gives way to the course's."""
    taken = {c.get("id") for c in cells if id(c) in course}
    seen = set()
    for c in cells:
        if id(c) not in course and (c.get("id") in taken or c.get("id") in seen):
            c.id = uuid.uuid4().hex[:8]
        seen.add(c.get("id"))
    return cells
