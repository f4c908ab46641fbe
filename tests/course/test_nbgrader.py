"""The course works inside nbgrader, and nbgrader agrees with ``nncourse grade``.

The solution notebook is an nbgrader course's *source*; nbgrader itself releases it (stripping
the solutions), then autogrades three submissions: fully solved, partly solved and blank. The
scores nbgrader stores must equal the scores of ``nncourse grade`` on the same files.
nbgrader is a test extra only, never a runtime dependency.
"""

import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from nncourse.checks import registry
from nncourse.grading.grader import grade_many
from nncourse.build.notebooks import SOLUTIONS


def grade(*args, **kwargs):
    """The grader's reports, in the JSON form ``nncourse grade --json`` writes."""
    return [r.to_json() for r in grade_many(*args, **kwargs)]

nbgrader_api = pytest.importorskip("nbgrader.api", reason="nbgrader (a test extra) is missing")

NAME = "04_cost.ipynb"
ASSIGNMENT = "ps1"


def nbgrader(course, *args):
    # nbgrader runs `alembic` from PATH: put this environment's scripts first
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]


def first_exercise():
    return next(e for e in registry.load_all().values() if e.notebook == NAME[:-6])


def solve_only_the_first(released):
    """The released notebook with its first exercise answered as the solution answers it."""
    ex = first_exercise()
    solution = nbformat.read(SOLUTIONS / NAME, as_version=4)
    answer = next(c.source for c in solution.cells if "### BEGIN SOLUTION" in c.source
                  and f"def {ex.function}(" in c.source)
    nb = nbformat.read(released, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{ex.id}_solution":
            cell.source = answer.replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION\n", "")
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader_course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'nnlib'\n"
        "c.CourseDirectory.db_students = [{'id': 'solved'}, {'id': 'partly'}, {'id': 'blank'}]\n"
        "c.ExecutePreprocessor.timeout = 120\n")
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    shutil.copy(SOLUTIONS / NAME, source / NAME)
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    released = course / "release" / ASSIGNMENT / NAME
    submissions = {
        "solved": nbformat.read(SOLUTIONS / NAME, as_version=4),
        "partly": solve_only_the_first(released),
        "blank": nbformat.read(released, as_version=4),
    }
    for student, nb in submissions.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NAME)
    nbgrader(course, "autograde", ASSIGNMENT)
    return course


def test_release_strips_solutions_like_the_course(course):
    released = nbformat.read(course / "release" / ASSIGNMENT / NAME, as_version=4)
    ours = nbformat.read(SOLUTIONS.parent / "notebooks" / NAME, as_version=4)
    strip = lambda nb: [c.source for c in nb.cells  # noqa: E731
                        if c.metadata.get("nbgrader", {}).get("solution")]
    assert strip(released) == strip(ours)


def test_nbgrader_scores_equal_nncourse_scores(course):
    students = ["solved", "partly", "blank"]
    paths = [course / "submitted" / s / ASSIGNMENT / NAME for s in students]
    ours = {s: r["score"] for s, r in zip(students, grade(paths, seed=5))}
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        theirs = {s: gb.find_submission(ASSIGNMENT, s).score for s in students}
        max_score = gb.find_assignment(ASSIGNMENT).max_score
    total = sum(e.points for e in registry.load_all().values() if e.notebook == NAME[:-6])
    assert ours == {"solved": total, "partly": first_exercise().points, "blank": 0}
    assert theirs == ours
    assert max_score == total
