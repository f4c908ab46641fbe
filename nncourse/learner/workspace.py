"""The learner's workspace: their own copy of the course, outside the tracked files.

``make lab`` opens ``workspace/`` (git-ignored), made from ``notebooks/`` on first run, so a
``git pull`` of the course never conflicts with a learner's answers. ``nncourse update`` brings a
new course version into the workspace, notebook by notebook:

* every exercise's answer cell (found by its nbgrader ``grade_id``) is carried across into the
  new notebook; the rest of the notebook (prose, demos, checks) is the new course's;
* when the exercise's starting code (its stub) changed in the new version and the learner had
  written an answer, the new stub goes in the exercise cell and the old answer is kept just
  above it, in a clearly marked markdown cell, to compare and copy from;
* cells the learner added are kept, after the course cell they followed;
* the learner's previous notebook is copied to ``.nncourse/backups/<time>/`` first.

To tell "the learner's answer" from "the stub they never touched", the workspace keeps the
course version each notebook was made from in ``.nncourse/base/``.
"""

import copy
import datetime
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nncourse.build.notebooks import HEADER_ID, NOTEBOOKS, ROOT, clear_tagged_outputs, dumps

DEFAULT = ROOT / "workspace"
STATE = ".nncourse"
MARK = "previous_answer"     # cell metadata key (under "nncourse") of a kept old answer
START_PAGE = "00_start_here.ipynb"

WORKSPACE_NOTE = (
    "> **Your copy.** This notebook is in your workspace, outside the course's own files: your "
    "answers are saved here. `nncourse update` brings in a new version of the course and keeps "
    "your answers (your previous notebook is backed up in `.nncourse/backups/`).")


def default_workspace():
    """``$NNCOURSE_WORKSPACE`` if set, else ``workspace/`` next to the course."""
    return Path(os.environ.get("NNCOURSE_WORKSPACE") or DEFAULT)


def course_notebooks(course=NOTEBOOKS):
    return sorted(Path(course).glob("[0-9][0-9]_*.ipynb"))


def _read(path):
    return nbformat.read(str(path), as_version=4)


def learner_copy(nb):
    """The course notebook as it goes into a workspace: the "generated file" notice (meant for
    people editing the course) becomes a note about the workspace, and no cell keeps an output
    the course marks as not the learner's (the solution run's progress, from a course folder
    built before that mark was honoured)."""
    nb = clear_tagged_outputs(copy.deepcopy(nb))
    for cell in nb.cells:
        if cell.get("id") == HEADER_ID:
            cell.source = WORKSPACE_NOTE
    return nb


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _is_answer(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution", False)


def _kept_for(cell):
    return cell.metadata.get("nncourse", {}).get(MARK)


def _untouched_stub(source):
    return "raise NotImplementedError()" in source and "# YOUR CODE HERE" in source


def previous_answer_cell(grade_id, answer, function_hint=""):
    text = (f"**⚠ Your earlier answer** to this exercise (`{grade_id.removesuffix('_solution')}`), "
            "kept by `nncourse update`: the exercise's starting code changed in the new version "
            "of the course, so your answer was not put back automatically. Compare it with the "
            "new cell below, copy over what still applies, then delete this cell."
            f"{function_hint}\n\n```python\n{answer}\n```")
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["nncourse"] = {MARK: grade_id}
    cell.id = f"previous-{grade_id}-{uuid.uuid4().hex[:6]}"[:64]
    return cell


@dataclass
class Change:
    """What ``update`` did to one notebook (for the learner to read)."""
    notebook: str
    action: str                                   # created | restored | updated | unchanged
    carried: list = field(default_factory=list)   # exercise ids whose answer was carried across
    kept: list = field(default_factory=list)      # exercise ids whose old answer sits in a marked cell
    own_cells: int = 0                            # cells the learner added, kept
    replaced_edits: int = 0                       # course cells the learner had edited (in the backup)
    backup: Path = None

    def describe(self):
        if self.action == "unchanged":
            return f"{self.notebook}: up to date"
        if self.action in ("created", "restored"):
            return f"{self.notebook}: {self.action} from the course"
        parts = [f"{self.notebook}: updated"]
        if self.carried:
            parts.append(f"{len(self.carried)} answer(s) carried across")
        if self.kept:
            parts.append("starting code changed for " + ", ".join(self.kept) +
                         ": your old answer is in a marked cell above the exercise")
        if self.own_cells:
            parts.append(f"{self.own_cells} cell(s) of your own kept")
        if self.replaced_edits:
            parts.append(f"{self.replaced_edits} edited course cell(s) replaced by the new "
                         "version (your edits are in the backup)")
        if self.backup:
            parts.append(f"backup: {self.backup}")
        return "; ".join(parts)


def merge(learner, base, new):
    """The new course notebook with the learner's work carried across (inputs unchanged).

    Returns ``(notebook, Change-without-name)``.
    """
    change = Change("", "updated")
    merged = copy.deepcopy(new)
    base_cells = {c.get("id"): c for c in base.cells} if base is not None else {}
    base_answers = {_grade_id(c): c for c in base.cells if _is_answer(c)} if base is not None else {}
    mine = {_grade_id(c): c for c in learner.cells if _is_answer(c)}
    new_checks = {}
    for c in merged.cells:
        gid = _grade_id(c)
        if gid and not _is_answer(c):
            new_checks[gid] = c
    learner_checks = {_grade_id(c): c for c in learner.cells
                      if _grade_id(c) and not _is_answer(c) and c.cell_type == "code"}

    # 1. answers, by exercise id
    before = {}   # grade_id of an answer cell -> marked cells to insert before it
    for cell in merged.cells:
        if not _is_answer(cell):
            continue
        gid = _grade_id(cell)
        ex_id = gid.removesuffix("_solution")
        old = mine.get(gid)
        if old is None:
            continue
        base_cell = base_answers.get(gid)
        answer = old.source
        if base_cell is not None:
            untouched = answer == base_cell.source
            stub_same = base_cell.source == cell.source
        else:  # no record of the version the learner started from
            untouched = _untouched_stub(answer) or answer == cell.source
            stub_same = False
        if untouched:
            continue
        if stub_same:
            cell.source = answer
            cell.outputs = copy.deepcopy(old.get("outputs", []))
            cell.execution_count = old.get("execution_count")
            change.carried.append(ex_id)
            # the check's last verdict still describes this answer if the check is unchanged
            chk_new, chk_old = new_checks.get(ex_id), learner_checks.get(ex_id)
            if chk_new is not None and chk_old is not None and chk_new.source == chk_old.source:
                chk_new.outputs = copy.deepcopy(chk_old.get("outputs", []))
                chk_new.execution_count = chk_old.get("execution_count")
        else:
            before.setdefault(gid, []).append(previous_answer_cell(gid, answer))
            change.kept.append(ex_id)

    # 2. old answers kept by an earlier update stay with their exercise
    for c in learner.cells:
        gid = _kept_for(c)
        if gid and not any(k.source == c.source for k in before.get(gid, [])):
            before.setdefault(gid, []).insert(0, copy.deepcopy(c))

    # 3. cells the learner added (not from the course, not kept answers), after the course
    #    cell they followed (or at the end)
    after, course_ids = {}, set(base_cells)
    anchor = None
    for c in learner.cells:
        cid = c.get("id")
        if cid in course_ids or _is_answer(c) or (_grade_id(c) and c.cell_type == "code"):
            anchor = cid
            continue
        if _kept_for(c):
            continue
        if base is None:
            continue  # without a base we cannot tell the learner's cells from the course's
        after.setdefault(anchor, []).append(copy.deepcopy(c))
        change.own_cells += 1
    # edited course cells (not answers) are replaced by the new version; count them
    for c in learner.cells:
        b = base_cells.get(c.get("id"))
        if b is not None and not _is_answer(c) and c.cell_type == b.cell_type \
                and c.source != b.source:
            change.replaced_edits += 1

    out = []
    new_ids = [c.get("id") for c in merged.cells]
    course_cells = {id(c) for c in merged.cells}
    for own in after.get(None, []):
        out.append(own)
    for cell in merged.cells:
        out.extend(before.get(_grade_id(cell), []) if _is_answer(cell) else [])
        out.append(cell)
        out.extend(after.get(cell.get("id"), []))
    for anchor_id, cells in after.items():
        if anchor_id is not None and anchor_id not in new_ids:
            out.extend(cells)   # the cell they followed is gone: keep them at the end
    seen = set()
    for c in out:   # cell ids stay unique: a learner's cell gives way to the course's
        if c.get("id") in seen or (id(c) not in course_cells and c.get("id") in new_ids):
            c.id = uuid.uuid4().hex[:8]
        seen.add(c.get("id"))
    merged.cells = out
    return merged, change


class Workspace:
    def __init__(self, path=None, course=NOTEBOOKS):
        self.path = Path(path) if path else default_workspace()
        self.course = Path(course)
        self.base = self.path / STATE / "base"

    def exists(self):
        return self.path.is_dir() and any(self.path.glob("[0-9][0-9]_*.ipynb"))

    def _install(self, src, name):
        nb = learner_copy(_read(src))
        text = dumps(nb)
        (self.path / name).write_text(text)
        (self.base / name).write_text(text)

    def create(self):
        """Copy the course into a new workspace (notebooks already there are left alone)."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.base.mkdir(parents=True, exist_ok=True)
        changes = []
        for src in course_notebooks(self.course):
            if not (self.path / src.name).exists():
                self._install(src, src.name)
                changes.append(Change(src.name, "created"))
        return changes

    def pending(self):
        """Names of course notebooks that differ from what the workspace was made from."""
        out = []
        for src in course_notebooks(self.course):
            base = self.base / src.name
            if not base.exists() or base.read_text() != dumps(learner_copy(_read(src))):
                out.append(src.name)
        return out

    def update(self, now=None):
        """Bring the course's current version in; returns one :class:`Change` per notebook."""
        if not self.exists():
            return self.create()
        self.base.mkdir(parents=True, exist_ok=True)
        stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
        backups = self.path / STATE / "backups" / stamp
        changes = []
        for src in course_notebooks(self.course):
            name = src.name
            target, base_path = self.path / name, self.base / name
            new = learner_copy(_read(src))
            new_text = dumps(new)
            if not target.exists():
                self._install(src, name)
                changes.append(Change(name, "restored" if base_path.exists() else "created"))
                continue
            if base_path.exists() and base_path.read_text() == new_text:
                changes.append(Change(name, "unchanged"))
                continue
            old_text = target.read_text()
            base = _read(base_path) if base_path.exists() else None
            learner = nbformat.reads(old_text, as_version=4)
            merged, change = merge(learner, base, new)
            change.notebook = name
            backups.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, backups / name)
            change.backup = backups / name
            tmp = target.with_suffix(".ipynb.tmp")
            tmp.write_text(dumps(merged))
            os.replace(tmp, target)
            base_path.write_text(new_text)
            changes.append(change)
        return changes
