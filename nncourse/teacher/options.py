"""The teacher's options of ``nncourse grade``: students, gradebook, feedback, class report.

    nncourse grade submitted/ --roster roster.csv --gradebook gradebook.csv \\
        --feedback feedback/ --report class.html --report-json class.json

``cmd_grade`` calls :func:`add_arguments` on its parser, :func:`outputs_asked` before grading
(to check every output path first), and :func:`render` with the reports once grading is done:
it returns every file to write, so that the command writes all of them or none.
"""

import json

from nncourse.teacher import classreport, feedback, gradebook

OUTPUT_FILES = ("gradebook", "gradebook_json", "report", "report_json")


def add_arguments(parser):
    g = parser.add_argument_group("teacher's outputs (one row per student)")
    g.add_argument("--roster", metavar="FILE",
                   help="roster CSV: id, name, pattern (a glob matching the student's files)")
    g.add_argument("--gradebook", metavar="FILE.csv",
                   help="gradebook CSV: one row per student, every exercise, notebook totals, "
                        "course total, flags and the reason for every point lost")
    g.add_argument("--gradebook-json", metavar="FILE", help="the same gradebook as JSON")
    g.add_argument("--feedback", metavar="DIR",
                   help="write one HTML feedback file per submission: DIR/<student>/<notebook>.html")
    g.add_argument("--report", metavar="FILE.html", help="class report (self-contained HTML)")
    g.add_argument("--report-json", metavar="FILE", help="class report as JSON")
    return parser


def wanted(args):
    return bool(args.feedback) or any(getattr(args, k, None) for k in OUTPUT_FILES)


def render(args, reports, subs, roster=None):
    """``(files, messages, book)``: every teacher's file to write (path -> text), the lines to
    tell the teacher, and the gradebook (None when no teacher's output was asked for).
    ``subs`` are the reports' :class:`~nncourse.teacher.students.Submission` s."""
    if not wanted(args):
        return {}, [], None
    book = gradebook.build(reports, subs, roster)
    files, messages = {}, []
    if args.gradebook:
        files[args.gradebook] = gradebook.to_csv(book)
        messages.append(f"gradebook: {args.gradebook} ({len(book['students'])} students)")
    if args.gradebook_json:
        files[args.gradebook_json] = json.dumps(book, indent=2, ensure_ascii=False) + "\n"
    if args.feedback:
        pages = feedback.render_all(args.feedback, reports, subs)
        files.update(pages)
        messages.append(f"feedback: {len(pages)} file(s) in {args.feedback}")
        messages += [f"  two students' names make the same folder name: {sid!r}'s feedback is in "
                     f"{name}/" for sid, name in feedback.student_folders(subs).items()
                     if name != feedback.safe_name(sid)]
    if args.report or args.report_json:
        data = classreport.summarise(book)
        if args.report:
            files[args.report] = classreport.render(data)
        if args.report_json:
            files[args.report_json] = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        messages.append(f"class report: {args.report or args.report_json}")
        messages += ["  " + classreport.mistake_sentence(m) for m in data["mistakes"][:5]]
    return files, messages, book
