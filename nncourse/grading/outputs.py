"""What ``nncourse grade`` prints and writes about the submissions themselves: the summary
table, the per-submission CSV (``--csv``) and the JSON report (``--json``). (The teacher's
per-student outputs are in :mod:`nncourse.teacher`.)"""

import csv
import io

from nncourse.results import reports_to_json


def summary_table(reports):
    """One line per submission: file, notebook, score, flags."""
    lines = [f"{'submission':<44}{'notebook':<24}{'score':>9}  note"]
    for r in reports:
        score = f"{r.score:g}/{r.max_score:g}" if r.graded else "-"
        note = "; ".join(r.flags())[:160]
        lines.append(f"{r.submission[-43:]:<44}{(r.notebook or '-')[:23]:<24}{score:>9}  {note}")
    return "\n".join(lines)


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
        writer.writerow([r.submission, r.notebook or "", *[points.get(i, "") for i in ids],
                         r.score, r.max_score, r.error or "", r.timed_out,
                         " ".join(r.modified_check_cells), " ".join(r.copied_reference),
                         r.isolation])
    return buffer.getvalue()


def reports_json(reports):
    return reports_to_json(reports)
