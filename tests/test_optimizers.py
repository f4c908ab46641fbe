"""Optimizers: three steps on a tiny quadratic against the published update rules, written out
independently here in plain Python floats."""

import math

import numpy as np
import pytest

from nnlib import optimizers as O
from nnlib.layers import Parameter

A = (1.0, 10.0)            # f(w) = ½ (1·w1² + 10·w2²): an elongated bowl, gradient A ⊙ w
W0 = (1.0, 1.0)


def run(opt_cls, steps=3, **hyper):
    p = Parameter(np.array(W0), "w")
    opt = opt_cls([p], **hyper)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        p.add_grad(np.array(A) * p.value)
        opt.step()
        path.append(p.value.copy())
    return path


def reference(rule, steps=3):
    """Apply a scalar update rule coordinate by coordinate; rule(w, g, state) -> w."""
    path, ws, states = [], list(W0), [{}, {}]
    for _ in range(steps):
        ws = [rule(w, a * w, s) for w, a, s in zip(ws, A, states)]
        path.append(ws)
    return path


def sgd(w, g, s, lr=0.1):
    return w - lr * g


def momentum(w, g, s, lr=0.05, beta=0.9):
    s["v"] = beta * s.get("v", 0.0) + g
    return w - lr * s["v"]


def adagrad(w, g, s, lr=0.5, eps=1e-8):
    s["G"] = s.get("G", 0.0) + g * g
    return w - lr * g / (math.sqrt(s["G"]) + eps)


def rmsprop(w, g, s, lr=0.01, rho=0.9, eps=1e-8):
    s["s"] = rho * s.get("s", 0.0) + (1 - rho) * g * g
    return w - lr * g / (math.sqrt(s["s"]) + eps)


def adam(w, g, s, lr=0.1, b1=0.9, b2=0.999, eps=1e-8):
    t = s["t"] = s.get("t", 0) + 1
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    return w - lr * (s["m"] / (1 - b1**t)) / (math.sqrt(s["v"] / (1 - b2**t)) + eps)


def adadelta(w, g, s, lr=1.0, rho=0.9, eps=1e-6):
    s["Eg"] = rho * s.get("Eg", 0.0) + (1 - rho) * g * g
    dx = -math.sqrt(s.get("Ex", 0.0) + eps) / math.sqrt(s["Eg"] + eps) * g
    s["Ex"] = rho * s.get("Ex", 0.0) + (1 - rho) * dx * dx
    return w + lr * dx


CASES = [
    (O.SGD, {"lr": 0.1}, sgd),
    (O.Momentum, {"lr": 0.05, "beta": 0.9}, momentum),
    (O.Adagrad, {"lr": 0.5}, adagrad),
    (O.RMSprop, {"lr": 0.01, "rho": 0.9}, rmsprop),
    (O.Adam, {"lr": 0.1}, adam),
    (O.Adadelta, {"lr": 1.0, "rho": 0.9}, adadelta),
]


@pytest.mark.parametrize("cls,hyper,rule", CASES, ids=[c[0].__name__ for c in CASES])
def test_first_three_steps_match_published_rule(cls, hyper, rule):
    np.testing.assert_allclose(run(cls, **hyper), reference(rule), rtol=1e-12)


def test_adam_first_step_is_lr_sized():
    # With bias correction, Adam's first step moves each coordinate by ≈ lr, whatever the gradient.
    w1 = run(O.Adam, steps=1, lr=0.1)[0]
    np.testing.assert_allclose(np.array(W0) - w1, [0.1, 0.1], rtol=1e-6)


@pytest.mark.parametrize("cls,hyper,rule", CASES, ids=[c[0].__name__ for c in CASES])
def test_float32_stays_float32(cls, hyper, rule):
    p = Parameter(np.array(W0, dtype=np.float32), "w")
    opt = cls([p], **hyper)
    for _ in range(3):
        opt.zero_grad()
        p.add_grad(np.array(A, dtype=np.float32) * p.value)
        opt.step()
    assert p.value.dtype == np.float32
    assert all(a.dtype == np.float32 for a in opt.state[p].values() if isinstance(a, np.ndarray))


@pytest.mark.parametrize("cls,bad", [
    (O.SGD, {"lr": 0}), (O.SGD, {"lr": -1}), (O.Momentum, {"beta": 1.0}),
    (O.Adam, {"beta1": -0.1}), (O.Adam, {"beta2": 1.5}), (O.Adagrad, {"eps": 0}),
    (O.RMSprop, {"rho": 2}), (O.Adadelta, {"eps": -1e-6}),
])
def test_invalid_hyperparameters_say_why(cls, bad):
    with pytest.raises(ValueError, match="invalid"):
        cls([Parameter(np.zeros(2), "w")], **bad)


def test_lookup_by_name():
    p = Parameter(np.zeros(2), "w")
    assert isinstance(O.get_optimizer("adam", [p], lr=0.01), O.Adam)
    with pytest.raises(ValueError, match="adadelta"):
        O.get_optimizer("lbfgs", [p])
    with pytest.raises(ValueError, match="empty"):
        O.SGD([])


@pytest.mark.parametrize("cls,hyper,rule", CASES, ids=[c[0].__name__ for c in CASES])
def test_every_optimizer_reaches_the_bottom_of_the_bowl_and_stays(cls, hyper, rule):
    """Not just "lower than the start": after 500 steps the cost (5.5 at the start, 0 at the
    minimum) stays below 1e-3 for the last 50 steps. A rule that only bounces around the
    minimum, e.g. Adagrad dividing by the last gradient instead of the running sum (a fixed
    step of lr), fails this."""
    path = run(cls, steps=500, **hyper)
    costs = [0.5 * (A[0] * w[0] ** 2 + A[1] * w[1] ** 2) for w in path[-50:]]
    assert max(costs) < 1e-3, f"{cls.__name__}: cost {max(costs):.3g} over the last 50 steps"
