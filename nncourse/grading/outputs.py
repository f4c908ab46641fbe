"""What ``nncourse grade`` prints and writes about the submissions themselves: the summary
table, the per-submission CSV (``--csv``) and the JSON report (``--json``). (The teacher's
per-student outputs are in :mod:`nncourse.teacher`.)"""

import csv
import io
from pathlib import Path

from nncourse.results import reports_to_json
from nncourse.text import clip, printable, sheet_cell


def summary_table(reports, students=None):
    """One line per submission: the student (when known), the file, the notebook, the score,
    the flags. Names are printed without control characters and cut in the middle, so rows
    stay tell-apart-able and a file name cannot forge a line."""
    students = students or [""] * len(reports)
    lines = [f"{'student':<20}{'file':<34}{'notebook':<24}{'score':>9}  note"]
    for r, who in zip(reports, students):
        score = f"{r.score:g}/{r.max_score:g}" if r.graded else "-"
        note = printable("; ".join(r.flags()))[:160]
        lines.append(f"{clip(middle(who, 19), 19)}{clip(middle(_file(r.submission), 33), 33)}"
                     f"{clip(r.notebook or '-', 23)}{score:>9}  {note}")
    return "\n".join(lines)


def _file(path):
    """A submission as its last three path parts (folder, assignment, file)."""
    return "/".join(Path(path).parts[-3:])


def middle(text, width):
    """``text`` cut to ``width`` characters by taking out its middle (both ends tell files
    apart: the student's folder and the notebook's name)."""
    text = printable(text)
    if len(text) <= width:
        return text
    keep = width - 1
    return text[:keep // 2] + "…" + text[len(text) - (keep - keep // 2):]


def csv_text(reports):
    """One row per submission, one column per exercise, then total and flags."""
    ids = []
    for r in reports:
        ids.extend(e.id for e in r.exercises if e.id not in ids)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", "notebook", *ids, "total", "max", "error", "timed_out",
                     "modified_check_cells", "copied_reference", "isolation"])
    for r in reports:
        points = {e.id: e.points for e in r.exercises}
        writer.writerow([sheet_cell(c) for c in
                         [r.submission, r.notebook or "", *[points.get(i, "") for i in ids],
                          r.score, r.max_score, r.error or "", r.timed_out,
                          " ".join(r.modified_check_cells), " ".join(r.copied_reference),
                          r.isolation]])
    return buffer.getvalue()


def reports_json(reports):
    return reports_to_json(reports)
