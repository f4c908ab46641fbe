"""The ``check`` object notebooks use: ``check.flatten(flatten)`` right after an exercise.

A check prints one short verdict (it never raises out of the cell, so the notebook always runs
to the end) and records the result in :data:`RESULTS` for progress views and the grader.
When nbgrader runs the notebook (``NBGRADER_EXECUTION`` is set) a failing check raises
``AssertionError``, because nbgrader scores a grade cell by whether it raises.
"""

import os

from nncourse.checks import delegation, judging, registry, running

RESULTS = {}  # exercise id -> Result.as_dict(), for this kernel
METADATA_KEY = "nncourse"   # output metadata of a check cell: its verdict (verdict_metadata)

STALE = running.STALE   # function name -> why its newest definition did not run (one rule:
#                        running.note_cell, shared with the grader's worker)


def _after_cell(result):
    """IPython post_run_cell hook: note the functions whose new definition did not run."""
    shell = _shell()
    if shell is not None:
        running.note_cell(STALE, shell, result.info.raw_cell,
                          result.error_before_exec or result.error_in_exec,
                          result.execution_count)


def _shell():
    try:
        from IPython import get_ipython
        return get_ipython()
    except ImportError:  # pragma: no cover
        return None


def watch_cells():
    """Register :func:`_after_cell` once in this IPython kernel (no-op elsewhere)."""
    shell = _shell()
    if shell is not None and _after_cell not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _after_cell)


def verdict_metadata(ex, result):
    """The verdict as data, saved with the check cell's output: what progress reads."""
    return {"exercise": ex.id, "status": result.status,
            "points": ex.points if result.passed else 0, "max_points": ex.points}


def _display(result, metadata):
    try:
        from IPython import get_ipython
        from IPython.display import display
        if get_ipython() is not None:
            display(result, metadata={METADATA_KEY: metadata})
            return
    except ImportError:  # pragma: no cover - IPython is always there with jupyterlab
        pass
    print(result.message)


def run_and_report(name, fn, seed=None):
    ex = registry.by_name(name)
    with delegation.watching(ex) as reached:  # its own course implementation: 0, as graded
        result = judging.run(ex, fn, seed=seed)    # a stale `fn` is refused by the runner
    result = delegation.verdict(ex, result, reached)
    RESULTS[ex.id] = result.as_dict()
    _display(result, verdict_metadata(ex, result))
    if os.environ.get("NBGRADER_EXECUTION") and not result.passed:
        raise AssertionError(result.message)


class _Checks:
    """``check.<name>(fn)`` runs that exercise's check on ``fn``."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            registry.by_name(name)
        except KeyError:
            raise AttributeError(f"no check called {name!r}") from None
        return lambda fn, seed=None: run_and_report(name, fn, seed)

    def __dir__(self):
        return sorted(e.name for e in registry.load_all().values())


check = _Checks()
