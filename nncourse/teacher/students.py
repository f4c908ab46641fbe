"""Who submitted what: map each graded notebook to a student.

Three ways a class arrives:

* **nbgrader's layout** ``.../submitted/<student>/<assignment>/<notebook>.ipynb``: the student is the
  folder after ``submitted``, the assignment the one after that;
* **a plain folder with a roster CSV** (columns ``id``, ``name``, ``pattern``; ``pattern`` is a glob
  such as ``*garcia*`` or ``alice/*`` matched against each file's path inside the folder and its
  file name, case-insensitively; with no pattern, ``*<id>*``): every file belongs to the one roster
  entry whose pattern it matches, and a file matching two entries is an error naming both;
* **a plain folder without a roster**: a file in a sub-folder belongs to the student named by the
  first sub-folder (``alice/04_cost.ipynb``); a file at the top belongs to its file name without the
  course notebook's name (``alice_04_cost.ipynb`` -> ``alice``).

A roster also adds the students who submitted nothing (their gradebook row says so), names the
students of an nbgrader layout, and marks files it does not cover (``on_roster: False``).
"""

import csv
import fnmatch
import io
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from nncourse.checks import registry

ID_COLUMNS = ("id", "student_id", "student", "username", "login")
NAME_COLUMNS = ("name", "student_name", "full_name")
PATTERN_COLUMNS = ("pattern", "file_pattern", "files", "file")


@dataclass
class Student:
    id: str
    name: str = ""
    pattern: str = ""


@dataclass
class Submission:
    path: str                 # as graded (the report's "submission")
    student: str              # student id
    name: str = ""            # student's name, when known
    assignment: str = ""      # nbgrader assignment, when the layout says
    on_roster: bool = True    # False: a roster was given and does not list this file's student
    problem: str = None       # why this file could not be given to a student (two roster matches)

    def as_dict(self):
        return asdict(self)


def read_roster(path_or_text):
    """The roster CSV as ``[Student]`` (a path, or the CSV text itself). Raises ValueError with
    the reason when a column or an id is missing or an id appears twice."""
    if isinstance(path_or_text, (str, Path)) and "\n" not in str(path_or_text):
        text = Path(path_or_text).read_text(encoding="utf-8-sig")   # Excel writes a BOM
        where = str(path_or_text)
    else:
        text, where = str(path_or_text).lstrip("\ufeff"), "roster"
    reader = csv.DictReader(io.StringIO(text))
    header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}

    def column(names):
        return next((header[n] for n in names if n in header), None)

    id_col, name_col, pattern_col = column(ID_COLUMNS), column(NAME_COLUMNS), column(PATTERN_COLUMNS)
    if id_col is None:
        raise ValueError(f"{where}: no student id column (one of {', '.join(ID_COLUMNS)}); "
                         f"the header is {', '.join(reader.fieldnames or []) or 'empty'}")
    students, seen = [], set()
    for line, row in enumerate(reader, start=2):
        sid = (row.get(id_col) or "").strip()
        if not sid:
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                raise ValueError(f"{where}, line {line}: the student id is empty")
            continue
        if sid in seen:
            raise ValueError(f"{where}, line {line}: student id {sid!r} appears twice")
        seen.add(sid)
        students.append(Student(sid, (row.get(name_col) or "").strip() if name_col else "",
                                (row.get(pattern_col) or "").strip() if pattern_col else ""))
    return students


def _course_notebooks():
    return sorted({e.notebook for e in registry.load_all().values()}, key=len, reverse=True)


def student_from_filename(stem):
    """``alice_04_cost`` -> ``alice``; a stem that is only a course notebook's name stays itself."""
    rest = stem
    for nb in _course_notebooks():
        i = rest.lower().find(nb.lower())
        if i >= 0:
            rest = rest[:i] + rest[i + len(nb):]
            break
    rest = re.sub(r"[\s_.\-]+", " ", rest).strip().replace(" ", "_")
    return rest or stem


def _root_of(path, roots):
    """The given root (folder or file) that ``path`` was found under."""
    best = None
    for root in map(_absolute, roots):
        try:
            path.relative_to(root)
        except ValueError:
            continue
        if best is None or len(root.parts) > len(best.parts):
            best = root
    return best


def _nbgrader_parts(path):
    parts = _absolute(path).parts
    for i in range(len(parts) - 3, -1, -1):
        if parts[i] == "submitted":
            return parts[i + 1], parts[i + 2]
    return None


def _matches(pattern, rel, filename):
    pattern = pattern.casefold()
    return fnmatch.fnmatchcase(rel.casefold(), pattern) or \
        fnmatch.fnmatchcase(filename.casefold(), pattern)


def assign(paths, roots=None, roster=None):
    """``[Submission]`` for each graded path (same order). ``roots`` are the files or folders
    the teacher named (default: each path's parent); ``roster`` is ``[Student]`` or None.
    A file that matches two roster entries belongs to neither: it keeps the student its name
    gives, with ``problem`` saying why (that file's error in the gradebook, never the class's).
    Paths are compared as given, symbolic links not followed."""
    roots = list(roots) if roots else []
    by_id = {s.id: s for s in roster or []}
    out = []
    for path in paths:
        path = _absolute(path)
        root = _root_of(path, roots) if roots else None
        if root is None or root == path:
            root = path.parent
        rel = path.relative_to(root).as_posix()
        layout = _nbgrader_parts(path)
        assignment, sid, problem = "", None, None
        if layout:
            sid, assignment = layout
        elif roster:
            hits = [s for s in roster if _matches(s.pattern or f"*{s.id}*", rel, path.name)]
            if len(hits) > 1:
                problem = (f"{rel} matches {len(hits)} roster entries "
                           f"({', '.join(repr(s.id) for s in hits)}), so it was counted for none "
                           "of them: make their patterns more specific")
            elif hits:
                sid = hits[0].id
        if sid is None:
            parts = Path(rel).parts
            sid = parts[0] if len(parts) > 1 else student_from_filename(path.stem)
            if problem and sid in by_id:     # never another roster student's row
                sid = f"{sid} (unassigned: {path.name})"
        student = by_id.get(sid)
        out.append(Submission(str(path), sid, student.name if student else "", assignment,
                              on_roster=student is not None or not roster, problem=problem))
    return out


def _absolute(path):
    """``path`` made absolute without following symbolic links."""
    return Path(os.path.abspath(path))


def class_list(submissions, roster=None):
    """Every student, in roster order then by id: ``[(id, name)]`` (roster students who
    submitted nothing included)."""
    seen, out = set(), []
    for s in roster or []:
        seen.add(s.id)
        out.append((s.id, s.name))
    extra = {}
    for sub in submissions:
        if sub.student not in seen:
            extra.setdefault(sub.student, sub.name)
    out.extend(sorted(extra.items()))
    return out
