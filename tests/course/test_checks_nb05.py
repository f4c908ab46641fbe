"""Notebook 05's checks accept correct answers written other ways and name the wrong arrays."""


import numpy as np
import pytest

from nnlib import activations, losses
from nncourse.checks import judging, registry

ALL = registry.load_all()
sigmoid = activations.sigmoid


# --- sigmoid_derivative -------------------------------------------------------------------------

def sigmoid_derivative_naive(Z):          # overflows in exp for Z = -1000, but the value is right
    S = 1 / (1 + np.exp(-Z))
    return S * (1 - S)


def sigmoid_derivative_tanh(Z):           # σ'(z) = (1 − tanh²(z/2)) / 4
    return (1 - np.tanh(Z / 2) ** 2) / 4


def test_sigmoid_derivative_accepts_other_correct_versions(judge):
    for fn in (sigmoid_derivative_naive, sigmoid_derivative_tanh,
               lambda Z: sigmoid(Z) * sigmoid(-Z)):
        assert judge("nb05_sigmoid_derivative", fn).passed, judge("nb05_sigmoid_derivative", fn)


def test_sigmoid_derivative_classic_bug_is_named_on_case_1(judge):
    r = judge("nb05_sigmoid_derivative", lambda Z: Z * (1 - Z))
    assert "case 1:" in r.message and "you computed Z * (1 - Z)" in r.message


def test_sigmoid_derivative_nan_gets_the_overflow_hint(judge):
    r = judge("nb05_sigmoid_derivative", lambda Z: np.exp(-Z) / (1 + np.exp(-Z)) ** 2)
    assert not r.passed and "contains NaN" in r.message and "inf / inf = NaN" in r.message


def test_sigmoid_derivative_float64_for_float32_input_is_a_dtype_error(judge):
    r = judge("nb05_sigmoid_derivative", lambda Z: sigmoid_derivative_naive(Z.astype(np.float64)))
    assert "wrong dtype: expected float32, got float64" in r.message


# --- relu_derivative ----------------------------------------------------------------------------

def relu_derivative_loops(Z):
    out = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        out[index] = 1.0 if Z[index] > 0 else 0.0
    return out


@pytest.mark.parametrize("fn", [
    relu_derivative_loops,
    lambda Z: np.heaviside(Z, 0),
    lambda Z: np.heaviside(Z, 1),                       # 1 at exactly 0: accepted too
    lambda Z: (Z >= 0).astype(Z.dtype),
    lambda Z: np.where(Z > 0, 1.0, 0.0).astype(Z.dtype),
])
def test_relu_derivative_accepts_other_correct_versions(judge, fn):
    r = judge("nb05_relu_derivative", fn)
    assert r.passed, r.message


def test_relu_derivative_dtype_messages(judge):
    for fn in (lambda Z: np.where(Z > 0, 1, 0), lambda Z: (Z > 0).astype(float)):
        r = judge("nb05_relu_derivative", fn)
        assert "wrong dtype" in r.message and "Z's own dtype" in r.message


def test_relu_derivative_in_place_is_caught(judge):
    def in_place(Z):
        Z[Z <= 0] = 0
        Z[Z > 0] = 1
        return Z
    r = judge("nb05_relu_derivative", in_place)
    assert "changed its input `Z` in place" in r.message


# --- dense_backward -----------------------------------------------------------------------------

def dense_backward_loops(dout, X, W):
    N, D = X.shape
    M = W.shape[1]
    dX, dW, db = np.zeros_like(X), np.zeros_like(W), np.zeros(M, dtype=W.dtype)
    for n in range(N):
        for m in range(M):
            db[m] += dout[n, m]
            for d in range(D):
                dW[d, m] += X[n, d] * dout[n, m]
                dX[n, d] += dout[n, m] * W[d, m]
    return dX, dW, db


def test_dense_backward_accepts_other_correct_versions(judge):
    for fn in (dense_backward_loops,
               lambda dout, X, W: (np.einsum("nm,dm->nd", dout, W),
                                   np.einsum("nd,nm->dm", X, dout), np.sum(dout, axis=0)),
               lambda dout, X, W: [np.dot(dout, W.T), np.dot(X.T, dout), dout.sum(0)]):
        r = judge("nb05_dense_backward", fn)
        assert r.passed, r.message


def test_dense_backward_names_the_wrong_array(judge):
    r = judge("nb05_dense_backward",
              lambda dout, X, W: (dout @ W.T, X.T @ dout / len(X), dout.sum(axis=0)))
    assert "dW is off; dX and db are right." in r.message
    assert "dW expected:" in r.message and "dW got:" in r.message
    assert "N times too small" in r.message
    r = judge("nb05_dense_backward",
              lambda dout, X, W: (dout @ W, X.T @ dout, dout.mean(axis=0)))
    assert "dX and db are off; dW is right." in r.message
    assert "dX = dout·W uses W the wrong way round" in r.message   # both mistakes are named
    assert "you averaged dout over the samples" in r.message   # the db hint (issue 11)


def test_dense_backward_shape_error_gets_the_transpose_hint(judge):
    r = judge("nb05_dense_backward", lambda dout, X, W: (dout @ W.T, X @ dout, dout.sum(0)))
    assert r.status == "error" and "X @ dout" in r.message
    assert "missing (or extra) transpose" in r.message


def test_dense_backward_bad_returns(judge):
    r = judge("nb05_dense_backward", lambda dout, X, W: None)
    assert "forget the `return`" in r.message
    r = judge("nb05_dense_backward", lambda dout, X, W: (dout @ W.T, X.T @ dout))
    assert "a tuple of 2 items" in r.message and "return dX, dW, db" in r.message
    r = judge("nb05_dense_backward", lambda dout, X, W: (X.T @ dout, dout @ W.T, dout.sum(0)))
    assert "you returned (dW, dX, db)" in r.message and "wrong order" in r.message


# --- two_layer_backward -------------------------------------------------------------------------

def two_layer_backward_written_out(X, y, W1, b1, W2, b2):
    A1 = sigmoid(X @ W1 + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    dZ2 = 2 * (A2 - y) / y.size * A2 * (1 - A2)            # A(1 − A) form of σ'
    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
    return {"dW2": A1.T @ dZ2, "db2": dZ2.sum(axis=0), "dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0)}


def two_layer_backward_einsum(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    dZ2 = losses.mse_grad(y, sigmoid(Z2)) * activations.sigmoid_derivative(Z2)
    dZ1 = np.einsum("nk,hk->nh", dZ2, W2) * activations.sigmoid_derivative(Z1)
    return dict(dW1=np.einsum("nd,nh->dh", X, dZ1), db1=dZ1.sum(0),
                dW2=np.einsum("nh,nk->hk", A1, dZ2), db2=dZ2.sum(0), extra_key=None)


def _two_layer_with(X, y, W1, b1, W2, b2, dcost=None, hidden=True):
    A1 = sigmoid(X @ W1 + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    dA2 = losses.mse_grad(y, A2) if dcost is None else dcost(y, A2)
    dZ2 = dA2 * A2 * (1 - A2)
    dZ1 = (dZ2 @ W2.T) * (A1 * (1 - A1) if hidden else 1)
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(0), "dW2": A1.T @ dZ2, "db2": dZ2.sum(0)}


def test_two_layer_backward_accepts_other_correct_versions(judge):
    for fn in (two_layer_backward_written_out, two_layer_backward_einsum):
        r = judge("nb05_two_layer_backward", fn)
        assert r.passed, r.message


def test_two_layer_backward_names_the_wrong_gradients(judge):
    r = judge("nb05_two_layer_backward", lambda *a: _two_layer_with(*a, hidden=False))
    assert "dW1 and db1 are off; dW2 and db2 are right." in r.message
    assert "missing the hidden sigmoid's derivative" in r.message


def test_two_layer_backward_common_factor_is_reported(judge):
    # a factor no listed mistake produces: 3 × the right gradient
    r = judge("nb05_two_layer_backward",
              lambda *a: _two_layer_with(*a, dcost=lambda y, A2: 3 * losses.mse_grad(y, A2)))
    assert "dW1, db1, dW2 and db2 are all off." in r.message
    assert "off by the same factor: yours = 3 × nnlib's" in r.message
    r = judge("nb05_two_layer_backward",
              lambda *a: _two_layer_with(*a, dcost=lambda y, A2: 2 * (A2 - y)))
    assert "yours = 6 × nnlib's" in r.message and "N·K times too big" in r.message


def test_two_layer_backward_bad_returns(judge):
    r = judge("nb05_two_layer_backward", lambda *a: (1, 2, 3, 4))
    assert "returned a tuple; return a dict" in r.message
    r = judge("nb05_two_layer_backward", lambda *a: {"W1": 0, "db1": 0, "dW2": 0, "db2": 0})
    assert "no key 'dW1'" in r.message


def test_the_worked_example_is_a_case(judge):
    """Case 2 is exactly section 4's hand-worked example: a learner who matches it there but
    not on a batch hears about case 1 first, with N = 3."""
    r = judge("nb05_two_layer_backward", lambda *a: _two_layer_with(*a, hidden=False))
    assert "case 1: the 2-2-2 network's weights on a batch of N = 3 inputs" in r.message


@pytest.mark.parametrize("ex_id", [i for i in ALL if i.startswith("nb05_")])
def test_checks_pass_the_reference(ex_id):
    # (how long a check takes is measured by benchmarks/course_speed.py, not here)
    assert judging.run(ALL[ex_id], ALL[ex_id].reference).passed
