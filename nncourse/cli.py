"""``nncourse``: the course's command line (also ``python -m nncourse``).

    nncourse notebooks [NB ...]   regenerate notebooks/ from solutions/ (all, or those named)
    nncourse execute [NB ...]     re-execute solution notebooks, storing their outputs
    nncourse exercises [--json]   list every exercise: id, notebook, points
    nncourse grade PATH ... [--json FILE|-] [--csv FILE] [--jobs N] [--timeout S] [--seed N]
                                  grade submitted notebooks (files or folders) into a gradebook
    nncourse release OUT [--nbgrader COURSE]   the student bundle, never solutions/
    nncourse export gradescope NB -o autograder.zip   a Gradescope autograder
    nncourse progress [FOLDER]    which exercises of your notebooks pass, notebook by notebook
"""

import argparse
import json
import sys

from . import teacher


def cmd_notebooks(args):
    from .notebooks import generate
    changed = generate(paths=getattr(args, "notebooks", None) or None)
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(changed)} file(s) changed")
    return 0


def cmd_execute(args):
    import time

    from .execute import execute_file
    from .notebooks import SOLUTIONS, solution_paths
    paths = args.notebooks = args.notebooks or solution_paths(SOLUTIONS)
    for path in paths:
        start = time.perf_counter()
        execute_file(path)
        print(f"executed {path} in {time.perf_counter() - start:.1f} s")
    return cmd_notebooks(args)


def cmd_exercises(args):
    from .exercises import listing
    rows = listing()
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        for r in rows:
            print(f"{r['id']:<32} {r['notebook']:<28} {r['points']} pt")
        print(f"{len(rows)} exercises, {sum(r['points'] for r in rows)} points")
    return 0


def cmd_grade(args):
    import secrets

    from .grading import Limits, expand, grade_many, progress_bar, summary_table, write_csv
    paths = expand(args.paths)
    if not paths:
        print("nncourse grade: no notebooks found in " + " ".join(args.paths), file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    limits = Limits(cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                    check_time=args.check_time, memory_mb=args.memory)
    quiet = args.json == "-"
    reports = grade_many(paths, seed=seed, limits=limits, jobs=args.jobs,
                         progress=None if quiet or args.no_progress else progress_bar())
    if args.json == "-":
        json.dump(reports, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(summary_table(reports))
        print(f"hidden-case seed: {seed} (pass --seed {seed} to grade again identically)")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(reports, f, indent=2, ensure_ascii=False)
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as f:
            write_csv(reports, f)
    teacher.write_outputs(args, reports)
    return 0


def cmd_release(args):
    from .release import release
    written = release(args.out, nbgrader=args.nbgrader, assignment=args.assignment)
    print(f"wrote the student bundle to {args.out} ({len(written)} files, no solutions/)")
    return 0


def cmd_export(args):
    from .gradescope import export
    out = export(args.notebook, args.output, seed=args.seed, requirements=args.requirements)
    print(f"wrote {out}: upload it as the Gradescope autograder of {args.notebook}")
    return 0


def cmd_progress(args):
    from .grading import Limits, expand, grade_many
    paths = expand([args.folder])
    reports = grade_many(paths, seed=None, limits=Limits(cell_timeout=args.timeout),
                         jobs=args.jobs)
    symbols = {True: "✔", False: "✘"}
    total = earned = 0
    for r in sorted(reports, key=lambda r: r["notebook"] or r["submission"]):
        if r["notebook"] is None:
            continue
        marks = "  ".join(
            ("…" if e["status"] == "not_implemented" else symbols[e["passed"]]) + " " +
            e["id"].split("_", 1)[1] for e in r["exercises"])
        print(f"{r['notebook']:<28}{r['score']:>3}/{r['max_score']:<3} {marks}")
        if r["error"]:
            print(f"{'':<28}note: {r['error']}")
        total += r["max_score"]
        earned += r["score"]
    print(f"{'total':<28}{earned:>3}/{total:<3}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="nncourse", description="nnlib course tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("notebooks", help="regenerate notebooks/ from solutions/")
    p.add_argument("notebooks", nargs="*", help="solution notebooks (default: all)")
    p.set_defaults(func=cmd_notebooks)
    p = sub.add_parser("execute", help="re-execute solution notebooks in place")
    p.add_argument("notebooks", nargs="*")
    p.set_defaults(func=cmd_execute)
    p = sub.add_parser("exercises", help="list every exercise")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_exercises)

    p = sub.add_parser("grade", help="grade submitted notebooks")
    p.add_argument("paths", nargs="+", help="submitted notebooks or folders of them")
    p.add_argument("--json", metavar="FILE", help="write a JSON report (- for stdout)")
    p.add_argument("--csv", metavar="FILE", help="write a gradebook CSV")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    p.add_argument("--timeout", type=float, default=60, help="seconds for one learner cell")
    p.add_argument("--notebook-timeout", type=float, default=300,
                   help="seconds for all of a notebook's cells")
    p.add_argument("--check-time", type=float, default=10, help="seconds for one check")
    p.add_argument("--memory", type=int, default=4096, help="memory cap per submission, MB")
    p.add_argument("--seed", type=int, help="seed of the hidden cases (default: random)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    teacher.add_arguments(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("release", help="write the student bundle (never solutions/)")
    p.add_argument("out", help="folder to write (must be empty or absent)")
    p.add_argument("--nbgrader", metavar="COURSE", help="also write COURSE/release/<assignment>/")
    p.add_argument("--assignment", help="nbgrader assignment name (default: one per notebook)")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("export", help="export an autograder for another platform")
    esub = p.add_subparsers(dest="platform", required=True)
    p = esub.add_parser("gradescope", help="a Gradescope autograder zip for one notebook")
    p.add_argument("notebook", help="course notebook, e.g. 04_cost or notebooks/04_cost.ipynb")
    p.add_argument("-o", "--output", default="autograder.zip")
    p.add_argument("--seed", type=int, help="fixed hidden-case seed (default: random per submission)")
    p.add_argument("--requirements", metavar="FILE",
                   help="pinned requirements to install (default: this environment's versions)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("progress", help="your progress through the course")
    p.add_argument("folder", nargs="?", default="notebooks")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=60)
    p.set_defaults(func=cmd_progress)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
