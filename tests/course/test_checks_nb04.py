"""Notebook 04's checks accept correct costs written other ways and explain the usual mistakes."""

import math

import numpy as np


# --- mse ------------------------------------------------------------------------------------------

def mse_loops(y, y_hat):
    y, y_hat = np.asarray(y).reshape(len(y), -1), np.asarray(y_hat).reshape(len(y), -1)
    total, count = 0.0, 0
    for n in range(y.shape[0]):
        for k in range(y.shape[1]):
            total += (y_hat[n, k] - y[n, k]) ** 2
            count += 1
    return total / count


def test_mse_accepts_other_correct_versions(judge):
    versions = [
        mse_loops,
        lambda y, y_hat: np.mean((y - y_hat) ** 2),                 # y - y_hat: same squares
        lambda y, y_hat: np.sum((y_hat - y) ** 2) / y.size,
        lambda y, y_hat: float(np.square(y_hat - y).mean()),        # a Python float
        lambda y, y_hat: np.average(np.subtract(y_hat, y) ** 2),
        lambda y, y_hat: ((y_hat - y) ** 2).mean(axis=-1).mean(),   # mean of per-sample means
        lambda y, y_hat: np.mean((y_hat.astype(np.float64) - y) ** 2),  # float64 on float32 in
    ]
    for fn in versions:
        r = judge("nb04_mse", fn)
        assert r.passed, r.message


def test_mse_names_n_instead_of_nk(judge):
    r = judge("nb04_mse", lambda y, y_hat: ((y_hat - y) ** 2).sum() / y.shape[0])
    assert r.message.startswith("✘ mse — case 1: 3 samples with K = 2 outputs each")
    assert "expected 0.198333, got 0.396667" in r.message
    assert "N·K squared residuals" in r.message


def test_mse_array_and_zero_d_array_returns(judge):
    r = judge("nb04_mse", lambda y, y_hat: (y_hat - y) ** 2)
    assert not r.passed and "expected a single number" in r.message
    r = judge("nb04_mse", lambda y, y_hat: np.array([np.mean((y_hat - y) ** 2)]))
    assert not r.passed and "return a single number" in r.message


def test_mse_mutating_input_is_caught(judge):
    def mutates(y, y_hat):
        y_hat -= y
        return np.mean(y_hat ** 2)
    r = judge("nb04_mse", mutates)
    assert "changed its input `y_hat` in place" in r.message


# --- rmse -----------------------------------------------------------------------------------------

def test_rmse_accepts_other_correct_versions(judge):
    versions = [
        lambda y, y_hat: np.sqrt(np.mean((y_hat - y) ** 2)),
        lambda y, y_hat: math.sqrt(mse_loops(y, y_hat)),
        lambda y, y_hat: np.linalg.norm(y_hat - y) / np.sqrt(y.size),
        lambda y, y_hat: np.mean((y_hat - y) ** 2) ** 0.5,
    ]
    for fn in versions:
        r = judge("nb04_rmse", fn)
        assert r.passed, r.message


def test_rmse_names_missing_root(judge):
    r = judge("nb04_rmse", lambda y, y_hat: np.mean((y_hat - y) ** 2))
    assert "case 1" in r.message and "you returned the MSE" in r.message


# --- ssr ------------------------------------------------------------------------------------------

def test_ssr_accepts_other_correct_versions(judge):
    def loops(y, y_hat):
        return sum((b - a) ** 2 for a, b in zip(np.ravel(y), np.ravel(y_hat)))
    versions = [
        loops,
        lambda y, y_hat: np.sum((y_hat - y) ** 2),
        lambda y, y_hat: (y_hat - y).ravel() @ (y_hat - y).ravel(),
        lambda y, y_hat: np.linalg.norm(y_hat - y) ** 2,
        lambda y, y_hat: float(np.square(y - y_hat).sum(axis=0).sum()),
    ]
    for fn in versions:
        r = judge("nb04_ssr", fn)
        assert r.passed, r.message


def test_ssr_names_mean(judge):
    r = judge("nb04_ssr", lambda y, y_hat: np.mean((y_hat - y) ** 2))
    assert "case 1" in r.message and "the SSR is their sum" in r.message


# --- categorical cross-entropy ------------------------------------------------------------------

def test_cce_accepts_other_correct_versions(judge):
    def labels(y, y_hat):
        eps = np.finfo(y_hat.dtype).eps
        p = y_hat[np.arange(len(y)), y.argmax(axis=1)]
        return -np.log(np.clip(p, eps, 1 - eps)).mean()

    def mask(y, y_hat):
        eps = np.finfo(y_hat.dtype).eps
        return -np.mean(np.log(np.maximum(y_hat[y == 1], eps)))

    def plus_eps(y, y_hat):
        return -np.sum(y * np.log(y_hat + np.finfo(y_hat.dtype).eps), axis=1).mean()

    def loops(y, y_hat):
        eps = np.finfo(y_hat.dtype).eps
        total = 0.0
        for n in range(len(y)):
            for k in range(y.shape[1]):
                if y[n, k] == 1:
                    total -= math.log(max(float(y_hat[n, k]), float(eps)))
        return total / len(y)

    def einsum(y, y_hat):
        eps = np.finfo(y_hat.dtype).eps
        return -np.einsum("nk,nk->", y, np.log(np.clip(y_hat, eps, 1 - eps))) / y.shape[0]

    for fn in (labels, mask, plus_eps, loops, einsum):
        r = judge("nb04_categorical_cross_entropy", fn)
        assert r.passed, (fn.__name__, r.message)


def test_cce_labels_confusion_gets_a_hint(judge):
    def as_labels(y, y_hat):
        return -np.log(y_hat[range(len(y)), y]).mean()
    r = judge("nb04_categorical_cross_entropy", as_labels)
    assert r.status == "error"
    assert "IndexError" in r.message and "line" in r.message
    assert "y holds one-hot rows" in r.message and "y.argmax(axis=1)" in r.message


def test_cce_other_learner_errors_get_no_labels_hint(judge):
    def typo(y, y_hat):
        return -np.sum(y * np.log(y_hat), axis=2).mean()
    r = judge("nb04_categorical_cross_entropy", typo)
    assert r.status == "error" and "AxisError" in r.message
    assert "one-hot rows" not in r.message


def test_cce_unclipped_log_is_named_on_the_zero_case(judge):
    r = judge("nb04_categorical_cross_entropy",
              lambda y, y_hat: -np.sum(y * np.log(y_hat), axis=1).mean())
    assert r.message.startswith("✘ categorical_cross_entropy — case 2: the true class")
    assert "returned inf" in r.message and "np.finfo(y_hat.dtype).eps" in r.message


def test_cce_fixed_epsilon_is_named(judge):
    def keras_like(y, y_hat):
        return -np.sum(y * np.log(np.clip(y_hat, 1e-7, 1 - 1e-7)), axis=1).mean()
    r = judge("nb04_categorical_cross_entropy", keras_like)
    assert "case 2" in r.message and "fixed epsilon" in r.message


def test_cce_float32_eps_of_the_input_dtype(judge):
    """The statement's eps is y_hat's dtype's: converting float32 predictions to float64 first
    clips a 0 to float64's eps, and a float32 case with a 0 at the true class says so."""
    def as_float64(y, y_hat):
        P = np.asarray(y_hat, dtype=np.float64)
        eps = np.finfo(P.dtype).eps
        return -np.sum(y * np.log(np.clip(P, eps, 1 - eps)), axis=1).mean()
    r = judge("nb04_categorical_cross_entropy", as_float64)
    assert not r.passed and r.mistake.name == "float64's epsilon for float32"


def test_all_nb04_references_return_numpy_scalars():
    from nnlib import losses
    y32 = np.array([[1.0, 0.0]], dtype=np.float32)
    p32 = np.array([[0.8, 0.2]], dtype=np.float32)
    for f in (losses.mse, losses.rmse, losses.ssr, losses.categorical_cross_entropy):
        assert isinstance(f(y32, p32), np.float32)
