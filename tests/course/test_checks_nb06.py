"""Notebook 06's checks accept update rules written other ways, find state bugs at the right
step, and say what went wrong."""

import numpy as np

from nnlib import optimizers
from nncourse.checks import nb06


# --- correct answers written differently --------------------------------------------------------

def momentum_in_place(w, dw, state, lr, beta):
    if "v" not in state:
        state["v"] = np.zeros_like(w)
    state["v"] *= beta
    state["v"] += dw
    w -= lr * state["v"]           # changes the given w in place, and returns it
    return w


def momentum_cs231n(w, dw, state, lr, beta):
    """v ← beta·v − lr·dw; w ← w + v: the same steps when lr is constant."""
    v = beta * state.get("v", 0) - lr * dw
    state["v"] = v
    return w + v


def momentum_float64_inside(w, dw, state, lr, beta):
    v = beta * state.get("v", np.zeros(w.shape)) + dw.astype(np.float64)
    state["v"] = v
    return (w - lr * v).astype(w.dtype)


def adagrad_get(w, dw, state, lr, eps):
    state["G"] = state.get("G", 0) + dw ** 2
    return w - lr * dw / (np.sqrt(state["G"]) + eps)


def adagrad_loops(w, dw, state, lr, eps):
    G = state.setdefault("G", np.zeros_like(w))
    new = w.copy()
    for i in np.ndindex(w.shape):
        G[i] += dw[i] * dw[i]
        new[i] = w[i] - lr * dw[i] / (G[i] ** 0.5 + eps)
    return new


def rmsprop_plain(w, dw, state, lr, rho, eps):
    s = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * np.square(dw)
    state["s"] = s
    return w - lr * dw / (np.sqrt(s) + eps)


def adam_t_from_one(w, dw, state, lr, beta1, beta2, eps):
    """t starts at 1 and is counted after use: 1, 2, 3 in the correction, as it should be."""
    if not state:
        state.update(t=1, m=np.zeros_like(w), v=np.zeros_like(w))
    t = state["t"]
    state["m"] = beta1 * state["m"] + (1 - beta1) * dw
    state["v"] = beta2 * state["v"] + (1 - beta2) * dw ** 2
    m_hat = state["m"] / (1 - beta1 ** t)
    v_hat = state["v"] / (1 - beta2 ** t)
    state["t"] = t + 1
    return w - lr * m_hat / (np.sqrt(v_hat) + eps)


def adam_folded_lr(w, dw, state, lr, beta1, beta2, eps):
    """The correction folded into the learning rate (as in the Adam paper's section 2):
    only equal when eps is put in as eps·√(1 − beta2^t)."""
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * dw
    v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * dw * dw
    lr_t = lr * (1 - beta2 ** t) ** 0.5 / (1 - beta1 ** t)
    return w - lr_t * m / (np.sqrt(v) + eps * (1 - beta2 ** t) ** 0.5)


def adadelta_previous_delta(w, dw, state, lr, rho, eps):
    """Ex takes the previous step's Δw² before the new Δw: the same numbers."""
    Eg = state.get("Eg", np.zeros_like(w))
    Ex = state.get("Ex", np.zeros_like(w))
    last = state.get("delta", np.zeros_like(w))
    Eg = rho * Eg + (1 - rho) * dw ** 2
    Ex = rho * Ex + (1 - rho) * last ** 2
    delta = -np.sqrt(Ex + eps) / np.sqrt(Eg + eps) * dw
    state.update(Eg=Eg, Ex=Ex, delta=delta)
    return w + lr * delta


def test_other_correct_versions_pass(judge):
    for ex_id, fns in [
        ("nb06_momentum_update", (momentum_in_place, momentum_float64_inside)),
        ("nb06_adagrad_update", (adagrad_get, adagrad_loops)),
        ("nb06_rmsprop_update", (rmsprop_plain,)),
        ("nb06_adam_update", (adam_t_from_one, adam_folded_lr)),
    ]:
        for fn in fns:
            for seed in (None, 1, 12345):
                result = judge(ex_id, fn, seed=seed)
                assert result.passed, f"{fn.__name__}: {result.message}"


def test_the_state_holds_what_the_statement_says(judge):
    """CS231n's form takes nnlib's steps, but its state["v"] is −lr times the formula's v."""
    r = judge("nb06_momentum_update", momentum_cs231n)
    assert not r.passed and r.mistake.name == "−lr folded into the velocity"
    assert 'the new w is right, but state["v"] is not' in r.message
    # Ex one step behind (the previous Δw² added before the new Δw): the same steps, but
    # state["Ex"] is not the formula's Ex after the step
    r = judge("nb06_adadelta_update", adadelta_previous_delta)
    assert not r.passed and 'the new w is right, but state["Ex"] is not' in r.message


def test_references_are_nnlib_optimizers():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    state = {}
    new = nb06.adam_reference(w, dw, state, 0.1, 0.9, 0.999, 1e-8)
    assert np.allclose(new, [0.9, -2.1]) and state["t"] == 1      # first Adam step: lr·sign
    assert np.array_equal(w, [1.0, -2.0])                          # the input is not changed
    p = np.array([1.0, -2.0])
    opt = optimizers.Adam([p], lr=0.1)
    opt.params[0].grad[...] = dw
    opt.step()
    assert np.array_equal(p, new)


# --- the step where it goes wrong -----------------------------------------------------------------

def test_state_bug_is_reported_at_step_2(judge):
    def sgd(w, dw, state, lr, beta):     # forgets v: a fresh dict each call
        state = {"v": dw}
        return w - lr * state["v"]
    r = judge("nb06_momentum_update", sgd)
    first = r.message.splitlines()
    assert first[0].startswith("✘ momentum_update — case 1: 3 weights, 3 steps")
    assert first[1].strip() == "step 2 of 3 is the first that differs (step 1 was right)"
    assert "plain gradient descent" in r.message


def test_unknown_state_bug_points_at_the_state(judge):
    def decays_twice(w, dw, state, lr, beta):
        v = beta * beta * state.get("v", 0) + dw
        state["v"] = v
        return w - lr * v
    r = judge("nb06_momentum_update", decays_twice)
    assert "step 2 of 3 is the first that differs" in r.message
    assert "likely mistake: the state. Step 1 was right" in r.message
    assert "between calls (v)" in r.message


def test_adam_step_counter_mistakes(judge):
    def t_after(w, dw, state, lr, beta1, beta2, eps):
        t = state.get("t", 0)
        m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * dw
        v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * dw * dw
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        state["t"] = t + 1
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)
    r = judge("nb06_adam_update", t_after)
    assert "step 1 of 3 is the first that differs (the first call, with an empty state)" \
        in r.message
    assert "NaN or inf" in r.message and "Count the step first" in r.message

    def no_correction_after_step_1(w, dw, state, lr, beta1, beta2, eps):
        t = 1     # forgets to count
        m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * dw
        v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * dw * dw
        return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    r = judge("nb06_adam_update", no_correction_after_step_1)
    assert "step 2 of 3" in r.message and "t = 1 on every step" in r.message


def test_adagrad_eps_inside_is_named(judge):
    def inside(w, dw, state, lr, eps):
        state["G"] = state.get("G", 0) + dw ** 2
        return w - lr * dw / np.sqrt(state["G"] + eps)
    r = judge("nb06_adagrad_update", inside)
    assert "case 1" in r.message and "step 1 of 3" in r.message
    assert "eps inside the square root" in r.message


def test_adadelta_ex_before_delta_is_named(judge):
    def ex_first(w, dw, state, lr, rho, eps):
        Eg = state["Eg"] = rho * state.get("Eg", 0) + (1 - rho) * dw ** 2
        Ex = state["Ex"] = rho * state.get("Ex", 0) + (1 - rho) * dw ** 2
        return w - lr * np.sqrt(Ex + eps) / np.sqrt(Eg + eps) * dw
    r = judge("nb06_adadelta_update", ex_first)
    assert r.mistake.name == "steps in the wrong order" and "before Δw exists" in r.message


# --- bad returns ------------------------------------------------------------------------------

def test_float64_state_on_float32_input_is_explained(judge):
    def f64(w, dw, state, lr, beta):
        state.setdefault("v", np.zeros(w.shape))
        state["v"] = beta * state["v"] + dw
        return w - lr * state["v"]
    r = judge("nb06_momentum_update", f64)
    assert "case 3: float32" in r.message
    assert "wrong dtype: expected float32, got float64" in r.message
    assert "np.zeros_like(w)" in r.message

    def numpy_scalar(w, dw, state, lr, beta1, beta2, eps):
        t = state["t"] = state.get("t", 0) + 1
        m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * dw
        v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * dw * dw
        lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)     # a float64 scalar
        return w - lr_t * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2 ** t))
    r = judge("nb06_adam_update", numpy_scalar)
    assert "case 3: float32" in r.message and "math.sqrt" in r.message


def test_bad_returns(judge):
    r = judge("nb06_rmsprop_update", lambda w, dw, state, lr, rho, eps: None)
    assert "forget the `return`" in r.message

    def cs231n_style(w, dw, state, lr, beta):
        v = beta * state.get("v", 0) + dw
        state["v"] = v
        return w - lr * v, state
    r = judge("nb06_momentum_update", cs231n_style)
    assert "returned a tuple of 2 values" in r.message and "Return only the new w" in r.message

    def scales_dw(w, dw, state, lr, eps):
        state["G"] = state.get("G", 0) + dw ** 2
        dw /= np.sqrt(state["G"]) + eps
        return w - lr * dw
    r = judge("nb06_adagrad_update", scales_dw)
    assert "changed its input `dw` in place" in r.message


def test_learner_error_on_a_later_step_names_the_case(judge):
    def breaks_on_step_2(w, dw, state, lr, beta):
        if "v" in state:
            raise KeyError("velocity")
        state["v"] = dw
        return w - lr * dw
    r = judge("nb06_momentum_update", breaks_on_step_2)
    assert r.status == "error" and "KeyError" in r.message
    assert "on case 1: 3 weights, 3 steps, lr=0.2, beta=0.9, step 2 of 3" in r.message
