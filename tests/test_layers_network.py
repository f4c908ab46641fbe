"""Layers, networks and gradient checking: every backward pass against finite differences."""

import math

import numpy as np
import pytest

from nnlib import Activation, Dense, Network, Parameter, fit, initializers
from nnlib.examples import X_222, network_222
from nnlib.gradcheck import check_layer, check_network


def test_dense_forward_is_affine():
    layer = Dense.from_arrays([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [0.5, -0.5])
    X = np.array([[1.0, 0.0, -1.0]])
    np.testing.assert_allclose(layer.forward(X), [[1 - 5 + 0.5, 2 - 6 - 0.5]])
    assert repr(layer) == "Dense(3 -> 2, dtype=float64)"


def test_dense_backward_matches_finite_differences():
    errors = check_layer(Dense(4, 3, init="normal", rng=np.random.default_rng(0)),
                         np.random.default_rng(1).standard_normal((5, 4)))
    assert set(errors) == {"dX", "dW", "db"}
    assert max(errors.values()) <= 1e-7


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity"])
def test_activation_layer_backward(name):
    X = np.random.default_rng(2).standard_normal((4, 3)) + 0.05
    assert max(check_layer(Activation(name), X).values()) <= 1e-7


def test_backward_accumulates_until_zero_grad():
    layer = Dense(2, 2, rng=np.random.default_rng(0))
    X, dout = np.ones((3, 2)), np.ones((3, 2))
    layer.forward(X)
    layer.backward(dout)
    once = layer.W.grad.copy()
    layer.backward(dout)
    np.testing.assert_allclose(layer.W.grad, 2 * once)
    layer.zero_grad()
    assert not layer.W.grad.any()


@pytest.mark.parametrize("cost,output,K", [
    ("mse", "identity", 2), ("ssr", "identity", 2), ("rmse", "identity", 2),
    ("binary_cross_entropy", "sigmoid", 1), ("categorical_cross_entropy", "softmax", 3),
])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_three_layer_network_gradients(cost, output, K, activation):
    rng = np.random.default_rng(4)
    net = Network.from_sizes([3, 5, 4, K], activation=activation, output=output, rng=rng)
    X = rng.standard_normal((6, 3))
    y = (np.eye(K)[rng.integers(0, K, 6)] if output == "softmax"
         else rng.integers(0, 2, (6, K)).astype(float) if output == "sigmoid"
         else rng.standard_normal((6, K)))
    report = check_network(net, X, y, cost)
    assert report.ok, str(report)
    assert len(report.rows) == 6


def test_gradient_report_names_the_wrong_array():
    class BrokenDense(Dense):
        def backward(self, dout):
            dX = super().backward(dout)
            self.b.grad *= 2  # a deliberately wrong db
            return dX

    rng = np.random.default_rng(5)
    net = Network([Dense(2, 3, rng=rng), Activation("tanh"), BrokenDense(3, 2, rng=rng)])
    report = check_network(net, rng.standard_normal((4, 2)), rng.standard_normal((4, 2)), "mse")
    assert not report.ok
    assert report.worst["name"] == "layer 2 b"
    assert "layer 2 b" in str(report) and "OFF" in str(report)


def test_from_sizes_structure_and_repr():
    net = Network.from_sizes([5, 8, 8, 2], activation="relu", rng=np.random.default_rng(0))
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Dense", "Activation", "Dense", "Activation", "Dense"]
    assert "138 parameters" in repr(net)
    assert [name for name, _ in net.named_parameters()][:2] == ["layer 1 W", "layer 1 b"]


def test_float32_network_stays_float32():
    rng = np.random.default_rng(0)
    net = Network.from_sizes([4, 6, 3], output="softmax", rng=rng, dtype=np.float32)
    X = rng.standard_normal((5, 4)).astype(np.float32)
    out = net.forward(X)
    assert out.dtype == np.float32
    assert net.backward(np.ones_like(out)) is None      # the first layer skips the data's gradient
    assert all(p.grad.dtype == np.float32 for p in net.parameters())
    first = net.layers[0]
    by_hand = Network([Dense.from_arrays(first.W.value, first.b.value)] + net.layers[1:])
    by_hand.forward(X)
    assert by_hand.backward(np.ones_like(out)).dtype == np.float32


def test_worked_222_forward_by_hand():
    """The 2-2-2 network's net (z) and activated (a) values, worked out with math.exp."""
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    x1, x2 = 0.5, -0.5
    z_h1 = x1 * 0.2 + x2 * 0.4 + 0.1      # = 0.0
    z_h2 = x1 * -0.3 + x2 * 0.1 - 0.2     # = -0.4
    a_h1, a_h2 = s(z_h1), s(z_h2)
    z_o1 = a_h1 * 0.5 + a_h2 * 0.3 + 0.05
    z_o2 = a_h1 * -0.6 + a_h2 * 0.8 - 0.1
    net = network_222()
    net.forward(X_222)
    d1, act1, d2, act2 = net.layers
    np.testing.assert_allclose(act1.Z, [[z_h1, z_h2]], atol=1e-15)
    np.testing.assert_allclose(d2.X, [[a_h1, a_h2]], rtol=1e-14)
    np.testing.assert_allclose(act2.Z, [[z_o1, z_o2]], rtol=1e-14)
    np.testing.assert_allclose(net.forward(X_222), [[s(z_o1), s(z_o2)]], rtol=1e-14)
    assert z_h1 == pytest.approx(0.0) and z_h2 == pytest.approx(-0.4)
    assert s(z_o1) == pytest.approx(0.603577, abs=1e-6)
    assert s(z_o2) == pytest.approx(0.480273, abs=1e-6)


@pytest.mark.parametrize("name", ["xavier", "he"])
def test_initializer_scales(name):
    W = initializers.get_initializer(name)((400, 100), np.random.default_rng(0))
    expected = math.sqrt(2 / 500) if name == "xavier" else math.sqrt(2 / 400)
    assert W.std() == pytest.approx(expected, rel=0.05)
    assert abs(W.mean()) < 0.01


def test_initializers_are_seeded_and_typed():
    for name in initializers.INITIALIZERS:
        init = initializers.get_initializer(name)
        a = init((3, 4), np.random.default_rng(7), dtype=np.float32)
        b = init((3, 4), np.random.default_rng(7), dtype=np.float32)
        assert a.dtype == np.float32 and a.shape == (3, 4)
        np.testing.assert_array_equal(a, b)
    assert np.all(initializers.constant((2, 2), value=0.3) == 0.3)
    with pytest.raises(ValueError, match="he"):
        initializers.get_initializer("kaiming_special")


def test_dense_requires_a_generator():
    with pytest.raises(ValueError, match="default_rng"):
        Dense(2, 2)


# --- one layer contract: every backward is called as backward(dout), nothing else -------------

class BrokenDense(Dense):
    """Written the way notebook 05 writes it: backward(self, dout), db averaged (the bug)."""

    def backward(self, dout):
        self.W.add_grad(self.X.T @ dout)
        self.b.add_grad(dout.mean(axis=0))
        return dout @ self.W.value.T


class PlainDense(Dense):
    """A correct Dense written from scratch with the same one-argument backward."""

    def backward(self, dout):
        self.W.add_grad(self.X.T @ dout)
        self.b.add_grad(dout.sum(axis=0))
        return dout @ self.W.value.T


def two_layer(first_cls):
    rng = np.random.default_rng(7)
    return Network([first_cls(2, 4, rng=rng), Activation("tanh"), Dense(4, 1, rng=rng),
                    Activation("sigmoid")])


def test_a_dense_subclass_trains_as_the_first_layer_in_fit():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    histories = {}
    for cls in (Dense, PlainDense, BrokenDense):
        histories[cls.__name__] = fit(two_layer(cls), X, y, cost="binary_cross_entropy",
                                      optimizer="adam", lr=0.05, epochs=30)["cost"]
    np.testing.assert_allclose(histories["PlainDense"], histories["Dense"], rtol=1e-12)
    assert histories["BrokenDense"] != histories["Dense"]      # it trains, with its own bug
    report = check_network(two_layer(BrokenDense), X, y, "binary_cross_entropy")
    assert not report.ok and report.worst["name"] == "layer 1 b"


# --- gradients nothing outside can alias ------------------------------------------------------

def test_a_gradient_is_copied_in_never_aliased():
    p = Parameter(np.zeros(3), "w")
    g = np.ones(3)
    p.add_grad(g)
    g[:] = 7
    np.testing.assert_array_equal(p.grad, [1.0, 1.0, 1.0])
    p.zero_grad()
    p.add_grad(g)
    g[:] = -1
    np.testing.assert_array_equal(p.grad, [7.0, 7.0, 7.0])
    p.grad = g                           # assignment copies too
    g[:] = 5
    np.testing.assert_array_equal(p.grad, [-1.0, -1.0, -1.0])
    with pytest.raises(ValueError, match="shape"):
        p.add_grad(np.ones(2))


def test_a_layer_s_gradients_do_not_alias_its_inputs():
    layer = Dense.from_arrays(np.eye(2), np.zeros(2))
    X, dout = np.ones((1, 2)), np.ones((1, 2))
    layer.forward(X)
    layer.backward(dout)
    dout[:] = 100
    X[:] = 100
    np.testing.assert_array_equal(layer.b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(layer.W.grad, np.ones((2, 2)))


# --- one mode for training and inference, passed to every layer the same way ------------------

class Recorder(Dense):
    """A Dense layer that notes the mode of every forward pass (a user's own layer class)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.modes = []

    def forward(self, X, training=True):
        self.modes.append(training)
        return super().forward(X, training)


def test_network_passes_the_mode_to_every_layer_and_predict_is_inference():
    rng = np.random.default_rng(0)
    first, second = Recorder(2, 3, rng=rng), Recorder(3, 1, rng=rng)
    net = Network([first, Activation("relu"), second])
    X = np.ones((4, 2))
    net.forward(X)
    net(X, training=False)
    net.predict(X)
    assert first.modes == second.modes == [True, False, False]


def test_fit_trains_in_training_mode_and_validates_in_inference_mode():
    rng = np.random.default_rng(1)
    first = Recorder(2, 1, rng=rng)
    net = Network([first])
    X, y = rng.standard_normal((6, 2)), rng.standard_normal((6, 1))
    fit(net, X, y, epochs=2, batch_size=3, lr=0.1, validation=(X, y))
    assert first.modes == [True, True, False, True, True, False]   # 2 batches, then validation


def test_dense_and_activation_compute_the_same_in_both_modes():
    net = network_222()
    np.testing.assert_array_equal(net.forward(X_222, training=True), net.predict(X_222))
