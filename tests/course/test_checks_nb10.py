"""Notebook 10's checks (autograd) accept correct answers written other ways, and the course's
Value agrees with finite differences, nnlib and notebook 05's hand numbers."""

import math

import numpy as np

from nncourse.checks import nb10
from nncourse.checks.nb10 import Value, topological_order


# --- the course's Value itself ----------------------------------------------------------------

def test_reference_gradients_match_finite_differences_on_random_expressions():
    rng = np.random.default_rng(3)
    for _ in range(40):
        spec = nb10.random_spec(rng, depth=4)
        variables = {n: float(v) for n, v in zip(("x1", "x2", "x3"), rng.uniform(-1.5, 1.5, 3))}
        if any(abs(z) < 1e-3 for z in nb10._relu_inputs(spec, variables)):
            continue
        got = nb10.drive_backprop(nb10.backprop, spec, variables)
        assert np.isclose(got["value"], nb10.evaluate(spec, variables))
        assert np.allclose(got["grads"], nb10.finite_differences(spec, variables),
                           rtol=1e-5, atol=1e-7), nb10.show_spec(spec)


def test_reference_reproduces_notebook_05_hand_numbers():
    args = nb10.mlp_cases(np.random.default_rng(0))[0][1]
    got = nb10.drive_mlp_cost(nb10.mlp_cost, *args)
    assert round(got["cost"], 4) == nb10.HAND_222["cost"]
    for name in nb10.PARAMS:
        assert np.round(got[name], 5).tolist() == nb10.HAND_222[name]
        assert np.allclose(got[name], nb10.nnlib_mlp(*args)[name], rtol=1e-12)


def test_reference_rules_are_nnlibs_value():
    for seed in range(5):
        for _, *args in nb10.local_cases(np.random.default_rng(seed)):
            got, want = nb10.drive_local(nb10.variant(), *args), nb10.drive_local(Value, *args)
            assert got["data"] == want["data"] and np.array_equal(got["grads"], want["grads"])


def mistake(exercise_id, name):
    from nncourse.checks import registry
    return next(m.fn for m in registry.load_all()[exercise_id].mistakes if m.name == name)


# --- exercise 1: other correct classes --------------------------------------------------------

class ValueOtherWays(nb10.ValueBase):
    """Correct, written differently: exp-based sigmoid and tanh, boolean ReLU, no helper."""

    def __add__(self, other):
        other = other if isinstance(other, ValueOtherWays) else ValueOtherWays(other)
        out = ValueOtherWays(self.data + other.data, (self, other), "+")

        def _backward():
            for node in (self, other):
                node.grad = node.grad + 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, ValueOtherWays) else ValueOtherWays(other)
        out = ValueOtherWays(self.data * other.data, (self, other), "*")

        def _backward():
            da, db = other.data, self.data
            self.grad += da * out.grad
            other.grad += db * out.grad
        out._backward = _backward
        return out

    def __pow__(self, n):
        out = ValueOtherWays(math.pow(self.data, n), (self,), "**")

        def _backward():
            self.grad += out.grad * n * math.pow(self.data, n - 1)
        out._backward = _backward
        return out

    def exp(self):
        out = ValueOtherWays(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += math.exp(self.data) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        e2 = math.exp(2 * self.data)
        out = ValueOtherWays((e2 - 1) / (e2 + 1), (self,), "tanh")

        def _backward():
            self.grad += out.grad / math.cosh(self.data) ** 2
        out._backward = _backward
        return out

    def relu(self):
        out = ValueOtherWays(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.data))
        out = ValueOtherWays(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1 - s) * out.grad
        out._backward = _backward
        return out


class ValueSigmoidFromTanh(Value):
    """σ(x) = (1 + tanh(x/2)) / 2, and its slope from that form."""

    def sigmoid(self):
        t = math.tanh(self.data / 2)
        out = Value((1 + t) / 2, (self,), "sigmoid")

        def _backward():
            self.grad += (1 - t * t) / 4 * out.grad
        out._backward = _backward
        return out


def test_value_accepts_other_correct_classes(judge):
    for cls in (ValueOtherWays, ValueSigmoidFromTanh, Value):
        r = judge("nb10_value_local", cls)
        assert r.passed, r.message


def test_value_mistake_names_the_operation(judge):
    r = judge("nb10_value_local", mistake("nb10_value_local", "tanh derivative from the input"))
    assert "a.tanh() with a = 0.5" in r.message.splitlines()[0]


# --- exercise 2: other correct orders ---------------------------------------------------------

# topo_iterative, topo_kahn and mlp_exp_sigmoid: the catalog's correct variants (one copy of each)
from .test_catalog_nb10 import mlp_exp_sigmoid, topo_iterative, topo_kahn  # noqa: E402


def test_topological_order_accepts_other_correct_orders(judge):
    for fn in (topo_iterative, topo_kahn, topological_order):
        r = judge("nb10_topological_order", fn)
        assert r.passed, (fn.__name__, r.message)


def test_topological_order_returning_non_nodes_is_explained(judge):
    r = judge("nb10_topological_order", lambda root: [n.data for n in topological_order(root)])
    assert not r.passed and "not in the graph" in r.message


# --- exercise 3: other correct backprops ------------------------------------------------------

def backprop_kahn(root):
    root.grad = 1.0
    for node in reversed(topo_kahn(root)):
        node._backward()


def backprop_zeroing_first(root):
    order = topo_iterative(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1
    for node in order[::-1]:
        node._backward()


def test_backprop_accepts_other_correct_versions(judge):
    for fn in (backprop_kahn, backprop_zeroing_first):
        for seed in (None, 5):
            r = judge("nb10_backprop", fn, seed=seed)
            assert r.passed, r.message


def test_backprop_failure_shows_the_finite_differences(judge):
    r = judge("nb10_backprop", mistake("nb10_backprop", "seeded with the root's value"))
    assert "expected: centered finite differences" in r.message
    assert "root.data" in r.message


# --- exercise 4: other correct costs ----------------------------------------------------------

def mlp_cost_loops(X, Y, W1, b1, W2, b2):
    errors = []
    for x, y in zip(X, Y):
        hidden = []
        for j in range(len(b1)):
            z = b1[j]
            for i in range(len(x)):
                z = z + W1[i][j] * x[i]
            hidden.append(z.sigmoid())
        for k in range(len(b2)):
            z = b2[k]
            for j in range(len(hidden)):
                z = z + W2[j][k] * hidden[j]
            errors.append((z.sigmoid() - y[k]) ** 2)
    return sum(errors) * (1.0 / len(errors))


def test_mlp_cost_accepts_other_correct_versions(judge):
    for fn in (mlp_cost_loops, mlp_exp_sigmoid):
        r = judge("nb10_mlp_cost", fn)
        assert r.passed, r.message


def test_mlp_cost_names_the_hand_numbers_case(judge):
    r = judge("nb10_mlp_cost", lambda *a: nb10._mlp(*a, cost="sum"))
    assert "notebook 05's network" in r.message.splitlines()[0]
