"""How long does grading a class take? 100 submissions of notebook 01 (half solved, half
blank), graded with ``--jobs 1`` and ``--jobs 2``.

    python benchmarks/grading_speed.py [--submissions 100]
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from nncourse.grading import grade_many
from nncourse.notebooks import NOTEBOOKS, SOLUTIONS

NAME = "01_input_flattening.ipynb"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.submissions):
            source = SOLUTIONS if i % 2 == 0 else NOTEBOOKS
            folder = Path(tmp) / f"learner{i:03d}"
            folder.mkdir()
            shutil.copy(source / NAME, folder / NAME)
            paths.append(folder / NAME)
        for jobs in (1, 2):
            start = time.perf_counter()
            reports = grade_many(paths, seed=1, jobs=jobs)
            seconds = time.perf_counter() - start
            scores = sorted({r["score"] for r in reports})
            print(f"--jobs {jobs}: {len(paths)} submissions in {seconds:.1f} s "
                  f"({seconds / len(paths):.2f} s each); scores seen: {scores}")


if __name__ == "__main__":
    main()
