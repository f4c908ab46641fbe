"""L2 regularization: the penalty and its gradient, gradient-checked, and fit(l2=...)."""

import numpy as np
import pytest

from nnlib import Network, fit, losses
from nnlib.gradcheck import check_network, numerical_gradient, rel_error
from nnlib.objective import backprop
from nnlib.regularization import l2_gradient, l2_penalty


def small_problem(seed=0):
    rng = np.random.default_rng(seed)
    net = Network.from_sizes([3, 5, 2], activation="tanh", output="sigmoid", rng=rng)
    return net, rng.standard_normal((6, 3)), rng.random((6, 2))


def test_penalty_and_gradient_known_values():
    weights = [np.array([[1.0, 2.0]]), np.array([3.0])]
    assert l2_penalty(weights, 0.5) == pytest.approx(0.25 * (1 + 4 + 9))
    assert isinstance(l2_penalty(weights, 0.5), float)
    assert l2_penalty(weights, 0.0) == 0.0
    W = np.array([[1.0, -2.0]], dtype=np.float32)
    g = l2_gradient(W, 0.1)
    np.testing.assert_allclose(g, [[0.1, -0.2]], rtol=1e-6)
    assert g.dtype == np.float32 and g is not W


def test_gradient_is_the_penalty_s_derivative():
    W = np.random.default_rng(1).standard_normal((4, 3))
    numeric = numerical_gradient(lambda: l2_penalty([W], 0.3), W)
    assert rel_error(l2_gradient(W, 0.3), numeric) < 1e-8


@pytest.mark.parametrize("call", [
    lambda: l2_penalty([np.ones(2)], -0.1),
    lambda: l2_gradient(np.ones(2), -1),
    lambda: fit(*small_problem(), l2=-0.01, epochs=1),
])
def test_negative_strength_is_a_value_error(call):
    with pytest.raises(ValueError, match="must be >= 0"):
        call()


@pytest.mark.parametrize("cost", ["mse", "binary_cross_entropy"])
def test_regularized_objective_passes_the_gradient_check(cost):
    net, X, y = small_problem()
    report = check_network(net, X, y, cost=cost, l2=0.7)
    assert report.ok, report


def test_l2_adds_lambda_W_to_weights_and_nothing_to_biases():
    lam = 0.25
    grads = []
    for l2 in (0.0, lam):
        net, X, y = small_problem()
        net.zero_grad()
        backprop(net, X, y, "mse", l2)
        grads.append([p.grad.copy() for p in net.parameters()])
    for (name, p), plain, regular in zip(net.named_parameters(), *grads):
        extra = lam * p.value if name.endswith("W") else np.zeros_like(p.value)
        np.testing.assert_allclose(regular - plain, extra, atol=1e-12, err_msg=name)


def test_fit_reports_cost_plus_penalty_and_shrinks_weights():
    lam = 0.1
    net, X, y = small_problem()
    weights = [layer.W.value.copy() for layer in net.dense_layers]
    expected = losses.mse(y, net.forward(X)) + l2_penalty(weights, lam)
    history = fit(net, X, y, cost="mse", lr=0.5, epochs=1, l2=lam)  # one batch: before the step
    assert history["cost"][0] == pytest.approx(expected)

    norms = []
    for l2 in (0.0, 1.0):
        net, X, y = small_problem()
        fit(net, X, y, cost="mse", lr=0.5, epochs=50, l2=l2)
        norms.append(sum(np.sum(layer.W.value ** 2) for layer in net.dense_layers))
    assert norms[1] < 0.5 * norms[0]
