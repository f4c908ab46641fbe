"""Notebook 05's mistake catalog: realistic wrong answers, each rejected and named with its true
cause; correct answers written other ways, each accepted; every known mistake named as itself."""

import numpy as np

from nnlib import activations, losses

from .catalog import catalog_tests, check_wrong, says  # noqa: F401

IDS = ["nb05_sigmoid_derivative", "nb05_relu_derivative", "nb05_dense_backward",
       "nb05_two_layer_backward"]


def _sig(Z):
    return 1 / (1 + np.exp(-np.clip(Z, -500, 500)))


# --- sigmoid_derivative -----------------------------------------------------------------------

E = "nb05_sigmoid_derivative"
WRONG = [
    (E, "Z·(1 − Z): the formula applied to the pre-activation", lambda Z: Z * (1 - Z)),
    (E, "(1 − σ) factor forgotten", lambda Z: activations.sigmoid(Z)),
    (E, "σ factor forgotten (quotient rule without the square)", lambda Z: 1 - activations.sigmoid(Z)),
    (E, "exp ratio overflows to NaN", lambda Z: np.exp(-Z) / (1 + np.exp(-Z)) ** 2),
    (E, "σ(Z)·(1 − Z): one factor fed the pre-activation",
     lambda Z: activations.sigmoid(Z) * (1 - Z)),
    (E, "σ(Z)²  instead of σ(Z)(1 − σ(Z))", lambda Z: activations.sigmoid(Z) ** 2),
    (E, "sign flipped: σ(Z)(σ(Z) − 1)",
     lambda Z: activations.sigmoid(Z) * (activations.sigmoid(Z) - 1)),
    (E, "float64 for a float32 Z",
     lambda Z: (activations.sigmoid(Z) * (1 - activations.sigmoid(Z))).astype(np.float64)),
    (E, "tanh's derivative", lambda Z: 1 - np.tanh(Z) ** 2),
]
RIGHT = [
    (E, lambda Z: activations.sigmoid(Z) * (1 - activations.sigmoid(Z))),
    (E, lambda Z: (lambda s: s - s * s)(_sig(Z)).astype(Z.dtype)),
    (E, lambda Z: (0.25 / np.cosh(Z.astype(np.float64) / 2) ** 2).astype(Z.dtype)),
]

# --- relu_derivative --------------------------------------------------------------------------

E = "nb05_relu_derivative"
WRONG += [
    (E, "ReLU itself instead of its slope", lambda Z: np.maximum(Z, 0)),
    (E, "Z returned unchanged", lambda Z: Z),
    (E, "booleans (or integers) instead of floats", lambda Z: Z > 0),
    (E, "booleans (or integers) instead of floats", lambda Z: (Z > 0).astype(int)),
    (E, "0.5 at Z == 0", lambda Z: np.heaviside(Z, 0.5)),
    (E, "slope of the wrong side (Z < 0)", lambda Z: (Z < 0).astype(Z.dtype)),
    (E, "float64 for a float32 Z", lambda Z: (Z > 0).astype(np.float64)),
    (E, "sign of Z (−1 for negatives)", lambda Z: np.sign(Z)),
    (E, "leaky ReLU slope", lambda Z: np.where(Z > 0, 1.0, 0.01).astype(Z.dtype)),
]
RIGHT += [
    (E, lambda Z: (Z > 0).astype(Z.dtype)),
    (E, lambda Z: np.heaviside(Z, 1.0).astype(Z.dtype)),
    (E, lambda Z: np.where(Z >= 0, 1, 0).astype(Z.dtype)),
    (E, lambda Z: np.array([[1.0 if z > 0 else 0.0 for z in row] for row in Z], dtype=Z.dtype)),
]

# --- dense_backward ---------------------------------------------------------------------------

E = "nb05_dense_backward"
WRONG += [
    (E, "dX = dout·W (no transpose; W is square)",
     lambda dout, X, W: (dout @ W, X.T @ dout, dout.sum(axis=0))),
    (E, "dW transposed (doutᵀ·X)", lambda dout, X, W: (dout @ W.T, dout.T @ X, dout.sum(axis=0))),
    (E, "db summed over the units (axis=1)",
     lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(axis=1))),
    (E, "db not summed", lambda dout, X, W: (dout @ W.T, X.T @ dout, dout)),
    (E, "db averaged instead of summed",
     lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.mean(axis=0))),
    (E, "dW divided by N", lambda dout, X, W: (dout @ W.T, X.T @ dout / len(X), dout.sum(axis=0))),
    (E, "(dW, db, dX) order", lambda dout, X, W: (X.T @ dout, dout.sum(axis=0), dout @ W.T)),
    (E, "db with keepdims (shape (1, M))",
     lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(axis=0, keepdims=True))),
    (E, "dX = X·W (the forward pass)",
     lambda dout, X, W: (X @ W, X.T @ dout, dout.sum(axis=0))),
    (E, says("return dX, dW, db"), lambda dout, X, W: None),
]
RIGHT += [
    (E, lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(axis=0))),
    (E, lambda dout, X, W: (np.einsum("nm,dm->nd", dout, W), np.einsum("nd,nm->dm", X, dout),
                            np.einsum("nm->m", dout))),
    (E, lambda dout, X, W: (np.dot(dout, W.T), sum(np.outer(x, g) for x, g in zip(X, dout)),
                            np.ones(len(dout), dtype=dout.dtype) @ dout)),
    (E, lambda dout, X, W: [(W @ dout.T).T, (dout.T @ X).T, np.sum(dout, axis=0)]),
]

# --- two_layer_backward -----------------------------------------------------------------------

E = "nb05_two_layer_backward"


def _tl(X, y, W1, b1, W2, b2, dA=None, d_out=None, d_hid=None, tW=False, tA=False,
        db=lambda dZ: dZ.sum(axis=0), sW=1.0, relu_hidden=False, sign=1):
    Z1 = X @ W1 + b1
    A1 = activations.sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    A2 = activations.sigmoid(Z2)
    dA2 = sign * (2 * (A2 - y) / y.size if dA is None else dA(y, A2))
    dZ2 = dA2 * (A2 * (1 - A2) if d_out is None else d_out(Z2, A2))
    dW2 = (dZ2.T @ A1 if tW else A1.T @ dZ2) * sW
    dA1 = dZ2 @ W2 if tA else dZ2 @ W2.T
    dZ1 = dA1 * (A1 * (1 - A1) if d_hid is None else d_hid(Z1, A1))
    dW1 = (dZ1.T @ X if tW else X.T @ dZ1) * sW
    return {"dW1": dW1, "db1": db(dZ1), "dW2": dW2, "db2": db(dZ2)}


def _tl_dW1_from_A1(X, y, W1, b1, W2, b2):
    g = _tl(X, y, W1, b1, W2, b2)
    A1 = activations.sigmoid(X @ W1 + b1)
    A2 = activations.sigmoid(A1 @ W2 + b2)
    dZ1 = (2 * (A2 - y) / y.size * A2 * (1 - A2)) @ W2.T * A1 * (1 - A1)
    return {**g, "dW1": A1.T @ dZ1}


def _tl_dW2_from_A2(X, y, W1, b1, W2, b2):
    g = _tl(X, y, W1, b1, W2, b2)
    A2 = activations.sigmoid(activations.sigmoid(X @ W1 + b1) @ W2 + b2)
    return {**g, "dW2": A2.T @ (2 * (A2 - y) / y.size * A2 * (1 - A2))}


def _tl_loop(X, y, W1, b1, W2, b2):
    N, K = y.shape
    g = {"dW1": np.zeros_like(W1), "db1": np.zeros_like(b1), "dW2": np.zeros_like(W2),
         "db2": np.zeros_like(b2)}
    for x, t in zip(X, y):
        a1 = activations.sigmoid(x @ W1 + b1)
        a2 = activations.sigmoid(a1 @ W2 + b2)
        dz2 = 2 * (a2 - t) / (N * K) * a2 * (1 - a2)
        dz1 = (W2 @ dz2) * a1 * (1 - a1)
        g["dW2"] += np.outer(a1, dz2)
        g["db2"] += dz2
        g["dW1"] += np.outer(x, dz1)
        g["db1"] += dz1
    return g


WRONG += [
    (E, "SSR gradient instead of the MSE's", lambda *a: _tl(*a, dA=lambda y, A: 2 * (A - y))),
    (E, "divided by N instead of N·K", lambda *a: _tl(*a, dA=lambda y, A: 2 * (A - y) / len(y))),
    (E, "the 2 of the square forgotten", lambda *a: _tl(*a, dA=lambda y, A: (A - y) / y.size)),
    (E, "extra 1/N on dW and db",
     lambda X, *a: _tl(X, *a, sW=1 / len(X), db=lambda dZ: dZ.mean(axis=0))),
    (E, "σ' of the output layer forgotten", lambda *a: _tl(*a, d_out=lambda Z, A: 1.0)),
    (E, "σ' of the hidden layer forgotten", lambda *a: _tl(*a, d_hid=lambda Z, A: 1.0)),
    (E, "sigmoid_derivative fed the activation A",
     lambda *a: _tl(*a, d_out=lambda Z, A: activations.sigmoid_derivative(A),
                    d_hid=lambda Z, A: activations.sigmoid_derivative(A))),
    (E, "Z·(1 − Z) instead of A·(1 − A)",
     lambda *a: _tl(*a, d_out=lambda Z, A: Z * (1 - Z), d_hid=lambda Z, A: Z * (1 - Z))),
    (E, "dW transposed", lambda *a: _tl(*a, tW=True)),
    (E, "dA1 = dZ2·W2 (no transpose)", lambda *a: _tl(*a, tA=True)),
    (E, "db summed over the wrong axis", lambda *a: _tl(*a, db=lambda dZ: dZ.sum(axis=1))),
    (E, "db not summed", lambda *a: _tl(*a, db=lambda dZ: dZ)),
    (E, "residual sign flipped (y − ŷ)", lambda *a: _tl(*a, sign=-1)),
    (E, "ReLU derivative in the hidden layer",
     lambda *a: _tl(*a, d_hid=lambda Z, A: (Z > 0).astype(Z.dtype))),
    (E, "other keys than dW1, db1, dW2, db2",
     lambda *a: dict(zip(["dw1", "db1", "dw2", "db2"], _tl(*a).values()))),
    (E, "keys named after the parameters",
     lambda *a: {k[1:]: v for k, v in _tl(*a).items()}),
    (E, says("'dW1', 'db1', 'dW2', 'db2'"), lambda *a: {"dW1": _tl(*a)["dW1"]}),
    (E, "dW1 from A1, not X", _tl_dW1_from_A1),
    (E, "float64 result for float32 inputs",
     lambda X, y, *w: _tl(X, y, *w, dA=lambda y, A: 2 * (A - y) / np.prod(y.shape))),
    (E, "dW2 from A2, not A1", _tl_dW2_from_A2),
]
RIGHT += [
    (E, lambda *a: _tl(*a)),
    (E, _tl_loop),
    (E, lambda X, y, *w: _tl(X, y, *w, dA=lambda y, A: losses.mse_grad(y, A),
                             d_out=lambda Z, A: activations.sigmoid_derivative(Z),
                             d_hid=lambda Z, A: activations.sigmoid_derivative(Z))),
]


# --- general slips (written for this catalog, not from the held-out samples) ----------------------

def _sig(Z):
    return activations.sigmoid(Z)


def _dense_dX_from_dW(dout, X, W):
    dW = X.T @ dout
    return dout @ dW.T, dW, dout.sum(axis=0)


def _tl_hidden_at_Z2(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = _sig(Z1)
    Z2 = A1 @ W2 + b2
    A2 = _sig(Z2)
    dZ2 = 2 * (A2 - y) / y.size * A2 * (1 - A2)
    dZ1 = (dZ2 @ W2.T) * _sig(Z2) * (1 - _sig(Z2))
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": A1.T @ dZ2, "db2": dZ2.sum(axis=0)}


WRONG += [
    ("nb05_sigmoid_derivative", "1 − σ² instead of σ(1 − σ)", lambda Z: 1 - _sig(Z) * _sig(Z)),
    ("nb05_sigmoid_derivative", "plus instead of minus: σ(1 + σ)",
     lambda Z: _sig(Z) + _sig(Z) ** 2),
    ("nb05_sigmoid_derivative", "sigmoid applied twice",
     lambda Z: (lambda S: _sig(S) * (1 - _sig(S)))(_sig(Z))),
    ("nb05_relu_derivative", "Z clipped to [0, 1]", lambda Z: np.minimum(np.maximum(Z, 0), 1)),
    ("nb05_dense_backward", "dX from dW instead of W", _dense_dX_from_dW),
    ("nb05_two_layer_backward", "hidden slope from Z2 instead of Z1", _tl_hidden_at_Z2),
    ("nb05_two_layer_backward", "the two layers' gradients swapped",
     lambda *a: (lambda g: {"dW1": g["dW2"], "db1": g["db2"], "dW2": g["dW1"], "db2": g["db1"]})(
         _tl(*a))),
    ("nb05_two_layer_backward", "the two layers' gradients swapped",
     lambda *a: dict(zip(["dW2", "db2", "dW1", "db1"], _tl(*a).values()))),
]

# --- written other ways (samples3's families) -------------------------------------------------

def _two_layer_hand(X, y, W1, b1, W2, b2, hidden_at_A=False, out_at_A=False, as_tuple=False):
    sig = activations.sigmoid
    Z1 = X @ W1 + b1
    A1 = sig(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sig(Z2)
    dZ2 = 2 * (A2 - y) / y.size * activations.sigmoid_derivative(A2 if out_at_A else Z2)
    dZ1 = (dZ2 @ W2.T) * activations.sigmoid_derivative(A1 if hidden_at_A else Z1)
    grads = (X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0))
    return grads if as_tuple else dict(zip(("dW1", "db1", "dW2", "db2"), grads))


WRONG += [
    ("nb05_two_layer_backward", "sigmoid_derivative fed A1 in the hidden layer",
     lambda *a: _two_layer_hand(*a, hidden_at_A=True)),
    ("nb05_two_layer_backward", "sigmoid_derivative fed A2 in the output layer",
     lambda *a: _two_layer_hand(*a, out_at_A=True)),
    ("nb05_two_layer_backward", "the gradients as a tuple, not a dict",
     lambda *a: _two_layer_hand(*a, as_tuple=True)),
    ("nb05_dense_backward", "float64 result for float32 inputs",
     lambda dout, X, W: (dout @ W.T, X.T @ dout, np.sum(dout, axis=0, dtype=np.float64))),
]


WRONG += [
    ("nb05_dense_backward", "dX transposed (W·doutᵀ)",
     lambda dout, X, W: (W @ dout.T, X.T @ dout, dout.sum(axis=0))),
    ("nb05_dense_backward", "db summed over everything",
     lambda dout, X, W: (dout @ W.T, X.T @ dout, np.sum(dout))),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT, unnamed_messages=False))
