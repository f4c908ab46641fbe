"""The class report: how the class did, and what to reteach tomorrow.

One self-contained HTML page (figures embedded as PNG, drawn with matplotlib's Agg backend, each
with a one-line summary in words) and the same numbers as JSON:

* the distribution of the students' course totals;
* the pass rate of every exercise, with how many students failed it, left it unimplemented, hit
  an error or the time limit, or did not submit its notebook;
* the named mistakes ranked by how many students made them ("4 of 12: Fortran order"), each with
  its exercise and the hint the learners were shown;
* the submissions a teacher should look at (errors, time limits, edited check cells, copied
  reference, graded without isolation).

Counts are of students (a student with two submissions of a notebook is counted once, on the
one the gradebook counted).
"""

import base64
import io

from nncourse.teacher.feedback import esc
from nncourse.teacher.gradebook import flag_text
from nncourse.text import num

BLUE, ORANGE, GREY = "#2166ac", "#e08214", "#bababa"
STACK = [("passed", ("passed",), BLUE), ("failed", ("failed",), ORANGE),
         ("error or time limit", ("error", "timeout"), "#762a83"),
         ("not implemented", ("not_implemented",), GREY),
         ("not submitted or not graded", ("missing", "not_graded"), "#eeeeee")]


def summarise(book):
    """The report's numbers (JSON-able) from a gradebook (:func:`nncourse.teacher.gradebook.build`)."""
    students = book["students"]
    n = len(students)
    totals = [float(s["total"]) for s in students]
    max_score = float(book["max_score"])
    ex_rows = []
    for nb in book["notebooks"]:
        for e in nb["exercises"]:
            counts = {}
            for s in students:
                st = s["exercises"][e["id"]]["status"]
                counts[st] = counts.get(st, 0) + 1
            passed = counts.get("passed", 0)
            ex_rows.append({"id": e["id"], "name": e["name"], "notebook": nb["notebook"],
                            "max_points": e["max_points"], "passed": passed, "students": n,
                            "pass_rate": round(passed / n, 4) if n else 0.0, "by_status": counts})
    where = {e["id"]: (e["name"], nb["notebook"]) for nb in book["notebooks"]
             for e in nb["exercises"]}
    mistakes, hints = {}, {}
    for s in students:
        for ex_id, row in s["exercises"].items():
            if row.get("mistake"):
                key = (ex_id, row["mistake"])
                mistakes.setdefault(key, []).append(s["id"])
                hints.setdefault(key, row.get("hint"))
    ranked = []
    for (ex_id, name), who in mistakes.items():
        ex_name, notebook = where.get(ex_id, (ex_id, None))
        ranked.append({"mistake": name, "exercise": ex_id, "exercise_name": ex_name,
                       "notebook": notebook, "hint": hints[(ex_id, name)],
                       "students": len(who), "of": n, "who": sorted(who)})
    ranked.sort(key=lambda m: (-m["students"], m["exercise"], m["mistake"]))
    flagged = [{"student": s["id"], "name": s["name"], "flags": flag_text(s["flags"]),
                "errors": s["flags"]["error"]}
               for s in students if flag_text(s["flags"])]
    percents = sorted(100 * t / max_score for t in totals) if max_score else []
    median = (percents[(n - 1) // 2] + percents[n // 2]) / 2 if n else 0.0
    return {
        "students": n, "max_score": num(max_score),
        "totals": {s["id"]: s["total"] for s in students},
        "median_percent": round(median, 1),
        "mean_percent": round(sum(percents) / n, 1) if n else 0.0,
        "full_marks": sum(1 for t in totals if max_score and t >= max_score),
        "zero": sum(1 for t in totals if t == 0),
        "exercises": ex_rows, "mistakes": ranked, "flagged": flagged,
        "notebooks": [nb["notebook"] for nb in book["notebooks"]],
    }


def mistake_sentence(m):
    return f"{m['students']} of {m['of']}: {m['mistake']} ({m['exercise_name']}, {m['notebook']})"


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figures(data):
    """``[(title, base64 PNG, summary sentence)]``: the report's figures."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    out = []
    n, max_score = data["students"], float(data["max_score"])
    # 1. score distribution
    fig, ax = plt.subplots(figsize=(7, 3.2))
    pct = [100 * float(t) / max_score if max_score else 0 for t in data["totals"].values()]
    bins = list(range(0, 101, 10))
    ax.hist(pct, bins=bins, color=BLUE, edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_title(f"Course totals of {n} students (out of {num(max_score)} points)")
    ax.set_xlabel("course total (% of the points)")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    summary = (f"Median {data['median_percent']:g}% (mean {data['mean_percent']:g}%) of "
               f"{num(max_score)} points; {data['full_marks']} of {n} scored full marks and "
               f"{data['zero']} scored zero.")
    out.append(("Score distribution", _png(fig), summary))
    # 2. pass rate per exercise
    rows = data["exercises"]
    if rows:
        fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.32 * len(rows)))
        labels = [f"{r['notebook'][:2]} {r['name']}" for r in rows][::-1]
        left = [0.0] * len(rows)
        for label, statuses, colour in STACK:
            share = [100 * sum(r["by_status"].get(st, 0) for st in statuses) / max(n, 1)
                     for r in rows][::-1]
            ax.barh(labels, share, left=left, color=colour, label=label, edgecolor="white")
            left = [a + b for a, b in zip(left, share)]
        ax.set_xlim(0, 100)
        ax.set_title("Verdicts per exercise (share of all students)")
        ax.set_xlabel("students (%)")
        ax.set_ylabel("exercise (notebook, check)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.6 / len(rows)), ncol=5,
                  frameon=False, fontsize=8)
        low, high = min(r["passed"] for r in rows), max(r["passed"] for r in rows)
        hardest = [r["name"] for r in rows if r["passed"] == low]
        easiest = [r["name"] for r in rows if r["passed"] == high]
        summary = (f"Hardest: {', '.join(hardest)} (passed by {low} of {n}"
                   f"{' each' if len(hardest) > 1 else ''}); easiest: {', '.join(easiest)} "
                   f"(passed by {high} of {n}{' each' if len(easiest) > 1 else ''}).")
        out.append(("Pass rate per exercise", _png(fig), summary))
    # 3. named mistakes
    ms = data["mistakes"][:15]
    if ms:
        fig, ax = plt.subplots(figsize=(7, 0.6 + 0.34 * len(ms)))
        labels = [f"{m['mistake']} ({m['exercise_name']})" for m in ms][::-1]
        ax.barh(labels, [m["students"] for m in ms][::-1], color=ORANGE)
        ax.set_xlim(0, max(n, 1))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title("Named mistakes, by how many students made them")
        ax.set_xlabel(f"students (of {n})")
        ax.set_ylabel("mistake (exercise)")
        summary = "Most common: " + "; ".join(
            mistake_sentence(m) for m in ms if m["students"] == ms[0]["students"]) + "."
        out.append(("Named mistakes", _png(fig), summary))
    return out


def render(data, title="Class report"):
    """The report as one self-contained HTML page."""
    n = data["students"]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{esc(title)}</title><style>"
             "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
             "color:#1a1a1a;line-height:1.45} table{border-collapse:collapse;margin:.5rem 0}"
             "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}"
             "th{background:#f0f0f0} .summary{font-weight:600} img{max-width:100%}"
             ".hint{color:#444;font-size:.92rem}</style></head><body>",
             f"<h1>{esc(title)}</h1>",
             f"<p>{n} students; notebooks {esc(', '.join(data['notebooks']))}; "
             f"{esc(data['max_score'])} points in all.</p>"]
    for fig_title, png, summary in figures(data):
        parts.append(f"<h2>{esc(fig_title)}</h2>")
        parts.append(f'<img alt="{esc(fig_title)}: {esc(summary)}" src="data:image/png;base64,{png}">')
        parts.append(f'<p class="summary">{esc(summary)}</p>')
    parts.append("<h2>What to reteach: the named mistakes</h2>")
    if data["mistakes"]:
        parts.append("<table><tr><th>students</th><th>mistake</th><th>exercise</th>"
                     "<th>the hint they were shown</th></tr>")
        for m in data["mistakes"]:
            parts.append(f"<tr><td>{m['students']} of {m['of']}</td><td>{esc(m['mistake'])}</td>"
                         f"<td>{esc(m['exercise_name'])} ({esc(m['notebook'])})</td>"
                         f'<td class="hint">{esc(m["hint"])}</td></tr>')
        parts.append("</table>")
    else:
        parts.append("<p>No submission matched a named mistake.</p>")
    parts.append("<h2>Exercises</h2><table><tr><th>exercise</th><th>notebook</th><th>passed</th>"
                 "<th>failed</th><th>not implemented</th><th>error</th><th>time limit</th>"
                 "<th>not submitted / not graded</th></tr>")
    for r in data["exercises"]:
        c = r["by_status"]
        parts.append(f"<tr><td>{esc(r['name'])}</td><td>{esc(r['notebook'])}</td>"
                     f"<td>{c.get('passed', 0)} of {n}</td><td>{c.get('failed', 0)}</td>"
                     f"<td>{c.get('not_implemented', 0)}</td><td>{c.get('error', 0)}</td>"
                     f"<td>{c.get('timeout', 0)}</td>"
                     f"<td>{c.get('missing', 0) + c.get('not_graded', 0)}</td></tr>")
    parts.append("</table><h2>Submissions to look at</h2>")
    if data["flagged"]:
        parts.append("<table><tr><th>student</th><th>flags</th><th>errors</th></tr>")
        for f in data["flagged"]:
            who = f["student"] + (f" ({f['name']})" if f["name"] else "")
            parts.append(f"<tr><td>{esc(who)}</td><td>{esc('; '.join(f['flags']))}</td>"
                         f"<td>{esc(' | '.join(f['errors']))}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None: every submission ran to the end with its check cells intact.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
