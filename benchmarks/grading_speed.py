"""How long does grading a class take, sandboxed, against nbgrader on the same submissions?

100 submissions of notebook 04 (a third solved, a third with the first exercise only, a third
blank) in an nbgrader course folder. Each round grades them all with ``nncourse grade --jobs 2``
(one bubblewrap sandbox per submission) and with nbgrader's ``autograde`` (no sandbox; it runs
the notebooks in the teacher's own kernel), in alternating order; then compares the scores.

    python benchmarks/grading_speed.py [--submissions 100] [--rounds 2] [--jobs 2]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from nncourse.checks import registry
from nncourse.grading.grader import grade_many
from nncourse.build.notebooks import SOLUTIONS

NAME = "04_cost.ipynb"
ASSIGNMENT = "ps1"


def nbgrader(course, *args):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course, env=env,
                   check=True, capture_output=True)


# nbgrader gets the fix nncourse's own executor has (nncourse/build/execute.py, Client): with
# ipykernel 6 and 7 a cell's execute_reply is sometimes noticed only when the wait for it times
# out, after ipywidgets cells. Without it, nbgrader waited out its 120-s cell timeout at notebook
# 04's widget cell on most submissions here (81 s per submission instead of a few): a figure
# about that bug, not about grading.
POLL_FIX = """
import time
from queue import Empty
import nbclient

_start = nbclient.NotebookClient.async_start_new_kernel_client


async def _start_polling(self):
    kc = await _start(self)
    wait = kc.shell_channel.get_msg

    async def get_msg(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = 0.25 if deadline is None else deadline - time.monotonic()
            try:
                return await wait(timeout=max(0.0, min(0.25, left)))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    kc.shell_channel.get_msg = get_msg
    return kc


nbclient.NotebookClient.async_start_new_kernel_client = _start_polling
"""


def make_course(root, n):
    students = [f"s{i:03d}" for i in range(n)]
    (root / "nbgrader_config.py").write_text(
        POLL_FIX + "\nc = get_config()\nc.CourseDirectory.course_id = 'nnlib'\n"
        f"c.CourseDirectory.db_students = {[{'id': s} for s in students]!r}\n"
        "c.ExecutePreprocessor.timeout = 120\n")
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    shutil.copy(SOLUTIONS / NAME, source / NAME)
    nbgrader(root, "generate_assignment", ASSIGNMENT)
    released = nbformat.read(root / "release" / ASSIGNMENT / NAME, as_version=4)
    solved = nbformat.read(SOLUTIONS / NAME, as_version=4)
    first = next(e for e in registry.load_all().values() if e.notebook == NAME[:-6])
    partly = nbformat.read(root / "release" / ASSIGNMENT / NAME, as_version=4)
    answer = next(c.source for c in solved.cells if f"def {first.function}(" in c.source)
    for cell in partly.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{first.id}_solution":
            cell.source = answer
    paths = []
    for i, student in enumerate(students):
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write((solved, partly, released)[i % 3], folder / NAME)
        paths.append(folder / NAME)
    return students, paths


def nbgrader_scores(root, students):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return [gb.find_submission(ASSIGNMENT, s).score for s in students]


def measure(submissions=100, rounds=2, jobs=2):
    """Grade the same submissions ``rounds`` times with each grader, alternating which goes first;
    return seconds per submission (median and quartiles over the rounds), the per-round ratio
    nncourse ÷ nbgrader, whether the scores agree, and the isolation nncourse used."""
    import numpy as np
    times = {"nncourse": [], "nbgrader": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        students, paths = make_course(root, submissions)
        ours = theirs = isolation = None
        for r in range(rounds):
            order = ["nncourse", "nbgrader"] if r % 2 == 0 else ["nbgrader", "nncourse"]
            for who in order:
                start = time.perf_counter()
                if who == "nncourse":
                    reports = grade_many(paths, seed=1, jobs=jobs)
                    ours = [rep.score for rep in reports]
                    isolation = sorted({rep.isolation for rep in reports})
                else:
                    nbgrader(root, "autograde", ASSIGNMENT)
                    theirs = nbgrader_scores(root, students)
                times[who].append((time.perf_counter() - start) / len(paths))

    def spread(values):
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        return {"median": float(median), "q1": float(q1), "q3": float(q3)}
    return {
        "notebook": NAME, "submissions": submissions, "rounds": rounds, "jobs": jobs,
        "isolation": isolation,
        "seconds_per_submission": {who: spread(ts) for who, ts in times.items()},
        "ratio": spread([a / b for a, b in zip(times["nncourse"], times["nbgrader"])]),
        "scores_equal": sum(x == y for x, y in zip(ours, theirs)),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    r = measure(args.submissions, args.rounds, args.jobs)
    a, b = (r["seconds_per_submission"][w]["median"] for w in ("nncourse", "nbgrader"))
    print(f"{args.submissions} submissions of {NAME}, {args.rounds} rounds, alternating order")
    print(f"  nncourse grade --jobs {args.jobs} (isolation: {', '.join(r['isolation'])}): "
          f"{a:.2f} s per submission")
    print(f"  nbgrader autograde (no sandbox):             {b:.2f} s per submission")
    print(f"  ratio nncourse / nbgrader: {r['ratio']['median']:.2f}x "
          f"(IQR {r['ratio']['q1']:.2f}–{r['ratio']['q3']:.2f}); scores equal on "
          f"{r['scores_equal']}/{args.submissions}")


if __name__ == "__main__":
    main()
