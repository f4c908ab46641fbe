"""The gradebook: one row per student, built from the grader's reports.

Each row holds every exercise's points, each notebook's total, the course total and the flags a
teacher must look at (an error, a time limit, edited check cells, nnlib's reference copied, a
submission graded without isolation, a file whose name says another notebook, a missing or
duplicated notebook, a student not on the roster). Every score says why it is what it is: each
exercise carries a ``why`` (its verdict and the check's first line, with the named mistake), and
the CSV's ``notes`` column lists the reason for every point lost.

It reads :class:`nncourse.results.SubmissionReport` objects only: the names, points and
mistakes are the reports' own (no message is parsed and the registry is not consulted), and
the gradebook (a JSON-able dict, what ``--gradebook-json`` writes) is what the class report
reads.
"""

import csv
import io
from pathlib import Path

from nncourse.results import Status
from nncourse.text import clip, num, sheet_cell


def first_line(message):
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return line.lstrip("✔✘… ").strip()


def why(row, copied=False):
    """One sentence: the verdict and its reason, e.g. ``failed: case 1: ... (mistake: Fortran
    order)``, for an :class:`~nncourse.results.ExerciseResult` (``copied``: the report says the
    answer calls nnlib's own implementation, whatever the row says)."""
    words = row.status.word if row.status is not Status.FAILED else "failed"
    detail = first_line(row.message)
    if detail.startswith(row.name + " — "):
        detail = detail.split(" — ", 1)[1]
    if row.status is Status.NOT_IMPLEMENTED:
        text = "not implemented (the function still raises NotImplementedError)"
    else:
        text = f"{words}: {detail}" if detail and detail.lower() != words else words
    if row.mistake:
        text += f" (mistake: {row.mistake})"
    if row.copied_reference or copied:
        text = "copied nnlib's reference instead of writing it; " + text
    return text


def course_notebooks(reports):
    """``[(notebook, [(id, name, max_points)])]`` for every course notebook graded in the
    reports, with the exercises the grader graded, in the reports' order."""
    out = {}
    for r in reports:
        if r.graded:
            rows = out.setdefault(r.notebook, {})
            for e in r.exercises:
                rows.setdefault(e.id, (e.id, e.name, e.max_points))
    return [(nb, list(out[nb].values())) for nb in sorted(out)]


def _new_flags(mine):
    return {"error": [], "timed_out": False, "edited_check_cells": [], "copied_reference": [],
            "isolation": [], "name_mismatch": [], "missing": [], "duplicates": [],
            "not_on_roster": any(not s.on_roster for _, s in mine)}


def _submission_flags(flags, notes, mine):
    """The flags every submission of a student raises (errors, isolation, names)."""
    for r, s in mine:
        label = Path(s.path).name
        if s.problem:
            flags["error"].append(f"{label}: {s.problem}")
            notes.append(f"{label}: {s.problem}")
        if r.error:
            flags["error"].append(f"{label}: {r.error}")
        if r.isolation and r.isolation not in flags["isolation"]:
            flags["isolation"].append(r.isolation)
        if r.name_mismatch:
            flags["name_mismatch"].append(f"{label}: {r.name_mismatch}")
        if not r.graded:
            notes.append(f"{label}: not graded: {r.error or 'not a course notebook'}")


def _missing_notebook(nb, exs, unidentified):
    """The marks of a notebook the student did not submit (or submitted unreadable)."""
    reason = "no submission of this notebook"
    if unidentified:
        reason += " (unreadable: " + ", ".join(Path(s.path).name for _, s in unidentified) + ")"
    nb_max = sum(m for _, _, m in exs)
    exercises = {i: {"points": 0, "max_points": num(m), "status": Status.MISSING.key,
                     "why": reason, "mistake": None, "hint": None} for i, _, m in exs}
    return {"score": 0, "max_score": num(nb_max), "submission": None, "why": reason}, \
        exercises, f"{nb} 0/{num(nb_max)}: {reason}"


def _graded_notebook(nb, exs, graded, flags, notes):
    """The marks of a notebook from the student's best submission of it."""
    best_r, best_s = max(graded, key=lambda rs: rs[0].score)
    if len(graded) > 1:
        files = ", ".join(Path(s.path).name for _, s in graded)
        flags["duplicates"].append(nb)
        notes.append(f"{nb}: {len(graded)} submissions ({files}); counted the best, "
                     f"{Path(best_s.path).name}")
    flags["timed_out"] |= best_r.timed_out or any(e.status is Status.TIMEOUT
                                                  for e in best_r.exercises)
    copied = best_r.copied_reference or [e.id for e in best_r.exercises if e.copied_reference]
    flags["copied_reference"].extend(i for i in copied if i not in flags["copied_reference"])
    flags["edited_check_cells"].extend(best_r.modified_check_cells)
    exercises = {}
    for ex_id, name, max_points in exs:
        row = best_r.exercise(ex_id)
        if row is None:
            exercises[ex_id] = {"points": 0, "max_points": num(max_points),
                                "status": Status.NOT_GRADED.key,
                                "why": "not graded: the grader returned no verdict",
                                "mistake": None, "hint": None}
            notes.append(f"{name} 0/{num(max_points)}: not graded")
            continue
        reason = why(row, ex_id in copied)
        exercises[ex_id] = {"points": num(row.points), "max_points": num(row.max_points),
                            "status": row.status.key, "why": reason, "mistake": row.mistake,
                            "hint": row.hint}
        if row.points < row.max_points:
            notes.append(f"{row.name} {num(row.points)}/{num(row.max_points)}: {reason}")
    reason = f"{num(best_r.score)}/{num(best_r.max_score)} from {Path(best_s.path).name}"
    if best_r.error:
        reason += f"; {best_r.error}"
    mark = {"score": num(best_r.score), "max_score": num(best_r.max_score),
            "submission": best_s.path, "why": reason}
    return mark, exercises, best_r.score


def build(reports, submissions, roster=None):
    """The gradebook as a JSON-able dict: ``notebooks`` (each with its exercises and maximum),
    ``max_score``, and ``students``: one dict per student with ``exercises`` (id -> points,
    max_points, status, why, mistake, hint), ``notebooks`` (notebook -> score, max_score, submission,
    why), ``total``, ``max_score``, ``percent``, ``flags`` and ``notes``."""
    from nncourse.teacher.students import class_list

    if len(reports) != len(submissions):
        raise ValueError(f"{len(reports)} reports but {len(submissions)} submissions")
    notebooks = course_notebooks(reports)
    max_total = sum(m for _, exs in notebooks for _, _, m in exs)
    by_student = {}
    for rep, sub in zip(reports, submissions):
        by_student.setdefault(sub.student, []).append((rep, sub))
    students = []
    for sid, name in class_list(submissions, roster):
        mine = by_student.get(sid, [])
        flags, notes, ex_out, nb_out, total = _new_flags(mine), [], {}, {}, 0.0
        _submission_flags(flags, notes, mine)
        unidentified = [(r, s) for r, s in mine if not r.graded]
        for nb, exs in notebooks:
            graded = [(r, s) for r, s in mine if r.notebook == nb]
            if graded:
                nb_out[nb], marks, score = _graded_notebook(nb, exs, graded, flags, notes)
                total += score
            else:
                nb_out[nb], marks, note = _missing_notebook(nb, exs, unidentified)
                flags["missing"].append(nb)
                notes.append(note)
            ex_out.update(marks)
        students.append({
            "id": sid, "name": name, "exercises": ex_out, "notebooks": nb_out,
            "total": num(total), "max_score": num(max_total),
            "percent": round(100 * total / max_total, 1) if max_total else 0.0,
            "submissions": [s.path for _, s in mine], "flags": flags, "notes": notes,
        })
    return {"notebooks": [{"notebook": nb, "max_score": num(sum(m for _, _, m in exs)),
                           "exercises": [{"id": i, "name": n, "max_points": num(m)}
                                         for i, n, m in exs]} for nb, exs in notebooks],
            "max_score": num(max_total), "students": students}


def flag_text(flags):
    """A student's flags as short words, for tables: ``error, timed out, edited check cells:
    ...``."""
    out = []
    if flags["error"]:
        out.append("error")
    if flags["timed_out"]:
        out.append("timed out")
    if flags["edited_check_cells"]:
        out.append("edited check cells: " + ", ".join(flags["edited_check_cells"]))
    if flags["copied_reference"]:
        out.append("copied reference: " + ", ".join(flags["copied_reference"]))
    if "none" in flags["isolation"]:
        out.append("graded without isolation")
    if flags["name_mismatch"]:
        out.append("file name mismatch")
    if flags["missing"]:
        out.append("missing: " + ", ".join(flags["missing"]))
    if flags["duplicates"]:
        out.append("several submissions: " + ", ".join(flags["duplicates"]))
    if flags["not_on_roster"]:
        out.append("not on roster")
    return out


def to_csv(book):
    """The gradebook as CSV text: one row per student (every cell safe to open in a
    spreadsheet)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    header = ["student", "name"]
    for nb in book["notebooks"]:
        header += [e["id"] for e in nb["exercises"]] + [f"{nb['notebook']} total"]
    header += ["total", "max", "percent", "error", "timed_out", "edited_check_cells",
               "copied_reference", "isolation", "name_mismatch", "missing", "not_on_roster", "notes"]
    w.writerow(header)
    for s in book["students"]:
        f = s["flags"]
        row = [s["id"], s["name"]]
        for nb in book["notebooks"]:
            row += [s["exercises"][e["id"]]["points"] for e in nb["exercises"]]
            row.append(s["notebooks"][nb["notebook"]]["score"])
        row += [s["total"], s["max_score"], s["percent"], " | ".join(f["error"]),
                "yes" if f["timed_out"] else "", "; ".join(f["edited_check_cells"]),
                "; ".join(f["copied_reference"]), "; ".join(f["isolation"]),
                " | ".join(f["name_mismatch"]), "; ".join(f["missing"]),
                "yes" if f["not_on_roster"] else "", " | ".join(s["notes"])]
        w.writerow([sheet_cell(c) for c in row])
    return buf.getvalue()


def table(book):
    """A short plain-text table for the terminal: student, total, flags."""
    lines = [f"{'student':<28}{'total':>10}  flags"]
    for s in book["students"]:
        label = clip(s["id"] + (f" ({s['name']})" if s["name"] else ""), 27)
        lines.append(f"{label}{str(s['total']) + '/' + str(s['max_score']):>10}  "
                     f"{', '.join(flag_text(s['flags']))}")
    return "\n".join(lines)
