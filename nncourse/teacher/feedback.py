"""Feedback files: one self-contained HTML page per graded submission, to send as it is.

Each page names the student and the notebook, then gives every exercise with its points, its
verdict and the check's own message, framed as the notebook shows a check (a green or red bar
on the left), the named mistake and its hint when one matched, and the total. It has no
scripts, no links and no external files, so it reads the same in any browser or mail client,
without the course installed. Like nbgrader's ``generate_feedback``, with the mistake named.
"""

import html
from pathlib import Path

from nncourse.files import safe_name, write_atomic
from nncourse.text import num

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


DOWNLOAD = ("In JupyterLab, open your notebook, save it (Ctrl+S), download it with File → "
            "Download, and submit the downloaded .ipynb file.")
ADVICE = {
    "empty": "Your file arrived empty. " + DOWNLOAD,
    "truncated": "Your file arrived cut short. " + DOWNLOAD,
    "binary": "Submit the notebook itself, not a picture, PDF or archive of it. " + DOWNLOAD,
    "not_a_notebook": "Submit the notebook file itself (.ipynb), not a script or an export in "
                      "another format. " + DOWNLOAD,
    "not_this_course": "This notebook holds none of the course's exercises: submit the course "
                       "notebook you worked in (for example 04_cost.ipynb). " + DOWNLOAD,
    "not_a_file": "What arrived was a link or a special file, not your notebook: submit the "
                  ".ipynb file itself. " + DOWNLOAD,
    "too_large": "Your notebook is too large for the grader: clear its outputs (Edit → Clear "
                 "Outputs of All Cells), save it and submit it again. " + DOWNLOAD,
    "grader": "This is a fault of the grader, not of your notebook: your teacher will see it "
              "and grade your file again.",
}


def advice(kind):
    """What a student does about a file the grader could not read (by ``error_kind``)."""
    return ADVICE.get(kind, "The grader could not read your file. " + DOWNLOAD)


def render(report, student="", name="", course="nnlib course"):
    """The feedback page of one :class:`~nncourse.results.SubmissionReport`, as HTML text."""
    nb = report.notebook or Path(report.submission).name
    who = name or student or "(unknown student)"
    if name and student and name != student:
        who = f"{name} ({student})"
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>Feedback: {esc(nb)}, {esc(who)}</title>", f"<style>{STYLE}</style></head><body>",
             f"<h1>Feedback on {esc(nb)}</h1>",
             f'<p class="meta">{esc(course)} · student: <b>{esc(who)}</b> · file: '
             f"{esc(Path(report.submission).name)}</p>"]
    if not report.graded:
        parts.append('<p class="total">Not graded: the grader could not read this file as your '
                     "notebook.</p>")
        parts.append(f'<p class="note"><b>What happened:</b> {esc(report.error)}</p>')
        parts.append(f'<p class="note"><b>What to do:</b> {esc(advice(report.error_kind))}</p>')
    else:
        parts.append(f'<p class="total">Total: {num(report.score)} / {num(report.max_score)} '
                     "points</p>")
    if report.error and report.graded:
        parts.append(f'<p class="note"><b>The grader could not run all of your notebook:</b> '
                     f"{esc(report.error)}</p>")
    if report.timed_out:
        parts.append('<p class="note"><b>Time limit:</b> some of your code ran longer than the '
                     "grader allows and was stopped (is there a loop that never ends?).</p>")
    if report.copied_reference:
        parts.append('<p class="note">Some answers call the course library\'s own function '
                     "instead of writing it: " + esc(", ".join(report.copied_reference)) + ".</p>")
    if report.modified_check_cells:
        parts.append('<p class="note">Some check cells were changed or deleted ('
                     f"{esc(', '.join(report.modified_check_cells))}); the grader ran the "
                     "course's own checks, so this did not change your score.</p>")
    if report.name_mismatch:
        parts.append(f'<p class="note">{esc(report.name_mismatch)}</p>')
    for row in report.exercises:
        parts.append(f'<section><h2>{esc(row.name)} <span class="pts">{num(row.points)} / '
                     f'{num(row.max_points)}</span></h2>')
        parts.append(f'<div>verdict: <b>{esc(row.status.word)}</b></div>')
        message = row.message or "(the check gave no message)"
        parts.append(f'<pre class="check" style="border-left-color: {row.status.colour}">'
                     f"{esc(message)}</pre>")
        if row.mistake:
            hint = row.hint
            parts.append(f'<p class="mistake"><b>Named mistake:</b> {esc(row.mistake)}'
                         + (f" — {esc(hint)}" if hint and hint not in message else "") + "</p>")
        if row.copied_reference and "nnlib's own" not in message:
            parts.append('<p class="note">This answer calls the course library\'s own version '
                         "of the function instead of writing it.</p>")
        parts.append("</section>")
    seed = report.seed
    parts.append("<footer>Graded by the course's own checks on fixed and hidden cases"
                 + (f" (hidden-case seed {esc(seed)})" if seed is not None else "")
                 + ". Each message is the check's own feedback, as the notebook shows it.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def student_folders(submissions):
    """``{student id: folder name}``, one folder per student: two ids that make the same safe
    name (``bob`` and ``bob.``, ``Ana`` and ``ana``) get ``-2``, ``-3`` ... in the order of
    their ids, so that no student's page lands in another's folder."""
    out, taken = {}, set()
    for sid in sorted({s.student for s in submissions}):
        base = safe_name(sid)
        name, k = base, 1
        while name.casefold() in taken:
            k += 1
            name = f"{base}-{k}"
        taken.add(name.casefold())
        out[sid] = name
    return out


def render_all(folder, reports, submissions, course="nnlib course"):
    """One feedback page per report: ``{folder/<student>/<notebook>.html: html}`` (``-2``,
    ``-3`` ... for a second submission of the same notebook), in report order."""
    folder = Path(folder)
    used, out = set(), {}
    folders = student_folders(submissions)
    for rep, sub in zip(reports, submissions):
        stem = safe_name(rep.notebook or Path(rep.submission).stem)
        student_dir = folders[sub.student]
        candidate, k = f"{student_dir}/{stem}.html", 1
        while candidate.casefold() in used:
            k += 1
            candidate = f"{student_dir}/{stem}-{k}.html"
        used.add(candidate.casefold())
        out[folder / candidate] = render(rep, sub.student, sub.name, course)
    return out


def write_all(folder, reports, submissions, course="nnlib course"):
    """Write :func:`render_all`'s pages; returns their paths, in report order."""
    pages = render_all(folder, reports, submissions, course)
    for path, page in pages.items():
        write_atomic(path, page)
    return list(pages)
