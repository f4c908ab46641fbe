"""Batch normalization: numbers worked by hand, gradient checks (functions, the layer, a network
with it), running statistics in training and inference, and clear errors."""

import numpy as np
import pytest

from nnlib import Activation, Dense, Network, fit
from nnlib.gradcheck import check_layer, check_network, numerical_gradient_array, rel_error
from nnlib.normalization import (BatchNorm, batchnorm, batchnorm_backward, batchnorm_forward,
                                 batchnorm_inference)

EPS = 1e-5


def test_forward_by_hand():
    # feature 1: 1, 3 -> mean 2, variance 1 (÷N); feature 2: 2, 6 -> mean 4, variance 4
    X = np.array([[1.0, 2.0], [3.0, 6.0]])
    gamma, beta = np.array([2.0, 0.5]), np.array([0.0, 1.0])
    X_hat = np.array([[-1 / np.sqrt(1 + EPS), -2 / np.sqrt(4 + EPS)],
                      [1 / np.sqrt(1 + EPS), 2 / np.sqrt(4 + EPS)]])
    np.testing.assert_allclose(batchnorm_forward(X, gamma, beta, EPS), gamma * X_hat + beta,
                               rtol=1e-14)
    # about [[-2, 0.5], [2, 1.5]]
    np.testing.assert_allclose(batchnorm_forward(X, gamma, beta), [[-2, 0.5], [2, 1.5]], atol=2e-5)


def test_forward_gives_each_feature_mean_beta_and_std_gamma():
    rng = np.random.default_rng(0)
    X = rng.normal(5, 3, (50, 4))
    gamma, beta = np.array([1.0, 2.0, 0.5, 3.0]), np.array([0.0, -1.0, 2.0, 0.5])
    Y = batchnorm_forward(X, gamma, beta, eps=1e-12)
    np.testing.assert_allclose(Y.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(Y.std(axis=0), gamma, rtol=1e-9)


def test_float32_stays_float32():
    X = np.arange(6, dtype=np.float32).reshape(3, 2)
    gamma, beta = np.ones(2, np.float32), np.zeros(2, np.float32)
    assert batchnorm_forward(X, gamma, beta).dtype == np.float32
    assert all(g.dtype == np.float32 for g in batchnorm_backward(np.ones_like(X), X, gamma))


def test_backward_matches_finite_differences():
    rng = np.random.default_rng(1)
    X, dout = rng.normal(1, 2, (6, 3)), rng.standard_normal((6, 3))
    gamma, beta = rng.normal(1, 0.5, 3), rng.standard_normal(3)
    dX, dgamma, dbeta = batchnorm_backward(dout, X, gamma, EPS)
    f = lambda: batchnorm_forward(X, gamma, beta, EPS)   # noqa: E731
    assert rel_error(dX, numerical_gradient_array(f, X, dout)) < 1e-7
    assert rel_error(dgamma, numerical_gradient_array(f, gamma, dout)) < 1e-7
    assert rel_error(dbeta, numerical_gradient_array(f, beta, dout)) < 1e-7


def test_backward_by_hand_two_samples():
    # With N = 2, X̂ is ±1 whatever X is (up to ε), so the output does not depend on X: dX ≈ 0.
    X, gamma = np.array([[0.0], [4.0]]), np.array([3.0])
    dout = np.array([[1.0], [5.0]])
    dX, dgamma, dbeta = batchnorm_backward(dout, X, gamma, EPS)
    np.testing.assert_allclose(dX, [[0.0], [0.0]], atol=1e-5)
    np.testing.assert_allclose(dbeta, [6.0])                             # 1 + 5
    np.testing.assert_allclose(dgamma, [4.0 / np.sqrt(1 + EPS / 4)])     # −1·1 + 1·5, X̂ = ±2/√(4+ε)


def test_running_statistics_by_hand():
    X = np.array([[1.0, 2.0], [3.0, 6.0]])          # batch mean [2, 4], variance [1, 4]
    gamma, beta = np.ones(2), np.zeros(2)
    mean0, var0 = np.zeros(2), np.ones(2)
    _, mean1, var1 = batchnorm(X, gamma, beta, mean0, var0, training=True, momentum=0.9)
    np.testing.assert_allclose(mean1, [0.2, 0.4])                 # 0.9·0 + 0.1·[2, 4]
    np.testing.assert_allclose(var1, [1.0, 1.3])                  # 0.9·1 + 0.1·[1, 4]
    assert np.array_equal(mean0, np.zeros(2)) and np.array_equal(var0, np.ones(2))  # not changed
    Y, mean2, var2 = batchnorm(X, gamma, beta, mean1, var1, training=False)
    assert mean2 is mean1 and var2 is var1                         # inference changes nothing
    np.testing.assert_allclose(Y, (X - [0.2, 0.4]) / np.sqrt(np.array([1.0, 1.3]) + EPS))
    np.testing.assert_allclose(Y, batchnorm_inference(X, gamma, beta, mean1, var1))


def test_layer_gradient_check_in_both_modes():
    rng = np.random.default_rng(2)
    layer = BatchNorm(4)
    layer.gamma.value[:] = rng.normal(1, 0.3, 4)
    layer.beta.value[:] = rng.standard_normal(4)
    X = rng.normal(0, 2, (7, 4))
    errors = check_layer(layer, X, rng=rng)
    assert set(errors) == {"dX", "dgamma", "dbeta"} and max(errors.values()) < 1e-7, errors
    layer.running_mean, layer.running_var = rng.standard_normal(4), rng.uniform(0.5, 2, 4)

    class Inference(BatchNorm):            # the same layer, always run as for predictions
        def forward(self, X, training=True):
            return super().forward(X, training=False)
    frozen = Inference(4)
    frozen.gamma, frozen.beta = layer.gamma, layer.beta
    frozen.running_mean, frozen.running_var = layer.running_mean, layer.running_var
    errors = check_layer(frozen, X, rng=rng)
    assert max(errors.values()) < 1e-7, errors


def test_layer_modes_and_running_statistics():
    layer = BatchNorm(2, momentum=0.5)
    X = np.array([[1.0, 2.0], [3.0, 6.0]])
    layer.forward(X)                               # training: updates the running statistics
    np.testing.assert_allclose(layer.running_mean, [1.0, 2.0])
    np.testing.assert_allclose(layer.running_var, [1.0, 2.5])
    before = layer.running_mean.copy(), layer.running_var.copy()
    one = layer.forward(X[:1], training=False)     # a batch of one works at inference ...
    assert np.array_equal(layer.running_mean, before[0]) and np.array_equal(layer.running_var,
                                                                            before[1])
    np.testing.assert_allclose(one, layer.forward(X, training=False)[:1])   # ... and is per row
    with pytest.raises(ValueError, match="at least 2 samples"):
        layer.forward(X[:1])


def test_network_with_batchnorm_gradient_check_and_predict():
    rng = np.random.default_rng(3)
    net = Network([Dense(3, 5, rng=rng, input_grad=False), BatchNorm(5), Activation("tanh"),
                   Dense(5, 2, rng=rng), Activation("softmax")])
    X, y = rng.standard_normal((8, 3)), np.eye(2)[rng.integers(0, 2, 8)]
    report = check_network(net, X, y, cost="categorical_cross_entropy")
    rows = {r["name"]: r for r in report.rows}
    # the bias of a Dense layer just below batch norm gets no gradient: the mean subtraction
    # removes any constant added to a feature (so both sides are ~0 and their ratio is noise)
    assert np.abs(net.layers[0].b.grad).max() < 1e-12
    assert abs(rows.pop("layer 1 b")["numeric"]) < 1e-9
    assert all(r["rel_error"] < 1e-7 for r in rows.values()), report
    assert [name for name, _ in net.named_parameters()] == [
        "layer 1 W", "layer 1 b", "layer 2 gamma", "layer 2 beta", "layer 3 W", "layer 3 b"]
    fit(net, X, y, cost="categorical_cross_entropy", optimizer="adam", lr=1e-2, epochs=5,
        batch_size=4, rng=np.random.default_rng(0))
    P = net.predict(X)
    np.testing.assert_allclose(net.predict(X[:1]), P[:1], rtol=1e-12)   # running statistics
    assert not np.allclose(net.forward(X[:4])[:1], net.forward(X)[:1])  # batch statistics


@pytest.mark.parametrize("call, words", [
    (lambda: BatchNorm(0), "n_features"),
    (lambda: BatchNorm(3, momentum=1.0), "momentum"),
    (lambda: BatchNorm(3, eps=0), "eps"),
    (lambda: batchnorm_forward(np.ones((2, 3)), np.ones(2), np.zeros(2)), "gamma must be"),
    (lambda: batchnorm_forward(np.ones(3), np.ones(3), np.zeros(3)), r"\(N, D\)"),
    (lambda: batchnorm(np.ones((2, 2)), np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), True,
                       momentum=-0.1), "momentum"),
])
def test_bad_settings_are_value_errors(call, words):
    with pytest.raises(ValueError, match=words):
        call()
