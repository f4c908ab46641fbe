"""Losses, costs and their gradients.

The course keeps two words apart:

* a **loss** is one sample's error: ``*_loss(y, y_hat)`` returns one number per sample, shape (N,);
* the **cost** is what training minimises over a batch: the mean of the losses, a single float.
  ``mse(y, y_hat)`` and friends return the cost. (SSR is the one exception: as its name says it is
  a *sum* of squared residuals, so its cost adds the losses up instead of averaging them.)

``*_grad(y, y_hat)`` is the gradient of the **cost** with respect to the prediction ``y_hat``,
the same shape as ``y_hat``: the ``dout`` that starts the backward pass.

Shapes: ``y`` and ``y_hat`` are (N, K) (or (N,) for one output); ``y`` is the target, ``y_hat``
the prediction, in that order everywhere (as scikit-learn's ``y_true, y_pred``). For the
cross-entropies ``y_hat`` holds probabilities and ``y`` one-hot rows (or 0/1 labels); log-losses
clip probabilities to [eps, 1 − eps] with the dtype's machine epsilon, so they never return inf
or NaN. The dtype of ``y_hat`` is kept: float32 in, float32 out.
"""

import numpy as np

from .activations import as_float, softmax


def _pair(y, y_hat):
    """Check that target and prediction agree in shape; return them as float arrays of
    y_hat's dtype, each with a sample axis first."""
    y_hat = as_float(y_hat)
    y = np.asarray(y, dtype=y_hat.dtype)
    if y.shape != y_hat.shape:
        raise ValueError(
            f"y has shape {y.shape} but y_hat has shape {y_hat.shape}; they must match "
            "(for class labels 0..K-1, convert y with nnlib.data.one_hot first)"
        )
    return y, y_hat


def _per_sample(E):
    """Average an elementwise error over the output axes: (N, K) -> (N,); (N,) stays (N,)."""
    return E if E.ndim == 1 else E.reshape(E.shape[0], -1).mean(axis=1)


def _clip(P):
    """Probabilities kept inside [eps, 1 − eps], so that log never sees 0."""
    eps = np.finfo(P.dtype).eps
    return P.clip(eps, 1 - eps)


# --- squared error -----------------------------------------------------------------------

def squared_error_loss(y, y_hat):
    """One sample's squared error, averaged over its K outputs: (N,)."""
    y, y_hat = _pair(y, y_hat)
    return _per_sample((y_hat - y) ** 2)


def mse(y, y_hat):
    """Mean squared error: (1 / (N·K)) Σ (ŷ − y)², the mean of every squared residual."""
    y, y_hat = _pair(y, y_hat)
    return ((y_hat - y) ** 2).mean()


def mse_grad(y, y_hat):
    """∂MSE/∂ŷ = 2 (ŷ − y) / (N·K)."""
    y, y_hat = _pair(y, y_hat)
    return 2 * (y_hat - y) / y_hat.size


def rmse(y, y_hat):
    """Root mean squared error: √MSE, in the units of y."""
    return np.sqrt(mse(y, y_hat))


def rmse_grad(y, y_hat):
    """∂RMSE/∂ŷ = ∂MSE/∂ŷ / (2·RMSE); zero where the prediction is already perfect."""
    r = rmse(y, y_hat)
    g = mse_grad(y, y_hat)
    return g / (2 * r) if r > 0 else np.zeros_like(g)


def ssr(y, y_hat):
    """Sum of squared residuals: Σ (ŷ − y)² over every sample and output (not averaged)."""
    y, y_hat = _pair(y, y_hat)
    return ((y_hat - y) ** 2).sum()


def ssr_grad(y, y_hat):
    """∂SSR/∂ŷ = 2 (ŷ − y)."""
    y, y_hat = _pair(y, y_hat)
    return 2 * (y_hat - y)


# --- cross-entropy -----------------------------------------------------------------------

def binary_cross_entropy_loss(y, y_hat):
    """One sample's log-loss for 0/1 targets: −[y log ŷ + (1 − y) log(1 − ŷ)], averaged over
    its outputs: (N,)."""
    y, y_hat = _pair(y, y_hat)
    P = _clip(y_hat)
    return _per_sample(-(y * np.log(P) + (1 - y) * np.log(1 - P)))


def binary_cross_entropy(y, y_hat):
    """Mean binary cross-entropy over the batch: Σ losses / N."""
    losses = binary_cross_entropy_loss(y, y_hat)
    return losses.sum() / len(losses)   # the mean (as .mean() computes it, with less overhead)


def binary_cross_entropy_grad(y, y_hat):
    """∂BCE/∂ŷ = (ŷ − y) / (ŷ (1 − ŷ)) / (N·K), with ŷ clipped as in the loss."""
    y, y_hat = _pair(y, y_hat)
    P = _clip(y_hat)
    return (P - y) / (P * (1 - P)) / y_hat.size


def categorical_cross_entropy_loss(y, y_hat):
    """One sample's cross-entropy: −Σ_k y_k log ŷ_k, for one-hot y and probabilities ŷ (N, K):
    returns (N,)."""
    y, y_hat = _pair(y, y_hat)
    return -(y * np.log(_clip(y_hat))).sum(axis=1)


def categorical_cross_entropy(y, y_hat):
    """Mean categorical cross-entropy over the batch: Σ losses / N."""
    losses = categorical_cross_entropy_loss(y, y_hat)
    return losses.sum() / len(losses)   # the mean (as .mean() computes it, with less overhead)


def categorical_cross_entropy_grad(y, y_hat):
    """∂CCE/∂ŷ = −y / ŷ / N (ŷ clipped as in the loss)."""
    y, y_hat = _pair(y, y_hat)
    return -y / _clip(y_hat) / y_hat.shape[0]


def softmax_cross_entropy(y, Z):
    """Categorical cross-entropy of softmax(Z), computed from the logits Z (N, K).

    log softmax(Z)_k = Z_k − logsumexp(Z), and logsumexp is taken after subtracting the row
    maximum, so no probability is ever rounded to 0 and no log(0) can happen.
    """
    y, Z = _pair(y, Z)
    Zs = Z - Z.max(axis=1, keepdims=True)
    log_P = Zs - np.log(np.exp(Zs).sum(axis=1, keepdims=True))
    return -(y * log_P).sum(axis=1).mean()


def softmax_cross_entropy_grad(y, Z, P=None):
    """The fused gradient ∂CCE(softmax(Z))/∂Z = (softmax(Z) − y) / N: the softmax Jacobian and
    the −y/ŷ of the loss cancel into this simple difference. ``P``: softmax(Z) if already
    computed (a forward pass has it), so it is not computed twice."""
    y, Z = _pair(y, Z)
    dZ = (softmax(Z) if P is None else P) - y
    dZ /= Z.shape[0]   # in place: dZ is a new array of our own
    return dZ


COSTS = {
    "mse": mse,
    "rmse": rmse,
    "ssr": ssr,
    "binary_cross_entropy": binary_cross_entropy,
    "categorical_cross_entropy": categorical_cross_entropy,
}

GRADIENTS = {
    "mse": mse_grad,
    "rmse": rmse_grad,
    "ssr": ssr_grad,
    "binary_cross_entropy": binary_cross_entropy_grad,
    "categorical_cross_entropy": categorical_cross_entropy_grad,
}

LOSSES = {
    "mse": squared_error_loss,
    "rmse": squared_error_loss,
    "ssr": squared_error_loss,
    "binary_cross_entropy": binary_cross_entropy_loss,
    "categorical_cross_entropy": categorical_cross_entropy_loss,
}


def get_cost(name):
    """Return ``(cost, cost_grad)`` for a name such as ``"mse"``; ``ValueError`` if unknown."""
    if name not in COSTS:
        raise ValueError(f"unknown cost {name!r}; choose one of: {', '.join(sorted(COSTS))}")
    return COSTS[name], GRADIENTS[name]
