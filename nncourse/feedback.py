"""Feedback files: one self-contained HTML page per graded submission, to send as it is.

Each page names the student and the notebook, then gives every exercise with its points, its
verdict and the check's own message, framed as the notebook shows a check (a green or red bar
on the left), the named mistake and its hint when one matched, and the total. It has no
scripts, no links and no external files, so it reads the same in any browser or mail client,
without the course installed. Like nbgrader's ``generate_feedback``, with the mistake named.
"""

import html
import re
import unicodedata
from pathlib import Path

from .gradebook import STATUS_WORDS, exercise_name, mistake_of, num, write_atomic

PASS, FAIL, NEUTRAL = "#1b7837", "#b2182b", "#6b6b6b"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 52rem;
       margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
.meta { color: #555; margin-top: 0; }
.total { font-size: 1.25rem; font-weight: 600; margin: 1rem 0; }
.note { background: #fff4e5; border-left: 4px solid #e08214; padding: 6px 10px; margin: .5rem 0; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .3rem; }
h2 .pts { float: right; font-weight: 600; }
pre.check { border-left: 4px solid; padding: 4px 8px; white-space: pre-wrap;
            font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
            font-size: .9rem; margin: .3rem 0; background: #fafafa; }
.mistake { margin: .3rem 0 0 .2rem; }
footer { color: #777; font-size: .85rem; margin-top: 2rem; border-top: 1px solid #ddd;
         padding-top: .5rem; }
"""


def esc(text):
    return html.escape(str(text if text is not None else ""), quote=True)


def render(report, student="", name="", course="nnlib course"):
    """The feedback page of one report, as HTML text."""
    nb = report.get("notebook") or Path(report.get("submission", "")).name
    who = name or student or "(unknown student)"
    if name and student and name != student:
        who = f"{name} ({student})"
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>Feedback: {esc(nb)}, {esc(who)}</title>", f"<style>{STYLE}</style></head><body>",
             f"<h1>Feedback on {esc(nb)}</h1>",
             f'<p class="meta">{esc(course)} · student: <b>{esc(who)}</b> · file: '
             f"{esc(Path(report.get('submission', '')).name)}</p>"]
    score, max_score = report.get("score", 0), report.get("max_score", 0)
    parts.append(f'<p class="total">Total: {num(score)} / {num(max_score)} points</p>')
    if report.get("error"):
        parts.append(f'<p class="note"><b>The grader could not run all of your notebook:</b> '
                     f"{esc(report['error'])}</p>")
    if report.get("timed_out"):
        parts.append('<p class="note"><b>Time limit:</b> some of your code ran longer than the '
                     "grader allows and was stopped (is there a loop that never ends?).</p>")
    if report.get("copied_reference"):
        parts.append('<p class="note">Some answers call the course library\'s own function '
                     "instead of writing it: " + esc(", ".join(report["copied_reference"])) + ".</p>")
    if report.get("modified_check_cells"):
        parts.append('<p class="note">Some check cells were changed or deleted ('
                     f"{esc(', '.join(report['modified_check_cells']))}); the grader ran the "
                     "course's own checks, so this did not change your score.</p>")
    if report.get("name_mismatch"):
        parts.append(f'<p class="note">{esc(report["name_mismatch"])}</p>')
    for row in report.get("exercises") or []:
        status = row.get("status") or ("passed" if row.get("passed") else "failed")
        colour = PASS if row.get("passed") else (NEUTRAL if status in ("not_implemented", "missing")
                                                 else FAIL)
        title = exercise_name(row.get("id"), row)
        parts.append(f'<section><h2>{esc(title)} <span class="pts">{num(row.get("points", 0))} / '
                     f'{num(row.get("max_points", 0))}</span></h2>')
        parts.append(f'<div>verdict: <b>{esc(STATUS_WORDS.get(status, status))}</b></div>')
        message = row.get("message") or "(the check gave no message)"
        parts.append(f'<pre class="check" style="border-left-color: {colour}">{esc(message)}</pre>')
        mname, hint = mistake_of(row)
        if mname:
            parts.append(f'<p class="mistake"><b>Named mistake:</b> {esc(mname)}'
                         + (f" — {esc(hint)}" if hint and hint not in message else "") + "</p>")
        if row.get("copied_reference") and "nnlib's own" not in message:
            parts.append('<p class="note">This answer calls the course library\'s own version '
                         "of the function instead of writing it.</p>")
        parts.append("</section>")
    seed = report.get("seed")
    parts.append("<footer>Graded by the course's own checks on fixed and hidden cases"
                 + (f" (hidden-case seed {esc(seed)})" if seed is not None else "")
                 + ". Each message is the check's own feedback, as the notebook shows it.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(text, limit=80):
    """A file name from any text: keeps letters of every script, replaces separators and
    characters Windows or POSIX refuse, no leading dot, at most ``limit`` UTF-8 bytes."""
    text = unicodedata.normalize("NFC", str(text))
    text = _UNSAFE.sub("_", text).strip(" .") or "_"
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text.rstrip(" .") or "_"


def write_all(folder, reports, submissions, course="nnlib course"):
    """Write one feedback page per report: ``folder/<student>/<notebook>.html`` (``-2``, ``-3``
    ... for a second submission of the same notebook). Returns the paths, in report order."""
    folder = Path(folder)
    used, out = set(), []
    for rep, sub in zip(reports, submissions):
        stem = safe_name(rep.get("notebook") or Path(rep["submission"]).stem)
        student_dir = safe_name(sub.student)
        candidate, k = f"{student_dir}/{stem}.html", 1
        while candidate.casefold() in used:
            k += 1
            candidate = f"{student_dir}/{stem}-{k}.html"
        used.add(candidate.casefold())
        path = folder / candidate
        write_atomic(path, render(rep, sub.student, sub.name, course))
        out.append(path)
    return out
