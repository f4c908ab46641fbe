"""The gradebook: one row per student, built from the grader's reports.

Each row holds every exercise's points, each notebook's total, the course total and the flags a
teacher must look at (an error, a time limit, edited check cells, nnlib's reference copied, a
submission graded without isolation, a file whose name says another notebook, a missing or
duplicated notebook, a student not on the roster). Every score says why it is what it is: each
exercise carries a ``why`` (its verdict and the check's first line, with the named mistake), and
the CSV's ``notes`` column lists the reason for every point lost.

Reports are read with defaults for the fields older graders do not write (``timed_out``,
``copied_reference``, ``isolation``, ``name_mismatch``, ``mistake``, ``hint``).
"""

import csv
import io
import os
import tempfile
from pathlib import Path

from . import exercises

STATUS_WORDS = {
    "passed": "passed", "failed": "failed", "error": "your code raised an error",
    "timeout": "stopped by the time limit", "not_implemented": "not implemented",
    "missing": "not found in the notebook", "not_graded": "not graded",
}


def write_atomic(path, data):
    """Write ``data`` (str or bytes) to ``path`` through a temporary file in the same folder
    and ``os.replace``, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def num(x):
    """2.0 -> 2, 0.5 -> 0.5 (for tables)."""
    x = float(x)
    return int(x) if x.is_integer() else round(x, 3)


def first_line(message):
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return line.lstrip("✔✘… ").strip()


def mistake_of(row):
    """``(name, hint)`` of the named known mistake of an exercise row, or ``(None, None)``.
    Read from the row (new grader) or, failing that, recognised by its hint in the message."""
    if row.get("mistake"):
        return row["mistake"], row.get("hint")
    ex = exercises.load_all().get(row.get("id"))
    message = row.get("message") or ""
    if ex is not None and "likely mistake:" in message:
        for m in ex.mistakes:
            if m.hint and m.hint in message:
                return m.name, m.hint
    return None, None


def exercise_name(exercise_id, row=None):
    if row and row.get("name"):
        return row["name"]
    ex = exercises.load_all().get(exercise_id)
    return ex.name if ex else exercise_id


def why(row):
    """One sentence: the verdict and its reason, e.g. ``failed: case 1: ... (mistake: Fortran
    order)``."""
    status = row.get("status") or ("passed" if row.get("passed") else "failed")
    words = STATUS_WORDS.get(status, status)
    detail = first_line(row.get("message"))
    if detail.startswith(exercise_name(row.get("id"), row) + " — "):
        detail = detail.split(" — ", 1)[1]
    if status == "not_implemented":
        text = "not implemented (the function still raises NotImplementedError)"
    else:
        text = f"{words}: {detail}" if detail and detail.lower() != words else words
    name, _ = mistake_of(row)
    if name:
        text += f" (mistake: {name})"
    if row.get("copied_reference"):
        text = "copied nnlib's reference instead of writing it; " + text
    return text


def _flags_of(report):
    rows = report.get("exercises") or []
    timed_out = bool(report.get("timed_out")) or any(e.get("status") == "timeout" for e in rows)
    copied = list(report.get("copied_reference") or
                  [e["id"] for e in rows if e.get("copied_reference")])
    return timed_out, copied


def course_notebooks(reports):
    """``[(notebook, [Exercise])]`` for every course notebook graded in the reports, with the
    exercises the grader graded (in the registry's order; points from the reports)."""
    registry = exercises.load_all()
    order = {ex_id: i for i, ex_id in enumerate(registry)}
    out = []
    for nb in sorted({r["notebook"] for r in reports if r.get("notebook")}):
        rows = {}
        for r in reports:
            if r.get("notebook") == nb:
                for e in r.get("exercises") or []:
                    rows.setdefault(e["id"], e)
        exs = []
        for ex_id in sorted(rows, key=lambda i: (order.get(i, len(order)), i)):
            known = registry.get(ex_id)
            exs.append(exercises.Exercise(
                ex_id, exercise_name(ex_id, rows[ex_id]), nb,
                rows[ex_id].get("max_points", known.points if known else 0), "", None, None))
        out.append((nb, exs))
    return out


def build(reports, submissions, roster=None):
    """The gradebook as a JSON-able dict: ``notebooks`` (each with its exercises and maximum),
    ``max_score``, and ``students``: one dict per student with ``exercises`` (id -> points,
    max_points, status, why, mistake), ``notebooks`` (notebook -> score, max_score, submission,
    why), ``total``, ``max_score``, ``percent``, ``flags`` and ``notes``."""
    from .students import class_list

    if len(reports) != len(submissions):
        raise ValueError(f"{len(reports)} reports but {len(submissions)} submissions")
    notebooks = course_notebooks(reports)
    max_total = sum(sum(e.points for e in exs) for _, exs in notebooks)
    by_student = {}
    for rep, sub in zip(reports, submissions):
        by_student.setdefault(sub.student, []).append((rep, sub))
    students = []
    for sid, name in class_list(submissions, roster):
        mine = by_student.get(sid, [])
        flags = {"error": [], "timed_out": False, "edited_check_cells": [], "copied_reference": [],
                 "isolation": [], "name_mismatch": [], "missing": [], "duplicates": [],
                 "not_on_roster": any(not s.on_roster for _, s in mine)}
        notes, ex_out, nb_out = [], {}, {}
        unidentified = [(r, s) for r, s in mine if not r.get("notebook")]
        for r, s in mine:
            label = Path(s.path).name
            if r.get("error"):
                flags["error"].append(f"{label}: {r['error']}")
            iso = r.get("isolation")
            if iso and iso not in flags["isolation"]:
                flags["isolation"].append(iso)
            if r.get("name_mismatch"):
                flags["name_mismatch"].append(f"{label}: {r['name_mismatch']}")
            if not r.get("notebook"):
                notes.append(f"{label}: not graded: {r.get('error') or 'not a course notebook'}")
        total = 0.0
        for nb, exs in notebooks:
            nb_max = sum(e.points for e in exs)
            graded = [(r, s) for r, s in mine if r.get("notebook") == nb]
            if not graded:
                flags["missing"].append(nb)
                reason = "no submission of this notebook"
                if unidentified:
                    reason += " (unreadable: " + ", ".join(Path(s.path).name for _, s in unidentified) + ")"
                nb_out[nb] = {"score": 0, "max_score": num(nb_max), "submission": None, "why": reason}
                for e in exs:
                    ex_out[e.id] = {"points": 0, "max_points": num(e.points), "status": "missing",
                                    "why": reason, "mistake": None}
                notes.append(f"{nb} 0/{num(nb_max)}: {reason}")
                continue
            best_r, best_s = max(graded, key=lambda rs: float(rs[0].get("score") or 0))
            if len(graded) > 1:
                files = ", ".join(Path(s.path).name for _, s in graded)
                flags["duplicates"].append(nb)
                notes.append(f"{nb}: {len(graded)} submissions ({files}); counted the best, "
                             f"{Path(best_s.path).name}")
            timed_out, copied = _flags_of(best_r)
            flags["timed_out"] |= timed_out
            flags["copied_reference"].extend(i for i in copied if i not in flags["copied_reference"])
            flags["edited_check_cells"].extend(best_r.get("modified_check_cells") or [])
            rows = {e["id"]: e for e in best_r.get("exercises") or []}
            for e in exs:
                row = rows.get(e.id)
                if row is None:
                    row = {"id": e.id, "status": "not_graded", "points": 0,
                           "max_points": e.points, "message": "the grader returned no verdict"}
                if e.id in copied and not row.get("copied_reference"):
                    row = dict(row, copied_reference=True)
                pts = float(row.get("points") or 0)
                mistake, _ = mistake_of(row)
                ex_out[e.id] = {"points": num(pts), "max_points": num(row.get("max_points", e.points)),
                                "status": row.get("status") or ("passed" if row.get("passed") else "failed"),
                                "why": why(row), "mistake": mistake}
                if pts < float(row.get("max_points", e.points)):
                    notes.append(f"{e.name} {num(pts)}/{num(row.get('max_points', e.points))}: {why(row)}")
            score = float(best_r.get("score") or 0)
            reason = f"{num(score)}/{num(best_r.get('max_score', nb_max))} from {Path(best_s.path).name}"
            if best_r.get("error"):
                reason += f"; {best_r['error']}"
            nb_out[nb] = {"score": num(score), "max_score": num(best_r.get("max_score", nb_max)),
                          "submission": best_s.path, "why": reason}
            total += score
        students.append({
            "id": sid, "name": name, "exercises": ex_out, "notebooks": nb_out,
            "total": num(total), "max_score": num(max_total),
            "percent": round(100 * total / max_total, 1) if max_total else 0.0,
            "submissions": [s.path for _, s in mine], "flags": flags, "notes": notes,
        })
    return {"notebooks": [{"notebook": nb, "max_score": num(sum(e.points for e in exs)),
                           "exercises": [{"id": e.id, "name": e.name, "max_points": num(e.points)}
                                         for e in exs]} for nb, exs in notebooks],
            "max_score": num(max_total), "students": students}


def flag_text(flags):
    """The flags as short words, for tables: ``error, timed out, edited check cells: ...``."""
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
    """The gradebook as CSV text: one row per student."""
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
        w.writerow(row)
    return buf.getvalue()


def _clip(text, width):
    """``text`` cut and padded to ``width`` terminal columns (CJK characters take two)."""
    import unicodedata
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width + 1 - used)


def table(book):
    """A short plain-text table for the terminal: student, total, flags."""
    lines = [f"{'student':<28}{'total':>10}  flags"]
    for s in book["students"]:
        label = _clip(s["id"] + (f" ({s['name']})" if s["name"] else ""), 27)
        lines.append(f"{label}{str(s['total']) + '/' + str(s['max_score']):>10}  "
                     f"{', '.join(flag_text(s['flags']))}")
    return "\n".join(lines)
