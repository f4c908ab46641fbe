"""A learner's error shows the learner's cell and line on all three paths: the lab's kernel,
`make execute` (nncourse.build.execute) and the grader's sandbox; and a check never grades a stale
definition silently."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nncourse.build.execute import execute
from nncourse.grading.grader import Limits, grade_many
from nncourse.build.notebooks import NOTEBOOKS
from nncourse.grading.sandbox import isolation_available


def grade(*args, **kwargs):
    """The grader's reports, in the JSON form ``nncourse grade --json`` writes."""
    return [r.to_json() for r in grade_many(*args, **kwargs)]

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "def sigmoid(z):\n    s = 1.0\n    return s / 0\n"


def cells(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def text(cell):
    out = []
    for o in cell.outputs:
        out.append(o.get("text", "") + o.get("data", {}).get("text/plain", ""))
    return "".join(out)


def lab_environment():
    """The kernel environment `make lab` gives (nncourse/settings.py, which the Makefile reads;
    tests/classroom/test_settings.py checks that it does)."""
    from nncourse.settings import kernel_env
    return kernel_env()


def test_makefile_sets_no_fixed_cell_name():
    assert "IPYKERNEL_CELL_NAME" not in lab_environment()


def test_lab_kernel_shows_the_learners_line(tmp_path, monkeypatch):
    for key, value in lab_environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("IPYKERNEL_CELL_NAME", raising=False)
    nb = cells("from nncourse import check", "x = 1", BROKEN, "check.sigmoid(sigmoid)")
    NotebookClient(nb, kernel_name="python3", timeout=60,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    out = text(nb.cells[3])
    assert "ZeroDivisionError" in out and "cell In[3], line 3 in sigmoid(): return s / 0" in out


def test_make_execute_shows_the_learners_line(tmp_path):
    nb = execute(cells("from nncourse import check", BROKEN, "y = 2", "check.sigmoid(sigmoid)"),
                 tmp_path)
    assert "cell In[2], line 3 in sigmoid(): return s / 0" in text(nb.cells[3])


@pytest.mark.skipif(isolation_available() is None, reason="needs bubblewrap")
def test_grader_shows_the_learners_cell_and_line(tmp_path):
    nb = nbformat.read(NOTEBOOKS / "02_the_neuron.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "nb02_sigmoid_solution":
            cell.source = BROKEN
            number = [c for c in nb.cells if c.cell_type == "code"].index(cell) + 1
    path = tmp_path / "02_the_neuron.ipynb"
    nbformat.write(nb, path)
    report, = grade([path], seed=1, limits=Limits(cell_timeout=20))
    row = next(e for e in report["exercises"] if e["id"] == "nb02_sigmoid")
    assert row["status"] == "error"
    assert f"at code cell {number}, line 3 in sigmoid(): return s / 0" in row["message"]
    assert "_s.modules" not in row["message"] and "nncourse" not in row["message"]


def test_a_check_never_grades_a_stale_definition(tmp_path):
    good = "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
    nb = execute(cells("from nncourse import check", good, "def sigmoid(z)\n    return z",
                       "check.sigmoid(sigmoid)", good, "check.sigmoid(sigmoid)",
                       "def sigmoid(z):\n    return z\nsigmoid(undefined_name)",
                       "check.sigmoid(sigmoid)"),
                 tmp_path, allow_errors=True)
    stale = text(nb.cells[3])
    assert "stopped with an error before its new definition ran" in stale
    assert "SyntaxError" in stale
    assert "stopped with an error" not in text(nb.cells[5])       # fixed: graded again
    after_def = text(nb.cells[7])         # the def ran, the error came after: judged as is
    assert "stopped with an error" not in after_def and "sigmoid" in after_def


LEARNER_CALLS_NNLIB = ("import numpy as np\nfrom nnlib.activations import get_activation\n"
                       "def hidden(z):\n    act = get_activation('sigmod')\n    return act(z)\n")


def learner_cell(tmp_path, name, source):
    """``source`` run as a kernel runs a cell: compiled from a file of its own."""
    path = tmp_path / name
    path.write_text(source)
    namespace = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def test_an_error_inside_nnlib_is_shown_at_the_learners_line(tmp_path):
    """The error is nnlib's, the line is the learner's: the last frame in the learner's code,
    not nnlib's, numpy's or the standard library's."""
    from nncourse.checks.running import call_here
    namespace = learner_cell(tmp_path, "cell7.py", LEARNER_CALLS_NNLIB)
    reply = call_here(namespace["hidden"], ([0.0],),
                      label=lambda f: "cell In[7]" if f.endswith("cell7.py") else None)
    assert reply.status == "error" and reply.error["type"] == "ValueError"
    assert "at cell In[7], line 4 in hidden(): act = get_activation('sigmod')" \
        in reply.error["text"]
    assert "activations.py" not in reply.error["text"] and "raise" not in reply.error["text"]


def test_an_error_inside_the_standard_library_is_shown_at_the_learners_line(tmp_path):
    from nncourse.checks.running import call_here
    namespace = learner_cell(tmp_path, "cell3.py",
                             "import json\ndef load(s):\n    return json.loads(s)\n")
    reply = call_here(namespace["load"], ("{",), label=lambda f: "cell In[3]")
    assert "at cell In[3], line 3 in load(): return json.loads(s)" in reply.error["text"]
