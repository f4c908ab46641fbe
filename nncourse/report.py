"""The ``check`` object notebooks use: ``check.flatten(flatten)`` right after an exercise.

A check prints one short verdict (it never raises out of the cell, so the notebook always runs
to the end) and records the result in :data:`RESULTS` for progress views and the grader.
When nbgrader runs the notebook (``NBGRADER_EXECUTION`` is set) a failing check raises
``AssertionError``, because nbgrader scores a grade cell by whether it raises.
"""

import os

from . import checking, exercises

RESULTS = {}  # exercise id -> Result.as_dict(), for this kernel


def _display(result):
    try:
        from IPython import get_ipython
        from IPython.display import display
        if get_ipython() is not None:
            display(result)
            return
    except ImportError:  # pragma: no cover - IPython is always there with jupyterlab
        pass
    print(result.message)


def run_and_report(name, fn, seed=None):
    ex = exercises.by_name(name)
    result = checking.run(ex, fn, seed=seed)
    RESULTS[ex.id] = result.as_dict()
    _display(result)
    if os.environ.get("NBGRADER_EXECUTION") and not result.passed:
        raise AssertionError(result.message)


class _Checks:
    """``check.<name>(fn)`` runs that exercise's check on ``fn``."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            exercises.by_name(name)
        except KeyError:
            raise AttributeError(f"no check called {name!r}") from None
        return lambda fn, seed=None: run_and_report(name, fn, seed)

    def __dir__(self):
        return sorted(e.name for e in exercises.load_all().values())


check = _Checks()
