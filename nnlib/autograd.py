"""Autograd on scalars: a ``Value`` that remembers how it was made, and backprop over its graph.

The course's version of notebook 10's exercises (after Andrej Karpathy's *micrograd*, MIT
licence). Each operation builds its result and gives it a ``_backward`` that adds the result's
gradient, times the operation's local derivative, into its inputs' ``grad``; ``backprop`` runs
those in reversed topological order.

    ValueBase          what every Value shares: data, grad, the graph links, and -, /, numbers
                       on the left, built from the primitive operations
    Value              +, *, ** (a number), exp, tanh, relu, sigmoid, each with its _backward
    topological_order  every node of a graph once, each after the Values it was made from
    backprop           fill every node's grad with ∂root/∂node
    mlp_cost           a Dense-sigmoid-Dense-sigmoid network's MSE, written with Values

    a, b = Value(2.0), Value(-3.0)
    d = a * b + a
    d.backward()            # a.grad == -2.0, b.grad == 2.0

A scalar graph has one node per number, so it is slow: nnlib's layers do the same chain rule
one array at a time (see notebook 10, section 6).
"""

import math

import numpy as np

from . import activations


class ValueBase:
    """What every ``Value`` shares: the data, the gradient, the graph links, and the operations
    built from the primitive ones (``-a``, ``a - b``, ``a / b``, and numbers on the left)."""

    def __init__(self, data, children=(), op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None   # set by the operation that made this Value
        self._prev = tuple(children)    # the Values it was made from
        self._op = op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1.0

    def __rtruediv__(self, other):
        return self ** -1.0 * other

    def backward(self):
        """Fill ``grad`` of every Value this one was made from (this one's own grad is 1)."""
        backprop(self)


class Value(ValueBase):
    """A number that remembers how it was made: each operation's result gets a ``_backward``
    that adds the result's gradient, times the local derivative, into its inputs' ``grad``."""

    def __add__(self, other):
        other = other if isinstance(other, ValueBase) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, ValueBase) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, n):
        out = Value(self.data ** n, (self,), f"**{n:g}")

        def _backward():
            self.grad += n * self.data ** (n - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        out = Value(float(activations.sigmoid(np.float64(self.data))), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1 - out.data) * out.grad
        out._backward = _backward
        return out


def topological_order(root):
    """Every Value ``root`` depends on, once each, every Value after the Values it was made
    from (so ``root`` comes last): a depth-first search that adds a node after its children."""
    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for child in node._prev:
                visit(child)
            order.append(node)
    visit(root)
    return order


def backprop(root):
    """∂root/∂node into every node's ``grad``: seed ``root.grad = 1``, then call each node's
    ``_backward`` from the root down (the topological order, reversed)."""
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        node._backward()


def mlp_cost(X, Y, W1, b1, W2, b2):
    """The cost of a Dense → sigmoid → Dense → sigmoid network, the MSE over all N·K outputs,
    written with Values.

    ``X`` (N lists of D floats), ``Y`` (N lists of K floats); ``W1`` (D lists of H Values,
    ``W1[i][j]`` from input i to hidden neuron j), ``b1`` (H Values), ``W2`` (H lists of K Values),
    ``b2`` (K Values). Returns the cost, a Value; ``cost.backward()`` fills every weight's grad.
    """
    total, count = 0.0, 0
    for x, y in zip(X, Y):
        hidden = [sum((x[i] * W1[i][j] for i in range(len(x))), b1[j]).sigmoid()
                  for j in range(len(b1))]
        for k in range(len(b2)):
            a = sum((hidden[j] * W2[j][k] for j in range(len(hidden))), b2[k]).sigmoid()
            total = total + (a - y[k]) ** 2
            count += 1
    return total / count


__all__ = ["ValueBase", "Value", "topological_order", "backprop", "mlp_cost"]
