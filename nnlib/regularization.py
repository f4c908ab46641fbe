"""L2 regularization (weight decay): a penalty on large weights, added to the cost.

    penalty  = (λ/2) · Σ_layers ‖W‖²        (‖W‖² is the sum of W's squared entries)
    gradient = λ · W                         (∂penalty/∂W, added to each W.grad)

Only weights are penalised, never biases: a bias shifts a unit's output and does not make the
network more wiggly, so shrinking it only costs fit (as in CS231n and scikit-learn's
``MLPClassifier(alpha=...)``). ``fit(..., l2=λ)`` applies it to every Dense layer.
"""

import numpy as np


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


__all__ = ["l2_penalty", "l2_gradient"]
