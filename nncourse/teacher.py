"""The teacher's options of ``nncourse grade``: students, gradebook, feedback, class report.

    nncourse grade submitted/ --roster roster.csv --gradebook gradebook.csv \\
        --feedback feedback/ --report class.html --report-json class.json

``cmd_grade`` calls :func:`add_arguments` on its parser and :func:`write_outputs` with the
reports once grading is done.
"""

import json
import sys

from . import classreport, feedback, gradebook, students


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
    return any(getattr(args, k, None) for k in
               ("gradebook", "gradebook_json", "feedback", "report", "report_json"))


def write_outputs(args, reports, stream=sys.stderr):
    """Write what the teacher asked for; returns the gradebook (or None when nothing was asked)."""
    if not wanted(args):
        return None
    roster = students.read_roster(args.roster) if getattr(args, "roster", None) else None
    subs = students.assign([r["submission"] for r in reports], getattr(args, "paths", None), roster)
    book = gradebook.build(reports, subs, roster)
    if getattr(args, "json", None) != "-":   # stdout is the JSON report then
        print(gradebook.table(book))
    if args.gradebook:
        gradebook.write_atomic(args.gradebook, gradebook.to_csv(book))
        print(f"gradebook: {args.gradebook} ({len(book['students'])} students)", file=stream)
    if getattr(args, "gradebook_json", None):
        gradebook.write_atomic(args.gradebook_json,
                               json.dumps(book, indent=2, ensure_ascii=False) + "\n")
    if args.feedback:
        paths = feedback.write_all(args.feedback, reports, subs)
        print(f"feedback: {len(paths)} file(s) in {args.feedback}", file=stream)
    if args.report or args.report_json:
        data = classreport.write(book, args.report, args.report_json)
        print(f"class report: {args.report or args.report_json}", file=stream)
        for m in data["mistakes"][:5]:
            print("  " + classreport.mistake_sentence(m), file=stream)
    return book
