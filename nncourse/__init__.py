"""Course tooling, kept apart from the maths: exercise checks, notebook generation, grading.

Notebooks start with::

    from nncourse import check, setup_notebook
    setup_notebook()

and then call ``check.<exercise>(their_function)`` right after each exercise.
"""

from .checks.notebook import check, watch_cells

watch_cells()   # so that a check can tell when a definition it is given is out of date


def setup_notebook():
    """Fixed print options and figure defaults, so every notebook looks and prints the same
    everywhere (and stored outputs reproduce exactly)."""
    import matplotlib as mpl
    import numpy as np

    np.set_printoptions(precision=4, suppress=True, legacy="1.25")
    mpl.rcParams.update({"figure.figsize": (6.4, 3.6), "figure.dpi": 80,
                         "axes.spines.top": False, "axes.spines.right": False})


def show_progress(folder="."):
    """The start page's progress cell: what the checks saved in ``folder``'s notebooks."""
    from .learner.progress import show_progress as show
    show(folder)


__all__ = ["check", "setup_notebook", "show_progress"]
