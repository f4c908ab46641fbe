"""What a learner's copy says about their progress, and `nncourse progress`.

* No learner notebook (notebooks/, a new workspace, the release bundle, nbgrader's release
  folder) carries the solution run's "total 92/92 ... Well done!": the start page's progress
  cell has no stored output, so what it shows is what the learner's own workspace holds.
* `nncourse progress` counts each notebook of a workspace once: never the base copies in
  .nncourse/base/, the backups or a second copy; a renamed notebook counts as the course
  notebook it is. Run afresh or read from the saved verdicts (--saved), the two agree; while it
  runs it prints one line per notebook.
"""

import shutil
import subprocess
import sys

import nbformat
import pytest

from nncourse.checks import registry
from nncourse.build.notebooks import CLEAR_TAG, NOTEBOOKS, ROOT, dumps, make_learner
from nncourse.learner.progress import saved_progress, workspace_notebooks
from nncourse.learner.workspace import Workspace

START = "00_start_here.ipynb"
NB1, NB2 = "01_input_flattening.ipynb", "02_the_neuron.ipynb"
TOTAL = sum(e.points for e in registry.load_all().values())   # the course's points
SOLUTION_RUN = ("Well done", "All exercises pass", f"{TOTAL}/{TOTAL}", "92/92", "79/79")
NNCOURSE = [sys.executable, "-m", "nncourse"]
FLATTEN = registry.load_all()["nb01_flatten"].points


def outputs_text(path):
    nb = nbformat.read(str(path), as_version=4)
    return "".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def assert_no_solution_run(path):
    text = outputs_text(path)
    assert not any(s in text for s in SOLUTION_RUN), f"{path} holds the solution run's progress"
    nb = nbformat.read(str(path), as_version=4)
    progress = next(c for c in nb.cells if c.get("id") == "progress")
    assert progress.outputs == [] and progress.execution_count is None, path


def test_the_solution_holds_its_run_and_marks_it_for_clearing():
    nb = nbformat.read(str(ROOT / "solutions" / START), as_version=4)
    progress = next(c for c in nb.cells if c.get("id") == "progress")
    assert CLEAR_TAG in progress.metadata["tags"]
    assert "Well done" in "".join(o.get("text", "") for o in progress.outputs)


def test_generation_clears_tagged_outputs_only():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)"),
                                         nbformat.v4.new_code_cell("print(2)")])
    for cell in nb.cells:
        cell.outputs = [nbformat.v4.new_output("stream", text="out\n")]
        cell.execution_count = 1
    nb.cells[1].metadata["tags"] = [CLEAR_TAG]
    learner = make_learner(nb, "99_x.ipynb")
    assert learner.cells[1].outputs and not learner.cells[2].outputs
    assert nb.cells[1].outputs   # the solution itself is untouched


def test_no_route_to_a_learner_carries_the_solution_run(tmp_path):
    from nncourse.teacher.release import release
    assert_no_solution_run(NOTEBOOKS / START)
    ws = Workspace(tmp_path / "ws")
    ws.create()
    assert_no_solution_run(ws.path / START)
    release(tmp_path / "bundle", nbgrader=tmp_path / "course")
    assert_no_solution_run(tmp_path / "bundle" / "notebooks" / START)
    assert_no_solution_run(tmp_path / "course" / "release" / "00_start_here" / START)
    # a course folder built before the tag was honoured: the workspace still drops the output
    old = tmp_path / "old-course"
    old.mkdir()
    nb = nbformat.read(str(ROOT / "solutions" / START), as_version=4)
    (old / START).write_text(dumps(nb))
    ws_old = Workspace(tmp_path / "ws-old", old)
    ws_old.create()
    assert_no_solution_run(ws_old.path / START)
    # what the start page's cell prints, run in the new workspace, is that workspace's truth
    out = subprocess.run([sys.executable, "-c", "from nncourse import show_progress; "
                          "show_progress()"], cwd=ws.path, capture_output=True, text=True,
                         check=True).stdout
    assert "total" in out and f" 0/{TOTAL}" in out and "Well done" not in out, out


# --- nncourse progress --------------------------------------------------------------------------

def solve_flatten(path):
    """flatten answered with the solution and its check's passing verdict saved."""
    nb = nbformat.read(str(path), as_version=4)
    sol = nbformat.read(str(ROOT / "solutions" / NB1), as_version=4)
    gid = "nb01_flatten_solution"
    answer = next(c for c in sol.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)
    cell.source = answer.source
    check = next(c for c in nb.cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "nb01_flatten")
    check.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "✔ flatten — 5/5 cases"},
        metadata={"nncourse": {"exercise": "nb01_flatten", "status": "passed",
                               "points": FLATTEN, "max_points": FLATTEN}})]
    path.write_text(dumps(nb))


@pytest.fixture
def workspace(tmp_path):
    """A workspace of 00, 01 and 02 with flatten solved and saved, its base copies, a backup
    folder holding old copies, 02 renamed by the learner, and a duplicate of 01."""
    course = tmp_path / "course"
    course.mkdir()
    for name in (START, NB1, NB2):
        shutil.copy(NOTEBOOKS / name, course / name)
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    solve_flatten(ws.path / NB1)
    for folder in ("backups/20260101-000000", ".nncourse/backups/old", ".ipynb_checkpoints"):
        (ws.path / folder).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / NB1, ws.path / folder / NB1)   # full marks, if counted
    (ws.path / NB2).rename(ws.path / "02_the_neuron_mine.ipynb")
    shutil.copy(ws.path / NB1, ws.path / "01_input_flattening-Copy1.ipynb")
    return ws.path


def table(out):
    return {line.split()[0]: line.split()[1] for line in out.splitlines()
            if line[:2].isdigit() or line.startswith("total")}


def test_each_notebook_counts_once(workspace):
    present, others = workspace_notebooks(workspace)
    assert present == {"01_input_flattening": workspace / NB1,
                       "02_the_neuron": workspace / "02_the_neuron_mine.ipynb"}
    assert others == [workspace / "01_input_flattening-Copy1.ipynb"]
    reports = saved_progress(workspace)
    assert sum(r.max_score for r in reports) == TOTAL
    assert sum(r.score for r in reports) == FLATTEN


def test_progress_run_agrees_with_saved_and_shows_each_notebook(workspace):
    saved = subprocess.run(NNCOURSE + ["progress", "--saved", str(workspace)],
                           capture_output=True, text=True, check=True)
    ran = subprocess.run(NNCOURSE + ["progress", str(workspace), "--jobs", "2"],
                         capture_output=True, text=True, check=True, timeout=600)
    assert table(saved.stdout) == table(ran.stdout), (saved.stdout, ran.stdout)
    assert table(ran.stdout)["total"] == f"{FLATTEN}/{TOTAL}"
    assert table(ran.stdout)["01_input_flattening"] == f"{FLATTEN}/6"
    assert "counted from 02_the_neuron_mine.ipynb" in ran.stdout
    assert "not counted: 01_input_flattening-Copy1.ipynb" in ran.stdout
    # one line per notebook as it goes, on stderr (the table stays on stdout)
    lines = [line for line in ran.stderr.splitlines() if line.strip().startswith("[")]
    assert len(lines) == 2 and {"[1/2]", "[2/2]"} == {line.split()[0] for line in lines}
    assert any(f"01_input_flattening.ipynb: {FLATTEN}/6" in line for line in lines), ran.stderr
    assert "running your 2 notebook(s)" in ran.stderr
