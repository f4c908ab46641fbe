"""Checks for notebook 06, optimizers.

Every exercise is one update rule written as a function

    new_w = <name>_update(w, dw, state, lr, <hyperparameters>)

that returns the new weights and keeps whatever it must remember (velocities, running averages,
the step count) in ``state``, a dict it receives empty on the first step and again, as it left
it, on every later step. An optimizer's state is the whole point, so a case is a *run* of
several consecutive steps on one ``state`` dict: the judge feeds the learner's function the
same ``w`` and ``dw`` as nnlib's optimizer at every step and reports the first step whose new
``w`` differs. State bugs (a velocity not carried over, a step counter not counted) only show
from step 2 on; the message says so.

The reference answers are nnlib's own optimizer classes (:mod:`nnlib.optimizers`), called
through their ``update(w, dw, state)`` method, so each formula is written once.
"""

import functools
import re
from dataclasses import dataclass

import numpy as np

from nnlib import optimizers
from nncourse.checks.drivers.nb06 import drive_steps
from nncourse.checks.judging import (INPUT_CHANGED, Case, Mistake, describe_args, problem, show,
                                     show_pair)
from nncourse.checks.registry import exercise
from nnlib.layers import Parameter

NOTEBOOK = "06_optimizers"


# --- nnlib's optimizers as learner-shaped functions -------------------------------------------

def nnlib_update(optimizer_class):
    """``update(w, dw, state, lr, *hyper) -> new w`` computed by ``optimizer_class.update``
    (nnlib's tested code) on a copy of ``w``; ``state`` is updated in place as nnlib does."""
    def update(w, dw, state, lr, *hyper):
        w = np.array(w, copy=True)
        optimizer_class([Parameter(w, "w")], lr, *hyper).update(w, dw, state)
        return w
    update.__name__ = f"{optimizer_class.__name__.lower()}_update"
    update.__doc__ = f"nnlib.optimizers.{optimizer_class.__name__}.update, returning the new w."
    return update


momentum_reference = nnlib_update(optimizers.Momentum)
adagrad_reference = nnlib_update(optimizers.Adagrad)
rmsprop_reference = nnlib_update(optimizers.RMSprop)
adam_reference = nnlib_update(optimizers.Adam)
adadelta_reference = nnlib_update(optimizers.Adadelta)


# --- runs of steps -----------------------------------------------------------------------------

@dataclass
class Run:
    """One case: start from ``w``, apply the gradients ``dws`` one step each, with the
    hyperparameters ``hyper`` (lr first), on one state dict."""
    description: str
    w: np.ndarray
    dws: list
    hyper: tuple


FLOAT32_TOL = dict(rtol=1e-4, atol=1e-6)
FLOAT64_TOL = dict(rtol=1e-6, atol=1e-9)

# The first case: few numbers, chosen so that every listed mistake shows on it. The second
# weight's gradient is 0 on step 1 (a division by √0 gives NaN), the third weight's gradients
# are tiny (where ε inside or outside the square root makes a visible difference), and the
# signs change between steps (momentum and averages are not just a rescaled gradient).
FIXED_W = np.array([1.0, -2.0, 0.5])
FIXED_DWS = [np.array([0.5, 0.0, 1e-3]),
             np.array([0.3, -0.4, 1e-3]),
             np.array([-0.2, 0.6, -2e-3])]


def make_runs(rng, hyper_fixed, hyper_other, hyper_default):
    """The four runs every optimizer is checked on."""
    def fmt(hyper):
        return ", ".join(f"{k}={v:g}" for k, v in hyper.items())

    w2 = rng.standard_normal((2, 3))
    dws2 = [rng.standard_normal((2, 3)) for _ in range(5)]
    w3 = rng.standard_normal(4).astype(np.float32)
    dws3 = [rng.standard_normal(4).astype(np.float32) for _ in range(4)]
    w4 = rng.standard_normal((3, 4))
    scale = np.array([1.0, 0.1, 0.01, 10.0])           # one column per gradient size
    dws4 = [rng.standard_normal((3, 4)) * scale for _ in range(8)]
    return [
        Run(f"3 weights, 3 steps, {fmt(hyper_fixed)}", FIXED_W.copy(),
            [d.copy() for d in FIXED_DWS], tuple(hyper_fixed.values())),
        Run(f"random (2, 3) weights, 5 steps, {fmt(hyper_other)}", w2, dws2,
            tuple(hyper_other.values())),
        Run(f"float32 weights and gradients (4,), 4 steps, {fmt(hyper_default)}", w3, dws3,
            tuple(hyper_default.values())),
        Run(f"random (3, 4) weights, gradients of sizes 1, 0.1, 0.01 and 10 by column, 8 steps, "
            f"{fmt(hyper_default)}", w4, dws4, tuple(hyper_default.values())),
    ]


def _matches(got, wrong, tol):
    """``got`` equals the mistake's output ``wrong`` (NaN where it has NaN)."""
    if not isinstance(got, np.ndarray) or not isinstance(wrong, np.ndarray) \
            or got.shape != wrong.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(got.astype(np.float64), wrong.astype(np.float64),
                                equal_nan=True, **tol))


def _replay(mistake_fn, run, inputs, n_steps):
    """The mistake's new w on each of the first ``n_steps`` steps, fed the same inputs as the
    learner's function, on a fresh state."""
    state, outs = {}, []
    with np.errstate(all="ignore"):
        for k in range(n_steps):
            outs.append(mistake_fn(inputs[k].copy(), run.dws[k].copy(), state, *run.hyper))
    return outs


def _diagnose(gots, run, inputs, mistakes, tol):
    """The first mistake that reproduces every new w the learner's function
    returned (the right ones before the first difference, and the ones after it)."""
    loose = {key: 10 * value for key, value in tol.items()}
    for m in mistakes:
        try:
            wrongs = _replay(m.fn, run, inputs, len(gots))
        except Exception:
            continue
        if all(_matches(got, wrong, loose) for got, wrong in zip(gots, wrongs)):
            return m
    return None


def judge_runs(fn, ctx, runs, reference, mistakes, names, state_keys, state_mistakes=None):
    """Run each case step by step; stop at the first step whose new w differs, then at the
    first whose ``state`` does not hold what the statement says."""
    state_mistakes = state_mistakes or {}
    for i, run in enumerate(runs, start=1):
        tol = FLOAT32_TOL if run.w.dtype == np.float32 else FLOAT64_TOL
        inputs, expected, ref_state, w = [], [], {}, run.w   # nnlib's trajectory
        ref_states = []
        for dw in run.dws:
            inputs.append(w)
            w = reference(w.copy(), dw.copy(), ref_state, *run.hyper)
            expected.append(w)
            ref_states.append({k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v
                               for k, v in ref_state.items()})
        steps = ctx.call(fn, inputs, run.dws, run.hyper, check_mutation=False,
                         case=Case(run.description, ()), driver=drive_steps)
        gots = list(steps["outs"])
        for k, got in enumerate(gots):
            where = f"case {i}: {run.description}\n  step {k + 1} of {len(run.dws)}"
            if steps["dw_changed"][k]:
                ctx.failure(f"{where}: your function changed its input `dw` in place.",
                            "Leave the gradient as it is: build new arrays (v = beta * v + dw), "
                            "or update only what you keep in `state`.", mistake=INPUT_CHANGED)
            if isinstance(got, tuple):
                ctx.failure(f"{where}: your function returned a tuple of {len(got)} values.",
                            "Return only the new w; keep everything else in the `state` dict "
                            "(it is yours between calls).")
            reason = problem(got, expected[k], check_dtype=True, **tol)
            if reason is not None:
                gots = gots[:next((j for j in range(k + 1, len(gots))
                                   if not isinstance(gots[j], np.ndarray)), len(gots))]
                _report(ctx, where, run, inputs[k], k + 1, gots, expected[k], reason,
                        mistakes, tol, names, state_keys, inputs)
        if steps["error"] is not None:
            k = len(gots)
            ctx.failure(f"your code raised an error on case {i}: {run.description}, "
                        f"step {k + 1} of {len(run.dws)} {_before(k + 1)}",
                        steps['error']['text'], status="error")
        _check_state(ctx, i, run, steps.get("states", ()), ref_states, state_keys, tol,
                     state_mistakes)
        ctx.pass_case()


DTYPE_CHANGED = Mistake(
    "float64 result for float32 weights",
    "{expected} in, {expected} out: something made the result {got}. Usually a state created "
    "with np.zeros(w.shape) (always float64: use np.zeros_like(w)), or a numpy float64 number "
    "such as np.sqrt(1 - beta2**t) (use math.sqrt or ** 0.5 on plain floats). Or convert at "
    "the end: .astype(w.dtype).", None)

STATE_KEY_MISTAKE = Mistake(
    "state kept under another key",
    "your new w is right, but the statement names the keys of `state` (the notebook's later "
    "cells and nnlib's optimizers read them): keep each quantity under exactly that key, "
    "spelled and capitalised as given.", None)


def _check_state(ctx, i, run, states, ref_states, state_keys, tol, state_mistakes):
    """The new w was right at every step: what ``state`` holds must be what the statement says:
    its keys, and under each array key the quantity of the formula, not a rescaled version of
    it (a step counter may count from 0 or 1: only its key is checked)."""
    keys = re.findall(r"\w+", state_keys)
    for k, (got, ref) in enumerate(zip(states, ref_states)):
        where = f"case {i}: {run.description}\n  step {k + 1} of {len(run.dws)}"
        missing = [key for key in keys if key not in got]
        if missing:
            held = ", ".join(f'"{key}"' for key in got) or "nothing"
            ctx.failure(f"{where}: the new w is right, but state has no "
                        + ", ".join(f'"{key}"' for key in missing),
                        f"expected: state holds {state_keys}",
                        f"got:      state holds {held}",
                        mistake=STATE_KEY_MISTAKE)
        for key in keys:
            if not isinstance(ref[key], np.ndarray):
                continue
            why = problem(got[key], ref[key], check_dtype=False, **tol)
            if why is None:
                continue
            mistake = next((m for m in state_mistakes.get(key, ())
                            if problem(got[key], m.fn(ref[key], *run.hyper), check_dtype=False,
                                       **tol) is None), None)
            shown = show_pair(ref[key], got[key])
            ctx.failure(f"{where}: the new w is right, but state[\"{key}\"] is not",
                        f"expected: state[\"{key}\"] = {shown[0]}",
                        f"got:      state[\"{key}\"] = {shown[1]}",
                        f"problem:  {why}", mistake=mistake,
                        hints=() if mistake else (
                            f"keep in state[\"{key}\"] exactly the quantity of the formula "
                            "above, not a scaled or corrected version of it.",))


def _report(ctx, where, run, w, step, gots, expected, problem, mistakes, tol, names,
            state_keys, inputs):
    got = gots[step - 1]
    hyper = describe_args(run.hyper, names[3:])
    lines = [f"input:    w: {show(w)}",
             f"          dw: {show(run.dws[step - 1])}",
             f"          {hyper}",
             f"expected: new w, {show(expected)}",
             f"got:      {show(got)}",
             f"problem:  {problem}"]
    hint, mistake = None, None
    if isinstance(got, np.ndarray) and isinstance(expected, np.ndarray) \
            and got.shape == expected.shape and got.dtype != expected.dtype:
        hint = DTYPE_CHANGED.hint.format(expected=expected.dtype, got=got.dtype)
        mistake = Mistake(DTYPE_CHANGED.name, hint, None)
    if hint is None:
        mistake = _diagnose(gots, run, inputs, mistakes, tol)
        hint = mistake.hint if mistake else None
    if hint is None and step > 1:
        hint = (f"the state. {_before(step, capital=True)[1:-1]}, so the formula may be fine "
                f"but what your function keeps in `state` between calls ({state_keys}) is not "
                "carried over right.")
    ctx.failure(f"{where} is the first that differs {_before(step)}", *lines, mistake=mistake,
                hints=[hint] if hint else ())


def _before(step, capital=False):
    """What the steps before ``step`` tell: '(step 1 was right)' and so on."""
    if step == 1:
        text = "(the first call, with an empty state)"
    elif step == 2:
        text = "(step 1 was right)"
    else:
        text = f"(steps 1 to {step - 1} were right)"
    return "(" + text[1].upper() + text[2:] if capital else text


def optimizer_exercise(id, name, points, verifies, reference, runs, mistakes, arg_names,
                       state_keys, state_mistakes=None):
    """Register an update-rule exercise judged over runs of consecutive steps.
    ``state_mistakes``: key -> mistakes whose ``fn(right value, *hyper)`` is a wrong value
    kept under that key."""
    @exercise(id=id, name=name, notebook=NOTEBOOK, points=points, verifies=verifies,
              reference=reference, mistakes=mistakes, arg_names=arg_names)
    def judge(fn, ctx):
        from nncourse.checks.registry import EXERCISES      # the registered list, one source
        judge_runs(fn, ctx, runs(ctx.rng), reference, EXERCISES[id].mistakes, arg_names,
                   state_keys, state_mistakes)
    return judge


def _zeros(state, w, *keys):
    for key in keys:
        if key not in state:
            state[key] = np.zeros_like(w)
    return [state[key] for key in keys]


# --- momentum ----------------------------------------------------------------------------------

def _nesterov(w, dw, state, lr, beta):
    v = beta * state.get("v", np.zeros_like(w)) + dw
    state["v"] = v
    return w - lr * (beta * v + dw)


def _beta_on_gradient(w, dw, state, lr, beta):
    v = state.get("v", np.zeros_like(w)) + beta * dw
    state["v"] = v
    return w - lr * v

def _momentum(sign=-1, carry=True, ema=False, old_v=False, lr_twice=False, no_lr=False):
    """Momentum variants, for naming mistakes."""
    def update(w, dw, state, lr, beta):
        v, = _zeros(state, w, "v")
        if old_v:
            w = w - lr * v
        v_new = beta * (v if carry else 0) + (1 - beta if ema else 1) * dw \
            * (lr if lr_twice else 1)
        state["v"] = v_new
        return w if old_v else w + sign * (1 if no_lr else lr) * v_new
    return update


optimizer_exercise(
    id="nb06_momentum_update", name="momentum_update", points=2,
    verifies="velocity carried over 3 to 8 steps, direction, float32 kept",
    reference=momentum_reference, arg_names=("w", "dw", "state", "lr", "beta"), state_keys="v",
    state_mistakes={"v": [
        Mistake("lr folded into the velocity",
                "you kept lr·v in state[\"v\"] (v ← beta·v + lr·dw, then w − v): the steps are "
                "the same, but the velocity of the formula is v ← beta·v + dw, without lr, "
                "and that is what state[\"v\"] holds (as in nnlib's Momentum).",
                lambda v, lr, beta: lr * v),
        Mistake("−lr folded into the velocity",
                "you kept −lr·v in state[\"v\"] (v ← beta·v − lr·dw, then w + v, as some courses "
                "write it): the steps are the same, but the velocity of the formula is "
                "v ← beta·v + dw, and that is what state[\"v\"] holds (as in nnlib's Momentum).",
                lambda v, lr, beta: -lr * v)]},
    runs=lambda rng: make_runs(rng, {"lr": 0.2, "beta": 0.9}, {"lr": 0.05, "beta": 0.5},
                               {"lr": 0.01, "beta": 0.9}),
    mistakes=[
        Mistake("sign flipped",
                "the step goes uphill: subtract the velocity, w − lr·v (with v ← beta·v + dw).",
                _momentum(sign=+1)),
        Mistake("velocity not carried over",
                "this is plain gradient descent: v is not carried from one step to the next. "
                "Keep it in the dict, state[\"v\"] = beta * state[\"v\"] + dw (assigning a new "
                "dict to `state` inside the function does not keep it).",
                _momentum(carry=False)),
        Mistake("moving average form",
                "you used v ← beta·v + (1 − beta)·dw (the moving-average form, as in some "
                "courses). This course, like PyTorch, adds the whole gradient: v ← beta·v + dw.",
                _momentum(ema=True)),
        Mistake("old velocity",
                "w moved with the velocity of the previous step: first update v ← beta·v + dw, "
                "then move w ← w − lr·v with the new v.",
                _momentum(old_v=True)),
        Mistake("lr twice",
                "the learning rate is applied twice: with v ← beta·v + dw, multiply by lr only "
                "in the step w − lr·v (or use v ← beta·v − lr·dw and w + v, not both).",
                _momentum(lr_twice=True)),
        Mistake("beta on the gradient",
                "beta multiplied the new gradient instead of the old velocity: v ← beta·v + dw "
                "lets older gradients fade; v + beta·dw never forgets any.",
                _beta_on_gradient),
        Mistake("Nesterov's look-ahead",
                "you took Nesterov's step, w − lr·(beta·v + dw): this exercise is plain "
                "(heavy-ball) momentum, w ← w − lr·v with the new v.",
                _nesterov),
        Mistake("no learning rate",
                "w moved by the whole velocity: the step is scaled by the learning rate, "
                "w ← w − lr·v.",
                _momentum(no_lr=True)),
    ],
)


# --- Adagrad -----------------------------------------------------------------------------------

def _adagrad(eps_at="outside", accumulate=True, root=True, old_G=False, sign=-1, abs_g=False):
    """Adagrad variants, for naming mistakes."""
    def update(w, dw, state, lr, eps):
        G, = _zeros(state, w, "G")
        G_new = (G if accumulate else 0) + (np.abs(dw) if abs_g else dw * dw)
        scale = G if old_G else G_new
        state["G"] = G_new
        if not root:
            return w + sign * lr * dw / (scale + eps)
        if eps_at == "inside":
            return w + sign * lr * dw / np.sqrt(scale + eps)
        return w + sign * lr * dw / (np.sqrt(scale) + (eps if eps_at == "outside" else 0))
    return update


def _adagrad_from(G0):
    """Adagrad whose sum of squares starts at ``G0`` instead of 0."""
    def update(w, dw, state, lr, eps):
        if "G" not in state:
            state["G"] = np.full_like(w, G0)
        return _adagrad()(w, dw, state, lr, eps)
    return update


optimizer_exercise(
    id="nb06_adagrad_update", name="adagrad_update", points=2,
    verifies="sum of squared gradients over 3 to 8 steps, ε outside the root, zero gradients, "
             "float32 kept",
    reference=adagrad_reference, arg_names=("w", "dw", "state", "lr", "eps"), state_keys="G",
    runs=lambda rng: make_runs(rng, {"lr": 0.1, "eps": 1e-8}, {"lr": 0.5, "eps": 1e-6},
                               {"lr": 0.01, "eps": 1e-8}),
    mistakes=[
        Mistake("no epsilon",
                "NaN where a weight's gradient has been 0: √G is 0 there and 0/0 is NaN. "
                "Add eps to the denominator: dw / (√G + eps).",
                _adagrad(eps_at="none")),
        Mistake("epsilon inside the root",
                "you put eps inside the square root, √(G + eps). Both keep the division safe, "
                "but this course (like PyTorch) adds it outside, √G + eps, and the two differ "
                "when G is small.",
                _adagrad(eps_at="inside")),
        Mistake("not accumulated",
                "G holds only this step's dw², not the running sum: accumulate it, "
                "state[\"G\"] = state[\"G\"] + dw**2 (that is Adagrad; forgetting old gradients "
                "is RMSprop's idea).",
                _adagrad(accumulate=False)),
        Mistake("no square root",
                "the step divides by G itself; divide by its square root, dw / (√G + eps), so "
                "the step has the size of lr.",
                _adagrad(root=False)),
        Mistake("old G",
                "the step used G from before adding this step's dw²: add dw² to G first, then "
                "divide by √G + eps.",
                _adagrad(old_G=True)),
        Mistake("sign flipped",
                "the step goes uphill: subtract it, w − lr·dw / (√G + eps).",
                _adagrad(sign=+1)),
        Mistake("|dw| accumulated instead of dw²",
                "G adds up |dw|, the gradients' sizes; Adagrad adds up their squares, dw², and "
                "divides by the square root of that sum.",
                _adagrad(abs_g=True)),
    ] + [Mistake("G started above 0",
                 "your sum of squared gradients did not start at 0 (Keras and TensorFlow start "
                 "it at initial_accumulator_value = 0.1): this course's Adagrad starts with "
                 "G = 0 (np.zeros_like(w)), so the first step is lr·dw / (|dw| + eps).",
                 _adagrad_from(G0)) for G0 in (0.1, 1.0)],
)


# --- RMSprop -----------------------------------------------------------------------------------

def _rmsprop(eps_at="outside", one_minus=True, swapped=False, carry=True, sign=-1,
             no_square=False):
    """RMSprop variants, for naming mistakes."""
    def update(w, dw, state, lr, rho, eps):
        s, = _zeros(state, w, "s")
        keep, new = (1 - rho, rho) if swapped else (rho, (1 - rho) if one_minus else 1)
        s_new = keep * (s if carry else 0) + new * (dw if no_square else dw * dw)
        state["s"] = s_new
        if no_square:
            return w + sign * lr * dw / (np.sqrt(np.abs(s_new)) + eps)
        if eps_at == "inside":
            return w + sign * lr * dw / np.sqrt(s_new + eps)
        return w + sign * lr * dw / (np.sqrt(s_new) + (eps if eps_at == "outside" else 0))
    return update


def _rmsprop_first_s(w, dw, state, lr, rho, eps):
    """RMSprop whose average starts at the first dw² (no zero start)."""
    if "s" not in state:
        state["s"] = dw * dw
        return w - lr * dw / (np.sqrt(state["s"]) + eps)
    return _rmsprop()(w, dw, state, lr, rho, eps)


def _rmsprop_centred(w, dw, state, lr, rho, eps):
    """PyTorch's centred RMSprop: divides by √(s − ḡ²) + eps."""
    s, = _zeros(state, w, "s")
    g = state.get("g", np.zeros_like(w))
    state["s"] = rho * s + (1 - rho) * dw * dw
    state["g"] = rho * g + (1 - rho) * dw
    return w - lr * dw / (np.sqrt(np.maximum(state["s"] - state["g"] ** 2, 0)) + eps)


optimizer_exercise(
    id="nb06_rmsprop_update", name="rmsprop_update", points=2,
    verifies="running average of squared gradients over 3 to 8 steps, ε outside the root, "
             "float32 kept",
    reference=rmsprop_reference, arg_names=("w", "dw", "state", "lr", "rho", "eps"),
    state_keys="s",
    runs=lambda rng: make_runs(rng, {"lr": 0.01, "rho": 0.9, "eps": 1e-8},
                               {"lr": 0.05, "rho": 0.8, "eps": 1e-6},
                               {"lr": 0.001, "rho": 0.9, "eps": 1e-8}),
    mistakes=[
        Mistake("no (1 − rho)",
                "the new dw² is added without the factor (1 − rho): s ← rho·s + (1 − rho)·dw². "
                "Without it s is not an average and grows about 10 times too big.",
                _rmsprop(one_minus=False)),
        Mistake("rho swapped",
                "rho and 1 − rho are swapped: the old average keeps the weight rho, the new "
                "dw² gets (1 − rho): s ← rho·s + (1 − rho)·dw².",
                _rmsprop(swapped=True)),
        Mistake("average not carried over",
                "s is not carried from step to step (each step starts from 0): keep it in the "
                "dict, state[\"s\"] = rho * state[\"s\"] + (1 - rho) * dw**2.",
                _rmsprop(carry=False)),
        Mistake("no epsilon",
                "NaN where a weight's gradient has been 0: √s is 0 there and 0/0 is NaN. Add "
                "eps to the denominator: dw / (√s + eps).",
                _rmsprop(eps_at="none")),
        Mistake("epsilon inside the root",
                "you put eps inside the square root, √(s + eps); this course (like PyTorch) "
                "adds it outside, √s + eps, and the two differ when s is small.",
                _rmsprop(eps_at="inside")),
        Mistake("sign flipped",
                "the step goes uphill: subtract it, w − lr·dw / (√s + eps).",
                _rmsprop(sign=+1)),
        Mistake("dw averaged instead of dw²",
                "s averages the gradients themselves; RMSprop averages their squares, dw², "
                "so that √s is a size (always ≥ 0).",
                _rmsprop(no_square=True)),
        Mistake("Adagrad's sum (no decay)",
                "s is the running *sum* of dw² (that is Adagrad): RMSprop forgets old gradients "
                "with the decay rho, s ← rho·s + (1 − rho)·dw².",
                lambda w, dw, state, lr, rho, eps: _adagrad()(w, dw, state, lr, eps)),
        Mistake("s started at the first dw²",
                "your average started at the first dw² instead of 0: this course's RMSprop "
                "(like PyTorch's and Keras') starts with s = 0 (np.zeros_like(w)) and applies "
                "s ← rho·s + (1 − rho)·dw² on every step, the first included.",
                _rmsprop_first_s),
        Mistake("centred RMSprop",
                "you divided by √(s − ḡ²), the *centred* RMSprop (PyTorch's centered=True, "
                "which also keeps the average gradient ḡ): the plain RMSprop asked for here "
                "divides by √s + eps, with s the average of dw² only.",
                _rmsprop_centred),
    ],
)


# --- Adam --------------------------------------------------------------------------------------

def _adam(correct=True, t_mode="before", swap_betas=False, swap_mv=False, eps_at="outside",
          sign=-1, root=True, t_start=0, corrected_state=False, only_m=False, carry=True,
          swap_all=False, efficient=False, corr="right"):
    """Adam variants, for naming mistakes. t_mode: "before" (right), "after" (t used from 0,
    counted after), "stuck" (always 1)."""
    def update(w, dw, state, lr, beta1, beta2, eps):
        m, v = _zeros(state, w, "m", "v")
        t = state.get("t", 0)
        if t_mode == "before":
            t += 1
        elif t_mode == "stuck":
            t = 1
        if t_mode == "before" and "t" not in state:
            t += t_start
        b1, b2 = (beta2, beta1) if swap_betas or swap_all else (beta1, beta2)
        m = b1 * (m if carry else 0) + (1 - b1) * dw
        v = b2 * (v if carry else 0) + (1 - b2) * dw * dw
        c1, c2 = (1 - b1**t, 1 - b2**t) if swap_all else (1 - beta1**t, 1 - beta2**t)
        c1, c2 = {"right": (c1, c2), "beta1 for both": (c1, c1), "beta2 for both": (c2, c2),
                  "swapped": (c2, c1)}[corr]
        if efficient:
            state.update(m=m, v=v, t=t)
            return w + sign * lr * np.sqrt(c2) / c1 * m / (np.sqrt(v) + eps)
        m_hat, v_hat = (m / c1, v / (1 if only_m else c2)) if correct else (m, v)
        state.update(m=m_hat if corrected_state else m, v=v_hat if corrected_state else v,
                     t=t + 1 if t_mode == "after" else t)
        if swap_mv:
            m_hat, v_hat = v_hat, m_hat
        if not root:
            return w + sign * lr * m_hat / (v_hat + eps)
        if eps_at == "inside":
            return w + sign * lr * m_hat / np.sqrt(v_hat + eps)
        return w + sign * lr * m_hat / (np.sqrt(v_hat) + (eps if eps_at == "outside" else 0))
    return update


optimizer_exercise(
    id="nb06_adam_update", name="adam_update", points=3,
    verifies="m, v and the step count over 3 to 8 steps, bias correction, ε outside the root, "
             "float32 kept",
    reference=adam_reference, arg_names=("w", "dw", "state", "lr", "beta1", "beta2", "eps"),
    state_keys='"t", "m", "v"',
    runs=lambda rng: make_runs(rng, {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                               {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-7},
                               {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    mistakes=[
        Mistake("no bias correction",
                "no bias correction: m and v start at 0, so early on they are too small; divide "
                "them by (1 − beta1**t) and (1 − beta2**t) before the step.",
                _adam(correct=False)),
        Mistake("t counted after use",
                "the step count t was still 0 in the bias correction: 1 − beta**0 = 0 and the "
                "division gives inf/NaN. Count the step first (state[\"t\"] += 1), then use it: "
                "t is 1 on the first step.",
                _adam(t_mode="after")),
        Mistake("t not counted",
                "the bias correction used t = 1 on every step: the step count must grow, "
                "1, 2, 3, ... Keep it in the state and add 1 on each call.",
                _adam(t_mode="stuck")),
        Mistake("betas swapped",
                "beta1 and beta2 are swapped: m (the gradient's average) uses beta1, v (the "
                "squared gradient's average) uses beta2.",
                _adam(swap_betas=True)),
    ] + [Mistake("bias corrections mixed up",
                 "a bias correction used the other beta: m̂ = m / (1 − beta1**t) and "
                 "v̂ = v / (1 − beta2**t), each average with its own beta.",
                 _adam(corr=c)) for c in ("beta1 for both", "beta2 for both", "swapped")] + [
        Mistake("m and v swapped",
                "m and v are swapped in the step: the numerator is the gradient's average m̂, "
                "the denominator the root of the squared gradient's average, √v̂ + eps.",
                _adam(swap_mv=True)),
        Mistake("no epsilon",
                "NaN where a weight's gradient has been 0: √v̂ is 0 there and 0/0 is NaN. Add "
                "eps to the denominator: m̂ / (√v̂ + eps).",
                _adam(eps_at="none")),
        Mistake("epsilon inside the root",
                "you put eps inside the square root, √(v̂ + eps); this course (like PyTorch and "
                "the Adam paper) adds it outside, √v̂ + eps, and the two differ when v̂ is small.",
                _adam(eps_at="inside")),
        Mistake("sign flipped",
                "the step goes uphill: subtract it, w − lr·m̂ / (√v̂ + eps).",
                _adam(sign=+1)),
        Mistake("betas swapped",
                "beta1 and beta2 are swapped: m (the gradient's average) uses beta1, v (the "
                "squared gradient's average) uses beta2.",
                _adam(swap_all=True)),
        Mistake("no square root of v̂",
                "the step divides by v̂ itself: v̂ averages squared gradients, so its square "
                "root, √v̂, is what has the gradient's size. Divide m̂ by √v̂ + eps.",
                _adam(root=False)),
        Mistake("step count off by one (t starts at 1)",
                "the bias correction used t = 2 on the first step: the step count starts from "
                "0 in an empty state and is counted before use, so the first call has t = 1.",
                _adam(t_start=1)),
        Mistake("bias-corrected m̂, v̂ kept in the state",
                "you stored the corrected m̂ and v̂ in the state: keep the raw averages m and v "
                "there, and divide by (1 − beta**t) only for this step's update.",
                _adam(corrected_state=True)),
        Mistake("only m bias-corrected",
                "m was bias-corrected but v was not: v starts at 0 too, so it also needs its "
                "correction, v̂ = v / (1 − beta2**t).",
                _adam(only_m=True)),
        Mistake("m and v not carried over",
                "m and v are not carried from one step to the next (each step starts from 0), "
                "while t is: keep them in the state dict and update them there.",
                _adam(carry=False)),
        Mistake("the paper's efficient form (ε not rescaled)",
                "you wrote the Adam paper's 'efficient' form (lr_t = lr·√(1 − beta2**t) / "
                "(1 − beta1**t), then m / (√v + eps)), as tf.keras does. It is a valid Adam, "
                "but its eps (the paper's ε̂) is not the same ε: this course's convention, as "
                "in PyTorch and the paper's Algorithm 1, adds eps after the bias correction, "
                "m̂ / (√v̂ + eps). The two differ only where √v̂ is tiny.",
                _adam(efficient=True)),
    ],
)


# --- Adadelta ----------------------------------------------------------------------------------

def _adadelta(numerator="rms_x", old_Eg=False, Ex_from="delta", eps_at="inside", use_lr=True,
              sign=+1, carry=True):
    """Adadelta variants, for naming mistakes. numerator: "rms_x" (right) or "lr" (no RMS of
    the updates); Ex_from: "delta" (right), "dw_after" or "dw_before" (Ex averages dw²)."""
    def update(w, dw, state, lr, rho, eps):
        Eg, Ex = _zeros(state, w, "Eg", "Ex")
        Eg_new = rho * (Eg if carry else 0) + (1 - rho) * dw * dw
        if Ex_from == "dw_before":
            Ex = rho * Ex + (1 - rho) * dw * dw
        g = Eg if old_Eg else Eg_new
        if eps_at == "inside":
            rms_g, rms_x = np.sqrt(g + eps), np.sqrt(Ex + eps)
        elif eps_at == "outside":
            rms_g, rms_x = np.sqrt(g) + eps, np.sqrt(Ex) + eps
        else:  # no eps in the numerator
            rms_g, rms_x = np.sqrt(g + eps), np.sqrt(Ex)
        delta = -(rms_x if numerator == "rms_x" else lr) / rms_g * dw
        if Ex_from == "delta":
            Ex = rho * Ex + (1 - rho) * delta * delta
        elif Ex_from == "dw_after":
            Ex = rho * Ex + (1 - rho) * dw * dw
        state.update(Eg=Eg_new, Ex=Ex)
        step = delta * (lr if use_lr and numerator == "rms_x" else 1)
        return w + sign * step
    return update


_NUMERATOR_HINT = (
    "w (almost) never moves: Ex starts at 0, so the numerator √Ex is 0 (or, with eps added "
    "outside the root, √Ex + eps, tiny) and every step is (nearly) 0. Put eps inside both "
    "roots: √(Ex + eps) / √(Eg + eps).")
_ORDER_HINT = (
    "the ratio √(Ex + eps) / √(Eg + eps) did not come out as it should: that happens when Δw "
    "is computed before Eg takes this step's dw² (the first step is then −lr·dw), or when Ex "
    "is updated (with dw²) before Δw exists: Eg first, then Δw, then Ex from Δw².")

optimizer_exercise(
    id="nb06_adadelta_update", name="adadelta_update", points=2,
    verifies="both running averages over 3 to 8 steps, their order, ε in both roots, lr, "
             "float32 kept",
    reference=adadelta_reference, arg_names=("w", "dw", "state", "lr", "rho", "eps"),
    state_keys='"Eg", "Ex"',
    runs=lambda rng: make_runs(rng, {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
                               {"lr": 0.5, "rho": 0.95, "eps": 1e-4},
                               {"lr": 1.0, "rho": 0.9, "eps": 1e-6}),
    mistakes=[
        Mistake("lr instead of the RMS of updates",
                "the step is lr·dw / RMS[dw]: that is RMSprop. Adadelta's numerator is the RMS "
                "of its own past updates, √(Ex + eps), which sets the step's size "
                "(lr only scales the final step).",
                _adadelta(numerator="lr")),
        Mistake("no epsilon inside the numerator's root",
                _NUMERATOR_HINT,
                _adadelta(eps_at="numerator_none")),
        Mistake("epsilon outside the roots",
                "eps is added outside the roots; Adadelta puts it inside both: "
                "Δw = −√(Ex + eps) / √(Eg + eps) · dw.",
                _adadelta(eps_at="outside")),
        Mistake("steps in the wrong order",
                _ORDER_HINT,
                _adadelta(old_Eg=True)),
        Mistake("Ex averages dw²",
                "Ex averages the squared gradients; it must average the squared updates: "
                "Ex ← rho·Ex + (1 − rho)·Δw², with the Δw you just computed.",
                _adadelta(Ex_from="dw_after")),
        Mistake("sign flipped",
                "the step goes uphill: Δw = −√(Ex + eps) / √(Eg + eps) · dw already carries the "
                "minus sign, so w ← w + lr·Δw.",
                _adadelta(sign=-1)),
        Mistake("lr ignored",
                "the learning rate is missing: the step is w + lr·Δw (lr is 1.0 by default, "
                "but not always).",
                _adadelta(use_lr=False)),
        Mistake("Eg not carried over",
                "Eg is not carried from step to step (each step starts it from 0): keep it in "
                "the state dict, Eg ← rho·Eg + (1 − rho)·dw².",
                _adadelta(carry=False)),
    ],
)


# --- wrong rules written out in full (what no keyword of the variants above covers) -----------

def _adagrad_not_squared(w, dw, state, lr, eps, fix=lambda G: G):
    """``fix``: how the learner kept the root of a negative sum real (np.abs), if at all."""
    G = state.get("G", np.zeros_like(w)) + dw
    state["G"] = G
    return w - lr * dw / (np.sqrt(fix(G)) + eps)


def _adagrad_one_G(w, dw, state, lr, eps):
    G = state.get("G", 0.0) + float(np.sum(dw * dw))
    state["G"] = G
    return w - lr * dw / (np.sqrt(G) + eps)


def _rmsprop_bias_corrected(w, dw, state, lr, rho, eps):
    t = state.get("t", 0) + 1
    s = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * dw * dw
    state.update(s=s, t=t)
    return w - lr * dw / (np.sqrt(s / (1 - rho ** t)) + eps)


def _rmsprop_old_s(w, dw, state, lr, rho, eps):
    s = state.get("s", np.zeros_like(w))
    w = w - lr * dw / (np.sqrt(s) + eps)
    state["s"] = rho * s + (1 - rho) * dw * dw
    return w


def _rmsprop_abs(w, dw, state, lr, rho, eps, root=True):
    s = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * np.abs(dw)
    state["s"] = s
    return w - lr * dw / ((np.sqrt(s) if root else s) + eps)


def _rmsprop_no_root(w, dw, state, lr, rho, eps):
    s = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * dw * dw
    state["s"] = s
    return w - lr * dw / (s + eps)


def _adam_rule(m_new=1, v_square=True, v_corrected_after_root=False, fix=lambda v: v,
               v_new=1, times=False, only_v=False):
    """``times``: the correction 1 − β·t instead of 1 − βᵗ; ``only_v``: m left uncorrected."""
    def update(w, dw, state, lr, beta1, beta2, eps):
        t = state.get("t", 0) + 1
        m = beta1 * state.get("m", np.zeros_like(w)) + (1 - beta1 if m_new else 1) * dw
        v = beta2 * state.get("v", np.zeros_like(w)) + (1 - beta2 if v_new else 1) * (
            dw * dw if v_square else dw)
        state.update(m=m, v=v, t=t)
        c1, c2 = (1 - beta1 * t, 1 - beta2 * t) if times else (1 - beta1 ** t, 1 - beta2 ** t)
        m_hat = m if only_v else m / c1
        root = np.sqrt(fix(v)) / c2 if v_corrected_after_root else np.sqrt(fix(v / c2))
        return w - lr * m_hat / (root + eps)
    return update


_EPS_AT = {"inside": lambda x, eps: np.sqrt(x + eps), "outside": lambda x, eps: np.sqrt(x) + eps,
           "none": lambda x, eps: np.sqrt(x), "no root": lambda x, eps: x + eps}


def _adadelta_rule(upside_down=False, eg_new=True, ex_new=True, num="inside", den="inside",
                   lr_in_Ex=False, swap_rho="", Ex_carry=True):
    """Adadelta written out, with the slips a learner makes: where ε goes (and whether the
    roots are taken) in the numerator ``num`` and the denominator ``den`` (see _EPS_AT), the
    (1 − ρ) factors, ρ swapped in "Eg" or "Ex", lr inside the squared update that Ex averages,
    Ex not carried over."""
    def update(w, dw, state, lr, rho, eps):
        keep = {k: (1 - rho if k in swap_rho else rho) for k in ("Eg", "Ex")}
        Eg = keep["Eg"] * state.get("Eg", np.zeros_like(w)) \
            + ((1 - keep["Eg"]) if eg_new else 1) * dw * dw
        Ex = state.get("Ex", np.zeros_like(w)) if Ex_carry else np.zeros_like(w)
        rms_x, rms_g = _EPS_AT[num](Ex, eps), _EPS_AT[den](Eg, eps)
        delta = -(rms_g / rms_x if upside_down else rms_x / rms_g) * dw
        step = lr * delta if lr_in_Ex else delta
        Ex = keep["Ex"] * Ex + ((1 - keep["Ex"]) if ex_new else 1) * step * step
        state.update(Eg=Eg, Ex=Ex)
        return w + lr * delta
    return update


def _more(exercise_id, *mistakes):
    """Add ``mistakes`` to an optimizer exercise registered above (its judge reads the
    registered list)."""
    from nncourse.checks.registry import EXERCISES
    EXERCISES[exercise_id].mistakes.extend(mistakes)


_more("nb06_adagrad_update",
      Mistake("gradients not squared",
              "G summed the gradients themselves: Adagrad sums their *squares*, G ← G + dw² "
              "(positive and negative gradients must not cancel).", _adagrad_not_squared),
      Mistake("gradients not squared",
              "G summed the gradients themselves (np.abs only hid the negative sums): Adagrad "
              "sums their *squares*, G ← G + dw².",
              functools.partial(_adagrad_not_squared, fix=np.abs)),
      Mistake("one G for all weights",
              "G is one number (np.sum(dw**2)) shared by every weight: Adagrad keeps one sum per "
              "weight, elementwise, G ← G + dw² with G of w's shape.", _adagrad_one_G))
_more("nb06_rmsprop_update",
      Mistake("Adam's bias correction added",
              "you divided s by 1 − ρᵗ, Adam's bias correction: RMSprop uses the running "
              "average s itself, w − lr·dw / (√s + ε).", _rmsprop_bias_corrected),
      Mistake("old s",
              "the step used the average of the previous steps, then updated it: update s with "
              "this step's dw² first, then step with the new s.", _rmsprop_old_s),
      Mistake("no square root",
              "you divided by s itself: RMSprop divides by its square root, √s + ε (the root "
              "mean square of the gradients).", _rmsprop_no_root),
      *[Mistake("|dw| averaged instead of dw²",
                "s averages the sizes |dw| of the gradients; RMSprop averages their squares, "
                "s ← ρs + (1 − ρ)·dw², and divides by √s + ε (the root mean square).",
                functools.partial(_rmsprop_abs, root=root)) for root in (True, False)])
_more("nb06_adam_update",
      Mistake("v averages dw, not dw²",
              "v averaged the gradients themselves: Adam's v is the running average of the "
              "*squared* gradients, v ← β₂v + (1 − β₂)·dw².", _adam_rule(v_square=False)),
      Mistake("v averages dw, not dw²",
              "v averaged the gradients themselves (np.abs only hid the negative averages): "
              "Adam's v averages the *squared* gradients, v ← β₂v + (1 − β₂)·dw².",
              _adam_rule(v_square=False, fix=np.abs)),
      Mistake("(1 − β₁) factor missing in m",
              "m ← β₁m + dw is momentum's sum: Adam's m is an average, m ← β₁m + (1 − β₁)·dw.",
              _adam_rule(m_new=0)),
      Mistake("(1 − β₂) factor missing in v",
              "v ← β₂v + dw² is a sum, not an average: v ← β₂v + (1 − β₂)·dw².",
              _adam_rule(v_new=0)),
      Mistake("1 − β·t instead of 1 − βᵗ",
              "the bias correction divides by 1 − β₁ᵗ and 1 − β₂ᵗ, β to the power t (beta1 ** t), "
              "not 1 − β·t.", _adam_rule(times=True)),
      Mistake("only v bias-corrected",
              "you corrected v but not m: both start at 0, so both are divided, "
              "m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ).", _adam_rule(only_v=True)),
      Mistake("v corrected after the root",
              "you divided √v by 1 − β₂ᵗ: the correction belongs inside the root, "
              "v̂ = v / (1 − β₂ᵗ), then √v̂ + ε.", _adam_rule(v_corrected_after_root=True)))
_more("nb06_adadelta_update",
      Mistake("ratio upside down",
              "the ratio is upside down: Δw = −√(E_x + ε) / √(E_g + ε) · dw, the RMS of the past "
              "updates over the RMS of the gradients.", _adadelta_rule(upside_down=True)),
      Mistake("(1 − ρ) factor missing in Eg",
              "E_g ← ρE_g + dw² is a sum, not an average: E_g ← ρE_g + (1 − ρ)·dw².",
              _adadelta_rule(eg_new=False)),
      Mistake("(1 − ρ) factor missing in Ex",
              "E_x ← ρE_x + Δw² is a sum, not an average: E_x ← ρE_x + (1 − ρ)·Δw².",
              _adadelta_rule(ex_new=False)),
      Mistake("lr inside the update that Ex averages",
              "E_x averaged (lr·Δw)², the scaled step: it averages Δw² itself, "
              "Δw = −√(E_x + ε) / √(E_g + ε) · dw, before lr scales the step w ← w + lr·Δw.",
              _adadelta_rule(lr_in_Ex=True)),
      Mistake("no square roots",
              "you divided the averages themselves, (E_x + ε) / (E_g + ε): Adadelta divides "
              "their square roots, the RMS values, √(E_x + ε) / √(E_g + ε).",
              _adadelta_rule(num="no root", den="no root")),
      Mistake("no square root in the denominator",
              "the denominator has no square root: both are RMS values, "
              "Δw = −√(E_x + ε) / √(E_g + ε) · dw.", _adadelta_rule(den="no root")),
      Mistake("epsilon outside the denominator's root",
              "the denominator is √E_g + ε (RMSprop's way): Adadelta puts ε inside both roots, "
              "Δw = −√(E_x + ε) / √(E_g + ε) · dw.", _adadelta_rule(den="outside")),
      Mistake("no epsilon in the denominator",
              "the denominator is √E_g, without ε (NaN or inf where the gradients have been "
              "0): Adadelta puts ε inside both roots, √(E_x + ε) / √(E_g + ε).",
              _adadelta_rule(den="none")),
      *[Mistake("no epsilon inside the numerator's root",
                _NUMERATOR_HINT,
                _adadelta_rule(num=num, den=den))
        for num, den in (("none", "outside"), ("none", "none"), ("outside", "inside"),
                         ("outside", "none"))],
      *[Mistake("rho swapped",
                f"ρ and 1 − ρ are swapped in {where}: the old average keeps the weight ρ, the "
                "new square gets (1 − ρ): E_g ← ρE_g + (1 − ρ)·dw², E_x ← ρE_x + (1 − ρ)·Δw².",
                _adadelta_rule(swap_rho=key))
        for key, where in (("Eg", "E_g"), ("Ex", "E_x"), ("EgEx", "both averages"))],
      Mistake("steps in the wrong order",
              _ORDER_HINT, _adadelta(Ex_from="dw_before")),
      Mistake("Ex not carried over",
              "E_x is not carried from step to step (each step starts it from 0): keep it in "
              "the state dict, E_x ← ρE_x + (1 − ρ)·Δw².", _adadelta_rule(Ex_carry=False)))
