"""The learner's workspace: their own copy of the course, outside the tracked files.

``make lab`` opens ``workspace/`` (git-ignored), made from ``notebooks/`` on first run, so a
``git pull`` of the course never conflicts with a learner's answers. ``nncourse update`` brings a
new course version into the workspace, notebook by notebook, by a three-way merge of each cell
(:mod:`nncourse.learner.merge`): the learner's copy, the course version it was made from (kept in
``.nncourse/base/``) and the new version. A learner's edit the course did not touch is kept;
where both changed a cell, the learner's version is kept next to the new one, marked.

* The learner's previous notebook is copied to ``backups/<time>/`` first (a folder the lab's
  file browser shows).
* A notebook the learner renamed (``03_forward_mine.ipynb``) is recognised by its exercise ids
  and updated under its new name; one they deleted is reported and not re-created
  (``nncourse update --restore NAME`` brings it back). Notebooks new in the course are added.
"""

import copy
import datetime
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nncourse.build.notebooks import HEADER_ID, NOTEBOOKS, ROOT, clear_tagged_outputs, dumps
from nncourse.learner.merge import MARK, merge  # noqa: F401  (MARK: for the tests)

DEFAULT = ROOT / "workspace"
STATE = ".nncourse"
BACKUPS = "backups"
START_PAGE = "00_start_here.ipynb"

WORKSPACE_NOTE = (
    "> **Your copy.** This notebook is in your workspace, outside the course's own files: your "
    "answers are saved here. `nncourse update` brings in a new version of the course and keeps "
    "your work (your previous notebook is backed up in the `backups/` folder).")


def default_workspace():
    """``$NNCOURSE_WORKSPACE`` if set, else ``workspace/`` next to the course."""
    return Path(os.environ.get("NNCOURSE_WORKSPACE") or DEFAULT)


def course_notebooks(course=NOTEBOOKS):
    return sorted(Path(course).glob("[0-9][0-9]_*.ipynb"))


def _read(path):
    return nbformat.read(str(path), as_version=4)


def learner_copy(nb, name=None):
    """The course notebook as it goes into a workspace: the "generated file" notice (meant for
    people editing the course) becomes a note about the workspace, and no cell keeps an output
    the course marks as not the learner's (the solution run's progress, from a course folder
    built before that mark was honoured). With ``name``, the notebook's metadata records which
    course notebook it is, so that it is recognised when the learner renames it."""
    nb = clear_tagged_outputs(copy.deepcopy(nb))
    if name:
        nb.metadata.setdefault("nncourse", {})["notebook"] = Path(name).stem
    for cell in nb.cells:
        if cell.get("id") == HEADER_ID:
            cell.source = WORKSPACE_NOTE
    return nb


@dataclass
class Change:
    """What ``update`` did to one notebook (for the learner to read)."""
    notebook: str
    action: str      # created | restored | updated | unchanged | deleted | renamed
    carried: list = field(default_factory=list)   # exercise ids whose answer was carried across
    kept: list = field(default_factory=list)      # exercise ids whose old answer sits above the stub
    own_cells: int = 0                            # cells the learner added, kept
    edits_kept: int = 0                           # course cells the learner edited, theirs kept
    both_changed: int = 0                         # cells both changed: theirs kept next to the new
    backup: Path = None
    path: Path = None                             # the learner's file, when renamed

    def describe(self):
        if self.action == "deleted":
            return (f"{self.notebook}: you deleted it, so it was not brought back "
                    f"(`nncourse update --restore {self.notebook}` does)")
        name = self.notebook if self.path is None or self.path.name == self.notebook else \
            f"{self.notebook} (your {self.path.name})"
        if self.action == "unchanged":
            return f"{name}: up to date"
        if self.action in ("created", "restored"):
            return f"{name}: {self.action} from the course"
        parts = [f"{name}: updated"]
        if self.carried:
            parts.append(f"{len(self.carried)} answer(s) carried across")
        if self.kept:
            parts.append("starting code changed for " + ", ".join(self.kept) +
                         ": your earlier answer is in a marked cell above the exercise")
        if self.edits_kept:
            parts.append(f"{self.edits_kept} of your edits to course cells kept")
        if self.both_changed:
            parts.append(f"{self.both_changed} cell(s) you and the course both changed: your "
                         "version is in a marked cell after the new one")
        if self.own_cells:
            parts.append(f"{self.own_cells} cell(s) of your own kept")
        if self.backup:
            parts.append(f"backup: {self.backup}")
        return "; ".join(parts)


class Workspace:
    def __init__(self, path=None, course=NOTEBOOKS):
        self.path = Path(path) if path else default_workspace()
        self.course = Path(course)
        self.base = self.path / STATE / "base"

    def exists(self):
        return self.path.is_dir() and (any(self.path.glob("[0-9][0-9]_*.ipynb")) or
                                       any(self.base.glob("*.ipynb")))

    def _install(self, src, name):
        text = dumps(learner_copy(_read(src), name))
        self.base.mkdir(parents=True, exist_ok=True)
        (self.path / name).write_text(text)
        (self.base / name).write_text(text)

    def _renamed(self):
        """``{course notebook name: the learner's file}`` for notebooks they renamed: a file at
        the top of the workspace, not named as a course notebook, that is one by its metadata
        (workspace copies record it) or its exercise ids; the one saved last when several are."""
        from nncourse.grading.submission import identify, read_notebook
        names = {p.name for p in course_notebooks(self.course)}
        found = {}
        paths = sorted(self.path.glob("*.ipynb"), key=lambda p: -p.stat().st_mtime)
        for path in (p for p in paths if p.name not in names and p.is_file()):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                stem = data["metadata"].get("nncourse", {}).get("notebook")
            except (OSError, ValueError, KeyError, AttributeError, TypeError):
                continue
            if not stem:
                cells = read_notebook(path.read_bytes())
                stem = identify(cells, path) if cells is not None else None
            if f"{stem}.ipynb" in names and not (self.path / f"{stem}.ipynb").exists():
                found.setdefault(f"{stem}.ipynb", path)
        return found

    def create(self):
        """Copy the course into a new workspace; later, add notebooks new in the course. A
        notebook the learner renamed or deleted is left alone."""
        self.path.mkdir(parents=True, exist_ok=True)
        changes, renamed = [], None
        for src in course_notebooks(self.course):
            if (self.base / src.name).exists() or (self.path / src.name).exists():
                continue
            renamed = self._renamed() if renamed is None else renamed
            if src.name in renamed:
                continue
            self._install(src, src.name)
            changes.append(Change(src.name, "created"))
        return changes

    def restore(self, name, now=None):
        """Bring back course notebook ``name`` (a file by that name is backed up first)."""
        src = self.course / name
        if not src.exists():
            raise FileNotFoundError(name)
        backup = None
        if (self.path / name).exists():
            backup = self._backup(self.path / name, now)
        self._install(src, name)
        return Change(name, "restored", backup=backup)

    def pending(self):
        """Names of course notebooks that differ from what the workspace was made from."""
        out = []
        for src in course_notebooks(self.course):
            base = self.base / src.name
            if not base.exists() or base.read_text() != dumps(learner_copy(_read(src), src.name)):
                out.append(src.name)
        return out

    def _backup(self, target, now=None):
        stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
        folder = self.path / BACKUPS / stamp
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, folder / target.name)
        return folder / target.name

    def update(self, now=None):
        """Bring the course's current version in; returns one :class:`Change` per notebook."""
        if not self.exists():
            return self.create()
        now = now or datetime.datetime.now()
        renamed = self._renamed()
        changes = []
        for src in course_notebooks(self.course):
            changes.append(self._update_one(src, renamed, now))
        return changes

    def _update_one(self, src, renamed, now):
        name, base_path = src.name, self.base / src.name
        target = self.path / name if (self.path / name).exists() else renamed.get(name)
        if target is None:
            if base_path.exists():          # the learner deleted it: say so, do not re-create
                return Change(name, "deleted")
            self._install(src, name)        # new in the course
            return Change(name, "created")
        new = learner_copy(_read(src), name)
        new_text = dumps(new)
        if base_path.exists() and base_path.read_text() == new_text:
            return Change(name, "unchanged", path=target)
        learner = nbformat.reads(target.read_text(), as_version=4)
        base = _read(base_path) if base_path.exists() else None
        merged, result = merge(learner, base, new)
        change = Change(name, "updated", carried=result.carried, kept=result.kept,
                        own_cells=result.own_cells, edits_kept=result.edits_kept,
                        both_changed=result.both_changed, path=target)
        change.backup = self._backup(target, now)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(dumps(merged))
        os.replace(tmp, target)
        self.base.mkdir(parents=True, exist_ok=True)
        base_path.write_text(new_text)
        return change
