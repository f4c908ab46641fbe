"""The learner workspace and ``nncourse update``: a partly solved workspace meets a changed course.

A learner has answered two exercises of notebook 01 (one checked and saved), added a cell of
their own and left the others alone; then the course changes a prose cell, adds a cell and
changes the starting code of one exercise they had answered. The update is a three-way merge by
cell (their copy, the course version it was made from, the new one): it must carry their
answers across by exercise id, keep the changed exercise's old answer as a runnable code cell
that does not shadow the new stub, keep their own cells and their edits to cells the course did
not change, keep their version next to the new one where both changed, back up the old notebook
in a folder the lab shows, recognise a renamed notebook and report a deleted one; the result
must still grade.
"""

import json
import subprocess
import sys

import nbformat
import pytest

from nncourse.build.notebooks import NOTEBOOKS, ROOT, dumps
from nncourse.learner.merge import YOURS
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
    # changed stub: the new stub in the exercise cell, the old answer just above, marked, as a
    # code cell whose function is renamed (so running it cannot shadow the new stub)
    stub = by_gid(nb, "nb01_scale_pixels_solution")
    assert "maximum=255" in stub.source
    kept = nb.cells[nb.cells.index(stub) - 1]
    assert kept.cell_type == "code" and kept.metadata["nncourse"][MARK] == \
        "nb01_scale_pixels_solution"
    assert "Your earlier answer" in kept.source
    assert solution_source("nb01_scale_pixels_solution").replace(
        "def scale_pixels(", "def scale_pixels_earlier(") in kept.source
    assert not kept.metadata.get("nbgrader")    # not an exercise cell: never graded as one
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
    backups = list((ws.path / "backups").rglob(NB))
    assert len(backups) >= 1 and not any(part.startswith(".") for b in backups
                                         for part in b.relative_to(ws.path).parts)


def test_deleted_notebook_is_reported_and_answers_survive_without_a_base(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    solve_partly(ws.path / NB)
    (ws.path / "00_start_here.ipynb").unlink()
    (ws.path / ".nncourse" / "base" / NB).unlink()   # e.g. a workspace copied by hand
    change_course(course)
    changes = {c.notebook: c for c in ws.update()}
    # the learner deleted it: reported, not silently re-created (nor by `nncourse workspace`)
    assert changes["00_start_here.ipynb"].action == "deleted"
    assert "--restore 00_start_here.ipynb" in changes["00_start_here.ipynb"].describe()
    assert not (ws.path / "00_start_here.ipynb").exists()
    assert ws.create() == [] and not (ws.path / "00_start_here.ipynb").exists()
    nb = nbformat.read(str(ws.path / NB), as_version=4)
    # without a record of the old stub the answer is kept in a marked cell, never lost or merged
    # over the new stub; the untouched stubs are recognised as such
    assert set(changes[NB].kept) == {"nb01_flatten", "nb01_scale_pixels"}
    assert "NotImplementedError" in by_gid(nb, "nb01_unflatten_solution").source
    text = json.dumps(nb)
    assert "def flatten_earlier(" in text
    body = solution_source("nb01_flatten_solution").split("\n", 1)[1]   # after the def line
    assert json.dumps(body)[1:-1] in text
    # --restore brings it back
    out = subprocess.run([sys.executable, "-m", "nncourse", "update", "--workspace", str(ws.path),
                          "--restore", "00_start_here.ipynb"], capture_output=True, text=True)
    assert out.returncode == 0 and (ws.path / "00_start_here.ipynb").exists(), out.stderr
    bad = subprocess.run([sys.executable, "-m", "nncourse", "update", "--workspace", str(ws.path),
                          "--restore", "00_start.ipynb"], capture_output=True, text=True)
    assert bad.returncode == 2 and "not a course notebook" in bad.stderr


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


# --- the three-way merge, case by case ---------------------------------------------------------

def by_id(nb, cid):
    return next(c for c in nb.cells if c.get("id") == cid)


def edit(path, change):
    nb = nbformat.read(str(path), as_version=4)
    change(nb)
    path.write_text(dumps(nb))
    return nb


def test_learner_edits_the_course_did_not_change_are_kept(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()

    def learner(nb):
        by_id(nb, "cell-02").source += "\n\n*My note: H rows, W columns.*"   # markdown
        demo = by_id(nb, "cell-06")                                          # a demo cell
        demo.source += "\nprint('mine')"
        demo.outputs = [nbformat.v4.new_output("stream", text="mine\n")]
        nb.cells.remove(by_id(nb, "cell-07"))       # a prose cell deleted
    edit(ws.path / NB, learner)
    edit(course / NB, lambda nb: setattr(by_id(nb, "cell-05"), "source", "Changed prose."))
    change = {c.notebook: c for c in ws.update()}[NB]
    nb = nbformat.read(str(ws.path / NB), as_version=4)
    assert by_id(nb, "cell-02").source.endswith("*My note: H rows, W columns.*")
    assert by_id(nb, "cell-06").source.endswith("print('mine')")
    assert by_id(nb, "cell-06").outputs[0]["text"] == "mine\n"
    assert by_id(nb, "cell-05").source == "Changed prose."      # the course's change is in
    assert not any(c.get("id") == "cell-07" for c in nb.cells)  # deleted, and unchanged: gone
    assert change.edits_kept == 2 and change.both_changed == 0
    assert "2 of your edits to course cells kept" in change.describe()


def test_both_changed_keeps_the_learners_version_next_to_the_new_one(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    edit(ws.path / NB, lambda nb: setattr(by_id(nb, "cell-05"), "source", "My rewrite."))
    edit(ws.path / NB, lambda nb: setattr(by_id(nb, "cell-06"), "source", "x = 'my demo'"))
    edit(course / NB, lambda nb: setattr(by_id(nb, "cell-05"), "source", "Course rewrite."))
    edit(course / NB, lambda nb: setattr(by_id(nb, "cell-06"), "source", "x = 'new demo'"))
    change = {c.notebook: c for c in ws.update()}[NB]
    nb = nbformat.read(str(ws.path / NB), as_version=4)
    for cid, new, mine in (("cell-05", "Course rewrite.", "My rewrite."),
                           ("cell-06", "x = 'new demo'", "x = 'my demo'")):
        cell = by_id(nb, cid)
        assert cell.source == new
        yours = nb.cells[nb.cells.index(cell) + 1]
        assert yours.cell_type == cell.cell_type and yours.source.endswith(mine)
        assert "Your version of the cell above" in yours.source
        assert yours.metadata["nncourse"][YOURS] == cid
    compile(by_id(nb, "cell-06").source, "demo", "exec")
    assert change.both_changed == 2
    # the next update keeps the marked cells once, where they are
    edit(course / NB, lambda nb: setattr(by_id(nb, "cell-02"), "source", "Another fix."))
    ws.update()
    again = nbformat.read(str(ws.path / NB), as_version=4)
    assert sum(1 for c in again.cells if YOURS in c.metadata.get("nncourse", {})) == 2
    assert len({c.id for c in again.cells}) == len(again.cells)


def test_an_earlier_answer_runs_and_does_not_shadow_the_new_stub(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    solve_partly(ws.path / NB)
    # unflatten answered with code beside the definition: kept commented out
    answer = "SIZE = 32\n" + solution_source("nb01_unflatten_solution")
    edit(ws.path / NB, lambda nb: setattr(by_gid(nb, "nb01_unflatten_solution"), "source", answer))

    def course_change(nb):
        for gid in ("nb01_scale_pixels_solution", "nb01_unflatten_solution"):
            by_gid(nb, gid).source = "# starting code changed\n" + by_gid(nb, gid).source
    edit(course / NB, course_change)
    change = {c.notebook: c for c in ws.update()}[NB]
    assert set(change.kept) == {"nb01_scale_pixels", "nb01_unflatten"}
    nb = nbformat.read(str(ws.path / NB), as_version=4)
    kept = [c for c in nb.cells if c.metadata.get("nncourse", {}).get(MARK)]
    assert [c.cell_type for c in kept] == ["code", "code"]
    scope = {}
    exec("import numpy as np", scope)
    for cell in kept:
        exec(compile(cell.source, "kept", "exec"), scope)   # runs
    assert "scale_pixels_earlier" in scope and "scale_pixels" not in scope
    assert "unflatten" not in scope and "SIZE" not in scope     # commented out: defines nothing
    # the checks' old verdicts were about the old answers: cleared
    assert by_gid(nb, "nb01_scale_pixels").outputs == []
    # graded, the new stub is what counts (the earlier answer does not stand in for it)
    from nncourse.grading.grader import grade_file
    report = grade_file(ws.path / NB, seed=0)
    status = {e.id: e.status.key for e in report.exercises}
    assert status["nb01_scale_pixels"] == "not_implemented"
    assert status["nb01_flatten"] == "passed"


def test_a_renamed_notebook_is_updated_under_its_new_name(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    solve_partly(ws.path / NB)
    mine = ws.path / "01_flattening_mine.ipynb"
    (ws.path / NB).rename(mine)
    start = ws.path / "my start page.ipynb"     # no exercise ids: known by its metadata
    (ws.path / "00_start_here.ipynb").rename(start)
    change_course(course)
    edit(course / "00_start_here.ipynb", lambda nb: nb.cells.append(
        nbformat.v4.new_markdown_cell("New in the start page.")))
    changes = {c.notebook: c for c in ws.update()}
    assert changes["00_start_here.ipynb"].path == start
    assert "New in the start page." in start.read_text()
    assert not (ws.path / "00_start_here.ipynb").exists()
    assert changes[NB].action == "updated" and changes[NB].path == mine
    assert "your 01_flattening_mine.ipynb" in changes[NB].describe()
    assert not (ws.path / NB).exists(), "the renamed notebook was re-created under its old name"
    assert ws.create() == [] and not (ws.path / NB).exists()
    nb = nbformat.read(str(mine), as_version=4)
    assert by_gid(nb, "nb01_flatten_solution").source == solution_source("nb01_flatten_solution")
    assert any(c.get("id") == "cell-new" for c in nb.cells)
    assert (ws.path / "backups").is_dir()


def test_a_notebook_new_in_the_course_is_added(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    extra = "02_the_neuron.ipynb"
    (course / extra).write_text((NOTEBOOKS / extra).read_text())
    changes = {c.notebook: c for c in ws.update()}
    assert changes[extra].action == "created" and (ws.path / extra).exists()
    assert changes[NB].action == "unchanged"


def test_course_deletes_a_cell_the_learner_edited(course, tmp_path):
    ws = Workspace(tmp_path / "ws", course)
    ws.create()
    edit(ws.path / NB, lambda nb: setattr(by_id(nb, "cell-08"), "source", "print('my plot')"))
    edit(course / NB, lambda nb: nb.cells.remove(by_id(nb, "cell-08")))
    edit(course / NB, lambda nb: nb.cells.remove(by_id(nb, "cell-06")))
    ws.update()
    nb = nbformat.read(str(ws.path / NB), as_version=4)
    assert any(c.source == "print('my plot')" for c in nb.cells)    # theirs: kept
    assert not any(c.get("id") == "cell-06" for c in nb.cells)      # untouched: gone


def test_a_duplicated_exercise_cell_is_not_lost(course, tmp_path):
    """Copy and paste keeps a cell's exercise id: both copies survive the update."""
    ws = Workspace(tmp_path / "ws", course)
    ws.create()

    def duplicate(nb):
        cell = by_gid(nb, "nb01_unflatten_solution")
        twin = nbformat.from_dict(json.loads(json.dumps(cell)))
        twin.id, twin.source = "my-twin", "def unflatten(vectors, shape):\n    return 'draft'"
        nb.cells.insert(nb.cells.index(cell), twin)
    course_id = by_gid(edit(ws.path / NB, duplicate), "nb01_unflatten_solution").id
    assert course_id == "my-twin"    # the twin comes first, as the learner pasted it
    original = [c.id for c in nbformat.read(str(course / NB), as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "nb01_unflatten_solution"]
    change_course(course)
    ws.update()
    nb = nbformat.read(str(ws.path / NB), as_version=4)
    twins = [c for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade_id") == "nb01_unflatten_solution"]
    assert [c.id for c in twins] == ["my-twin"] + original
    assert "'draft'" in twins[0].source and "NotImplementedError" in twins[1].source
