"""Layers: the building blocks a network stacks.

Every layer has the same two methods, side by side:

* ``forward(X, training=True)`` takes the batch ``X`` (N, D), remembers what backward will need,
  returns (N, M). ``training`` says which of its two behaviours a layer that has two uses:
  True while training (dropout drops units, batch norm uses the batch's statistics), False for
  predictions (``Network.predict`` passes False). Most layers compute the same thing either
  way and ignore it;
* ``backward(dout)`` takes ∂cost/∂output (N, M), **adds** ∂cost/∂parameter into each parameter's
  gradient with ``p.add_grad(g)`` (as PyTorch does, so call ``zero_grad()`` between steps), and
  returns ∂cost/∂X (N, D) for the layer below. It never changes the parameters: that is the
  optimizer's job.

Nothing else is passed: a network calls every layer's ``backward(dout)`` the same way, so a
subclass of any layer works anywhere in a network. The one thing a layer may want to know, that
its input is the data and needs no gradient, is the layer's own setting ``input_grad`` (see
:class:`Dense`).

Trainable arrays are wrapped in :class:`Parameter` so optimizers can update them in place.
"""

import numpy as np

from .activations import as_float, get_activation
from .initializers import get_initializer


class Parameter:
    """A trainable array ``value`` and its gradient ``grad``: an array of the same shape and
    dtype that belongs to this parameter alone.

    Write a gradient one way: ``p.add_grad(g)`` adds ``g`` into ``p.grad``; ``p.zero_grad()``
    sets it back to zeros. ``g`` is copied in, so changing ``g`` afterwards changes nothing
    (assigning ``p.grad = g`` copies too). A layer that hands over an array it has just made
    and keeps no reference to, such as ``X.T @ dout``, may say so with ``new=True``: the first
    gradient after ``zero_grad`` is then kept as it is instead of copied.
    """

    def __init__(self, value, name):
        self.value = value
        self.name = name
        self._grad = None   # None stands for zeros (see zero_grad)

    @property
    def grad(self):
        """∂cost/∂value, the same shape and dtype as ``value``: zeros until a backward pass adds
        to it."""
        if self._grad is None:
            self._grad = np.zeros_like(self.value)
        return self._grad

    @grad.setter
    def grad(self, g):
        self._check(g)
        self.zero_grad()
        self.add_grad(g)

    def _check(self, g):
        if np.shape(g) != self.value.shape:
            raise ValueError(f"gradient of shape {np.shape(g)} for {self.name} of shape "
                             f"{self.value.shape}")

    def zero_grad(self):
        """Set the gradient to zeros (backward adds into it).

        No array of zeros is made: the old gradient is let go and ``None`` stands for zeros, so
        the next ``add_grad`` copies into a new array (one pass) instead of adding to zeros (two
        passes), and the memory of the old one is free for the next backward pass."""
        self._grad = None

    def add_grad(self, g, new=False):
        """``grad += g``, for ``g`` of the parameter's shape (``ValueError`` otherwise).

        ``new=True``: ``g`` is a new array that no one else holds, so when the gradient is zero
        it becomes the gradient itself (no copy) if it has the parameter's dtype."""
        self._check(g)
        if self._grad is not None:
            self._grad += g
        elif new and g.dtype == self.value.dtype:
            self._grad = g
        else:
            self._grad = np.empty_like(self.value)
            np.copyto(self._grad, g, casting="same_kind")

    def __repr__(self):
        return f"Parameter({self.name}, shape={self.value.shape}, dtype={self.value.dtype})"


class Layer:
    """Base class: a layer with no parameters.

    ``input_grad``: whether ``backward`` must return ∂cost/∂X. True unless set otherwise; a
    layer may ignore it and always return the gradient (that is never wrong, only slower).
    """

    input_grad = True

    def forward(self, X, training=True):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def parameters(self):
        """The layer's trainable :class:`Parameter` objects, in a fixed order."""
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def __call__(self, X, training=True):
        return self.forward(X, training)


class Dense(Layer):
    """A fully connected layer: Z = X·W + b.

    W: (D, M) weights, one column per unit; b: (M,) biases. Built from an initialiser name and
    a seeded generator, or from given arrays with :meth:`from_arrays`.

    ``input_grad=False`` is for a first layer, whose input is the data: no one needs ∂cost/∂X
    there, so backward skips ``dout·Wᵀ`` (a third of the layer's work) and returns None.
    :meth:`Network.from_sizes` builds its first layer this way.
    """

    def __init__(self, n_in, n_out, init="he", rng=None, dtype=np.float64, input_grad=True):
        if rng is None:
            raise ValueError("Dense needs a seeded generator: rng=np.random.default_rng(seed)")
        W = get_initializer(init)((n_in, n_out), rng, dtype=dtype)
        self.W = Parameter(W, "W")
        self.b = Parameter(np.zeros(n_out, dtype=dtype), "b")
        self.input_grad = input_grad
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

    def forward(self, X, training=True):
        """X: (N, D) -> Z: (N, M), the same in training and inference."""
        self.X = X
        Z = X @ self.W.value
        Z += self.b.value          # Z = X·W + b, adding b in place (no second (N, M) array)
        return Z

    def backward(self, dout):
        """dout = ∂cost/∂Z: (N, M). Adds dW = Xᵀ·dout (D, M) and db = Σ_n dout (M,);
        returns dX = dout·Wᵀ (N, D) (None when ``input_grad`` is False)."""
        self.W.add_grad(self.X.T @ dout, new=True)      # new arrays: kept, not copied
        self.b.add_grad(dout.sum(axis=0), new=True)
        return dout @ self.W.value.T if self.input_grad else None

    def parameters(self):
        return [self.W, self.b]

    def __repr__(self):
        D, M = self.W.value.shape
        return f"Dense({D} -> {M}, dtype={self.W.value.dtype.name})"


class Activation(Layer):
    """An activation applied elementwise (or row-wise, for softmax): A = f(Z).

    Backward goes through the activation at the stored pre-activation Z with the activation's
    own ``backward(Z, dout)`` (dout ⊙ f'(Z) for elementwise ones; see :mod:`nnlib.activations`).
    """

    def __init__(self, name):
        self.name = name
        self.f, self.f_backward = get_activation(name)
        self.Z = None

    def forward(self, Z, training=True):
        """Z: (N, M) -> A: (N, M), the same in training and inference."""
        self.Z = Z
        return self.f(Z)

    def backward(self, dout):
        """dout = ∂cost/∂A: (N, M) -> ∂cost/∂Z: (N, M)."""
        return self.f_backward(self.Z, dout)

    def __repr__(self):
        return f"Activation({self.name!r})"


def Softmax():
    """The softmax output layer (an :class:`Activation` named ``"softmax"``)."""
    return Activation("softmax")


__all__ = ["Parameter", "Layer", "Dense", "Activation", "Softmax"]
