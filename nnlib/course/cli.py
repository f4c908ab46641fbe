"""``nncourse``: the course's command line (also ``python -m nnlib.course``).

    nncourse notebooks            regenerate notebooks/ from solutions/
    nncourse execute [NB ...]     re-execute solution notebooks, storing their outputs
    nncourse exercises [--json]   list every exercise: id, notebook, points
"""

import argparse
import json
import sys


def cmd_notebooks(args):
    from .notebooks import generate
    changed = generate()
    for path in changed:
        print(f"wrote {path}")
    print(f"{len(changed)} file(s) changed")
    return 0


def cmd_execute(args):
    import time

    from .execute import execute_file
    from .notebooks import SOLUTIONS, solution_paths
    paths = args.notebooks or solution_paths(SOLUTIONS)
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


def build_parser():
    parser = argparse.ArgumentParser(prog="nncourse", description="nnlib course tools")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("notebooks", help="regenerate notebooks/ from solutions/").set_defaults(
        func=cmd_notebooks)
    p = sub.add_parser("execute", help="re-execute solution notebooks in place")
    p.add_argument("notebooks", nargs="*")
    p.set_defaults(func=cmd_execute)
    p = sub.add_parser("exercises", help="list every exercise")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_exercises)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
