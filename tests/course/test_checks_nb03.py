"""Notebook 03's checks accept correct answers written other ways and explain wrong ones."""

import functools

import numpy as np

from nnlib import activations
from nnlib.layers import Activation, Dense
from nnlib.network import Network


# --- dense_forward ----------------------------------------------------------------------------

def dense_loops(X, W, b):
    N, D = X.shape
    M = W.shape[1]
    Z = np.zeros((N, M), dtype=X.dtype)
    for n in range(N):
        for j in range(M):
            total = b[j]
            for i in range(D):
                total += X[n, i] * W[i, j]
            Z[n, j] = total
    return Z


def test_dense_forward_accepts_other_correct_versions(judge):
    for fn in (dense_loops,
               lambda X, W, b: np.dot(X, W) + b,
               lambda X, W, b: np.einsum("nd,dm->nm", X, W) + b,
               lambda X, W, b: (W.T @ X.T).T + b.reshape(1, -1),
               lambda X, W, b: X @ W + np.tile(b, (len(X), 1)),
               lambda X, W, b: np.array([x @ W + b for x in X])):
        result = judge("nb03_dense_forward", fn)
        assert result.passed, result.message


def test_dense_forward_dtype_and_bad_returns(judge):
    r = judge("nb03_dense_forward", lambda X, W, b: (X @ W + b).astype(np.float64))
    assert "wrong dtype: expected float32, got float64" in r.message
    r = judge("nb03_dense_forward", lambda X, W, b: (X @ W + b).tolist())
    assert "return a numpy array" in r.message


def test_dense_forward_first_case_names_the_wrong_order(judge):
    r = judge("nb03_dense_forward", lambda X, W, b: W @ X + b)
    assert r.message.startswith("✘ dense_forward — case 1:")
    assert "you computed W @ X" in r.message


def test_dense_forward_bias_as_column_is_caught_by_shape(judge):
    """b[:, None] only looks right while N == M; the 2-2-2 case (N=1, M=2) shows the shape."""
    def column_bias(X, W, b):
        return X @ W + b[:, None] if len(X) != len(b) else X @ W + b
    r = judge("nb03_dense_forward", column_bias)
    assert "case 2" in r.message and "wrong shape: expected (1, 2), got (2, 2)" in r.message
    assert "b[:, None] has shape (M, 1)" in r.message


# --- softmax ----------------------------------------------------------------------------------

def softmax_log_sum_exp(Z):
    m = Z.max(axis=1, keepdims=True)
    log_sum = m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))
    return np.exp(Z - log_sum)


def softmax_rows(Z):
    out = np.empty_like(Z)
    for n, row in enumerate(Z):
        e = np.exp(row - np.max(row))
        out[n] = e / np.sum(e)
    return out


def softmax_pairwise(Z):
    """s_k = 1 / sum_j exp(z_j - z_k): exp may overflow to inf on the way, but 1/inf = 0 is the
    right answer, and no NaN comes out."""
    return 1 / np.exp(Z[:, None, :] - Z[:, :, None]).sum(axis=2)


def test_softmax_accepts_other_correct_versions(judge):
    for fn in (softmax_log_sum_exp, softmax_rows, softmax_pairwise,
               lambda Z: np.exp(Z - np.max(Z, axis=-1)[:, None])
               / np.exp(Z - np.max(Z, axis=-1)[:, None]).sum(-1)[:, None],
               lambda Z: activations.softmax(Z.copy())):
        result = judge("nb03_softmax", fn)
        assert result.passed, result.message


def test_softmax_overflow_is_named_not_just_nan(judge):
    r = judge("nb03_softmax", lambda Z: np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True))
    assert "case 2: large logits around 1000" in r.message
    assert "contains NaN or inf" in r.message
    assert "Subtract each row's maximum" in r.message


def test_softmax_global_max_passes_until_rows_differ_in_scale(judge):
    def global_max(Z):
        E = np.exp(Z - np.max(Z))
        return E / E.sum(axis=1, keepdims=True)
    r = judge("nb03_softmax", global_max)
    assert r.cases_passed == 2 and "case 3: rows of very different scales" in r.message
    assert "each row's own maximum" in r.message


def test_softmax_in_place_is_refused(judge):
    def in_place(Z):
        Z -= Z.max(axis=1, keepdims=True)
        E = np.exp(Z)
        return E / E.sum(axis=1, keepdims=True)
    r = judge("nb03_softmax", in_place)
    assert "changed its input `Z` in place" in r.message


def test_softmax_float32_kept(judge):
    r = judge("nb03_softmax", lambda Z: activations.softmax(Z.astype(np.float64)))
    assert "wrong dtype: expected float32, got float64" in r.message


# --- forward ----------------------------------------------------------------------------------

def forward_with_layers(X, layers):
    net = Network([])
    for W, b, name in layers:
        net.layers += [Dense.from_arrays(W, b), Activation(name)]
    return net.forward(X)


def forward_recursive(X, layers):
    if not layers:
        return X
    W, b, name = layers[0]
    return forward_recursive(activations.get_activation(name)[0](X @ W + b), layers[1:])


def forward_reduce(X, layers):
    def step(A, layer):
        W, b, name = layer
        return activations.ACTIVATIONS[name](A @ W + b)
    return functools.reduce(step, layers, X)


def forward_keeps_cache(X, layers):
    cache = [X]
    for W, b, name in layers:
        f, _ = activations.get_activation(name)
        cache.append(f(cache[-1] @ W + b))
    return cache[-1]


def test_forward_accepts_other_correct_versions(judge):
    for fn in (forward_with_layers, forward_recursive, forward_reduce, forward_keeps_cache):
        result = judge("nb03_forward", fn)
        assert result.passed, result.message


def test_forward_returning_a_tuple_is_explained(judge):
    def with_cache(X, layers):
        A, cache = X, []
        for W, b, name in layers:
            cache.append(A)
            A = activations.get_activation(name)[0](A @ W + b)
        return A, cache
    r = judge("nb03_forward", with_cache)
    assert r.status == "failed" and "a tuple of 2 items" in r.message
    assert "forward returns only the network's output" in r.message


def test_forward_message_shows_layers_briefly(judge):
    r = judge("nb03_forward", lambda X, layers: forward_with_layers(X, layers[:1]))
    assert "layers = [(2→2, sigmoid), (2→2, sigmoid)]" in r.message
    assert "array(" not in r.message


def test_forward_mutating_layers_is_refused(judge):
    def pops(X, layers):
        A = X
        while layers:
            W, b, name = layers.pop(0)
            A = activations.get_activation(name)[0](A @ W + b)
        return A
    r = judge("nb03_forward", pops)
    assert "changed its input `layers` in place" in r.message


def test_forward_using_the_learners_own_stub_reads_not_implemented(judge):
    def dense_forward(X, W, b):
        raise NotImplementedError()

    def uses_stub(X, layers):
        A = X
        for W, b, name in layers:
            A = activations.get_activation(name)[0](dense_forward(A, W, b))
        return A
    assert judge("nb03_forward", uses_stub).status == "not_implemented"


# --- dense_forward_plain (plain Python lists) ------------------------------------------------

def test_dense_forward_plain_reference_and_other_correct_versions(judge):
    from nncourse.checks import nb03

    def with_loops(X, W, b):
        Z = []
        for x in X:
            row = []
            for m in range(len(b)):
                total = 0.0
                for k in range(len(x)):
                    total += x[k] * W[k][m]
                row.append(total + b[m])
            Z.append(row)
        return Z

    def with_zip(X, W, b):  # columns of W by zip(*W)
        return [[sum(xi * wi for xi, wi in zip(x, col)) + bm for col, bm in zip(zip(*W), b)]
                for x in X]
    for fn in (nb03.dense_forward_plain_reference, with_loops, with_zip):
        assert judge("nb03_dense_forward_plain", fn).passed


def test_dense_forward_plain_names_each_mistake(judge):
    from nncourse.checks import nb03
    assert len(nb03.PLAIN_MISTAKES) >= 5
    for mistake in nb03.PLAIN_MISTAKES:
        r = judge("nb03_dense_forward_plain", mistake.fn)
        assert not r.passed, mistake.name
        assert mistake.hint in r.message, (mistake.name, r.message)


def test_dense_forward_plain_rejects_numpy_and_bad_returns(judge):
    r = judge("nb03_dense_forward_plain", lambda X, W, b: np.array(X) @ np.array(W) + np.array(b))
    assert not r.passed and "returned a numpy array: this exercise is plain Python" in r.message
    r = judge("nb03_dense_forward_plain", lambda X, W, b: None)
    assert "forget the `return`" in r.message
    r = judge("nb03_dense_forward_plain", lambda X, W, b: "Z")
    assert not r.passed and "return a list of rows" in r.message
