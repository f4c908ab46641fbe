"""nnlib.autograd: the scalar Value, its topological order and backprop, checked against finite
differences, nnlib's layer-wise backward pass and notebook 05's hand-worked numbers; the
standard error and the early-stopping replay that notebook 09 uses."""

import math

import matplotlib
import matplotlib.text
import numpy as np
import pytest

from nnlib import Network, autograd, callbacks, examples, losses, metrics
from nnlib.autograd import Value, ValueBase, backprop, mlp_cost, topological_order


def numeric(f, xs, h=1e-6):
    return [(f(*[x + h * (i == j) for j, x in enumerate(xs)])
             - f(*[x - h * (i == j) for j, x in enumerate(xs)])) / (2 * h) for i in range(len(xs))]


def test_section_one_example_by_hand():
    a, b = Value(2.0), Value(-3.0)
    d = a * b + a
    d.backward()
    assert (d.data, d.grad, a.grad, b.grad) == (-4.0, 1.0, -2.0, 2.0)


class ValueOps:
    tanh, exp, relu, sigmoid = (staticmethod(lambda v, n=n: getattr(v, n)())
                                for n in ("tanh", "exp", "relu", "sigmoid"))


class FloatOps:
    tanh, exp = staticmethod(math.tanh), staticmethod(math.exp)
    relu = staticmethod(lambda v: max(v, 0.0))
    sigmoid = staticmethod(lambda v: 1 / (1 + math.exp(-v)))


@pytest.mark.parametrize("f", [
    lambda x, y, o: (x - y) / y + 1 - 2 * x + (-x) ** 2,
    lambda x, y, o: o.tanh(x * y) * x + o.sigmoid(x + y) ** 3,
    lambda x, y, o: o.exp(x * 0.5) + o.relu(y + 2.3) * x + 2 / (1 + y ** 2),
])
def test_gradients_match_finite_differences(f):
    xs = (0.7, -1.3)
    vs = [Value(x) for x in xs]
    out = f(*vs, ValueOps)
    out.backward()
    value = lambda *ys: f(*ys, FloatOps)          # noqa: E731
    assert math.isclose(out.data, value(*xs), rel_tol=1e-12)
    for v, g in zip(vs, numeric(value, xs)):
        assert math.isclose(v.grad, g, rel_tol=1e-6, abs_tol=1e-9)


def test_topological_order_places_each_node_once_after_its_inputs():
    x1, x2 = Value(0.5), Value(-1.5)
    inner = x1 * x2
    root = inner.tanh() + x1 + inner          # x1 at two depths, inner used twice
    order = topological_order(root)
    assert len(order) == len({id(n) for n in order}) == 6 and order[-1] is root
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(c)] < position[id(n)] for n in order for c in n._prev)


def test_node_reached_at_two_depths_gets_every_contribution():
    a = Value(1.0)
    root = (a * 2.0).tanh() * 0.0 + a + a * 2.0      # ∂/∂a = 0 + 1 + 2
    backprop(root)
    assert a.grad == 3.0 and root.grad == 1.0


def test_two_value_classes_work_together():
    class Mine(ValueBase):          # a learner's class, next to nnlib's Value
        def __add__(self, other):
            other = other if isinstance(other, ValueBase) else Mine(other)
            out = Mine(self.data + other.data, (self, other), "+")

            def _backward():
                self.grad += out.grad
                other.grad += out.grad
            out._backward = _backward
            return out
    a, b = Mine(1.0), Value(2.0)
    out = (a + b) * b + a
    out.backward()
    assert (out.data, a.grad, b.grad) == (7.0, 3.0, 5.0)


def test_mlp_cost_equals_nnlib_and_notebook_05():
    e = examples
    W1 = [[Value(w) for w in row] for row in e.W1_222]
    b1 = [Value(b) for b in e.B1_222]
    W2 = [[Value(w) for w in row] for row in e.W2_222]
    b2 = [Value(b) for b in e.B2_222]
    cost = mlp_cost(e.X_222.tolist(), e.Y_222.tolist(), W1, b1, W2, b2)
    cost.backward()
    assert round(cost.data, 4) == 0.1939
    assert [[round(w.grad, 5) for w in row] for row in W1] == [[-0.01492, 0.0081],
                                                               [0.01492, -0.0081]]
    net = Network.from_sizes([2, 2, 2], activation="sigmoid", output="sigmoid",
                             rng=np.random.default_rng(0))
    for layer, W, b in zip(net.dense_layers, (e.W1_222, e.W2_222), (e.B1_222, e.B2_222)):
        layer.W.value[...], layer.b.value[...] = W, b
    y_hat = net.forward(e.X_222)
    net.backward(losses.mse_grad(e.Y_222, y_hat))
    assert math.isclose(cost.data, losses.mse(e.Y_222, y_hat), rel_tol=1e-12)
    np.testing.assert_allclose([[v.grad for v in row] for row in W2],
                               net.dense_layers[1].W.grad, rtol=1e-12)


def test_plot_graph_draws_every_node():
    matplotlib.use("Agg")
    from nnlib.plots import plot_graph
    x = Value(0.5, label="x")
    loss = ((x * 2.0 + 1.0).tanh() - 1.0) ** 2
    loss.backward()
    fig = plot_graph(loss, "a small graph")
    boxes = [t for t in fig.axes[0].texts if not isinstance(t, matplotlib.text.Annotation)]
    assert len(boxes) == len(topological_order(loss))
    assert "the root" in fig.summary and fig.axes[0].get_title() == "a small graph"


def test_autograd_exports():
    assert set(autograd.__all__) == {"ValueBase", "Value", "topological_order", "backprop",
                                     "mlp_cost"}


# --- notebook 09's rules -------------------------------------------------------------------------

def test_standard_error():
    assert math.isclose(metrics.standard_error(0.964, 450), 0.00878, rel_tol=1e-3)
    assert metrics.standard_error(1.0, 50) == 0.0
    assert math.isclose(metrics.standard_error(0.5, 400), 0.025)
    for bad in ((1.5, 10), (0.5, 0), (-0.1, 10)):
        with pytest.raises(ValueError):
            metrics.standard_error(*bad)


@pytest.mark.parametrize("costs, patience, expected", [
    ([0.9, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8], 2, (3, 5)),       # notebook 09's worked example
    ([1.0, 0.5, 0.7, 0.5, 0.8], 2, (2, 4)),                  # a tie is no new best
    ([0.5, 0.5, 0.5], 2, (1, 3)),
    ([1.0, 0.9, 0.8], 2, (3, None)),                         # never stops
    ([0.5, 0.4, 0.45, 0.3], 1, (2, 3)),                      # a later lower cost is not seen
])
def test_early_stopping_epochs(costs, patience, expected):
    assert callbacks.early_stopping_epochs(costs, patience) == expected
