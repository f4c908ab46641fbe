"""Notebook 02's mistake catalog: realistic wrong answers, each rejected and named with its true
cause; correct answers written other ways, each accepted; every known mistake named as itself."""

import math

import numpy as np
import scipy.special

from .catalog import catalog_tests, check_wrong, says  # noqa: F401

IDS = ["nb02_weighted_sum", "nb02_sigmoid", "nb02_neuron"]


# --- weighted_sum ------------------------------------------------------------------------------

def _ws_zeros_loop(X, w, b):
    z = np.zeros(len(X))
    for n in range(len(X)):
        z[n] = np.dot(X[n], w) + b
    return z


def _ws_loop(X, w, b):
    z = np.empty(len(X), dtype=np.result_type(X, w))
    for n in range(X.shape[0]):
        total = b
        for i in range(X.shape[1]):
            total += X[n, i] * w[i]
        z[n] = total
    return z


WRONG = [
    ("nb02_weighted_sum", "bias forgotten", lambda X, w, b: X @ w),
    ("nb02_weighted_sum", "bias forgotten", lambda X, w, b: np.dot(X, w)),
    ("nb02_weighted_sum", "products not summed", lambda X, w, b: X * w + b),
    ("nb02_weighted_sum", "summed over the batch axis", lambda X, w, b: np.sum(X * w, axis=0) + b),
    ("nb02_weighted_sum", "summed over everything", lambda X, w, b: np.sum(X * w) + b),
    ("nb02_weighted_sum", "order of X and w", lambda X, w, b: w @ X + b),
    ("nb02_weighted_sum", "bias added to every product", lambda X, w, b: (X * w + b).sum(axis=1)),
    ("nb02_weighted_sum", "column (N, 1) returned", lambda X, w, b: X @ w.reshape(-1, 1) + b),
    ("nb02_weighted_sum", "bias subtracted", lambda X, w, b: X @ w - b),
    ("nb02_weighted_sum", "float64 result for float32 inputs", _ws_zeros_loop),
    ("nb02_weighted_sum", "a list, not an array",
     lambda X, w, b: [float(x @ w + b) for x in X]),
]

RIGHT = [
    ("nb02_weighted_sum", lambda X, w, b: np.dot(X, w) + b),
    ("nb02_weighted_sum", lambda X, w, b: np.dot(w.T, X.T) + b),
    ("nb02_weighted_sum", lambda X, w, b: np.einsum("nd,d->n", X, w) + b),
    ("nb02_weighted_sum", lambda X, w, b: (X * w).sum(axis=1) + b),
    ("nb02_weighted_sum", _ws_loop),
]


# --- sigmoid -----------------------------------------------------------------------------------

def _sigmoid_errstate(z):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def _sigmoid_math(z):
    return 1 / (1 + math.exp(-z))


def _sigmoid_math_loop(z):
    return np.array([1 / (1 + math.exp(-v)) for v in z.ravel()]).reshape(z.shape).astype(z.dtype)


def _sigmoid_in_place(z):
    e = np.exp(-np.abs(z))
    z[:] = np.where(z < 0, e / (1 + e), 1 / (1 + e))
    return z


def _sigmoid_masks(z):
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out


def _sigmoid_float64_stable(z):
    z = z.astype(np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_abs_wrong(z):
    """Stable on paper, but 1 / (1 + e^-|z|) for every z: σ(|z|)."""
    return 1 / (1 + np.exp(-np.abs(z)))


WRONG += [
    ("nb02_sigmoid", "sign of the exponent flipped", lambda z: 1 / (1 + np.exp(z))),
    ("nb02_sigmoid", "tanh instead of sigmoid", lambda z: np.tanh(z)),
    ("nb02_sigmoid", "operator precedence", lambda z: 1 / 1 + np.exp(-z)),
    ("nb02_sigmoid", "minus in the denominator", lambda z: 1 / (1 - np.exp(-z))),
    ("nb02_sigmoid", "naive formula overflows", lambda z: 1 / (1 + np.exp(-z))),
    ("nb02_sigmoid", "exp(z) / (1 + exp(z)) gives NaN", lambda z: np.exp(z) / (1 + np.exp(z))),
    # clipped at ±500: float32's exp(100) still overflows (and warns)
    ("nb02_sigmoid", "naive formula overflows",
     lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500)))),
    ("nb02_sigmoid", "z clipped", lambda z: 1 / (1 + np.exp(-np.clip(z, -20, 20)))),
    ("nb02_sigmoid", "z clipped", lambda z: 1 / (1 + np.exp(-np.clip(z, -10, 10)))),
    # np.where computes both forms everywhere: the unsafe one overflows and warns
    ("nb02_sigmoid", "naive formula overflows",
     lambda z: np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))),
    ("nb02_sigmoid", "float64 result", _sigmoid_float64_stable),
    ("nb02_sigmoid", "σ(|z|): the sign of z lost", _sigmoid_abs_wrong),
    ("nb02_sigmoid", "math on an array", _sigmoid_math),
    ("nb02_sigmoid", says("OverflowError"), _sigmoid_math_loop),
    ("nb02_sigmoid", says("changed its input `z` in place"), _sigmoid_in_place),
]

RIGHT += [
    ("nb02_sigmoid", _sigmoid_masks),
    ("nb02_sigmoid", lambda z: np.exp(z - np.logaddexp(0, z)).astype(z.dtype)),
    ("nb02_sigmoid", lambda z: np.exp(-np.logaddexp(0, -z)).astype(z.dtype)),
    # the statement asks for no overflow warning and no NaN, not relative accuracy at 1e-300:
    # these give 0 for σ(-740) ≈ 4.2e-322 and are right
    ("nb02_sigmoid", lambda z: 0.5 * (1 + np.tanh(z / 2))),
    ("nb02_sigmoid", lambda z: scipy.special.expit(z)),
    ("nb02_sigmoid", lambda z: 1 / (1 + np.exp(-np.clip(z, -30, 30)))),
    ("nb02_sigmoid", _sigmoid_errstate),    # warning silenced: scipy's values, none emitted
    ("nb02_sigmoid", lambda z: np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))),
                                        np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))),
]


# --- neuron ------------------------------------------------------------------------------------

def _sig(z):
    return 1 / (1 + np.exp(-z))


def _neuron_zeros_loop(X, w, b):
    a = np.zeros(len(X))
    for n in range(len(X)):
        a[n] = _sig(X[n] @ w + b)
    return a


WRONG += [
    ("nb02_neuron", "activation forgotten", lambda X, w, b: X @ w + b),
    ("nb02_neuron", "bias outside the sigmoid", lambda X, w, b: _sig(X @ w) + b),
    ("nb02_neuron", "sigmoid of each product", lambda X, w, b: _sig(X * w).sum(axis=1) + b),
    ("nb02_neuron", "sigmoid of the inputs", lambda X, w, b: _sig(X) @ w + b),
    ("nb02_neuron", "step instead of sigmoid", lambda X, w, b: np.where(X @ w + b >= 0, 1.0, 0.0)),
    ("nb02_neuron", "ReLU instead of sigmoid", lambda X, w, b: np.maximum(0, X @ w + b)),
    ("nb02_neuron", "tanh instead of sigmoid", lambda X, w, b: np.tanh(X @ w + b)),
    ("nb02_neuron", "sign of the exponent flipped", lambda X, w, b: 1 / (1 + np.exp(X @ w + b))),
    ("nb02_neuron", "bias subtracted", lambda X, w, b: _sig(X @ w - b)),
    ("nb02_neuron", "float64 result for float32 inputs", _neuron_zeros_loop),
    ("nb02_neuron", "math on an array", lambda X, w, b: 1 / (1 + math.exp(-(X @ w + b)))),
    ("nb02_neuron", "column (N, 1) returned", lambda X, w, b: _sig(X @ w[:, None] + b)),
]

RIGHT += [
    ("nb02_neuron", lambda X, w, b: 1 / (1 + np.exp(-(X @ w + b)))),
    ("nb02_neuron", lambda X, w, b: scipy.special.expit(np.dot(X, w) + b)),
    ("nb02_neuron", lambda X, w, b: np.array([_sig(x @ w + b) for x in X], dtype=X.dtype)),
    ("nb02_neuron", lambda X, w, b: 0.5 * (1 + np.tanh((X @ w + b) / 2))),
]


# --- general slips (written for this catalog, not from the held-out samples) ----------------------

WRONG += [
    ("nb02_weighted_sum", "bias added to every weight", lambda X, w, b: np.dot(X, w + b)),
    ("nb02_weighted_sum", "mean instead of sum",
     lambda X, w, b: (X * w).sum(axis=1) / X.shape[1] + b),
    ("nb02_neuron", "bias forgotten", lambda X, w, b: 1 / (1 + np.exp(-np.dot(X, w)))),
]

# --- written other ways (samples3's families) -------------------------------------------------

def _ws_loop_float64(X, w, b):
    z = np.zeros(X.shape[0])
    for n in range(X.shape[0]):
        z[n] = np.dot(X[n], w) + b
    return z


WRONG += [
    ("nb02_weighted_sum", "bias added to every input", lambda X, w, b: (X + b) @ w),
    ("nb02_weighted_sum", "bias added to every input", lambda X, w, b: np.dot(X + b, w)),
    ("nb02_weighted_sum", "float64 result for float32 inputs", _ws_loop_float64),
    ("nb02_sigmoid", "tanh form without halving z", lambda z: 0.5 * (1 + np.tanh(z))),
    ("nb02_sigmoid", "tanh form without halving z", lambda z: (np.tanh(z) + 1) / 2),
    ("nb02_neuron", "one sigmoid per input",
     lambda X, w, b: np.mean(1 / (1 + np.exp(-(X * w + b))), axis=1)),
    ("nb02_neuron", "one sigmoid per input",
     lambda X, w, b: scipy.special.expit(X * w + b).sum(axis=1)),
    ("nb02_neuron", "float64 result for float32 inputs",
     lambda X, w, b: scipy.special.expit((X @ w + b).astype(float))),
]


def _sigmoid_if(z):
    if z >= 0:
        return 1 / (1 + np.exp(-z))
    return np.exp(z) / (1 + np.exp(z))


WRONG += [("nb02_sigmoid", "an `if` on an array", _sigmoid_if)]

WRONG += [
    ("nb02_neuron", "averaged over the batch",
     lambda X, w, b: (1 / (1 + np.exp(-(X @ w + b)))).mean()),
    ("nb02_neuron", "products not summed", lambda X, w, b: 1 / (1 + np.exp(-(X * w + b)))),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT))
