"""``nncourse``: the course's command line (also ``python -m nncourse``).

    nncourse notebooks [NB ...]   regenerate notebooks/ from solutions/ (all, or those named)
    nncourse execute [NB ...]     re-execute solution notebooks, storing their outputs
    nncourse exercises [--json]   list every exercise: id, notebook, points
    nncourse grade PATH ... [--json FILE|-] [--csv FILE] [--jobs N] [--timeout S] [--seed N]
                                  grade submitted notebooks (files or folders) into a gradebook
    nncourse release OUT [--nbgrader COURSE]   the student bundle, never solutions/
    nncourse export gradescope NB -o autograder.zip   a Gradescope autograder
    nncourse progress [FOLDER]    which exercises of your notebooks pass, notebook by notebook
    nncourse workspace            create your workspace from notebooks/ (once); say where it is
    nncourse update               bring a new course version into your workspace, keeping answers
    nncourse settings server|lab|env   write the server or lab settings; print the kernel env

Every command checks its arguments before it does any work: a missing path, an empty folder, a
number out of range, an output that cannot be written or a bad roster is one line on stderr
(what is wrong, what to do) and exit status 2, never a traceback and never half the outputs.
"""

import json
import os
import sys
from pathlib import Path

from nncourse.arguments import (Parser, UserError, existing, positive, write_all,
                                writable_file, writable_folder)
from nncourse import settings
from nncourse.teacher import options as teacher


# --- the commands ----------------------------------------------------------------------------

def cmd_notebooks(args):
    from nncourse.build.notebooks import generate
    existing(args.notebooks or [], "solution notebook")
    changed = generate(paths=args.notebooks or None)
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(changed)} file(s) changed")
    return 0


def cmd_execute(args):
    import time

    from nncourse.build.execute import execute_file
    from nncourse.build.notebooks import SOLUTIONS, solution_paths
    existing(args.notebooks or [], "solution notebook")
    paths = args.notebooks = args.notebooks or solution_paths(SOLUTIONS)
    for path in paths:
        start = time.perf_counter()
        execute_file(path)
        print(f"executed {path} in {time.perf_counter() - start:.1f} s")
    return cmd_notebooks(args)


def cmd_exercises(args):
    from nncourse.checks.registry import listing
    rows = listing()
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        for r in rows:
            print(f"{r['id']:<32} {r['notebook']:<28} {r['points']} pt")
        print(f"{len(rows)} exercises, {sum(r['points'] for r in rows)} points")
    return 0


def _grade_outputs(args):
    """Check every output of ``nncourse grade`` and read the roster, before grading."""
    from nncourse.teacher.students import read_roster
    for flag, what in (("json", "the JSON report"), ("csv", "the CSV"),
                       ("gradebook", "the gradebook"), ("gradebook_json", "the gradebook JSON"),
                       ("report", "the class report"), ("report_json", "the class report JSON")):
        value = getattr(args, flag)
        if value and value != "-":
            writable_file(value, what)
    if args.feedback:
        if Path(args.feedback).exists() and not Path(args.feedback).is_dir():
            raise UserError(f"--feedback {args.feedback} is a file: give a folder")
        writable_folder(args.feedback, "feedback in")
    if not args.roster:
        return None
    existing([args.roster], "roster file")
    try:
        return read_roster(args.roster)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise UserError(f"bad roster: {exc}") from None


def cmd_grade(args):
    import secrets

    from nncourse.grading import hiding
    from nncourse.grading.grader import (Limits, NoSandbox, choose_isolation, expand,
                                         grade_many, progress_bar)
    from nncourse.grading.outputs import csv_text, reports_json, summary_table
    existing(args.paths)
    paths = expand(args.paths)
    if not paths:
        raise UserError("no notebooks (.ipynb files) found in " + " ".join(args.paths))
    roster = _grade_outputs(args)
    if args.run_as:
        from nncourse.grading.sandbox import run_as
        try:
            run_as(args.run_as)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if os.geteuid() != 0:
            raise UserError("--run-as needs the grader to run as root (to change user)")
    try:
        isolation = choose_isolation(args.unsandboxed, args.run_as)
    except NoSandbox as exc:
        raise UserError(str(exc)) from None
    if isolation == "none":
        print("WARNING: grading WITHOUT a sandbox (isolation: none), for trusted code only: "
              "learner code runs as you, can read and change your files and can read the "
              "course's own answers where installed. Every report says so.", file=sys.stderr)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    limits = Limits(cell_timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                    check_time=args.check_time, memory_mb=args.memory, user=args.run_as)
    to_stdout = args.json == "-"
    try:   # as the user, its Python sees only the grading view (the real course is hidden)
        with hiding.hidden(args.run_as if isolation == "user" else None):
            reports = grade_many(paths, seed=seed, limits=limits, jobs=args.jobs,
                                 isolation=isolation, forbid_reference=args.forbid_reference,
                                 progress=None if to_stdout or args.no_progress else progress_bar())
    except hiding.HidingError as exc:
        raise UserError(str(exc)) from None
    from nncourse.teacher.students import assign
    subs = assign([r.submission for r in reports], args.paths, roster)
    files, messages, book = teacher.render(args, reports, subs, roster)
    if args.json and not to_stdout:
        files[args.json] = reports_json(reports) + "\n"
    if args.csv:
        files[args.csv] = csv_text(reports)
    write_all(files)
    if to_stdout:
        print(reports_json(reports))
    else:
        print(summary_table(reports, [s.student for s in subs]))
        print(f"hidden-case seed: {seed} (pass --seed {seed} to grade again identically); "
              f"isolation: {isolation}")
        if book is not None:
            from nncourse.teacher.gradebook import table
            print(table(book))
    for line in messages:
        print(line, file=sys.stderr)
    return 0


def cmd_release(args):
    from nncourse.teacher.release import ReleaseError, release
    writable_folder(args.out, "the bundle in")
    try:
        written = release(args.out, nbgrader=args.nbgrader, assignment=args.assignment)
    except ReleaseError as exc:
        raise UserError(str(exc)) from None
    print(f"wrote the student bundle to {args.out} ({len(written)} files, no solutions/)")
    return 0


def cmd_export(args):
    from nncourse.teacher.gradescope import export, resolve_notebook
    try:
        notebook = resolve_notebook(args.notebook)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    writable_file(args.output, "the autograder")
    if args.requirements:
        existing([args.requirements], "requirements file")
    out = export(notebook, args.output, seed=args.seed, requirements=args.requirements,
                 test_visibility=args.test_visibility)
    print(f"wrote {out}: upload it as the Gradescope autograder of {notebook}")
    return 0


def _progress_folder(folder):
    """The folder to report on: the one given, else the current folder when it holds course
    notebooks (a workspace's terminal), else the learner workspace, else notebooks/."""
    from nncourse.build.notebooks import NOTEBOOKS
    from nncourse.learner.workspace import Workspace
    if folder:
        existing([folder], "folder")
        if not Path(folder).is_dir():
            raise UserError(f"{folder} is not a folder: give the folder of your notebooks")
        return Path(folder)
    if any(Path.cwd().glob("[0-9][0-9]_*.ipynb")):
        return Path.cwd()
    ws = Workspace()
    return ws.path if ws.exists() else NOTEBOOKS


def cmd_progress(args):
    from nncourse.learner.progress import (format_progress, run_progress, saved_progress,
                                           workspace_notebooks)
    folder = _progress_folder(args.folder)
    present, others = workspace_notebooks(folder)
    if not present:
        raise UserError(f"no course notebooks (01_….ipynb and on) in {folder}: give the folder "
                        "that holds your notebooks (your workspace)")
    if args.saved:
        reports = saved_progress(folder)
    else:
        print(f"running your {len(present)} notebook(s) in {folder} with the course's checks "
              f"({args.jobs} at a time) ...", file=sys.stderr, flush=True)
        reports = run_progress(folder, jobs=args.jobs, cell_timeout=args.timeout,
                               stream=sys.stderr)
    print(format_progress(reports))
    for path in others:
        print(f"not counted: {path.name} (a second copy of a notebook counted above)")
    return 0


def cmd_workspace(args):
    from nncourse.learner.workspace import Workspace
    ws = Workspace(args.workspace)
    writable_folder(ws.path, "your workspace")
    for change in ws.create():
        print(change.describe())
    pending = ws.pending()
    if pending:
        print(f"the course has a newer version of {len(pending)} notebook(s): "
              "run `nncourse update` to bring it in (your answers are kept)")
    print(ws.path)
    return 0


def cmd_update(args):
    from nncourse.learner.workspace import Workspace, course_notebooks
    ws = Workspace(args.workspace)
    if not ws.exists() and not args.create:
        raise UserError(f"there is no workspace at {ws.path}: check the folder's name, or "
                        f"create it with `nncourse workspace --workspace {ws.path}`")
    writable_folder(ws.path, "your workspace")
    known = {p.name for p in course_notebooks(ws.course)}
    for name in args.restore:
        if name not in known:
            raise UserError(f"--restore {name}: not a course notebook (one of "
                            f"{', '.join(sorted(known))})")
    print(f"updating your workspace {ws.path} from the course")
    for name in args.restore:
        print("  " + ws.restore(name).describe())
    for change in ws.update():
        print("  " + change.describe())
    return 0


def build_parser():
    parser = Parser(prog="nncourse", description="nnlib course tools")
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
    p.add_argument("--jobs", type=positive(int), default=1, help="submissions graded in parallel")
    p.add_argument("--timeout", type=positive(float), default=60,
                   help="seconds for one learner cell")
    p.add_argument("--notebook-timeout", type=positive(float), default=300,
                   help="seconds for all of a notebook's cells")
    p.add_argument("--check-time", type=positive(float), default=10,
                   help="seconds for one check")
    p.add_argument("--memory", type=positive(int), default=2048,
                   help="memory of one submission's whole sandbox, MB")
    p.add_argument("--seed", type=int, help="seed of the hidden cases (default: random)")
    p.add_argument("--unsandboxed", action="store_true",
                   help="grade even where no sandbox can be made: FOR TRUSTED CODE ONLY. Learner "
                        "code then runs as you: it can read and change your files, and though "
                        "the grading view (stubs of the exercises' course implementations) is "
                        "first on its import path, it can still read the real ones where they "
                        "are installed. With --run-as, as root, they are hidden from it")
    p.add_argument("--run-as", metavar="USER",
                   help="as root: run learner code as this unprivileged system user (without "
                        "it, bubblewrap's sandbox runs as a uid no account owns; with "
                        "--unsandboxed, what the Gradescope autograder does without bubblewrap: "
                        "the course's real copies are hidden from USER while it runs)")
    p.add_argument("--forbid-reference", action="store_true",
                   help="score 0 an answer whose code names nnlib's own implementation of its "
                        "exercise (in the sandbox, one that calls it scores 0 anyway)")
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
    p.add_argument("--test-visibility", default="visible",
                   choices=("hidden", "after_due_date", "after_published", "visible"),
                   help="when learners see each exercise's message (it shows the failing case, "
                        "hidden cases included); the total is always visible")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("progress", help="your progress through the course")
    p.add_argument("folder", nargs="?", default=None,
                   help="your notebooks (default: this folder if it has them, else your workspace)")
    p.add_argument("--jobs", type=positive(int), default=2)
    p.add_argument("--timeout", type=positive(float), default=60)
    p.add_argument("--saved", action="store_true",
                   help="read the checks' saved verdicts instead of re-running the notebooks")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("workspace", help="create your workspace (once) and print where it is")
    p.add_argument("--workspace", metavar="DIR", help="default: $NNCOURSE_WORKSPACE or workspace/")
    p.set_defaults(func=cmd_workspace)
    p = sub.add_parser("update", help="bring a new course version into your workspace")
    p.add_argument("--workspace", metavar="DIR", help="default: $NNCOURSE_WORKSPACE or workspace/")
    p.add_argument("--create", action="store_true",
                   help="make the workspace first if there is none (a server's start hook)")
    p.add_argument("--restore", metavar="NOTEBOOK", action="append", default=[],
                   help="bring back a course notebook you deleted (a file by that name is "
                        "backed up first); repeatable")
    p.set_defaults(func=cmd_update)
    settings.add_parser(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        name = " ".join(filter(None, ["nncourse", args.command, getattr(args, "platform", None)]))
        print(f"{name}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
