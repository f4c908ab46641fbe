"""Losses and costs: values from their definitions, gradients by finite differences."""

import warnings

import numpy as np
import pytest

from nnlib import losses as L
from nnlib.gradcheck import numerical_gradient, rel_error

rng = np.random.default_rng(3)
Y_REG = rng.standard_normal((5, 2))
P_REG = rng.standard_normal((5, 2))
Y_BIN = rng.integers(0, 2, (6, 1)).astype(float)
P_BIN = rng.uniform(0.05, 0.95, (6, 1))
Y_CAT = np.eye(4)[rng.integers(0, 4, 6)]
P_CAT = rng.dirichlet(np.ones(4), 6)


def test_costs_from_definitions():
    r = P_REG - Y_REG
    assert L.mse(Y_REG, P_REG) == pytest.approx(sum(v * v for v in r.ravel()) / r.size)
    assert L.rmse(Y_REG, P_REG) == pytest.approx(np.sqrt(sum(v * v for v in r.ravel()) / r.size))
    assert L.ssr(Y_REG, P_REG) == pytest.approx(sum(v * v for v in r.ravel()))
    bce = -np.mean([y * np.log(p) + (1 - y) * np.log(1 - p)
                    for y, p in zip(Y_BIN.ravel(), P_BIN.ravel())])
    assert L.binary_cross_entropy(Y_BIN, P_BIN) == pytest.approx(bce)
    cce = -np.mean([np.log(p[y.argmax()]) for y, p in zip(Y_CAT, P_CAT)])
    assert L.categorical_cross_entropy(Y_CAT, P_CAT) == pytest.approx(cce)


def test_loss_is_per_sample_and_cost_is_its_mean():
    for name, (y, p) in {"mse": (Y_REG, P_REG), "binary_cross_entropy": (Y_BIN, P_BIN),
                         "categorical_cross_entropy": (Y_CAT, P_CAT)}.items():
        per_sample = L.LOSSES[name](y, p)
        assert per_sample.shape == (len(y),)
        assert L.COSTS[name](y, p) == pytest.approx(per_sample.mean())
    # A sample's squared-error loss is the mean over its K outputs; SSR adds every residual up,
    # so it is the sum of the losses times K.
    K = Y_REG.shape[1]
    assert L.ssr(Y_REG, P_REG) == pytest.approx(L.squared_error_loss(Y_REG, P_REG).sum() * K)


@pytest.mark.parametrize("name,y,p", [
    ("mse", Y_REG, P_REG), ("rmse", Y_REG, P_REG), ("ssr", Y_REG, P_REG),
    ("binary_cross_entropy", Y_BIN, P_BIN), ("categorical_cross_entropy", Y_CAT, P_CAT),
])
def test_gradients_match_finite_differences(name, y, p):
    cost, grad = L.get_cost(name)
    p = p.copy()
    numeric = numerical_gradient(lambda: cost(y, p), p)
    assert rel_error(grad(y, p), numeric) <= 1e-7


def test_fused_softmax_cross_entropy():
    from nnlib.activations import softmax
    Z = rng.standard_normal((6, 4))
    assert L.softmax_cross_entropy(Y_CAT, Z) == pytest.approx(
        L.categorical_cross_entropy(Y_CAT, softmax(Z)))
    numeric = numerical_gradient(lambda: L.softmax_cross_entropy(Y_CAT, Z), Z)
    assert rel_error(L.softmax_cross_entropy_grad(Y_CAT, Z), numeric) <= 1e-7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = np.array([[1e4, -1e4, 0.0, 0.0]])
        assert np.isfinite(L.softmax_cross_entropy(np.array([[0, 1.0, 0, 0]]), huge))


def test_log_losses_clip_instead_of_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bce = L.binary_cross_entropy(np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]]))
        cce = L.categorical_cross_entropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
        g = L.categorical_cross_entropy_grad(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    assert np.isfinite(bce) and bce == pytest.approx(-np.log(np.finfo(float).eps))
    assert np.isfinite(cce) and np.all(np.isfinite(g))
    cce32 = L.categorical_cross_entropy(np.array([[1.0, 0.0]], np.float32),
                                        np.array([[0.0, 1.0]], np.float32))
    assert cce32 == pytest.approx(-np.log(np.finfo(np.float32).eps), rel=1e-5)


@pytest.mark.parametrize("name", sorted(L.COSTS))
def test_float32_preserved(name):
    cost, grad = L.get_cost(name)
    y, p = (Y_CAT, P_CAT) if "entropy" in name else (Y_REG, P_REG)
    if name == "binary_cross_entropy":
        y, p = Y_BIN, P_BIN
    y32, p32 = y.astype(np.float32), p.astype(np.float32)
    assert cost(y32, p32).dtype == np.float32
    assert grad(y32, p32).dtype == np.float32


def test_shape_mismatch_explains_one_hot():
    with pytest.raises(ValueError, match="one_hot"):
        L.categorical_cross_entropy(np.array([0, 2]), P_CAT[:2])


def test_unknown_cost():
    with pytest.raises(ValueError, match="mse"):
        L.get_cost("hinge")
