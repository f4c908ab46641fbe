"""The learner workspace and ``nncourse update``: a partly solved workspace meets a changed course.

A learner has answered two exercises of notebook 01 (one checked and saved), added a cell of
their own and left the others alone; then the course changes a prose cell, adds a cell and
changes the starting code of one exercise they had answered. The update must carry their
answers across by exercise id, keep the changed exercise's old answer in a marked cell, keep
their cell, back up the old notebook, and the result must still grade.
"""

import json
import subprocess
import sys

import nbformat
import pytest

from nncourse.build.notebooks import NOTEBOOKS, ROOT, dumps
from nncourse.learner.workspace import MARK, WORKSPACE_NOTE, Workspace

NB = "01_input_flattening.ipynb"


def by_gid(nb, gid):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def solution_source(gid):
    return by_gid(nbformat.read(str(ROOT / "solutions" / NB), as_version=4), gid).source


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    for name in ("00_start_here.ipynb", NB):
        (folder / name).write_text((NOTEBOOKS / name).read_text())
    return folder


def solve_partly(path):
    """The learner's session: flatten answered and checked, scale_pixels answered, a cell of
    their own after flatten's check, unflatten untouched."""
    nb = nbformat.read(str(path), as_version=4)
    by_gid(nb, "nb01_flatten_solution").source = solution_source("nb01_flatten_solution")
    check = by_gid(nb, "nb01_flatten")
    check.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "✔ flatten — 5/5 cases (shapes, values)"},
        metadata={"nncourse": {"exercise": "nb01_flatten", "status": "passed", "points": 1,
                               "max_points": 1}})]
    check.execution_count = 3
    by_gid(nb, "nb01_scale_pixels_solution").source = solution_source("nb01_scale_pixels_solution")
    mine = nbformat.v4.new_code_cell("print(flatten(images).shape)  # my own experiment")
    mine.id = "learner-own-1"
    nb.cells.insert(nb.cells.index(check) + 1, mine)
    path.write_text(dumps(nb))
    return nb


def change_course(folder):
    """A new course version: a prose fix, a new cell, a changed stub for scale_pixels."""
    path = folder / NB
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[2].source += "\n\n(Fixed a typo.)"
    extra = nbformat.v4.new_markdown_cell("A new paragraph in the course.")
    extra.id = "cell-new"
    nb.cells.insert(5, extra)
    stub = by_gid(nb, "nb01_scale_pixels_solution")
    stub.source = stub.source.replace("def scale_pixels(X):", "def scale_pixels(X, maximum=255):")
    path.write_text(dumps(nb))
    return nb


def test_first_run_copies_the_course_and_notes_the_workspace(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    changes = ws.create()
    assert sorted(c.notebook for c in changes) == ["00_start_here.ipynb", NB]
    nb = nbformat.read(str(ws.path / NB), as_version=4)
    assert nb.cells[0].source == WORKSPACE_NOTE
    assert ws.pending() == []
    # a second run leaves the learner's files alone
    (ws.path / NB).write_text((ws.path / NB).read_text().replace("Input flattening", "X"))
    assert ws.create() == []
    assert "X" in (ws.path / NB).read_text()


def test_update_carries_answers_keeps_changed_ones_and_backs_up(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    solve_partly(ws.path / NB)
    old_text = (ws.path / NB).read_text()
    new_course = change_course(course)
    assert ws.pending() == [NB]

    changes = {c.notebook: c for c in ws.update()}
    change = changes[NB]
    assert changes["00_start_here.ipynb"].action == "unchanged"
    assert change.carried == ["nb01_flatten"]
    assert change.kept == ["nb01_scale_pixels"]
    assert change.own_cells == 1
    assert change.backup.read_text() == old_text          # the old notebook, byte for byte
    assert "nb01_scale_pixels" in change.describe()

    nb = nbformat.read(str(ws.path / NB), as_version=4)
    nbformat.validate(nb)
    assert len({c.id for c in nb.cells}) == len(nb.cells)
    # the answer carried across, and the check's saved verdict with it
    assert by_gid(nb, "nb01_flatten_solution").source == solution_source("nb01_flatten_solution")
    assert by_gid(nb, "nb01_flatten").outputs[0]["data"]["text/plain"].startswith("✔ flatten")
    # untouched exercise: the course's stub
    assert by_gid(nb, "nb01_unflatten_solution").source == \
        by_gid(new_course, "nb01_unflatten_solution").source
    # changed stub: the new stub in the exercise cell, the old answer just above, marked
    stub = by_gid(nb, "nb01_scale_pixels_solution")
    assert "maximum=255" in stub.source
    kept = nb.cells[nb.cells.index(stub) - 1]
    assert kept.cell_type == "markdown" and kept.metadata["nncourse"][MARK] == \
        "nb01_scale_pixels_solution"
    assert "Your earlier answer" in kept.source
    assert solution_source("nb01_scale_pixels_solution") in kept.source
    # the course's changes are in, the learner's own cell right after flatten's check
    assert "(Fixed a typo.)" in nb.cells[2].source
    assert any(c.get("id") == "cell-new" for c in nb.cells)
    mine = [c for c in nb.cells if "my own experiment" in c.source]
    assert len(mine) == 1 and nb.cells[nb.cells.index(mine[0]) - 1] is by_gid(nb, "nb01_flatten")
    assert len(nb.cells) == len(new_course.cells) + 2

    # nothing more to do; a later course change keeps the marked cell once, not twice
    assert {c.action for c in ws.update()} == {"unchanged"}
    again = nbformat.read(str(course / NB), as_version=4)
    again.cells[2].source += " Another fix."
    (course / NB).write_text(dumps(again))
    ws.update()
    nb2 = nbformat.read(str(ws.path / NB), as_version=4)
    assert sum(1 for c in nb2.cells if c.metadata.get("nncourse", {}).get(MARK)) == 1
    assert by_gid(nb2, "nb01_flatten_solution").source == solution_source("nb01_flatten_solution")
    assert len(list((ws.path / ".nncourse" / "backups").rglob(NB))) >= 1


def test_deleted_notebook_is_restored_and_answers_survive_without_a_base(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    solve_partly(ws.path / NB)
    (ws.path / "00_start_here.ipynb").unlink()
    (ws.path / ".nncourse" / "base" / NB).unlink()   # e.g. a workspace copied by hand
    change_course(course)
    changes = {c.notebook: c for c in ws.update()}
    assert changes["00_start_here.ipynb"].action == "restored"
    nb = nbformat.read(str(ws.path / NB), as_version=4)
    # without a record of the old stub the answer is kept in a marked cell, never lost or merged
    # over the new stub; the untouched stubs are recognised as such
    assert set(changes[NB].kept) == {"nb01_flatten", "nb01_scale_pixels"}
    assert "NotImplementedError" in by_gid(nb, "nb01_unflatten_solution").source
    text = json.dumps(nb)
    assert json.dumps(solution_source("nb01_flatten_solution"))[1:-1] in text


def test_cli_workspace_update_and_progress(course, tmp_path):
    """The commands a learner types, and the updated notebook still grades."""
    ws_dir = tmp_path / "ws"
    env_cmd = [sys.executable, "-m", "nncourse"]
    out = subprocess.run(env_cmd + ["workspace", "--workspace", str(ws_dir)], capture_output=True,
                         text=True, check=True).stdout
    assert "created" in out and str(ws_dir) in out
    solve_partly(ws_dir / NB)
    # a workspace made from the real course sees no update pending
    out = subprocess.run(env_cmd + ["update", "--workspace", str(ws_dir)], capture_output=True,
                         text=True, check=True).stdout
    assert f"{NB}: up to date" in out
    out = subprocess.run(env_cmd + ["progress", "--saved"], cwd=ws_dir, capture_output=True,
                         text=True, check=True).stdout
    row = next(line for line in out.splitlines() if line.startswith("01_input_flattening"))
    assert "✔ flatten" in row and "· unflatten" in row   # scale_pixels: answered, never checked
    assert "next: unflatten in 01_input_flattening.ipynb" in out

    # without --saved it runs the notebooks with the course's checks, as the grader does
    only01 = tmp_path / "only01"
    only01.mkdir()
    (only01 / NB).write_text((ws_dir / NB).read_text())
    out = subprocess.run(env_cmd + ["progress", str(only01), "--jobs", "1"], capture_output=True,
                         text=True, check=True, timeout=300).stdout
    row = next(line for line in out.splitlines() if line.startswith("01_input_flattening"))
    assert "✔ flatten" in row and "✔ scale_pixels" in row and "… unflatten" in row, out
    assert "next: unflatten in 01_input_flattening.ipynb (write it" in out, out

    from nncourse.grading.grader import grade_file
    report = grade_file(ws_dir / NB, seed=0)
    status = {e.id: e.status.key for e in report.exercises}
    assert status["nb01_flatten"] == "passed" and status["nb01_scale_pixels"] == "passed"
    assert status["nb01_unflatten"] == "not_implemented"
