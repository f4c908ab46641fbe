"""Notebook 02's checks accept correct answers written other ways and explain bad returns."""

import math
import warnings

import numpy as np

from nncourse.checks import judging, registry


# --- weighted_sum ---------------------------------------------------------------------------

def weighted_sum_loops(X, w, b):
    N, D = X.shape
    z = np.zeros(N, dtype=np.result_type(X, w))
    for n in range(N):
        for i in range(D):
            z[n] += X[n, i] * w[i]
        z[n] += b
    return z


def test_weighted_sum_accepts_other_correct_versions(judge):
    for fn in (weighted_sum_loops,
               lambda X, w, b: np.dot(X, w) + b,
               lambda X, w, b: (X * w).sum(axis=1) + b,
               lambda X, w, b: np.einsum("nd,d->n", X, w) + b,
               lambda X, w, b: (X @ w[:, None])[:, 0] + b,
               lambda X, w, b: X @ w.T + b):
        assert judge("nb02_weighted_sum", fn).passed


def test_weighted_sum_first_case_tells_the_mistakes_apart(judge):
    ex = registry.load_all()["nb02_weighted_sum"]
    for mistake in ex.mistakes:
        r = judge("nb02_weighted_sum", mistake.fn)
        assert "case 1:" in r.message and mistake.hint in r.message, r.message


def test_weighted_sum_float64_for_float32_is_explained(judge):
    r = judge("nb02_weighted_sum", lambda X, w, b: (X @ w + b).astype(np.float64))
    assert "wrong dtype: expected float32, got float64" in r.message


def test_weighted_sum_w_at_X_on_non_square_shows_their_error(judge):
    """w @ X is caught on the square first case with a hint; on its own it would raise."""
    r = judge("nb02_weighted_sum", lambda X, w, b: w @ X + b)
    assert r.status == "failed" and "case 1:" in r.message and "X @ w" in r.message


# --- sigmoid --------------------------------------------------------------------------------

def sigmoid_two_masks(z):
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out


def sigmoid_exp_abs(z):
    E = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + E), E / (1 + E))


def sigmoid_loops(z):
    out = np.empty_like(z)
    for i, v in np.ndenumerate(z):
        out[i] = 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))
    return out


def test_sigmoid_accepts_stable_versions(judge):
    for fn in (sigmoid_two_masks, sigmoid_exp_abs, sigmoid_loops,
               lambda z: np.exp(-np.logaddexp(0, -z)).astype(z.dtype)):
        r = judge("nb02_sigmoid", fn)
        assert r.passed, r.message


def test_sigmoid_where_over_both_unsafe_forms_warns_and_is_rejected(judge):
    """np.where computes both branches everywhere: the values kept are right, but the unsafe
    branch overflows and warns, which the statement forbids (and its own hint explains)."""
    r = judge("nb02_sigmoid",
              lambda z: np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z))))
    assert r.status == "failed" and "overflow encountered in exp" in r.message
    assert r.mistake.name == "naive formula overflows"


def test_sigmoid_naive_is_rejected_for_overflow_not_values(judge):
    r = judge("nb02_sigmoid", lambda z: 1 / (1 + np.exp(-z)))
    assert r.status == "failed" and "large |z|" in r.message
    assert "overflows to inf" in r.message and r.mistake.name == "naive formula overflows"
    assert r.cases_passed == 5


def test_sigmoid_naive_with_warnings_silenced_gives_scipys_values(judge):
    """Silenced, the naive formula emits no warning and its values are scipy.special.expit's
    (0 for σ(-740) ≈ 4.2e-322): the statement asks for no warning and no NaN, so it passes."""
    def quiet(z):
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-z))
    assert judge("nb02_sigmoid", quiet).passed


def test_sigmoid_accepts_forms_that_round_tiny_values_to_zero(judge):
    """Relative accuracy at 1e-18 is not asked for: the tanh form and scipy's expit are right."""
    import scipy.special
    for fn in (lambda z: 0.5 * (1 + np.tanh(z / 2)), scipy.special.expit):
        r = judge("nb02_sigmoid", fn)
        assert r.passed, r.message


def test_sigmoid_math_exp_on_an_array_is_explained(judge):
    r = judge("nb02_sigmoid", lambda z: 1 / (1 + math.exp(-z)))
    assert r.status == "error" and "np.exp(z)" in r.message


def test_sigmoid_clipping_in_float32_still_overflows(judge):
    r = judge("nb02_sigmoid", lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500))))
    assert r.status == "failed" and "float32" in r.message
    assert r.mistake.name == "naive formula overflows"


def test_sigmoid_clipping_too_tightly_is_named(judge):
    r = judge("nb02_sigmoid", lambda z: 1 / (1 + np.exp(-np.clip(z, -20, 20))))
    assert r.status == "failed" and r.mistake.name == "z clipped"


def test_sigmoid_math_exp_overflow_gets_the_stable_hint(judge):
    def naive_loop(z):
        out = np.empty_like(z)
        for i, v in np.ndenumerate(z):
            out[i] = 1 / (1 + math.exp(-v))
        return out
    r = judge("nb02_sigmoid", naive_loop)
    assert r.status == "error" and "OverflowError" in r.message and "math.exp" in r.message
    assert "exp(z) / (1 + exp(z))" in r.message


def test_sigmoid_keeps_float32(judge):
    r = judge("nb02_sigmoid", lambda z: sigmoid_exp_abs(z.astype(np.float64)))
    assert "wrong dtype: expected float32, got float64" in r.message


def test_sigmoid_check_leaves_warning_state_alone(judge):
    before = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # no warning escapes the check
        judge("nb02_sigmoid", lambda z: 1 / (1 + np.exp(-z)))
    assert np.geterr() == before


def test_sigmoid_check_passes_the_reference():
    # (how long a check takes is measured by benchmarks/course_speed.py, not here)
    ex = registry.load_all()["nb02_sigmoid"]
    assert judging.run(ex, ex.reference).passed


# --- neuron ---------------------------------------------------------------------------------

def test_neuron_accepts_other_correct_versions(judge):
    from nnlib import activations
    for fn in (lambda X, w, b: activations.sigmoid(X @ w + b),
               lambda X, w, b: sigmoid_exp_abs(np.dot(X, w) + b),
               lambda X, w, b: 0.5 * (1 + np.tanh((X @ w + b) / 2)),
               lambda X, w, b: sigmoid_exp_abs(weighted_sum_loops(X, w, b))):
        r = judge("nb02_neuron", fn)
        assert r.passed, r.message


def test_neuron_first_case_names_each_mistake(judge):
    ex = registry.load_all()["nb02_neuron"]
    for mistake in ex.mistakes:
        r = judge("nb02_neuron", mistake.fn)
        assert "case 1:" in r.message and mistake.hint in r.message, r.message
