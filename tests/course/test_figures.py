"""Accessibility of every figure the course draws: a title and labelled axes.

Each solution notebook runs with a first cell that inspects every open figure just before it
is shown (in ``plt.show()``, and at the end of each cell for figures left open): every axis that draws data and
shows its axes must have a title (or its figure a suptitle) and both axis labels. Image panels
with their axes turned off and colour bars are exempt. (That each figure also has a one-line
text summary is tested in test_notebooks.py; colour-blind-safe colours in test_plots.py.)
"""

import copy
import json

import nbformat
import pytest

from nncourse.build.execute import execute
from nncourse.build.notebooks import SOLUTIONS, solution_paths

AUDIT = r'''
def _nncourse_audit_figures():
    import matplotlib.pyplot as plt
    problems = []
    for num in plt.get_fignums():
        fig = plt.figure(num)
        _nncourse_seen[0] += 1
        suptitle = fig._suptitle.get_text() if fig._suptitle else ""
        for i, ax in enumerate(fig.axes):
            if ax.get_label() == "<colorbar>" or not ax.axison or not ax.has_data():
                continue
            titled = suptitle or any(ax.get_title(loc) for loc in ("left", "center", "right"))
            missing = [what for what, ok in (("title", titled), ("x label", ax.get_xlabel()),
                                             ("y label", ax.get_ylabel())) if not ok]
            if missing:
                problems.append(f"cell {_nncourse_cell[0]}, figure {num}, axis {i}: "
                                f"no {', no '.join(missing)}")
    _nncourse_problems.extend(problems)

_nncourse_problems, _nncourse_cell, _nncourse_seen = [], [0], [0]
def _nncourse_count(*args):
    _nncourse_cell[0] += 1
get_ipython().events.register("pre_run_cell", _nncourse_count)
get_ipython().events.register("post_execute", _nncourse_audit_figures)
import matplotlib.pyplot  # the inline backend now registers its flush *after* the audit

_nncourse_show = matplotlib.pyplot.show
def _nncourse_audited_show(*args, **kwargs):   # plt.show() displays and closes at once
    _nncourse_audit_figures()
    return _nncourse_show(*args, **kwargs)
matplotlib.pyplot.show = _nncourse_audited_show
'''

NAMES = [p.name for p in solution_paths(SOLUTIONS) if not p.name.startswith("00_")]


def audit(nb, tmp_path):
    """(figures seen, problems) after running ``nb`` with the audit cell first."""
    nb = copy.deepcopy(nb)
    out = tmp_path / "audit.json"
    nb.cells.insert(0, nbformat.v4.new_code_cell(AUDIT))
    nb.cells.append(nbformat.v4.new_code_cell(
        f"import json\njson.dump([_nncourse_seen[0], _nncourse_problems], open({str(out)!r}, 'w'))"))
    execute(nb, SOLUTIONS)
    return json.loads(out.read_text())


@pytest.mark.parametrize("name", NAMES)
def test_every_figure_has_a_title_and_axis_labels(name, tmp_path):
    seen, problems = audit(nbformat.read(SOLUTIONS / name, as_version=4), tmp_path)
    assert seen > 0, f"{name}: the audit saw no figure"
    assert not problems, f"{name}: figures without title or axis labels:\n" + "\n".join(problems)


def test_the_audit_catches_an_unlabelled_figure(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.title('a title')\nplt.show()")])
    seen, problems = audit(nb, tmp_path)
    assert seen == 1 and len(problems) == 1 and "no x label, no y label" in problems[0]
