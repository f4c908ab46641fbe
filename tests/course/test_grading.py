"""The grader: partial credit, time and memory limits, crashes, tampering, broken files.

Every fixture is built here from notebook 01 (its learner version and its solutions), so the
fixtures follow the course as it changes. All of them are graded in one batch (two parallel
jobs), as a teacher would, and the batch must complete whatever each submission does.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nncourse.grading import Limits, grade_many
from nncourse.notebooks import NOTEBOOKS, SOLUTIONS, exercise_cells

NAME = "01_input_flattening.ipynb"
LIMITS = Limits(cell_timeout=4, notebook_timeout=12, check_time=2, memory_mb=1536)

ANSWERS = {  # a correct body for each exercise of notebook 01
    "flatten": "    return images.reshape(len(images), -1)",
    "unflatten": "    return X.reshape(len(X), height, width)",
    "scale_pixels": "    return X / 255",
    "local_binary_pattern": "    from nnlib.features import local_binary_pattern as lbp\n"
                            "    return lbp(image)",
}


def learner():
    return nbformat.read(NOTEBOOKS / NAME, as_version=4)


def answer(nb, name, body):
    """Replace the stub of exercise ``name`` by ``body`` (keeping its def line)."""
    cell = nb.cells[solution_index(nb, name)]
    def_line = next(line for line in cell.source.splitlines() if line.startswith("def "))
    cell.source = def_line + "\n" + body
    return nb


def solution_index(nb, name):
    return next(i for i, c in enumerate(nb.cells)
                if c.metadata.get("nbgrader", {}).get("grade_id") == f"nb01_{name}_solution")


def solve_all(nb, skip=()):
    for name, body in ANSWERS.items():
        if name not in skip:
            answer(nb, name, body)
    return nb


def add_cell(nb, source, where=1):
    nb.cells.insert(where, nbformat.v4.new_code_cell(source))
    return nb


def check_cell_index(nb, name):
    return next(chk for _, chk, ex in exercise_cells(nb, NAME) if ex.name == name)


def fixtures():
    """name -> notebook object, or raw bytes for broken files."""
    f = {}
    f["solved"] = nbformat.read(SOLUTIONS / NAME, as_version=4)
    f["blank"] = learner()
    f["partly"] = answer(learner(), "flatten", ANSWERS["flatten"])
    f["loop_in_exercise"] = answer(solve_all(learner()), "scale_pixels", "    while True:\n        pass")
    f["loop_at_top_level"] = add_cell(solve_all(learner()), "while True:\n    pass", where=3)
    f["never_ends"] = add_cell(add_cell(add_cell(solve_all(learner()), "while True:\n    pass", 3),
                                        "while True:\n    pass", 3), "while True:\n    pass", 3)
    f["os_exit"] = add_cell(solve_all(learner()), "import os\nos._exit(3)", where=5)
    f["segfault"] = add_cell(solve_all(learner()), "import ctypes\nctypes.string_at(0)", where=5)
    f["memory_bomb"] = add_cell(solve_all(learner()), "hog = bytearray(3 * 2**30)", where=5)
    # tampering: every answer wrong or missing, while the notebook tries to look perfect
    nb = learner()
    for i in sorted((chk for _, chk, _ in exercise_cells(nb, NAME)), reverse=True):
        del nb.cells[i]
    f["checks_deleted"] = solve_all(nb, skip=("flatten",))
    nb = learner()
    nb.cells[check_cell_index(nb, "flatten")].source = 'print("✔ flatten — 5/5 cases")'
    f["check_edited"] = nb
    f["check_patched"] = add_cell(learner(), (
        "import nncourse.checking as c\n"
        "from nncourse.checking import Result\n"
        "c.run = lambda ex, fn, seed=None, time_limit_s=5: Result(ex.id, ex.name, 'passed', '✔')\n"
        "import nncourse.report as r\n"
        "r.run_and_report = lambda *a, **k: None\n"
        "def check(*a, **k):\n    return None"))
    f["numpy_patched"] = add_cell(answer(learner(), "flatten", "    return images.reshape(len(images), -1)[:, ::-1]"), (
        "import numpy, builtins\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "numpy.isclose = lambda a, b, *x, **k: numpy.ones(numpy.shape(a), bool)\n"
        "numpy.array_equal = lambda *a, **k: True\n"
        "builtins.print = lambda *a, **k: None"))
    f["hard_coded"] = add_cell(answer(learner(), "flatten", (
        "    key = (images.shape, images.dtype.str, images.tobytes())\n"
        "    return VISIBLE[key] if key in VISIBLE else images[:, 0, :].copy()")), (
        "import numpy as np\n"
        "from nncourse import checks, exercises\n"
        "from nnlib import data\n"
        "ex = exercises.load_all()['nb01_flatten']\n"
        "cases = checks.nb01.flatten_cases(np.random.default_rng(ex.default_seed))\n"
        "VISIBLE = {(c.args[0].shape, c.args[0].dtype.str, c.args[0].tobytes()): data.flatten(c.args[0])\n"
        "           for c in cases}"))
    f["renamed"] = answer(solve_all(learner()), "flatten",
                          "    return images.reshape(len(images), -1)\n\nflatten2 = flatten\ndel flatten")
    nb = solve_all(learner())
    del nb.cells[solution_index(nb, "unflatten")]
    f["exercise_deleted"] = nb
    f["other_course"] = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    f["not_json"] = b"this is not a notebook"
    f["not_a_notebook"] = b'{"hello": "world"}'
    return f


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    paths = {}
    for name, content in fixtures().items():
        path = folder / (NAME if name == "solved" else f"{name}.ipynb")
        if name == "solved":
            path = folder / "solved" / NAME
            path.parent.mkdir()
        path.write_bytes(content if isinstance(content, bytes) else nbformat.writes(content).encode())
        paths[name] = path
    before = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in paths.items()}
    reports = grade_many(list(paths.values()), seed=987654, limits=LIMITS, jobs=2)
    after = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in paths.items()}
    by_name = dict(zip(paths, reports))
    return by_name, before, after, folder


def exercise(report, name):
    return next(e for e in report["exercises"] if e["id"] == f"nb01_{name}")


def test_submissions_are_never_modified(graded):
    _, before, after, folder = graded
    assert before == after
    assert not list(folder.rglob("*.json")) and not list(folder.rglob(".ipynb_checkpoints"))


def test_report_shape(graded):
    reports = graded[0]
    for r in reports.values():
        assert set(r) >= {"submission", "score", "max_score", "error", "exercises"}
        for e in r["exercises"]:
            assert set(e) >= {"id", "passed", "status", "points", "max_points", "message"}


def test_solved_blank_partly(graded):
    r = graded[0]
    assert (r["solved"]["score"], r["solved"]["max_score"], r["solved"]["error"]) == (5, 5, None)
    assert r["blank"]["score"] == 0 and r["blank"]["error"] is None
    assert all("not implemented yet" in e["message"] for e in r["blank"]["exercises"])
    assert {e["status"] for e in r["blank"]["exercises"]} == {"not_implemented"}
    assert r["partly"]["score"] == 2
    assert exercise(r["partly"], "flatten")["passed"]
    assert "not implemented yet" in exercise(r["partly"], "unflatten")["message"]


def test_infinite_loop_in_an_exercise(graded):
    r = graded[0]["loop_in_exercise"]
    assert "time limit" in exercise(r, "scale_pixels")["message"]
    assert r["score"] == 4


def test_infinite_loop_in_a_cell_is_interrupted(graded):
    r = graded[0]["loop_at_top_level"]
    assert r["score"] == 5


def test_notebook_time_limit(graded):
    r = graded[0]["never_ends"]
    assert "time limit" in r["error"]


@pytest.mark.parametrize("name", ["os_exit", "segfault"])
def test_kernel_death_is_that_submissions_error(graded, name):
    r = graded[0][name]
    assert "kernel died" in r["error"] and r["score"] == 0
    assert r["max_score"] == 5


def test_memory_bomb_hits_the_cap(graded):
    r = graded[0]["memory_bomb"]
    assert "memory limit" in r["error"] or "kernel died" in r["error"]


def test_deleted_checks_are_reported_and_answers_still_judged(graded):
    r = graded[0]["checks_deleted"]
    assert r["score"] == 3                           # everything but flatten
    assert len(r["modified_check_cells"]) == 4 and all("deleted" in m for m in r["modified_check_cells"])


def test_edited_check_cell_is_reported(graded):
    r = graded[0]["check_edited"]
    assert r["modified_check_cells"] == ["nb01_flatten"]
    assert r["score"] == 0


def test_patched_checker_does_not_fool_the_grader(graded):
    r = graded[0]["check_patched"]
    assert r["score"] == 0 and all("not implemented yet" in e["message"] for e in r["exercises"])


def test_patched_numpy_and_print_do_not_fool_the_grader(graded):
    r = graded[0]["numpy_patched"]
    message = exercise(r, "flatten")["message"]
    assert not exercise(r, "flatten")["passed"] and "values differ" in message


def test_hard_coded_visible_cases_fail_the_hidden_ones(graded):
    r = graded[0]["hard_coded"]
    message = exercise(r, "flatten")["message"]
    # the fixed cases (1 and 2) are visible and pass; the first random case is hidden
    assert not exercise(r, "flatten")["passed"] and "case 3:" in message


def test_hard_coded_answer_passes_the_visible_seed(tmp_path):
    """Control for the test above: with the learner's own seed, the hard-coder passes."""
    path = tmp_path / "hard_coded.ipynb"
    path.write_text(nbformat.writes(fixtures()["hard_coded"]))
    (report,) = grade_many([path], seed=None, limits=LIMITS)
    assert exercise(report, "flatten")["passed"]


def test_renamed_and_deleted_functions_score_zero(graded):
    r = graded[0]["renamed"]
    assert "no function `flatten`" in exercise(r, "flatten")["message"] and r["score"] == 3
    r = graded[0]["exercise_deleted"]
    assert not exercise(r, "unflatten")["passed"] and r["score"] == 4


@pytest.mark.parametrize("name,words", [("other_course", "not a notebook of this course"),
                                        ("not_json", "not valid JSON"),
                                        ("not_a_notebook", "not a Jupyter notebook")])
def test_broken_files_get_a_clear_error(graded, name, words):
    assert words in graded[0][name]["error"]


def test_cli_json_and_csv(tmp_path):
    sub = tmp_path / NAME
    sub.write_bytes((NOTEBOOKS / NAME).read_bytes())
    csv_path = tmp_path / "book.csv"
    out = subprocess.run([sys.executable, "-m", "nncourse", "grade", str(tmp_path),
                          "--json", "-", "--csv", str(csv_path), "--seed", "1"],
                         capture_output=True, text=True, check=True).stdout
    reports = json.loads(out)
    assert reports[0]["score"] == 0 and reports[0]["max_score"] == 5
    header, row = csv_path.read_text().splitlines()
    assert header.startswith("submission,notebook,nb01_flatten,") and header.endswith(",total,max,error")
    assert row.endswith(",0,5,")
    assert Path(sub).read_bytes() == (NOTEBOOKS / NAME).read_bytes()


def test_every_course_notebook_grades_full_or_zero():
    """The solutions get full marks; the learner versions zero, every check "not implemented"."""
    from nncourse.notebooks import solution_paths
    solutions = [p for p in solution_paths(SOLUTIONS) if not p.name.startswith("00_")]
    learners = [NOTEBOOKS / p.name for p in solutions]
    reports = grade_many(solutions + learners, seed=3, jobs=2)
    assert len(reports) == 16
    for r in reports[:8]:
        assert r["error"] is None and r["score"] == r["max_score"] > 0, r
    for r in reports[8:]:
        assert r["score"] == 0 and r["error"] is None
        assert all("not implemented yet" in e["message"] for e in r["exercises"])


def test_progress_lists_each_notebooks_exercises(tmp_path):
    (tmp_path / NAME).write_bytes((SOLUTIONS / NAME).read_bytes())
    (tmp_path / "02_the_neuron.ipynb").write_bytes((NOTEBOOKS / "02_the_neuron.ipynb").read_bytes())
    out = subprocess.run([sys.executable, "-m", "nncourse", "progress", str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0].startswith("01_input_flattening") and "5/5" in out[0] and "✔ flatten" in out[0]
    assert out[1].startswith("02_the_neuron") and "0/4" in out[1] and "… weighted_sum" in out[1]
    assert out[-1].split()[:2] == ["total", "5/9"]
