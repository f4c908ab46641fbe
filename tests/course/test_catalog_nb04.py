"""Notebook 04's mistake catalog: realistic wrong answers, each rejected and named with its true
cause; correct answers written other ways, each accepted; every known mistake named as itself."""

import math

import numpy as np

from .catalog import catalog_tests, check_wrong, says  # noqa: F401

IDS = ["nb04_mse", "nb04_rmse", "nb04_ssr", "nb04_categorical_cross_entropy"]


def _r(y, y_hat):
    return y_hat - y


def _mse_loop(y, y_hat):
    total = 0.0
    for a, b in zip(np.ravel(y), np.ravel(y_hat)):
        total += (a - b) ** 2
    return total / np.size(y)


# --- mse ---------------------------------------------------------------------------------------

WRONG = [
    ("nb04_mse", "no mean (SSR)", lambda y, y_hat: np.sum((y - y_hat) ** 2)),
    ("nb04_mse", "mean absolute residual", lambda y, y_hat: np.mean(np.abs(y - y_hat))),
    ("nb04_mse", "mean signed residual", lambda y, y_hat: np.mean(y_hat - y)),
    ("nb04_mse", "mean over the samples only", lambda y, y_hat: np.mean((y - y_hat) ** 2, axis=0)),
    ("nb04_mse", "mean over the outputs only", lambda y, y_hat: ((y - y_hat) ** 2).mean(axis=-1)),
    ("nb04_mse", "square of the mean residual", lambda y, y_hat: np.mean(y_hat - y) ** 2),
    ("nb04_mse", "divided by N instead of N·K", lambda y, y_hat: np.sum((y - y_hat) ** 2) / len(y)),
    ("nb04_mse", "half the MSE", lambda y, y_hat: 0.5 * np.mean((y - y_hat) ** 2)),
    ("nb04_mse", "square root taken (RMSE)", lambda y, y_hat: np.sqrt(np.mean((y - y_hat) ** 2))),
    ("nb04_mse", "divided by N − 1", lambda y, y_hat: np.sum((y - y_hat) ** 2) / (y.size - 1)),
]

RIGHT = [
    ("nb04_mse", lambda y, y_hat: np.mean((y - y_hat) ** 2)),
    ("nb04_mse", _mse_loop),
    ("nb04_mse", lambda y, y_hat: np.linalg.norm(y - y_hat) ** 2 / y.size),
    ("nb04_mse", lambda y, y_hat: float(np.average(np.square(y_hat - y)))),
]


# --- rmse --------------------------------------------------------------------------------------

WRONG += [
    ("nb04_rmse", "no square root (MSE)", lambda y, y_hat: np.mean((y - y_hat) ** 2)),
    ("nb04_rmse", "root before the mean", lambda y, y_hat: np.mean(np.sqrt((y - y_hat) ** 2))),
    ("nb04_rmse", "root before the mean", lambda y, y_hat: np.mean(np.abs(y - y_hat))),
    ("nb04_rmse", "root of the SSR", lambda y, y_hat: np.sqrt(np.sum((y - y_hat) ** 2))),
    ("nb04_rmse", "root of the SSR", lambda y, y_hat: np.linalg.norm(y - y_hat)),
    ("nb04_rmse", "mean of per-sample roots",
     lambda y, y_hat: np.mean(np.sqrt(np.mean((y - y_hat) ** 2, axis=-1)))),
    ("nb04_rmse", "divided by N instead of N·K",
     lambda y, y_hat: np.sqrt(np.sum((y - y_hat) ** 2) / len(y))),
    ("nb04_rmse", "standard deviation of the residuals", lambda y, y_hat: np.std(y - y_hat)),
    ("nb04_rmse", "half the MSE inside the root",
     lambda y, y_hat: np.sqrt(0.5 * np.mean((y - y_hat) ** 2))),
    ("nb04_rmse", "roots over the samples only",
     lambda y, y_hat: np.sqrt(np.mean((y - y_hat) ** 2, axis=0))),
    ("nb04_rmse", "one RMSE per sample",
     lambda y, y_hat: np.sqrt(((y_hat - y) ** 2).mean(axis=1))),
    ("nb04_rmse", "mean of per-output roots",
     lambda y, y_hat: np.sqrt(((y_hat - y) ** 2).mean(axis=0)).mean()),
    ("nb04_rmse", "mean of per-sample lengths",
     lambda y, y_hat: np.mean(np.linalg.norm(np.atleast_2d((y_hat - y).T).T, axis=1))),
    ("nb04_rmse", "root of the SSR divided by N·K",
     lambda y, y_hat: np.linalg.norm(y - y_hat) / y.size),
    ("nb04_rmse", "divided by N − 1",
     lambda y, y_hat: np.sqrt(np.sum((y_hat - y) ** 2) / (y.size - 1))),
    ("nb04_rmse", "divided by N − 1",
     lambda y, y_hat: np.sqrt(np.sum((y_hat - y) ** 2) / (len(y) - 1))),
    ("nb04_rmse", "standard deviation with ddof=1", lambda y, y_hat: np.std(y_hat - y, ddof=1)),
]

RIGHT += [
    ("nb04_rmse", lambda y, y_hat: np.sqrt(np.mean((y - y_hat) ** 2))),
    ("nb04_rmse", lambda y, y_hat: math.sqrt(_mse_loop(y, y_hat))),
    ("nb04_rmse", lambda y, y_hat: np.linalg.norm(y_hat - y) / np.sqrt(y.size)),
    ("nb04_rmse", lambda y, y_hat: np.mean(np.square(y_hat - y)) ** 0.5),
]


# --- ssr ---------------------------------------------------------------------------------------

def _ssr_loop(y, y_hat):
    total = 0.0
    for a, b in zip(y.flat, y_hat.flat):
        total += (b - a) * (b - a)
    return total


WRONG += [
    ("nb04_ssr", "mean instead of sum (MSE)", lambda y, y_hat: np.mean((y - y_hat) ** 2)),
    ("nb04_ssr", "signed residuals summed", lambda y, y_hat: np.sum(y_hat - y)),
    ("nb04_ssr", "absolute residuals summed", lambda y, y_hat: np.abs(y - y_hat).sum()),
    ("nb04_ssr", "sum over the samples only", lambda y, y_hat: sum((y - y_hat) ** 2)),
    ("nb04_ssr", "sum over the samples only", lambda y, y_hat: ((y - y_hat) ** 2).sum(axis=0)),
    ("nb04_ssr", "sum over the outputs only", lambda y, y_hat: ((y - y_hat) ** 2).sum(axis=-1)),
    ("nb04_ssr", "half the SSR", lambda y, y_hat: 0.5 * np.sum((y - y_hat) ** 2)),
    ("nb04_ssr", "square of the summed residual", lambda y, y_hat: np.sum(y_hat - y) ** 2),
    ("nb04_ssr", "square root of the SSR", lambda y, y_hat: np.linalg.norm(y - y_hat)),
    ("nb04_ssr", "square root of the SSR", lambda y, y_hat: np.sqrt(np.sum((y - y_hat) ** 2))),
]

RIGHT += [
    ("nb04_ssr", lambda y, y_hat: np.sum((y - y_hat) ** 2)),
    ("nb04_ssr", _ssr_loop),
    ("nb04_ssr", lambda y, y_hat: np.linalg.norm(y - y_hat) ** 2),
    ("nb04_ssr", lambda y, y_hat: np.vdot(y_hat - y, y_hat - y)),
]


# --- categorical_cross_entropy -------------------------------------------------------------------

def _eps(y_hat):
    return np.finfo(y_hat.dtype).eps


def _clip(y_hat):
    return np.clip(y_hat, _eps(y_hat), 1 - _eps(y_hat))


def _cce_loop(y, y_hat):
    total = 0.0
    for n in range(len(y)):
        k = int(np.argmax(y[n]))
        total -= np.log(max(y_hat[n, k], _eps(y_hat)))
    return total / len(y)


def _binary_ce(y, y_hat):
    P = _clip(y_hat)
    return -(y * np.log(P) + (1 - y) * np.log(1 - P)).sum(axis=1).mean()


WRONG += [
    ("nb04_categorical_cross_entropy", "no mean (sum over the samples)",
     lambda y, y_hat: -np.sum(y * np.log(_clip(y_hat)))),
    ("nb04_categorical_cross_entropy", "no minus sign",
     lambda y, y_hat: np.mean(np.sum(y * np.log(_clip(y_hat)), axis=1))),
    ("nb04_categorical_cross_entropy", "log of every probability summed",
     lambda y, y_hat: -np.mean(np.sum(np.log(_clip(y_hat)), axis=1))),
    ("nb04_categorical_cross_entropy", "argmax without axis",
     lambda y, y_hat: -np.mean(np.log(_clip(y_hat)[np.arange(len(y)), y.argmax()]))),
    ("nb04_categorical_cross_entropy", "mean over all N·K entries",
     lambda y, y_hat: -np.mean(y * np.log(_clip(y_hat)))),
    ("nb04_categorical_cross_entropy", "arguments swapped",
     lambda y, y_hat: -np.mean(np.sum(y_hat * np.log(_clip(y)), axis=1))),
    ("nb04_categorical_cross_entropy", "log(0) not clipped",
     lambda y, y_hat: -np.mean(np.sum(y * np.log(y_hat), axis=1))),
    ("nb04_categorical_cross_entropy", "epsilon added inside the log",
     lambda y, y_hat: -np.mean(np.sum(y * np.log(y_hat + 1e-9), axis=1))),
    ("nb04_categorical_cross_entropy", "fixed epsilon 1e-15",
     lambda y, y_hat: -np.mean(np.sum(y * np.log(np.clip(y_hat, 1e-15, 1 - 1e-15)), axis=1))),
    ("nb04_categorical_cross_entropy", "fixed epsilon 1e-7",
     lambda y, y_hat: -np.mean(np.sum(y * np.log(np.clip(y_hat, 1e-7, 1 - 1e-7)), axis=1))),
    ("nb04_categorical_cross_entropy", "fixed epsilon 1e-12",
     lambda y, y_hat: -np.mean(np.sum(y * np.log(y_hat + 1e-12), axis=1))),
    ("nb04_categorical_cross_entropy", "log base 10",
     lambda y, y_hat: -np.mean(np.sum(y * np.log10(_clip(y_hat)), axis=1))),
    ("nb04_categorical_cross_entropy", "log base 2",
     lambda y, y_hat: -np.mean(np.sum(y * np.log2(_clip(y_hat)), axis=1))),
    ("nb04_categorical_cross_entropy", "binary cross-entropy terms", _binary_ce),
    ("nb04_categorical_cross_entropy", says("not class labels"),
     lambda y, y_hat: -np.mean(np.log(_clip(y_hat)[np.arange(len(y)), y]))),
]

RIGHT += [
    ("nb04_categorical_cross_entropy", lambda y, y_hat: -np.mean(np.sum(y * np.log(_clip(y_hat)),
                                                                         axis=1))),
    ("nb04_categorical_cross_entropy", _cce_loop),
    ("nb04_categorical_cross_entropy",
     lambda y, y_hat: -np.log(np.clip(y_hat[np.arange(len(y)), y.argmax(axis=1)],
                                      _eps(y_hat), 1)).mean()),
    ("nb04_categorical_cross_entropy",
     lambda y, y_hat: -np.einsum("nk,nk->", y, np.log(_clip(y_hat))) / y.shape[0]),
]


# --- general slips (written for this catalog, not from the held-out samples) ----------------------

def _cce_float64_eps(y, y_hat):
    eps = np.finfo(float).eps
    return -np.mean(np.sum(y * np.log(np.clip(y_hat, eps, 1 - eps)), axis=1))


def _cce_mean_over_classes(y, y_hat):
    eps = np.finfo(y_hat.dtype).eps
    return -np.mean(np.sum(y * np.log(np.clip(y_hat, eps, 1 - eps)), axis=0))


WRONG += [
    ("nb04_mse", "difference of squares", lambda y, y_hat: np.sum(y ** 2 - y_hat ** 2) / y.size),
    ("nb04_rmse", "root of the SSR divided by N",
     lambda y, y_hat: np.sqrt(np.sum((y - y_hat) ** 2)) / y.shape[0]),
    ("nb04_rmse", "** 1/2 is half, not the root",
     lambda y, y_hat: np.mean((y_hat - y) ** 2) ** 1/2),
    ("nb04_rmse", "residuals not squared", lambda y, y_hat: np.sqrt(np.mean(y - y_hat))),
    ("nb04_ssr", "divided by N", lambda y, y_hat: np.sum((y - y_hat) ** 2) / len(y)),
    ("nb04_categorical_cross_entropy", "float64's epsilon for float32", _cce_float64_eps),
    ("nb04_categorical_cross_entropy", "mean over the classes", _cce_mean_over_classes),
]

# --- written other ways (samples3's families: //, n − 1, the root in the wrong place) --------

WRONG += [
    ("nb04_mse", "floor division //", lambda y, y_hat: np.sum((y - y_hat) ** 2) // y.size),
    ("nb04_mse", "floor division //", lambda y, y_hat: ((y_hat - y) ** 2).sum() // np.size(y)),
    ("nb04_rmse", "root of the SSR divided by N·K",
     lambda y, y_hat: np.sqrt(np.sum((y - y_hat) ** 2)) / y.size),
    ("nb04_rmse", "divided by N − 1",
     lambda y, y_hat: np.sqrt(np.sum((y - y_hat) ** 2) / (y.size - 1))),
    ("nb04_rmse", "divided by N − 1",
     lambda y, y_hat: math.sqrt(((y_hat - y) ** 2).sum() / (np.size(y) - 1))),
    ("nb04_rmse", "floor division //",
     lambda y, y_hat: np.sqrt(np.sum((y - y_hat) ** 2) // y.size)),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT))
