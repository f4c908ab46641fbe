"""Notebook 07's mistake catalog: realistic wrong answers, each rejected and named with its true
cause; correct answers written other ways, each accepted; every known mistake named as itself."""

import numpy as np

from nnlib import losses

from .catalog import catalog_tests, check_wrong, says  # noqa: F401

IDS = ["nb07_train_ssr", "nb07_dead_units", "nb07_he_init"]


def loop(zero_grad=True, after=False, grad=losses.ssr_grad, backward=True, cost=losses.ssr,
         sign=-1, skip_b=False, one_step=False):
    def train_ssr(network, X, y, lr, epochs):
        history = []
        for _ in range(epochs):
            y_hat = network.forward(X)
            if zero_grad:
                network.zero_grad()
            if backward:
                network.backward(grad(y, y_hat))
            for p in network.parameters():
                if skip_b and p.value.ndim == 1:
                    continue
                p.value += sign * lr * p.grad
            history.append(float(cost(y, network.forward(X) if after else y_hat)))
            if one_step:
                return history[0]
        return history
    return train_ssr


def _train_forward_once(network, X, y, lr, epochs):
    y_hat, costs = network.forward(X), []
    for _ in range(epochs):
        network.zero_grad()
        network.backward(losses.ssr_grad(y, y_hat))
        for p in network.parameters():
            p.value = p.value - lr * p.grad
        costs.append(float(losses.ssr(y, y_hat)))
    return costs


def train_ssr_explicit(network, X, y, lr, epochs):
    costs = []
    for epoch in range(epochs):
        network.zero_grad()
        y_hat = network.forward(X)
        costs.append(float(np.sum((y_hat - y) ** 2)))
        network.backward(2 * (y_hat - y))
        for p in network.parameters():
            p.value = p.value - lr * p.grad
    return costs


def train_ssr_while(network, X, y, lr, epochs):
    out, k = [], 0
    while k < epochs:
        y_hat = network.forward(X)
        out.append(losses.ssr(y, y_hat))
        network.zero_grad()
        network.backward(losses.ssr_grad(y, y_hat))
        for p in network.parameters():
            np.subtract(p.value, lr * p.grad, out=p.value)
        k += 1
    return out


E = "nb07_train_ssr"
WRONG = [
    (E, "no zero_grad", loop(zero_grad=False)),
    (E, "cost recorded after the update", loop(after=True)),
    (E, "MSE gradient", loop(grad=losses.mse_grad)),
    (E, "MSE recorded", loop(cost=losses.mse)),
    (E, "no backward pass", loop(backward=False)),
    (E, "forward pass once, before the loop", _train_forward_once),
    (E, "gradient ascent", loop(sign=+1)),
    (E, "biases never updated", loop(skip_b=True)),
    (E, "the 2 of the square forgotten", loop(grad=lambda y, y_hat: y_hat - y)),
    (E, "one number, not the list", loop(one_step=True)),
    (E, "an array, not a list", lambda *a: np.array(train_ssr_while(*a))),
    (E, "an array, not a list", lambda *a: np.asarray(loop()(*a), dtype=np.float32)),
]
RIGHT = [
    (E, loop()),
    (E, train_ssr_explicit),
    (E, train_ssr_while),
]

# --- dead_units -------------------------------------------------------------------------------

E = "nb07_dead_units"
WRONG += [
    (E, "zero entries counted", lambda A: int(np.sum(A == 0))),
    (E, "any zero instead of all zero", lambda A: int(np.sum(np.any(A == 0, axis=0)))),
    (E, "wrong axis", lambda A: int(np.sum(np.all(A == 0, axis=1)))),
    (E, "live units counted", lambda A: int(np.sum(np.any(A != 0, axis=0)))),
    (E, "fraction", lambda A: float(np.mean(np.all(A == 0, axis=0)))),
    (E, "mask not counted", lambda A: np.all(A == 0, axis=0)),
    (E, "a float count", lambda A: np.all(A == 0, axis=0).sum() / 1.0),
    (E, "a float count", lambda A: float(np.count_nonzero((A == 0).all(axis=0)))),
    (E, "a float count", lambda A: np.float32(sum(1 for j in range(A.shape[1]) if not A[:, j].any()))),
    (E, "small activations counted as dead", lambda A: int(np.sum(np.all(A < 0.1, axis=0)))),
    (E, "small activations counted as dead", lambda A: int(np.sum(A.max(axis=0) < 0.5))),
    (E, "wrong axis",
     lambda A: int(np.sum(A.mean(axis=1) == 0))),
    # a ReLU is never negative: the count is always 0 (once told it counted rows)
    (E, "no dead unit ever found", lambda A: int(np.count_nonzero(np.all(A < 0, axis=0)))),
    (E, "no dead unit ever found", lambda A: int(np.sum((A < 0).all(axis=0)))),
    (E, "no dead unit ever found", lambda A: np.all(A == 0)),
    (E, "no dead unit ever found", lambda A: int(np.sum(np.all(A == 0)))),
    (E, "len of np.where's tuple", lambda A: len(np.where((A == 0).all(axis=0)))),
]
RIGHT += [
    (E, lambda A: int(np.sum(np.all(A == 0, axis=0)))),
    (E, lambda A: int((A.max(axis=0) <= 0).sum())),
    (E, lambda A: sum(1 for j in range(A.shape[1]) if not A[:, j].any())),
    (E, lambda A: A.shape[1] - np.count_nonzero(np.abs(A).sum(axis=0))),
]

# --- he_init ----------------------------------------------------------------------------------

E = "nb07_he_init"
WRONG += [
    (E, "√(1/fan_in)", lambda shape, rng: rng.standard_normal(shape) * np.sqrt(1 / shape[0])),
    (E, "Xavier", lambda shape, rng: rng.standard_normal(shape) * np.sqrt(2 / sum(shape))),
    (E, "fan_out", lambda shape, rng: rng.standard_normal(shape) * np.sqrt(2 / shape[1])),
    (E, "variance as std", lambda shape, rng: rng.standard_normal(shape) * 2 / shape[0]),
    (E, "std 1", lambda shape, rng: rng.standard_normal(shape)),
    (E, "np.random", lambda shape, rng: np.random.standard_normal(shape) * np.sqrt(2 / shape[0])),
    (E, "own generator", lambda shape, rng: np.random.default_rng(0).standard_normal(shape)
     * np.sqrt(2 / shape[0])),
    (E, "uniform limit",
     lambda shape, rng: rng.uniform(-np.sqrt(2 / shape[0]), np.sqrt(2 / shape[0]), shape)),
    (E, says("not centred on 0"),
     lambda shape, rng: rng.random(shape) * np.sqrt(2 / shape[0]) * np.sqrt(12)),
]
RIGHT += [
    (E, lambda shape, rng: rng.standard_normal(shape) * np.sqrt(2 / shape[0])),
    (E, lambda shape, rng: rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)),
    (E, lambda shape, rng: rng.uniform(-np.sqrt(6 / shape[0]), np.sqrt(6 / shape[0]), shape)),
]


# --- general slips (written for this catalog, not from the held-out samples) ----------------------

def _train_mean_gradient(network, X, y, lr, epochs):
    history = []
    for _ in range(epochs):
        y_hat = network.forward(X)
        history.append(float(((y_hat - y) ** 2).sum()))
        network.zero_grad()
        network.backward(2 * (y_hat - y) / X.shape[0])
        for p in network.parameters():
            p.value -= lr * p.grad
    return history


def _train_final_cost_too(network, X, y, lr, epochs):
    history = loop()(network, X, y, lr, epochs)
    history.append(float(losses.ssr(y, network.forward(X))))
    return history


WRONG += [
    ("nb07_train_ssr", "gradient divided by N", _train_mean_gradient),
    ("nb07_train_ssr", "one cost too many", _train_final_cost_too),
    ("nb07_dead_units", "small activations counted as dead",
     lambda A: int((np.abs(A).max(axis=0) <= 1e-3).sum())),
    ("nb07_he_init", "√2 / fan_in (precedence)",
     lambda shape, rng: rng.standard_normal(shape) * np.sqrt(2) / shape[0]),
    ("nb07_he_init", "float32 weights",
     lambda shape, rng: rng.standard_normal(shape, dtype=np.float32) * np.float32(
         (2 / shape[0]) ** 0.5)),
]

# --- written other ways (samples3's families) -------------------------------------------------

def _train_short(network, X, y, lr, epochs):
    history = []
    for _ in range(1, epochs):
        y_hat = network.forward(X)
        history.append(losses.ssr(y, y_hat))
        network.zero_grad()
        network.backward(losses.ssr_grad(y, y_hat))
        for p in network.parameters():
            p.value -= lr * p.grad
    return history


WRONG += [
    ("nb07_train_ssr", "one epoch too few", _train_short),
    ("nb07_he_init", "shape (fan_out, fan_in)",
     lambda shape, rng: rng.standard_normal((shape[1], shape[0])) * np.sqrt(2 / shape[0])),
    ("nb07_he_init", "shape (fan_out, fan_in)",
     lambda shape, rng: rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=tuple(reversed(shape)))),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT, unnamed_messages=False))
