"""The grader's side inside a submission's kernel (see :mod:`nncourse.grading`).

Before any learner code runs, :func:`prologue` caps the kernel's memory and snapshots the
modules a submission could tamper with (numpy, builtins, math, ...). After the learner's cells,
:func:`epilogue` restores them, drops every imported ``nnlib`` module so that the checks are
imported fresh from disk (a patched or redefined check in the notebook is gone), runs the
grader's own checks on the learner's functions and writes the results to a file whose name only
the grader knows.
"""

import builtins
import json
import sys

_GUARDED = ("numpy", "numpy.linalg", "numpy.random", "numpy.testing", "builtins", "math",
            "json", "signal")
_SNAPSHOT = {}


def prologue(memory_mb):
    """Cap the kernel's address space and remember the pristine state of guarded modules."""
    import importlib
    import resource

    if memory_mb:
        limit = int(memory_mb) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for name in _GUARDED:
        module = importlib.import_module(name)
        _SNAPSHOT[name] = (module, dict(vars(module)))


def _restore():
    for module, attributes in _SNAPSHOT.values():
        for key, value in attributes.items():
            if vars(module).get(key) is not value:
                setattr(module, key, value)
    for name in [m for m in sys.modules if m == "nnlib" or m.startswith("nnlib.")]:
        del sys.modules[name]


def epilogue(exercise_ids, seed, out_path, namespace, time_limit):
    """Run the grader's checks on the learner's functions found in ``namespace``."""
    if not _SNAPSHOT:
        results = {"error": "the grader's set-up cell did not run"}
    else:
        _restore()
        from nncourse import checking, exercises  # fresh from disk

        registry = exercises.load_all()
        results = {"exercises": []}
        for ex_id in exercise_ids:
            ex = registry[ex_id]
            fn = namespace.get(ex.function)
            if fn is None:
                result = {"id": ex_id, "status": "missing", "passed": False,
                          "message": f"✘ {ex.name} — no function `{ex.function}` in the notebook "
                                     "(was it renamed or deleted?)"}
            else:
                result = checking.run(ex, fn, seed=seed, time_limit_s=time_limit).as_dict()
            results["exercises"].append(result)
    with builtins.open(out_path, "w", encoding="utf-8") as f:
        json.dump(results, f)


__all__ = ["prologue", "epilogue"]
