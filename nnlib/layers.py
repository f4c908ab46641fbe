"""Layers: the building blocks a network stacks.

Each layer has a ``forward(X)`` and, right beside it, a ``backward(dout)``:

* ``forward(X)`` takes the batch ``X`` (N, D), remembers what backward will need, returns (N, M);
* ``backward(dout)`` takes ∂cost/∂output (N, M), **adds** ∂cost/∂parameter into each parameter's
  ``grad`` (as PyTorch does, so call ``zero_grad()`` between steps), and returns ∂cost/∂X (N, D)
  for the layer below. It never changes the parameters: that is the optimizer's job.

Trainable arrays are wrapped in :class:`Parameter` so optimizers can update them in place.
"""

import numpy as np

from .activations import as_float, get_activation
from .initializers import get_initializer


class Parameter:
    """A trainable array ``value`` with the gradient ``grad`` of the same shape and dtype."""

    def __init__(self, value, name):
        self.value = value
        self.name = name
        self._grad = None

    @property
    def grad(self):
        """∂cost/∂value: zeros until a backward pass adds to it."""
        if self._grad is None:
            self._grad = np.zeros_like(self.value)
        return self._grad

    @grad.setter
    def grad(self, g):
        self._grad = g

    def zero_grad(self):
        """Forget the gradient (it reads as zeros again). Nothing is allocated or filled: the
        next ``add_grad`` simply takes its array, as PyTorch's ``zero_grad`` does."""
        self._grad = None

    def add_grad(self, g):
        """``grad += g`` (right after ``zero_grad``, ``grad`` just becomes ``g``, which must
        be a new array, as ``X.T @ dout`` is)."""
        if g.shape != self.value.shape:
            raise ValueError(f"gradient of shape {g.shape} for {self.name} of shape "
                             f"{self.value.shape}")
        if self._grad is None:
            self._grad = g.astype(self.value.dtype, copy=False)
        else:
            self._grad += g

    def __repr__(self):
        return f"Parameter({self.name}, shape={self.value.shape}, dtype={self.value.dtype})"


class Layer:
    """Base class: a layer with no parameters."""

    def forward(self, X):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def parameters(self):
        """The layer's trainable :class:`Parameter` objects, in a fixed order."""
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def __call__(self, X):
        return self.forward(X)


class Dense(Layer):
    """A fully connected layer: Z = X·W + b.

    W: (D, M) weights, one column per unit; b: (M,) biases. Built from an initialiser name and
    a seeded generator, or from given arrays with :meth:`from_arrays`.
    """

    def __init__(self, n_in, n_out, init="he", rng=None, dtype=np.float64):
        if rng is None:
            raise ValueError("Dense needs a seeded generator: rng=np.random.default_rng(seed)")
        W = get_initializer(init)((n_in, n_out), rng, dtype=dtype)
        self.W = Parameter(W, "W")
        self.b = Parameter(np.zeros(n_out, dtype=dtype), "b")
        self.X = None

    @classmethod
    def from_arrays(cls, W, b):
        """A Dense layer holding exactly these weights W (D, M) and biases b (M,)."""
        W = as_float(W)
        layer = cls.__new__(cls)
        layer.W = Parameter(W.copy(), "W")
        layer.b = Parameter(np.asarray(b, dtype=W.dtype).reshape(W.shape[1]).copy(), "b")
        layer.X = None
        return layer

    def forward(self, X):
        """X: (N, D) -> Z: (N, M)."""
        self.X = X
        return X @ self.W.value + self.b.value

    def backward(self, dout, input_grad=True):
        """dout = ∂cost/∂Z: (N, M). Adds dW = Xᵀ·dout (D, M) and db = Σ_n dout (M,);
        returns dX = dout·Wᵀ (N, D), or None with ``input_grad=False`` (the first layer of a
        network needs no gradient for the data, and skipping it saves a third of its work)."""
        self.W.add_grad(self.X.T @ dout)
        self.b.add_grad(dout.sum(axis=0))
        return dout @ self.W.value.T if input_grad else None

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self):
        D, M = self.W.value.shape
        return f"Dense({D} -> {M}, dtype={self.W.value.dtype.name})"


class Activation(Layer):
    """An activation applied elementwise (or row-wise, for softmax): A = f(Z).

    Backward multiplies by the derivative at the stored pre-activation Z:
    dZ = dout ⊙ f'(Z) (softmax uses its vector-Jacobian product instead).
    """

    def __init__(self, name):
        self.name = name
        self.f, self.df = get_activation(name)
        self.Z = None

    def forward(self, Z):
        """Z: (N, M) -> A: (N, M)."""
        self.Z = Z
        return self.f(Z)

    def backward(self, dout):
        """dout = ∂cost/∂A: (N, M) -> ∂cost/∂Z: (N, M)."""
        if self.name == "softmax":
            return self.df(self.Z, dout)
        return dout * self.df(self.Z)

    def __repr__(self):
        return f"Activation({self.name!r})"


def Softmax():
    """The softmax output layer (an :class:`Activation` named ``"softmax"``)."""
    return Activation("softmax")


__all__ = ["Parameter", "Layer", "Dense", "Activation", "Softmax"]
