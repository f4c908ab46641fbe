"""Drivers for notebook 06, optimizers."""

import contextlib
import io

import numpy as np

from nncourse.checks.running import _learner_error


def drive_steps(fn, inputs, dws, hyper):
    """Call ``fn`` once per step on one ``state`` dict, with nnlib's ``w`` of that step and its
    gradient (``w`` may be updated in place, as nnlib's optimizers do; ``dw`` may not). Returns,
    per step, the new w, whether ``dw`` was changed in place and what ``state`` held after it,
    up to the first step that raised (its error as plain data). A stub's NotImplementedError is raised as it is."""
    state, outs, dw_changed, states = {}, [], [], []
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
        states.append(_snapshot(state))
    return {"outs": outs, "dw_changed": dw_changed, "error": None, "states": states}


def _snapshot(state):
    """What ``state`` holds after a step, as plain data: its arrays and numbers by key (the
    statement names the keys), anything else by its type's name."""
    if not isinstance(state, dict):
        return {}
    out = {}
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            out[str(key)] = value.copy()
        elif isinstance(value, (bool, int, float, np.number)):
            out[str(key)] = value.item() if isinstance(value, np.number) else value
        else:
            out[str(key)] = f"a {type(value).__name__}"
    return out
