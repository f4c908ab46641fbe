"""nnlib.diagnostics against answers worked out independently (by hand or by loops)."""

import numpy as np
import pytest

from nnlib import SGD, Dropout, Network, diagnostics, losses
from nnlib.layers import Activation, Dense


def test_dead_units_hand_example():
    # unit 0: zero for every sample (dead); unit 1: zero for two samples only; units 2, 3: alive
    A = np.array([[0.0, 0.0, 1.5, 0.2],
                  [0.0, 2.0, 0.3, 0.1],
                  [0.0, 0.0, 0.7, 1.1],
                  [0.0, 1.0, 2.0, 0.4]])
    assert diagnostics.dead_units(A) == 1
    assert isinstance(diagnostics.dead_units(A), int)


def test_dead_units_matches_a_loop_on_random_relu_outputs():
    rng = np.random.default_rng(0)
    for _ in range(20):
        N, M = rng.integers(1, 30), rng.integers(1, 30)
        A = np.maximum(rng.standard_normal((N, M)) - rng.uniform(0, 3, size=M), 0)
        by_loop = sum(all(A[n, j] == 0 for n in range(N)) for j in range(M))
        assert diagnostics.dead_units(A) == by_loop


def test_dead_units_edges():
    assert diagnostics.dead_units(np.zeros((3, 5))) == 5
    assert diagnostics.dead_units(np.ones((3, 5), dtype=np.float32)) == 0
    assert diagnostics.dead_units(np.array([[0.0, 1.0]])) == 1   # one sample: its zeros count
    with pytest.raises(ValueError, match=r"\(N, M\)"):
        diagnostics.dead_units(np.zeros(4))


def _tiny_network():
    """2 -> 2 (ReLU) -> 1 with weights chosen so the numbers can be worked by hand."""
    return Network([Dense.from_arrays([[1.0, -1.0], [0.5, -2.0]], [0.0, -1.0]),
                    Activation("relu"),
                    Dense.from_arrays([[2.0], [3.0]], [0.5])])


def test_hidden_activations_and_stats_by_hand():
    net = _tiny_network()
    X = np.array([[1.0, 2.0], [-1.0, 0.0]])
    # Z1 = X W1 + b1 = [[2, -6], [-1, 0]]  ->  A1 = relu(Z1) = [[2, 0], [0, 0]]
    (name, A), = diagnostics.hidden_activations(net, X)
    assert name == "relu"
    np.testing.assert_array_equal(A, [[2.0, 0.0], [0.0, 0.0]])
    (stats,) = diagnostics.activation_stats(net, X)
    assert stats == {"layer": 1, "name": "relu", "mean": 0.5, "std": pytest.approx(np.sqrt(0.75)),
                     "dead": 1, "units": 2, "saturated": 0.75}   # 3 of the 4 entries are 0


def test_hidden_activations_skip_the_output_activation():
    rng = np.random.default_rng(0)
    net = Network.from_sizes([3, 4, 5, 2], activation="sigmoid", output="sigmoid", rng=rng)
    names = [(name, A.shape) for name, A in diagnostics.hidden_activations(net, np.ones((6, 3)))]
    assert names == [("sigmoid", (6, 4)), ("sigmoid", (6, 5))]


def test_gradient_norms_by_hand():
    net = _tiny_network()
    X = np.array([[1.0, 2.0], [-1.0, 0.0]])
    y = np.array([[0.0], [0.0]])
    y_hat = net.forward(X)            # A1 = [[2, 0], [0, 0]] -> y_hat = [[4.5], [0.5]]
    net.zero_grad()
    net.backward(losses.ssr_grad(y, y_hat))   # dout = 2 (y_hat - y) = [[9], [1]]
    # dW2 = A1ᵀ dout = [[18], [0]]; dA1 = dout W2ᵀ = [[18, 27], [2, 3]];
    # dZ1 = dA1 * (Z1 > 0) = [[18, 0], [0, 0]]; dW1 = Xᵀ dZ1 = [[18, 0], [36, 0]]
    norms = diagnostics.gradient_norms(net)
    assert norms == pytest.approx([np.sqrt(18**2 + 36**2), 18.0])
    assert all(isinstance(v, float) for v in norms)


def test_gradient_stats_by_hand():
    net = _tiny_network()
    X, y = np.array([[1.0, 2.0], [-1.0, 0.0]]), np.array([[0.0], [0.0]])
    net.zero_grad()
    net.backward(losses.ssr_grad(y, net.forward(X)))   # dW1 = [[18, 0], [36, 0]], dW2 = [[18], [0]]
    first, second = diagnostics.gradient_stats(net)
    # ‖W1‖ = √(1 + 1 + 0.25 + 4) = 2.5, ‖W2‖ = √(4 + 9) = √13
    assert first == pytest.approx({"layer": 1, "grad_norm": np.sqrt(1620), "weight_norm": 2.5,
                                   "grad_to_weight": np.sqrt(1620) / 2.5,
                                   "grad_std": np.std([18, 0, 36, 0])})
    assert second["grad_to_weight"] == pytest.approx(18 / np.sqrt(13))


def test_saturated_fraction_by_hand():
    assert diagnostics.saturated_fraction(np.array([[0.99, -0.98, 0.5, 0.0]]), "tanh") == 0.5
    assert diagnostics.saturated_fraction(np.array([[0.001, 0.5, 0.999, 0.3]]), "sigmoid") == 0.5
    assert diagnostics.saturated_fraction(np.array([[0.0, 0.0, 2.0, 0.1]]), "relu") == 0.5
    assert diagnostics.saturated_fraction(np.array([[-0.01, 0.3]]), "leaky_relu") == 0.5
    assert diagnostics.saturated_fraction(np.array([[5.0, -5.0]]), "identity") == 0.0
    # the thresholds: slope under 6% of the steepest
    assert diagnostics.saturated_fraction(np.array([0.969, 0.970]), "tanh") == 0.5
    assert diagnostics.saturated_fraction(np.array([0.015, 0.0153, 0.984, 0.985]), "sigmoid") == 0.5


def test_update_ratio_by_hand_and_for_a_network_step():
    assert diagnostics.update_ratio([[3.0, 4.0]], [[3.0, 4.5]]) == pytest.approx(0.1)  # 0.5 / 5
    assert diagnostics.update_ratio(np.zeros(2), np.zeros(2)) == 0.0
    assert diagnostics.update_ratio(np.zeros(2), np.ones(2)) == float("inf")
    with pytest.raises(ValueError, match="shape"):
        diagnostics.update_ratio(np.ones(2), np.ones(3))
    net = _tiny_network()
    X, y = np.array([[1.0, 2.0], [-1.0, 0.0]]), np.array([[0.0], [0.0]])
    before = diagnostics.weights(net)
    opt = SGD(net.parameters(), lr=0.01)
    opt.zero_grad()
    net.backward(losses.ssr_grad(y, net.forward(X)))
    grad_to_weight = [r["grad_to_weight"] for r in diagnostics.gradient_stats(net)]
    opt.step()
    # plain SGD moves W by lr·dW, so its update ratio is lr · ‖dW‖/‖W‖
    expected = [0.01 * g for g in grad_to_weight]
    assert diagnostics.update_ratios(before, net) == pytest.approx(expected)


def test_statistics_run_the_network_as_predict_does_unless_asked():
    rng = np.random.default_rng(0)
    net = Network([Dense(3, 4, rng=rng), Activation("relu"), Dropout(0.5, rng=rng),
                   Dense(4, 2, rng=rng), Activation("tanh"), Dense(2, 1, rng=rng)])
    X = rng.standard_normal((20, 3))
    (_, A1), (_, A2) = diagnostics.hidden_activations(net, X)
    np.testing.assert_array_equal(A2, np.tanh(np.maximum(X @ net.layers[0].W.value
                                                         + net.layers[0].b.value, 0)
                                              @ net.layers[3].W.value + net.layers[3].b.value))
    trained = diagnostics.activation_stats(net, X, training=True)
    assert trained[1]["mean"] != diagnostics.activation_stats(net, X)[1]["mean"]   # dropout on
