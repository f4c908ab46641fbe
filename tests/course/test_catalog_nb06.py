"""Notebook 06's mistake catalog: realistic wrong update rules, each rejected and named with its
true cause; correct ones written other ways (other libraries' conventions where the exercise
allows them), each accepted; every known mistake named as itself."""

import math

import numpy as np

from .catalog import catalog_tests, check_wrong, says  # noqa: F401
from .conftest import run

IDS = ["nb06_momentum_update", "nb06_adagrad_update", "nb06_rmsprop_update", "nb06_adam_update",
       "nb06_adadelta_update"]


def _z(state, key, w):
    if key not in state:
        state[key] = np.zeros_like(w)
    return state[key]


# --- momentum ---------------------------------------------------------------------------------

def mom(sign=-1, carry=True, ema=False, old=False, lr2=False, inplace_dw=False, new_dict=False,
        tuple_out=False, no_lr=False):
    def update(w, dw, state, lr, beta):
        v = _z(state, "v", w)
        if new_dict:
            state = {"v": v}
        if old:
            w = w - lr * v
        if inplace_dw:
            dw *= 1
            dw += beta * v
            v_new = dw
        else:
            v_new = beta * (v if carry else 0) + (1 - beta if ema else 1) * dw * (lr if lr2 else 1)
        state["v"] = v_new
        if old:
            return w
        out = w + sign * (1 if no_lr else lr) * v_new
        return (out, v_new) if tuple_out else out
    return update


def mom_pytorch_neg(w, dw, state, lr, beta):
    """Velocity holding −lr·v (Sutskever's form; same as v ← βv + dw when lr is constant)."""
    u = state.setdefault("u", np.zeros_like(w))
    u = beta * u - lr * dw
    state["u"] = u
    return w + u


def mom_loop(w, dw, state, lr, beta):
    v = state.get("v")
    if v is None:
        v = np.zeros_like(w)
    v = v.copy()
    flat_v, flat_w, flat_d = v.reshape(-1), w.copy().reshape(-1), dw.reshape(-1)
    for i in range(flat_v.size):
        flat_v[i] = beta * flat_v[i] + flat_d[i]
        flat_w[i] -= lr * flat_v[i]
    state["v"] = v
    return flat_w.reshape(w.shape)


E = "nb06_momentum_update"
WRONG = [
    (E, "sign flipped", mom(sign=+1)),
    (E, "velocity not carried over", mom(carry=False)),
    (E, "velocity not carried over", mom(new_dict=True)),
    (E, "moving average form", mom(ema=True)),
    (E, "old velocity", mom(old=True)),
    (E, "lr twice", mom(lr2=True)),
    (E, "no learning rate", mom(no_lr=True)),
    (E, says("changed its input `dw` in place"), mom(inplace_dw=True)),
    (E, says("returned a tuple"), mom(tuple_out=True)),
]
RIGHT = [
    (E, mom()),
    (E, mom_loop),
    (E, lambda w, dw, state, lr, beta: _mom_in_place(w, dw, state, lr, beta)),
]
# The statement names the state's keys and what they hold (the formula's v): right steps with
# another key, or with lr folded into the velocity, are wrong (named after the steps agree).
WRONG += [
    (E, "state kept under another key", mom_pytorch_neg),
    (E, "lr folded into the velocity", lambda w, dw, state, lr, beta: _folded(w, dw, state, lr,
                                                                              beta, +1)),
    (E, "−lr folded into the velocity", lambda w, dw, state, lr, beta: _folded(w, dw, state, lr,
                                                                               beta, -1)),
    (E, "state kept under another key", lambda w, dw, state, lr, beta: _velocity_key(
        w, dw, state, lr, beta, "velocity")),
]


def _mom_in_place(w, dw, state, lr, beta):
    """w and the state's velocity both updated in place (the statement allows w)."""
    v = state.setdefault("v", np.zeros_like(w))
    v *= beta
    v += dw
    w -= lr * v
    return w


def _folded(w, dw, state, lr, beta, sign):
    """v ← beta·v ± lr·dw, w ∓ v: nnlib's steps, but state["v"] holds ±lr times its velocity."""
    v = beta * state.get("v", np.zeros_like(w)) + sign * lr * dw
    state["v"] = v
    return w - sign * v


def _velocity_key(w, dw, state, lr, beta, key):
    state[key] = beta * state.get(key, np.zeros_like(w)) + dw
    return w - lr * state[key]

# --- Adagrad ----------------------------------------------------------------------------------


def ada(eps_at="out", acc=True, root=True, old=False, sign=-1, abs_g=False, f64=False):
    def update(w, dw, state, lr, eps):
        G = _z(state, "G", w)
        G_new = (G if acc else 0) + (np.abs(dw) if abs_g else dw * dw)
        s = G if old else G_new
        state["G"] = G_new
        if not root:
            den = s + eps
        elif eps_at == "in":
            den = np.sqrt(s + eps)
        else:
            den = np.sqrt(s) + (eps if eps_at == "out" else 0)
        out = w + sign * lr * dw / den
        return out.astype(np.float64) if f64 else out
    return update


def ada_inplace_state(w, dw, state, lr, eps):
    state.setdefault("G", np.zeros_like(w))
    state["G"] += dw ** 2
    return w - lr * dw / (state["G"] ** 0.5 + eps)


def ada_loop(w, dw, state, lr, eps):
    G = state.get("G", np.zeros_like(w)).copy()
    new = w.copy()
    for idx in np.ndindex(w.shape):
        G[idx] += dw[idx] * dw[idx]
        new[idx] = w[idx] - lr * dw[idx] / (math.sqrt(G[idx]) + eps)
    state["G"] = G
    return new


E = "nb06_adagrad_update"
WRONG += [
    (E, "no epsilon", ada(eps_at="none")),
    (E, "epsilon inside the root", ada(eps_at="in")),
    (E, "not accumulated", ada(acc=False)),
    (E, "no square root", ada(root=False)),
    (E, "old G", ada(old=True)),
    (E, "sign flipped", ada(sign=+1)),
    (E, "|dw| accumulated instead of dw²", ada(abs_g=True)),
    (E, says("float64"), ada(f64=True)),
]
def ada_w_in_place(w, dw, state, lr, eps):
    """w updated in place and returned: the statement allows it (nnlib's optimizers do it)."""
    G = state["G"] = state.get("G", 0) + dw ** 2
    w -= lr * dw / (np.sqrt(G) + eps)
    return w


def ada_squares_dw_in_place(w, dw, state, lr, eps):
    dw **= 2                                        # the gradient itself is squared
    G = state["G"] = state.get("G", 0) + dw
    return w - lr * np.sqrt(dw) / (np.sqrt(G) + eps)


WRONG += [(E, says("changed its input `dw` in place"), ada_squares_dw_in_place)]
RIGHT += [
    (E, ada()),
    (E, ada_inplace_state),
    (E, ada_loop),
    (E, ada_w_in_place),
]

# --- RMSprop ----------------------------------------------------------------------------------


def rms(eps_at="out", one_minus=True, swapped=False, carry=True, sign=-1, no_sq=False):
    def update(w, dw, state, lr, rho, eps):
        s = _z(state, "s", w)
        keep, new = (1 - rho, rho) if swapped else (rho, (1 - rho) if one_minus else 1)
        s_new = keep * (s if carry else 0) + new * (dw if no_sq else dw * dw)
        state["s"] = s_new
        if eps_at == "in":
            return w + sign * lr * dw / np.sqrt(s_new + eps)
        if no_sq:
            return w + sign * lr * dw / (np.sqrt(np.abs(s_new)) + eps)
        return w + sign * lr * dw / (np.sqrt(s_new) + (eps if eps_at == "out" else 0))
    return update


def rms_keras_style(w, dw, state, lr, rho, eps):
    s = state["s"] = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * np.square(dw)
    return w - lr * dw / (np.sqrt(s) + eps)


def rms_lerp(w, dw, state, lr, rho, eps):
    s = state.get("s", np.zeros_like(w))
    s = s + (1 - rho) * (dw ** 2 - s)                # s ← s + (1 − ρ)(dw² − s)
    state["s"] = s
    return w - lr / (np.sqrt(s) + eps) * dw


E = "nb06_rmsprop_update"
WRONG += [
    (E, "no (1 − rho)", rms(one_minus=False)),
    (E, "rho swapped", rms(swapped=True)),
    (E, "average not carried over", rms(carry=False)),
    (E, "no epsilon", rms(eps_at="none")),
    (E, "epsilon inside the root", rms(eps_at="in")),
    (E, "sign flipped", rms(sign=+1)),
    (E, "dw averaged instead of dw²", rms(no_sq=True)),
    (E, "Adagrad's sum (no decay)",
     lambda w, dw, state, lr, rho, eps: ada()(w, dw, state, lr, eps)),
]
RIGHT += [
    (E, rms()),
    (E, rms_keras_style),
    (E, rms_lerp),
]

# --- Adam -------------------------------------------------------------------------------------


def adam(correct=True, t_mode="before", swap_betas=False, swap_mv=False, eps_at="out", sign=-1,
         no_sqrt=False, t_start=0, carry=True, only_m=False, only_v=False, corrected_state=False):
    def update(w, dw, state, lr, b1, b2, eps):
        m, v = _z(state, "m", w), _z(state, "v", w)
        t = state.get("t", t_start)
        if t_mode == "before":
            t += 1
        elif t_mode == "stuck":
            t = 1
        B1, B2 = (b2, b1) if swap_betas else (b1, b2)
        m = B1 * (m if carry else 0) + (1 - B1) * dw
        v = B2 * (v if carry else 0) + (1 - B2) * dw * dw
        mh = m / (1 - b1 ** t) if correct and not only_v else m
        vh = v / (1 - b2 ** t) if correct and not only_m else v
        if corrected_state:
            m, v = mh, vh
        state.update(m=m, v=v, t=t + 1 if t_mode == "after" else t)
        if swap_mv:
            mh, vh = vh, mh
        root = vh if no_sqrt else np.sqrt(vh + (eps if eps_at == "in" else 0))
        return w + sign * lr * mh / (root + (eps if eps_at == "out" else 0))
    return update


def adam_efficient(w, dw, state, lr, b1, b2, eps):
    """The Adam paper's 'efficient' ordering (Kingma & Ba, section 2), as tf.keras writes it:
    α_t = α·√(1 − β₂ᵗ)/(1 − β₁ᵗ), w ← w − α_t·m / (√v + ε̂) with ε̂ = ε."""
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = b1 * state.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = state["v"] = b2 * state.get("v", np.zeros_like(w)) + (1 - b2) * dw * dw
    lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    return w - lr_t * m / (np.sqrt(v) + eps)


def adam_efficient_eps_hat(w, dw, state, lr, b1, b2, eps):
    """The efficient form with ε̂ = ε·√(1 − β₂ᵗ): exactly the course's update, rearranged."""
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = b1 * state.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = state["v"] = b2 * state.get("v", np.zeros_like(w)) + (1 - b2) * dw * dw
    c2 = math.sqrt(1 - b2 ** t)
    return (w - lr * c2 / (1 - b1 ** t) * m / (np.sqrt(v) + eps * c2)).astype(w.dtype)


def adam_t_list(w, dw, state, lr, b1, b2, eps):
    state.setdefault("m", np.zeros_like(w))
    state.setdefault("v", np.zeros_like(w))
    state["t"] = state.get("t", 0) + 1
    state["m"] = b1 * state["m"] + (1 - b1) * dw
    state["v"] = b2 * state["v"] + (1 - b2) * dw ** 2
    m_hat = state["m"] / (1 - b1 ** state["t"])
    v_hat = state["v"] / (1 - b2 ** state["t"])
    return w - lr * m_hat / (v_hat ** 0.5 + eps)


def adam_lerp(w, dw, state, lr, b1, b2, eps):
    m = state.get("m", np.zeros_like(w))
    v = state.get("v", np.zeros_like(w))
    t = len(state.get("history", [])) + 1
    m = m + (1 - b1) * (dw - m)
    v = v + (1 - b2) * (dw * dw - v)
    state.update(m=m, v=v, history=state.get("history", []) + [t])
    return w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)


def adam_betas_swapped_everywhere(w, dw, state, lr, beta1, beta2, eps):
    """Both betas swapped, in the averages and in the bias correction (as a learner who
    mixed the two names up writes it)."""
    return adam()(w, dw, state, lr, beta2, beta1, eps)


E = "nb06_adam_update"
WRONG += [
    (E, "state kept under another key", adam_lerp),     # the step count is not in state["t"]
    (E, "betas swapped", adam_betas_swapped_everywhere),
    (E, "no bias correction", adam(correct=False)),
    (E, "t counted after use", adam(t_mode="after")),
    (E, "t not counted", adam(t_mode="stuck")),
    (E, "betas swapped", adam(swap_betas=True)),
    (E, "m and v swapped", adam(swap_mv=True)),
    (E, "no epsilon", adam(eps_at="none")),
    (E, "epsilon inside the root", adam(eps_at="in")),
    (E, "sign flipped", adam(sign=+1)),
    (E, "no square root of v̂", adam(no_sqrt=True)),
    (E, "step count off by one (t starts at 1)", adam(t_start=1)),
    (E, "bias-corrected m̂, v̂ kept in the state", adam(corrected_state=True)),
    (E, "only m bias-corrected", adam(only_m=True)),
    (E, "m and v not carried over", adam(carry=False)),
    (E, "the paper's efficient form (ε not rescaled)", adam_efficient),
]
RIGHT += [
    (E, adam()),
    (E, adam_t_list),
    (E, adam_efficient_eps_hat),
]

# --- Adadelta ---------------------------------------------------------------------------------


def dd(num="x", old_Eg=False, Ex_from="delta", eps_at="in", use_lr=True, sign=+1, carry=True):
    def update(w, dw, state, lr, rho, eps):
        Eg, Ex = _z(state, "Eg", w), _z(state, "Ex", w)
        Eg_new = rho * (Eg if carry else 0) + (1 - rho) * dw * dw
        g = Eg if old_Eg else Eg_new
        if eps_at == "in":
            rg, rx = np.sqrt(g + eps), np.sqrt(Ex + eps)
        elif eps_at == "out":
            rg, rx = np.sqrt(g) + eps, np.sqrt(Ex) + eps
        else:
            rg, rx = np.sqrt(g + eps), np.sqrt(Ex)
        delta = -(rx if num == "x" else lr) / rg * dw
        if Ex_from == "delta":
            Ex = rho * Ex + (1 - rho) * delta * delta
        else:
            Ex = rho * Ex + (1 - rho) * dw * dw
        state.update(Eg=Eg_new, Ex=Ex)
        return w + sign * delta * (lr if use_lr and num == "x" else 1)
    return update


def dd_loop(w, dw, state, lr, rho, eps):
    Eg = state.setdefault("Eg", np.zeros_like(w))
    Ex = state.setdefault("Ex", np.zeros_like(w))
    new = w.copy()
    for i in np.ndindex(w.shape):
        Eg[i] = rho * Eg[i] + (1 - rho) * dw[i] ** 2
        step = -math.sqrt(Ex[i] + eps) / math.sqrt(Eg[i] + eps) * dw[i]
        Ex[i] = rho * Ex[i] + (1 - rho) * step ** 2
        new[i] = w[i] + lr * step
    return new


def dd_rms_names(w, dw, state, lr, rho, eps):
    def rms(x):
        return np.sqrt(x + eps)
    state["Eg"] = rho * state.get("Eg", 0 * w) + (1 - rho) * dw ** 2
    delta = rms(state.get("Ex", 0 * w)) / rms(state["Eg"]) * dw
    state["Ex"] = rho * state.get("Ex", 0 * w) + (1 - rho) * delta ** 2
    return w - lr * delta


E = "nb06_adadelta_update"
WRONG += [
    (E, "lr instead of the RMS of updates", dd(num="lr")),
    (E, "no epsilon inside the numerator's root", dd(eps_at="none")),
    (E, "epsilon outside the roots", dd(eps_at="out")),
    (E, "steps in the wrong order", dd(old_Eg=True)),
    (E, "Ex averages dw²", dd(Ex_from="dw")),
    (E, "sign flipped", dd(sign=-1)),
    (E, "lr ignored", dd(use_lr=False)),
    (E, "Eg not carried over", dd(carry=False)),
]
RIGHT += [
    (E, dd()),
    (E, dd_loop),
    (E, dd_rms_names),
]


def test_swapped_betas_are_not_blamed_on_the_state():
    r = run("nb06_adam_update", adam_betas_swapped_everywhere)
    assert r.mistake.name == "betas swapped" and "not carried over" not in r.message


def test_efficient_adam_is_told_the_convention():
    r = run("nb06_adam_update", adam_efficient)
    assert not r.passed and "ε" in r.mistake.hint and "convention" in r.mistake.hint


# --- general slips (written for this catalog, not from the held-out samples) ----------------------

def _mom_beta_on_dw(w, dw, state, lr, beta):
    state["v"] = state.get("v", np.zeros_like(w)) + beta * dw
    return w - lr * state["v"]


def _mom_nesterov(w, dw, state, lr, beta):
    v = beta * state.get("v", np.zeros_like(w)) + dw
    state["v"] = v
    return w - lr * dw - lr * beta * v


def _mom_float64_state(w, dw, state, lr, beta):
    v = beta * state.get("v", np.zeros(w.shape)) + dw
    state["v"] = v
    return w - lr * v


def _ada_abs_sum(w, dw, state, lr, eps):
    state["G"] = state.get("G", np.zeros_like(w)) + dw
    return w - lr * dw / (np.abs(state["G"]) ** 0.5 + eps)


def _ada_scalar_G(w, dw, state, lr, eps):
    state["G"] = state.get("G", 0.0) + (dw ** 2).sum()
    return w - lr * dw / (math.sqrt(state["G"]) + eps)


def _rms_corrected(w, dw, state, lr, rho, eps):
    state["t"] = state.get("t", 0) + 1
    state["s"] = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * dw ** 2
    return w - lr * dw / ((state["s"] / (1 - rho ** state["t"])) ** 0.5 + eps)


def _rms_no_root(w, dw, state, lr, rho, eps):
    state["s"] = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * dw ** 2
    return w - lr * dw / (state["s"] + eps)


def _adam_m_sum(w, dw, state, lr, b1, b2, eps):
    t = state["t"] = state.get("t", 0) + 1
    state["m"] = b1 * state.get("m", np.zeros_like(w)) + dw
    state["v"] = b2 * state.get("v", np.zeros_like(w)) + (1 - b2) * dw ** 2
    return w - lr * (state["m"] / (1 - b1 ** t)) / (np.sqrt(state["v"] / (1 - b2 ** t)) + eps)


def _adadelta_upside_down(w, dw, state, lr, rho, eps):
    Eg = state["Eg"] = rho * state.get("Eg", np.zeros_like(w)) + (1 - rho) * dw ** 2
    Ex = state.get("Ex", np.zeros_like(w))
    delta = -np.sqrt((Eg + eps) / (Ex + eps)) * dw
    state["Ex"] = rho * Ex + (1 - rho) * delta ** 2
    return w + lr * delta


WRONG += [
    ("nb06_momentum_update", "beta on the gradient", _mom_beta_on_dw),
    ("nb06_momentum_update", "Nesterov's look-ahead", _mom_nesterov),
    ("nb06_momentum_update", "float64 result for float32 weights", _mom_float64_state),
    ("nb06_adagrad_update", "gradients not squared", _ada_abs_sum),
    ("nb06_adagrad_update", "one G for all weights", _ada_scalar_G),
    ("nb06_rmsprop_update", "Adam's bias correction added", _rms_corrected),
    ("nb06_rmsprop_update", "no square root", _rms_no_root),
    ("nb06_adam_update", "(1 − β₁) factor missing in m", _adam_m_sum),
    ("nb06_adadelta_update", "ratio upside down", _adadelta_upside_down),
]

# --- written other ways (samples3's families: other frameworks' starts and variants) ---------

def _adagrad_keras(w, dw, state, lr=0.01, eps=1e-8):
    if "G" not in state:
        state["G"] = np.full_like(w, 0.1)
    state["G"] = state["G"] + dw ** 2
    return w - lr * dw / (np.sqrt(state["G"]) + eps)


def _rmsprop_first(w, dw, state, lr=0.001, rho=0.9, eps=1e-8):
    if "s" not in state:
        state["s"] = dw ** 2
    else:
        state["s"] = rho * state["s"] + (1 - rho) * dw ** 2
    return w - lr * dw / (np.sqrt(state["s"]) + eps)


def _rmsprop_centered(w, dw, state, lr=0.001, rho=0.9, eps=1e-8):
    if "s" not in state:
        state["s"], state["g"] = np.zeros_like(w), np.zeros_like(w)
    state["s"] = rho * state["s"] + (1 - rho) * dw ** 2
    state["g"] = rho * state["g"] + (1 - rho) * dw
    return w - lr * dw / (np.sqrt(state["s"] - state["g"] ** 2) + eps)


def _adam_corr(w, dw, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, c_m=1, c_v=2):
    if not state:
        state.update(t=0, m=np.zeros_like(w), v=np.zeros_like(w))
    state["t"] += 1
    t = state["t"]
    state["m"] = beta1 * state["m"] + (1 - beta1) * dw
    state["v"] = beta2 * state["v"] + (1 - beta2) * dw ** 2
    betas = {1: beta1, 2: beta2}
    m_hat = state["m"] / (1 - betas[c_m] ** t)
    v_hat = state["v"] / (1 - betas[c_v] ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps)


WRONG += [
    ("nb06_adagrad_update", "G started above 0", _adagrad_keras),
    ("nb06_rmsprop_update", "s started at the first dw²", _rmsprop_first),
    ("nb06_rmsprop_update", "centred RMSprop", _rmsprop_centered),
    ("nb06_adam_update", "bias corrections mixed up",
     lambda w, dw, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8:
     _adam_corr(w, dw, state, lr, beta1, beta2, eps, c_v=1)),
    ("nb06_adam_update", "bias corrections mixed up",
     lambda w, dw, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8:
     _adam_corr(w, dw, state, lr, beta1, beta2, eps, c_m=2, c_v=1)),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT, unnamed_messages=False))


# --- Adadelta's epsilon placements and state order, RMSprop's |dw| (a family each) ------------------

def dd_rule(num=lambda Ex, eps: np.sqrt(Ex + eps), den=lambda Eg, eps: np.sqrt(Eg + eps),
            lr_in_Ex=False, keep_g=None, keep_x=None, ex_fresh=False, ex_sum=False):
    def update(w, dw, state, lr, rho, eps):
        kg = rho if keep_g is None else keep_g(rho)
        kx = rho if keep_x is None else keep_x(rho)
        Eg = kg * state.get("Eg", np.zeros_like(w)) + (1 - kg) * np.square(dw)
        Ex = np.zeros_like(w) if ex_fresh else state.get("Ex", np.zeros_like(w))
        dx = -num(Ex, eps) / den(Eg, eps) * dw
        upd = lr * dx if lr_in_Ex else dx
        Ex = kx * Ex + (1 if ex_sum else 1 - kx) * upd ** 2
        state["Eg"], state["Ex"] = Eg, Ex
        return w + lr * dx
    return update


def rms_abs(w, dw, state, lr, rho, eps):
    state["s"] = rho * state.get("s", np.zeros_like(w)) + (1 - rho) * abs(dw)
    return w - lr * dw / (state["s"] ** 0.5 + eps)


E = "nb06_adadelta_update"
WRONG += [
    (E, "lr inside the update that Ex averages", dd_rule(lr_in_Ex=True)),
    (E, "no square roots", dd_rule(num=lambda x, e: x + e, den=lambda x, e: x + e)),
    (E, "no square root in the denominator", dd_rule(den=lambda x, e: x + e)),
    (E, "epsilon outside the denominator's root", dd_rule(den=lambda x, e: np.sqrt(x) + e)),
    (E, "no epsilon inside the numerator's root", dd_rule(num=lambda x, e: x ** 0.5 + e)),
    (E, "no epsilon in the denominator", dd_rule(den=lambda x, e: np.sqrt(x))),
    (E, "rho swapped", dd_rule(keep_g=lambda r: 1 - r)),
    (E, "rho swapped", dd_rule(keep_x=lambda r: 1 - r)),
    (E, "Ex not carried over", dd_rule(ex_fresh=True)),
    (E, "(1 − ρ) factor missing in Ex", dd_rule(ex_sum=True)),
    ("nb06_rmsprop_update", "|dw| averaged instead of dw²", rms_abs),
]
RIGHT += [
    (E, dd_rule(num=lambda x, e: np.sqrt((x + e) / 1.0))),
]

def adam_slip(v_sum=False, times=False, only_v=False):
    def update(w, dw, state, lr, b1, b2, eps):
        t = state["t"] = state.get("t", 0) + 1
        m = state["m"] = b1 * state.get("m", np.zeros_like(w)) + (1 - b1) * dw
        v = state["v"] = b2 * state.get("v", np.zeros_like(w)) + (1 if v_sum else 1 - b2) * dw ** 2
        m_hat = m if only_v else m / ((1 - b1 * t) if times else (1 - b1 ** t))
        v_hat = v / ((1 - b2 * t) if times else (1 - b2 ** t))
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return update


WRONG += [
    ("nb06_adam_update", "(1 − β₂) factor missing in v", adam_slip(v_sum=True)),
    ("nb06_adam_update", "1 − β·t instead of 1 − βᵗ", adam_slip(times=True)),
    ("nb06_adam_update", "only v bias-corrected", adam_slip(only_v=True)),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT, unnamed_messages=False))
