"""Notebook 03's mistake catalog: realistic wrong answers, each rejected and named with its true
cause; correct answers written other ways, each accepted; every known mistake named as itself."""

import functools
import math

import numpy as np
import scipy.special

from nnlib import activations

from .catalog import catalog_tests, check_wrong, says  # noqa: F401

IDS = ["nb03_dense_forward", "nb03_softmax", "nb03_forward", "nb03_dense_forward_plain"]


# --- dense_forward -----------------------------------------------------------------------------

def _dense_zeros_loop(X, W, b):
    Z = np.zeros((X.shape[0], W.shape[1]))
    for n in range(X.shape[0]):
        for j in range(W.shape[1]):
            Z[n, j] = X[n] @ W[:, j] + b[j]
    return Z


WRONG = [
    ("nb03_dense_forward", "W·X order", lambda X, W, b: W @ X + b),
    ("nb03_dense_forward", "W transposed", lambda X, W, b: X @ W.T + b),
    ("nb03_dense_forward", "column convention", lambda X, W, b: W.T @ X.T + b[:, None]),
    ("nb03_dense_forward", "column convention", lambda X, W, b: (X @ W + b).T),
    ("nb03_dense_forward", "bias forgotten", lambda X, W, b: X @ W),
    ("nb03_dense_forward", "bias on the wrong axis", lambda X, W, b: X @ W + b.reshape(-1, 1)),
    ("nb03_dense_forward", "elementwise product", lambda X, W, b: X * W + b),
    ("nb03_dense_forward", "elementwise product summed", lambda X, W, b: np.sum(X * W) + b),
    ("nb03_dense_forward", "bias subtracted", lambda X, W, b: np.dot(X, W) - b),
    ("nb03_dense_forward", "activation applied", lambda X, W, b: 1 / (1 + np.exp(-(X @ W + b)))),
    ("nb03_dense_forward", "activation applied", lambda X, W, b: np.maximum(0, X @ W + b)),
    ("nb03_dense_forward", "float64 result for float32 inputs", _dense_zeros_loop),
]

RIGHT = [
    ("nb03_dense_forward", lambda X, W, b: np.matmul(X, W) + b[None, :]),
    ("nb03_dense_forward", lambda X, W, b: np.einsum("nd,dm->nm", X, W) + b),
    ("nb03_dense_forward", lambda X, W, b: (W.T @ X.T + b[:, None]).T),
    ("nb03_dense_forward",
     lambda X, W, b: np.array([[X[n] @ W[:, j] + b[j] for j in range(W.shape[1])]
                               for n in range(len(X))], dtype=X.dtype)),
]


# --- softmax -----------------------------------------------------------------------------------

def _softmax_rows_loop(Z):
    out = np.empty_like(Z)
    for n in range(Z.shape[0]):
        e = np.exp(Z[n] - np.max(Z[n]))
        out[n] = e / np.sum(e)
    return out


def _softmax_in_place(Z):
    Z -= Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def _softmax_math(Z):
    E = np.array([[math.exp(z) for z in row] for row in Z])
    return (E / E.sum(axis=1, keepdims=True)).astype(Z.dtype)


def _softmax_axis0(Z):
    E = np.exp(Z - np.max(Z, axis=0))
    return E / np.sum(E, axis=0)


def _softmax_axis0_keepdims(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def _softmax_global_max_axis0(Z):
    E = np.exp(Z - np.max(Z))
    return E / E.sum(axis=0)


def _softmax_float64(Z):
    Z = Z.astype(np.float64)
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _log_softmax(Z):
    S = Z - Z.max(axis=1, keepdims=True)
    return S - np.log(np.exp(S).sum(axis=1, keepdims=True))


WRONG += [
    ("nb03_softmax", "no max subtraction",
     lambda Z: np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)),
    ("nb03_softmax", "global max",
     lambda Z: np.exp(Z - np.max(Z)) / np.exp(Z - np.max(Z)).sum(axis=1, keepdims=True)),
    ("nb03_softmax", "columns normalised", _softmax_axis0),
    ("nb03_softmax", "columns normalised",
     lambda Z: (lambda E: E / E.sum(axis=0, keepdims=True))(np.exp(Z - Z.max(axis=1, keepdims=True)))),
    ("nb03_softmax", "columns normalised",
     lambda Z: np.exp(Z - np.max(Z, 1)[:, None]) / np.sum(np.exp(Z - np.max(Z, 1)[:, None]), 0)),
    ("nb03_softmax", "columns normalised", _softmax_axis0_keepdims),
    ("nb03_softmax", "columns normalised", _softmax_global_max_axis0),
    ("nb03_softmax", "columns normalised", lambda Z: np.exp(Z) / np.exp(Z).sum(axis=0)),
    ("nb03_softmax", "sum without keepdims",
     lambda Z: np.exp(Z - Z.max(axis=1, keepdims=True))
     / np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1)),
    ("nb03_softmax", "max without keepdims",
     lambda Z: np.exp(Z - Z.max(axis=1)) / np.exp(Z - Z.max(axis=1)).sum(axis=1, keepdims=True)),
    ("nb03_softmax", "sigmoid", lambda Z: 1 / (1 + np.exp(-Z))),
    ("nb03_softmax", "one softmax over the whole batch",
     lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum()),

    ("nb03_softmax", "not divided (shifted)", lambda Z: np.exp(Z - Z.max(axis=1, keepdims=True))),
    ("nb03_softmax", "no exp", lambda Z: Z / Z.sum(axis=1, keepdims=True)),
    ("nb03_softmax", "log-softmax", _log_softmax),
    ("nb03_softmax", "float64 result", _softmax_float64),
    ("nb03_softmax", says("np.exp"), lambda Z: math.exp(Z)),
    ("nb03_softmax", says("OverflowError"), _softmax_math),
    ("nb03_softmax", says("changed its input `Z` in place"), _softmax_in_place),
]

RIGHT += [
    ("nb03_softmax", _softmax_rows_loop),
    ("nb03_softmax", lambda Z: scipy.special.softmax(Z, axis=1)),
    ("nb03_softmax",
     lambda Z: np.exp(Z - scipy.special.logsumexp(Z, axis=1, keepdims=True)).astype(Z.dtype)),
    ("nb03_softmax",
     lambda Z: np.exp(Z - Z.max(axis=1)[:, None]) / np.exp(Z - Z.max(axis=1)[:, None])
     .sum(axis=1)[:, None]),
]


# --- forward -----------------------------------------------------------------------------------

def _act(name):
    return activations.get_activation(name)[0]


def _forward_variant(X, layers, transpose=False, bias=True, keep_x=False, as_float64=False,
                     act_before=False, cache=False):
    A = X.astype(np.float64) if as_float64 else X
    cached = []
    for W, b, name in layers:
        f = _act(name)
        W = W.T if transpose else W
        inp = X if keep_x else A
        if act_before:
            A = f(inp) @ W + b
        else:
            A = f(inp @ W + (b if bias else 0))
        cached.append(A)
    return (A, cached) if cache else A


def _forward_loop(X, layers):
    A = X
    for W, b, name in layers:
        f, _ = activations.get_activation(name)
        A = f(A @ W + b)
    return A


def _forward_recursive(X, layers):
    if not layers:
        return X
    W, b, name = layers[0]
    return _forward_recursive(_act(name)(np.dot(X, W) + b), layers[1:])


def _forward_last_z(X, layers):
    A = X
    for i, (W, b, name) in enumerate(layers):
        Z = A @ W + b
        if i < len(layers) - 1:
            A = _act(name)(Z)
    return Z


WRONG += [
    ("nb03_forward", "no activation on the last layer", _forward_last_z),
    ("nb03_forward", "activation only on the last layer",
     lambda X, layers: _act(layers[-1][2])(functools.reduce(lambda A, l: A @ l[0] + l[1],
                                                            layers, X))),
    ("nb03_forward", "layers reversed", lambda X, layers: _forward_loop(X, layers[::-1])),
    ("nb03_forward", "X fed to every layer", lambda X, layers: _forward_variant(X, layers,
                                                                                 keep_x=True)),
    ("nb03_forward", "returned every layer's output",
     lambda X, layers: _forward_variant(X, layers, cache=True)[1]),
    ("nb03_forward", "returned every layer's output",
     lambda X, layers: _forward_variant(X, layers, cache=True)),
    ("nb03_forward", "same activation everywhere",
     lambda X, layers: _forward_loop(X, [(W, b, "sigmoid") for W, b, _ in layers])),
    ("nb03_forward", "W transposed", lambda X, layers: _forward_variant(X, layers, transpose=True)),
    ("nb03_forward", "bias forgotten", lambda X, layers: _forward_variant(X, layers, bias=False)),
    ("nb03_forward", "float64 result for float32 inputs",
     lambda X, layers: _forward_variant(X, layers, as_float64=True)),
    ("nb03_forward", "activation before the product",
     lambda X, layers: _forward_variant(X, layers, act_before=True)),
]

RIGHT += [
    ("nb03_forward", _forward_loop),
    ("nb03_forward", _forward_recursive),
    ("nb03_forward", lambda X, layers: functools.reduce(
        lambda A, layer: _act(layer[2])(np.matmul(A, layer[0]) + layer[1]), layers, X)),
]


# --- dense_forward_plain ------------------------------------------------------------------------

def _plain(X, W, b, bias=True, bias_each_input=False, reset="neuron", transposed=False,
           activation=None, rows=True, first_only=False):
    """A plain-Python layer with one thing changed."""
    Z, total = [], 0.0
    for x in (X[:1] if first_only else X):
        row = []
        if reset == "sample":
            total = 0.0
        for m in range(len(b)):
            if reset == "neuron":
                total = 0.0
            for k in range(len(x)):
                total += x[k] * (W[m][k] if transposed else W[k][m])
                if bias_each_input:
                    total += b[m]
            z = total + (b[m] if bias and not bias_each_input else 0.0)
            row.append(activation(z) if activation else z)
        if rows:
            Z.append(row)
        else:
            Z.extend(row)
    return Z[0] if first_only else Z


def _plain_with_numpy_inside(X, W, b):
    import numpy
    return (numpy.array(X) @ numpy.array(W) + numpy.array(b)).tolist()


def _forward_backward_fn(X, layers):
    A = X
    for W, b, name in layers:
        Z = A @ W + b
        A = activations.get_activation(name)[1](Z, np.ones_like(Z))
    return A


def _forward_own_table(X, layers):
    table = {"sigmoid": lambda Z: 1 / (1 + np.exp(-Z)), "relu": lambda Z: np.maximum(Z, 0),
             "identity": lambda Z: Z, "tanh": np.tanh}
    A = X
    for W, b, name in layers:
        A = table[name](A @ W + b)
    return A


def _plain_one_row_list(X, W, b):
    Z, row = [], [0.0] * len(b)
    for x in X:
        for m in range(len(b)):
            row[m] = b[m] + sum(xk * Wk[m] for xk, Wk in zip(x, W))
        Z.append(row)
    return Z


def _plain_writes_into_X(X, W, b):
    for n, x in enumerate(X):
        X[n] = [sum(x[k] * W[k][m] for k in range(len(x))) + b[m] for m in range(len(b))]
    return X


WRONG += [
    ("nb03_dense_forward_plain", "bias forgotten", lambda X, W, b: _plain(X, W, b, bias=False)),
    ("nb03_dense_forward_plain", "bias added once per input",
     lambda X, W, b: _plain(X, W, b, bias_each_input=True)),
    ("nb03_dense_forward_plain", "running total not reset",
     lambda X, W, b: _plain(X, W, b, reset="sample")),
    ("nb03_dense_forward_plain", "running total never reset",
     lambda X, W, b: _plain(X, W, b, reset=None)),
    ("nb03_dense_forward_plain", "W read as W[m][k]",
     lambda X, W, b: _plain(X, W, b, transposed=True)),
    ("nb03_dense_forward_plain", "activation applied",
     lambda X, W, b: _plain(X, W, b, activation=lambda z: 1 / (1 + math.exp(-z)))),
    ("nb03_dense_forward_plain", "one flat list", lambda X, W, b: _plain(X, W, b, rows=False)),
    ("nb03_dense_forward_plain", "one row list reused for every sample", _plain_one_row_list),
    ("nb03_dense_forward_plain", "the first neuron's weights for every neuron",
     lambda X, W, b: [[b[m] + sum(xk * Wk[0] for xk, Wk in zip(x, W)) for m in range(len(b))]
                      for x in X]),
    ("nb03_forward", "the activation's backward used", _forward_backward_fn),
    ("nb03_forward", "an activation missing from your own table", _forward_own_table),
    ("nb03_dense_forward_plain", "one row per neuron", lambda X, W, b: [
        [sum(x[k] * W[k][m] for k in range(len(x))) + b[m] for x in X] for m in range(len(b))]),
    ("nb03_dense_forward_plain", "only the first sample",
     lambda X, W, b: _plain(X, W, b, first_only=True)),
    ("nb03_dense_forward_plain", "numpy used",
     lambda X, W, b: (np.array(X) @ np.array(W) + np.array(b)).tolist()),
    ("nb03_dense_forward_plain", "numpy used", _plain_with_numpy_inside),
    ("nb03_dense_forward_plain", "numpy used",
     lambda X, W, b: [[float(np.dot(x, col)) + bm for col, bm in zip(zip(*W), b)] for x in X]),
    ("nb03_dense_forward_plain", says("returned a numpy array"),
     lambda X, W, b: np.array(X) @ np.array(W) + np.array(b)),
    ("nb03_dense_forward_plain", says("changed its input `X` in place"), _plain_writes_into_X),
    ("nb03_dense_forward_plain", says("return a list of rows"),
     lambda X, W, b: [tuple(row) for row in _plain(X, W, b)]),
]

RIGHT += [
    ("nb03_dense_forward_plain", lambda X, W, b: _plain(X, W, b)),
    ("nb03_dense_forward_plain", lambda X, W, b: [
        [sum(xk * wk for xk, wk in zip(x, col)) + bm for col, bm in zip(zip(*W), b)] for x in X]),
    ("nb03_dense_forward_plain", lambda X, W, b: [
        [math.fsum([x[k] * W[k][m] for k in range(len(x))] + [b[m]]) for m in range(len(b))]
        for x in X]),
    ("nb03_dense_forward_plain", lambda X, W, b: [
        list(map(lambda m: sum(x[k] * W[k][m] for k in range(len(W))) + b[m], range(len(b))))
        for x in X]),
]


# --- general slips (written for this catalog, not from the held-out samples) ----------------------

def _forward_returns_early(X, layers):
    A = X
    for W, b, name in layers:
        f, _ = activations.get_activation(name)
        A = f(A @ W + b)
        return A


def _forward_bias_after(X, layers):
    A = X
    for W, b, name in layers:
        f, _ = activations.get_activation(name)
        A = f(A @ W) + b
    return A


def _plain_skips_last_input(X, W, b):
    Z = []
    for x in X:
        Z.append([sum(x[k] * W[k][m] for k in range(len(x) - 1)) + b[m] for m in range(len(b))])
    return Z


WRONG += [
    ("nb03_dense_forward", "biases summed", lambda X, W, b: X @ W + np.sum(b)),
    ("nb03_dense_forward", "X transposed", lambda X, W, b: np.matmul(X.T, W) + b),
    ("nb03_forward", "only the first layer ran", _forward_returns_early),
    ("nb03_forward", "activation before the bias", _forward_bias_after),
    ("nb03_softmax", "divided by the batch's sum",
     lambda Z: (lambda E: E / np.sum(E))(np.exp(Z - Z.max(axis=1, keepdims=True)))),
    ("nb03_softmax", "row minimum subtracted",
     lambda Z: (lambda E: E / E.sum(axis=1, keepdims=True))(
         np.exp(Z - np.min(Z, axis=1, keepdims=True)))),
    ("nb03_dense_forward_plain", "last input skipped", _plain_skips_last_input),
]

# --- written other ways (samples3's families) -------------------------------------------------

def _forward_one_lookup(X, layers):
    f, _ = activations.get_activation(layers[0][2])
    A = X
    for W, b, _name in layers:
        A = f(A @ W + b)
    return A


def _forward_own_table(X, layers):
    table = {"sigmoid": activations.sigmoid, "relu": activations.relu, "tanh": activations.tanh,
             "softmax": activations.softmax, "identity": activations.identity}
    A = X
    for W, b, name in layers:
        A = table[name](A @ W + b)
    return A


def _plain_len_w(X, W, b):
    Z = []
    for x in X:
        row = []
        for m in range(len(W)):
            t = 0.0
            for k in range(len(x)):
                t += x[k] * W[k][m]
            row.append(t + b[m])
        Z.append(row)
    return Z


def _plain_shared_rows(X, W, b):
    N, M = len(X), len(b)
    Z = [[0.0] * M] * N
    for n in range(N):
        for m in range(M):
            Z[n][m] = b[m] + sum(X[n][k] * W[k][m] for k in range(len(X[n])))
    return Z


WRONG += [
    ("nb03_forward", "one layer's activation for every layer", _forward_one_lookup),
    ("nb03_forward", "an activation missing from your own table", _forward_own_table),
    ("nb03_dense_forward_plain", "a loop over the wrong length", _plain_len_w),
    ("nb03_dense_forward_plain", "one row list reused for every sample", _plain_shared_rows),
    ("nb03_dense_forward", "float64 result for float32 inputs",
     lambda X, W, b: np.array(X @ W + b, dtype=float)),
]
WRONG += [("nb03_dense_forward_plain", "a loop over the wrong length", lambda X, W, b: [
    [b[m] + sum(x[k] * W[k][m] for k in range(len(x))) for m in range(len(W))] for x in X])]

globals().update(catalog_tests(IDS, WRONG, RIGHT))
