"""Regularization: ways to make a network fit the training set less closely, so it does better
on data it has not seen.

**L2 (weight decay)**, a penalty on large weights added to the cost:

    penalty  = (λ/2) · Σ_layers ‖W‖²        (‖W‖² is the sum of W's squared entries)
    gradient = λ · W                         (∂penalty/∂W, added to each W.grad)

Only weights are penalised, never biases: a bias shifts a unit's output and does not make the
network more wiggly, so shrinking it only costs fit (as in CS231n and scikit-learn's
``MLPClassifier(alpha=...)``). ``fit(..., l2=λ)`` applies it to every Dense layer.

**Dropout** (Srivastava et al., 2014): while training, each unit's output is dropped (set to 0)
with probability p, a new random choice for every sample and every batch, so no unit can rely on
any other. *Inverted* dropout scales the kept outputs by 1/(1 − p) during training, so that each
output's expected value is unchanged and inference needs nothing at all:

    training:   out = X ⊙ keep / (1 − p)       keep: (N, D) of True/False, P(True) = 1 − p
    inference:  out = X
    backward:   dX = dout ⊙ keep / (1 − p)     (the same mask: a dropped unit passes no gradient)

:class:`Dropout` is the layer; it draws ``keep = rng.random(X.shape) >= p`` from its own seeded
generator at every training forward pass.
"""

import numpy as np

from .layers import Layer


def _check_lam(lam):
    if not lam >= 0:
        raise ValueError(f"invalid L2 strength lam: {lam!r} (must be >= 0)")


def l2_penalty(weights, lam):
    """(λ/2) · Σ ‖W‖² over a list of weight arrays, as a float."""
    _check_lam(lam)
    return float(lam / 2 * sum(np.sum(W * W) for W in weights))


def l2_gradient(W, lam):
    """∂/∂W of (λ/2)‖W‖², which is λ·W (a new array, W's shape and dtype)."""
    _check_lam(lam)
    return W * W.dtype.type(lam)


def _check_p(p):
    if not 0 <= p < 1:
        raise ValueError(f"invalid dropout probability p: {p!r} (must be in [0, 1): the "
                         "fraction of units dropped)")


def dropout_forward(X, p, keep, training=True):
    """Inverted dropout. X: (N, D); p: the probability of dropping a unit, in [0, 1); keep: (N, D)
    booleans, True where the unit is kept. Returns X ⊙ keep / (1 − p) in training, X itself in
    inference (``training=False``), X's shape and dtype."""
    _check_p(p)
    if not training:
        return X
    if np.shape(keep) != np.shape(X):
        raise ValueError(f"keep must have X's shape {np.shape(X)}, got {np.shape(keep)}")
    return X * keep / (1 - p)


def dropout_backward(dout, p, keep):
    """Backward through :func:`dropout_forward` in training: dX = dout ⊙ keep / (1 − p), (N, D)."""
    _check_p(p)
    return dout * keep / (1 - p)


class Dropout(Layer):
    """Inverted dropout with drop probability ``p``: (N, D) -> (N, D), no parameters.

    ``forward(X, training=True)`` draws a new mask ``keep`` from ``rng`` (a seeded
    ``numpy.random.Generator``) and applies :func:`dropout_forward`; ``forward(X,
    training=False)`` (what ``Network.predict`` does) returns X unchanged.
    """

    def __init__(self, p, rng=None):
        _check_p(p)
        if rng is None:
            raise ValueError("Dropout needs a seeded generator: rng=np.random.default_rng(seed)")
        self.p, self.rng = p, rng
        self.keep = None     # the last training mask; None after an inference pass

    def forward(self, X, training=True):
        """X: (N, D) -> (N, D)."""
        if not training or self.p == 0:
            self.keep = None
            return X
        self.keep = self.rng.random(X.shape) >= self.p
        return dropout_forward(X, self.p, self.keep)

    def backward(self, dout):
        """dout: (N, D) -> dX: (N, D), through the same mask as the last forward pass."""
        return dout if self.keep is None else dropout_backward(dout, self.p, self.keep)

    def __repr__(self):
        return f"Dropout(p={self.p})"


__all__ = ["l2_penalty", "l2_gradient", "dropout_forward", "dropout_backward", "Dropout"]
