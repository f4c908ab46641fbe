"""No reference inside the sandbox (issue 23, item 1): every route to the course's own
implementation of an exercise, taken while the submission is graded, scores 0; the sandbox shows
no grading telltale; the solved control keeps its marks. One batch of notebook 04 (mse is the
attacked exercise), graded once in the real bubblewrap sandbox."""

import socket

import nbformat
import pytest

from nncourse.grading.sandbox import isolation_available
from nncourse.grading.submission import copied_references, read_notebook
from nncourse.grading import view

from tests.course.test_grading import DEF, EX, LIMITS, NAME, SEED, grade, learner, solve

pytestmark = pytest.mark.skipif(isolation_available() is None,
                                reason="needs bubblewrap (apt-get install bubblewrap)")

assert EX.function == "mse"

# answers that are the course's mse, by every route: each must score 0
ROUTES = {
    "import": "import nnlib.losses\n" + DEF + "    return nnlib.losses.mse(y, y_hat)",
    "from_import_alias": "from nnlib.losses import mse as m\n" + DEF + "    return m(y, y_hat)",
    "getattr_module": DEF + "    return getattr(__import__('nnlib.losses', fromlist=['_']), "
                            "'m' + 'se')(y, y_hat)",
    "importlib_computed": "import importlib\n" + DEF +
                          "    return getattr(importlib.import_module('nnlib.' + 'losses'), "
                          "'mse')(y, y_hat)",
    "exec_getsource": "import inspect, nnlib.losses\nns = dict(vars(nnlib.losses))\n"
                      "exec(inspect.getsource(nnlib.losses.mse), ns)\nmse = ns['mse']",
    "source_from_disk": "import nnlib.losses\nns = dict(vars(nnlib.losses))\n"
                        "exec(open(nnlib.losses.__file__).read(), ns)\nmse = ns['mse']",
    "assignment_no_def": "import nnlib\nmse = nnlib.losses.mse",
    "import_no_def": "from nnlib.losses import mse",
    "lambda": "import nnlib\nmse = lambda y, y_hat: nnlib.losses.mse(y, y_hat)",
    "partial": "import functools, nnlib\nmse = functools.partial(nnlib.losses.mse)",
    "registry_reference": "import importlib\n" + DEF +
                          "    r = importlib.import_module('nncourse.checks.' + 'registry')\n"
                          "    return r.by_name('mse').reference(y, y_hat)",
    "globals_no_def": "import nnlib\nglobals()['m' + 'se'] = getattr(nnlib.losses, 'm' + 'se')",
    # the sandbox detection: a stub in the notebook, the course's mse when graded
    "detects_sandbox": "import os, socket, nnlib\n" + DEF +
                       "    if any(k.startswith('NNCOURSE') for k in os.environ) or "
                       "socket.gethostname() == 'sandbox' or 'NNCOURSE' in "
                       "open('/proc/self/environ').read():\n"
                       "        return nnlib.losses.mse(y, y_hat)\n"
                       "    raise NotImplementedError()",
    "catches_the_stub": "import nnlib\n" + DEF + "    try:\n"
                        "        return nnlib.losses.mse(y, y_hat)\n    except BaseException:\n"
                        "        import numpy as np\n        return np.mean((y_hat - y) ** 2)",
}
NO_DEF = ("assignment_no_def", "import_no_def", "lambda", "partial")
# routes whose call is not the exercise's own implementation: 0, but not named as a copy
ZERO_ONLY = {
    # rmse's known mistake "no square root (MSE)" *is* mse: mistakes are stubs in every view
    "mistake_of_another": "from nncourse.checks import registry\n" + DEF +
                          "    return next(m.fn for m in registry.by_name('rmse').mistakes "
                          "if 'no square root' in m.name)(y, y_hat)",
}


def _notebook(answer):
    return solve(learner(), replace={EX.name: answer})


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("routes")
    subs = {"solved": solve(learner()),
            **{k: _notebook(v) for k, v in {**ROUTES, **ZERO_ONLY}.items()}}
    paths = {}
    for name, nb in subs.items():
        path = folder / name / NAME
        path.parent.mkdir()
        path.write_text(nbformat.writes(nb), encoding="utf-8")
        paths[name] = path
    out = grade(list(paths.values()), seed=SEED, limits=LIMITS, jobs=2)
    return {name: report for name, report in zip(paths, out)}


def _row(report, ex_id):
    return next(e for e in report["exercises"] if e["id"] == ex_id)


def test_solved_control_keeps_every_mark(reports):
    report = reports["solved"]
    assert [e["points"] for e in report["exercises"]] == \
        [e["max_points"] for e in report["exercises"]], report
    assert report["cell_errors"] == [] and report["copied_reference"] == []


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_to_the_reference_scores_0(reports, route):
    report = reports[route]
    row = _row(report, EX.id)
    assert row["points"] == 0 and not row["passed"], row
    assert EX.id in report["copied_reference"], report
    # the other exercises are the solution's: untouched
    assert all(e["passed"] for e in report["exercises"] if e["id"] != EX.id), report


@pytest.mark.parametrize("route", sorted(ZERO_ONLY))
def test_other_course_code_that_is_the_answer_scores_0(reports, route):
    assert _row(reports[route], EX.id)["points"] == 0, _row(reports[route], EX.id)


def test_a_stub_call_is_named_in_the_note(reports):
    row = _row(reports["from_import_alias"], EX.id)
    assert "course's own implementation of mse" in row["message"], row["message"]


@pytest.mark.parametrize("route", NO_DEF)
def test_copy_check_reads_answers_without_def(route):
    cells = read_notebook(nbformat.writes(_notebook(ROUTES[route])).encode())
    assert EX.id in copied_references(cells, [EX])
    solved = read_notebook(nbformat.writes(solve(learner())).encode())
    assert copied_references(solved, [EX]) == []


PROBE = ("import os, socket, sys, nnlib, nncourse\n"
         "PROBE = (sorted(k for k in os.environ if 'NNCOURSE' in k.upper()), "
         "'NNCOURSE' in open('/proc/self/environ').read(), socket.gethostname(), "
         "nnlib.__file__, nncourse.__file__)\n" + DEF +
         "    import numpy as np\n    if PROBE != EXPECTED:\n        raise ValueError(repr(PROBE))\n"
         "    return np.mean((np.asarray(y_hat) - np.asarray(y)) ** 2)")


def test_the_sandbox_shows_no_grading_telltale(tmp_path):
    """The environment, /proc/self/environ, the host name and the packages' paths are what the
    learner's kernel sees (an answer that checks them still passes)."""
    import nncourse
    import nnlib
    expected = ([], False, socket.gethostname(), nnlib.__file__, nncourse.__file__)
    path = tmp_path / "probe" / NAME
    path.parent.mkdir()
    nb = _notebook(PROBE.replace("EXPECTED", repr(expected)))
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    (report,) = grade([path], seed=SEED, limits=LIMITS)
    assert _row(report, EX.id)["passed"], _row(report, EX.id)["message"]


def test_the_view_holds_no_implementation_of_the_notebook():
    """The files the sandbox reads: nnlib's losses in notebook 04's view hold stubs only."""
    from nncourse.grading import worker
    assert worker.EVENT == view.EVENT
    binds = dict((dest, src) for src, dest in view.binds("04_cost"))
    import nnlib
    from pathlib import Path
    losses = Path(binds[str(Path(nnlib.__file__).resolve().parent)]) / "losses.py"
    text = losses.read_text()
    assert text.count(view.EVENT) >= 4 and "np.mean(" not in text.split("def mse(")[1]\
        .split("\ndef ")[0]


NB02 = "02_the_neuron.ipynb"


def test_another_exercises_course_version_is_allowed_its_own_is_not(tmp_path):
    """Notebook 02's neuron rightly calls nnlib's sigmoid (another exercise's reference): it
    keeps its marks (judged again where only its own implementation is a stub). A weighted_sum
    that is the check module's own version (reached through the registry) scores 0."""
    from nncourse.build.notebooks import NOTEBOOKS, SOLUTIONS, exercise_cells
    solution = nbformat.read(SOLUTIONS / NB02, as_version=4)
    answers = {ex.name: solution.cells[i].source for i, _, ex in exercise_cells(solution, NB02)}
    answers["weighted_sum"] = ("from nncourse.checks import registry\n"
                               "weighted_sum = registry.by_name('weighted_sum').reference")
    nb = nbformat.read(NOTEBOOKS / NB02, as_version=4)
    for i, _, ex in exercise_cells(nb, NB02):
        nb.cells[i].source = answers[ex.name]
    path = tmp_path / "nb02" / NB02
    path.parent.mkdir()
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    (report,) = grade([path], seed=SEED, limits=LIMITS)
    rows = {e["id"]: e for e in report["exercises"]}
    assert rows["nb02_neuron"]["passed"] and rows["nb02_sigmoid"]["passed"], report
    assert rows["nb02_weighted_sum"]["points"] == 0, rows["nb02_weighted_sum"]
    assert report["copied_reference"] == ["nb02_weighted_sum"] and report["cell_errors"] == []


def test_rewrite_keeps_docstrings_and_stubs_whole_bodies():
    src = ('@staticmethod\ndef f(x):\n    """Doc."""\n    g = lambda y: y + 1\n    return g(x)\n'
           'h = lambda z: z * 2\n')
    out = view.rewrite(src, {1: ["nb00_f"], 6: ["nb00_h"]})
    assert '"""Doc."""' in out and "return g(x)" not in out and "z * 2" not in out
    assert out.count(view.EVENT) == 2
    ns = {"staticmethod": lambda fn: fn}
    exec(out, ns)
    for name in ("f", "h"):
        with pytest.raises(NotImplementedError):
            ns[name](1)


def test_every_notebooks_view_imports():
    """Each notebook's view loads every check module and the worker (a stub called while a
    module is imported would break its sandbox)."""
    import os
    import subprocess
    import sys
    from nncourse.checks import registry
    for notebook in registry.notebooks():
        root = os.path.dirname(view.binds(notebook)[0][0])
        code = (f"import nnlib; assert nnlib.__file__.startswith({root!r})\n"
                "from nncourse.checks import registry; registry.load_all()\n"
                "import nncourse.grading.worker")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": root}, cwd=root)
        assert done.returncode == 0, (notebook, done.stderr[-500:])


UNSANDBOXED = ("import", "getattr_module", "importlib_computed", "exec_getsource",
               "source_from_disk", "registry_reference", "catches_the_stub")


def test_unsandboxed_the_view_is_first_on_the_path(tmp_path):
    """``--unsandboxed`` (isolation none, the teacher's own user): the worker imports the grading
    view, so the ordinary routes to the course's mse reach stubs and score 0; the solved control
    keeps its marks, and notebook 02's neuron (which rightly calls nnlib's sigmoid) is judged
    again where only its own implementation is a stub. (The real files stay readable there:
    an ``open()`` of the installed copy's path is not stopped, as the README says.)"""
    from nncourse.build.notebooks import SOLUTIONS
    subs = {"solved": solve(learner()), **{k: _notebook(ROUTES[k]) for k in UNSANDBOXED},
            "nb02": nbformat.read(SOLUTIONS / NB02, as_version=4)}
    paths = []
    for name, nb in subs.items():
        path = tmp_path / name / (NB02 if name == "nb02" else NAME)
        path.parent.mkdir()
        path.write_text(nbformat.writes(nb), encoding="utf-8")
        paths.append(path)
    reports = dict(zip(subs, grade(paths, seed=SEED, limits=LIMITS, jobs=2, isolation="none")))
    for name in ("solved", "nb02"):
        assert all(e["passed"] for e in reports[name]["exercises"]), reports[name]
        assert reports[name]["isolation"] == "none"
    for route in UNSANDBOXED:
        row = _row(reports[route], EX.id)
        assert row["points"] == 0 and EX.id in reports[route]["copied_reference"], (route, row)
