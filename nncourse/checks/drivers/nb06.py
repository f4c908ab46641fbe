"""Drivers for notebook 06, optimizers."""

import contextlib
import io

import numpy as np

from nncourse.checks.running import _learner_error


def drive_steps(fn, inputs, dws, hyper):
    """Call ``fn`` once per step on one ``state`` dict, with nnlib's ``w`` of that step and its
    gradient (``w`` may be updated in place, as nnlib's optimizers do; ``dw`` may not). Returns,
    per step, the new w and whether ``dw`` was changed in place, up to the first step that
    raised (its error as plain data). A stub's NotImplementedError is raised as it is."""
    state, outs, dw_changed = {}, [], []
    for w, dw in zip(inputs, dws):
        given_dw = dw.copy()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                out = fn(w.copy(), given_dw, state, *hyper)
        except NotImplementedError:
            raise
        except Exception as exc:  # reported with the step it happened on
            return {"outs": outs, "dw_changed": dw_changed, "error": _learner_error(exc)}
        outs.append(out)
        dw_changed.append(not np.array_equal(given_dw, dw))
    return {"outs": outs, "dw_changed": dw_changed, "error": None}
