"""The notebooks themselves: generated ones are fresh, solutions are executed and pass their
checks, learner versions run to the end with only the stubs failing."""

import copy
import json
import subprocess
import sys

import nbformat
import pytest

from nncourse.checks import registry
from nncourse.build.execute import execute
from nncourse.build.notebooks import (NOTEBOOKS, SOLUTIONS, NotebookError, exercise_cells,
                                    generate, solution_paths, strip_solutions)

SOLUTION_PATHS = solution_paths(SOLUTIONS)
NAMES = [p.name for p in SOLUTION_PATHS]


def read(path):
    return nbformat.read(path, as_version=4)


# --- generation -------------------------------------------------------------------------------

def test_there_are_solution_notebooks():
    assert SOLUTION_PATHS, "no solutions/NN_*.ipynb found"


def test_generated_notebooks_are_fresh():
    stale = generate(write=False)
    assert not stale, ("stale generated files; run `make notebooks`: "
                       + ", ".join(str(p) for p in stale))


def test_notebooks_folder_holds_only_generated_files():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


def test_strip_solutions_keeps_indentation_and_surroundings():
    src = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    assert strip_solutions(src) == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n"
                                    "    raise NotImplementedError()")
    with pytest.raises(NotebookError):
        strip_solutions("### BEGIN SOLUTION\nx = 1\n")


def _nb(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_solution_without_check_is_an_error():
    with pytest.raises(NotebookError, match="no check"):
        exercise_cells(_nb("def flatten(x):\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION",
                           "print(1)"))
    with pytest.raises(NotebookError, match="follows no solution"):
        exercise_cells(_nb("check.flatten(flatten)"))
    with pytest.raises(NotebookError, match="unknown check"):
        exercise_cells(_nb("### BEGIN SOLUTION\n### END SOLUTION", "check.nope(f)"))


@pytest.mark.parametrize("name", NAMES)
def test_learner_version_shape(name):
    solution = read(SOLUTIONS / name)
    learner = read(NOTEBOOKS / name)
    assert "Generated file" in learner.cells[0].source
    pairs = exercise_cells(learner, name)
    assert pairs or name.startswith("00_"), f"{name} has no exercises (only the start page may)"
    for sol, chk, ex in pairs:
        sol_cell, chk_cell = learner.cells[sol], learner.cells[chk]
        assert "### BEGIN SOLUTION" not in sol_cell.source
        assert "raise NotImplementedError()" in sol_cell.source
        assert sol_cell.outputs == [] and chk_cell.outputs == []
        assert sol_cell.metadata["nbgrader"]["solution"] is True
        meta = chk_cell.metadata["nbgrader"]
        assert meta["grade_id"] == ex.id and meta["points"] == ex.points and meta["locked"]
        assert set(meta) >= {"grade", "grade_id", "locked", "points", "schema_version", "solution"}
    # same metadata in the solution notebook
    for (_, chk, ex), (_, chk2, _) in zip(exercise_cells(solution, name), pairs):
        assert solution.cells[chk].metadata["nbgrader"] == learner.cells[chk2].metadata["nbgrader"]


def test_every_registered_exercise_is_in_a_notebook():
    in_notebooks = {ex.id for path in SOLUTION_PATHS for _, _, ex in exercise_cells(read(path))}
    assert in_notebooks == set(registry.load_all())


def test_exercise_listing_cli_matches_notebook_metadata():
    out = subprocess.run([sys.executable, "-m", "nncourse", "exercises", "--json"],
                         capture_output=True, text=True, check=True).stdout
    listed = {r["id"]: r for r in json.loads(out)}
    for path in SOLUTION_PATHS:
        for _, chk, ex in exercise_cells(read(NOTEBOOKS / path.name)):
            meta = read(NOTEBOOKS / path.name).cells[chk].metadata["nbgrader"]
            assert listed[meta["grade_id"]]["points"] == meta["points"]
            assert listed[meta["grade_id"]]["notebook"] == path.stem


# --- solutions: executed, every check passes (nbval then proves the outputs reproduce) ------

@pytest.mark.parametrize("name", NAMES)
def test_solution_is_fully_executed(name):
    nb = read(SOLUTIONS / name)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip():
            assert cell.execution_count is not None, f"{name} cell {i} was never executed"
            assert not any(o.output_type == "error" for o in cell.outputs), f"{name} cell {i}"
    for _, chk, ex in exercise_cells(nb, name):
        text = json.dumps(nb.cells[chk].outputs, ensure_ascii=False)
        assert f"✔ {ex.name}" in text, f"{name}: the stored check of {ex.name} did not pass"


@pytest.mark.parametrize("name", NAMES)
def test_no_widget_snapshots_are_stored(name):
    """Widget views carry random ids and only live in a running kernel: none are stored."""
    nb = read(SOLUTIONS / name)
    assert "widgets" not in nb.metadata
    assert "widget-view" not in json.dumps([c.get("outputs", []) for c in nb.cells])


@pytest.mark.parametrize("name", NAMES)
def test_figures_have_a_text_summary(name):
    """Accessibility: every cell that draws a figure also prints a one-line summary."""
    nb = read(SOLUTIONS / name)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        has_png = any("image/png" in o.get("data", {}) for o in cell.outputs)
        if has_png and "nbval-ignore-output" not in cell.metadata.get("tags", []):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert text.strip(), f"{name} cell {i} draws a figure without a text summary"


# --- learner notebooks: run to the end, only the stubs fail ----------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_learner_notebook_runs_with_only_stubs_failing(name):
    nb = copy.deepcopy(read(NOTEBOOKS / name))
    execute(nb, NOTEBOOKS, allow_error_names=["NotImplementedError"])
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert all(o.ename == "NotImplementedError" for o in errors)
    for _, chk, ex in exercise_cells(nb, name):
        text = json.dumps(nb.cells[chk].outputs, ensure_ascii=False)
        assert f"{ex.name} — not implemented yet" in text, text
