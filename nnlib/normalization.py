"""Batch normalization (Ioffe and Szegedy, 2015): each feature standardised over the batch, then
scaled and shifted by two trainable vectors.

For a batch X (N, D), feature by feature (every statistic below is over the batch axis, axis 0):

    μ = mean(X)          σ² = mean((X − μ)²)                (÷N: the batch's own variance)
    X̂ = (X − μ) / √(σ² + ε)                                 (mean 0, variance ≈ 1 per feature)
    Y = γ ⊙ X̂ + β                                          γ, β: (D,), trainable

and backward, with dout = ∂cost/∂Y (N, D):

    dβ = Σ_n dout          dγ = Σ_n dout ⊙ X̂
    dX = γ / √(σ² + ε) ⊙ (dout − mean(dout) − X̂ ⊙ mean(dout ⊙ X̂))

(μ and σ² depend on every sample, so each sample's gradient loses its share of the batch's mean
gradient and of the gradient along X̂.)

**Training and inference.** While training, each batch is normalised with its own μ and σ²,
and running averages of them are kept: running ← momentum·running + (1 − momentum)·batch. For
predictions the running averages are used instead, so a sample's prediction does not depend on
which other samples share its batch (and a batch of one works). This course stores the ÷N
variance in the running average too (as CS231n does); PyTorch stores the ÷(N − 1) one, and
counts its ``momentum=0.1`` the other way round (the weight of the new batch).

    batchnorm_forward(X, gamma, beta, eps)     Y with the batch's statistics, and
    batchnorm_backward(dout, X, gamma, eps)    (dX, dgamma, dbeta) for it
    batchnorm(X, gamma, beta, running_mean, running_var, training, momentum, eps)
                                               the layer's forward in either mode, as a function
    BatchNorm(n_features)                      the layer
"""

import numpy as np

from .layers import Layer, Parameter


def _check(momentum=0.9, eps=1e-5):
    if not 0 <= momentum < 1:
        raise ValueError(f"invalid momentum: {momentum!r} (must be in [0, 1))")
    if not eps > 0:
        raise ValueError(f"invalid eps: {eps!r} (must be > 0)")


def _check_shapes(X, gamma):
    if np.ndim(X) != 2:
        raise ValueError(f"X must be (N, D): one row per sample; got shape {np.shape(X)}")
    if np.shape(gamma) != (np.shape(X)[1],):
        raise ValueError(f"gamma must be (D,) = ({np.shape(X)[1]},), got shape {np.shape(gamma)}")


def batchnorm_forward(X, gamma, beta, eps=1e-5):
    """Y = γ ⊙ (X − μ)/√(σ² + ε) + β with the batch's mean μ and (÷N) variance σ² of each feature.

    X: (N, D); gamma, beta: (D,). Returns Y: (N, D), X's dtype when gamma's is the same.
    """
    _check(eps=eps)
    _check_shapes(X, gamma)
    mu, var = X.mean(axis=0), X.var(axis=0)
    X_hat = (X - mu) / np.sqrt(var + eps)
    return gamma * X_hat + beta


def batchnorm_backward(dout, X, gamma, eps=1e-5):
    """Backward through :func:`batchnorm_forward` at the batch X (the statistics are recomputed).

    dout: (N, D) = ∂cost/∂Y. Returns ``(dX, dgamma, dbeta)``: (N, D), (D,), (D,).
    """
    _check(eps=eps)
    _check_shapes(X, gamma)
    mu, var = X.mean(axis=0), X.var(axis=0)
    inv_std = 1 / np.sqrt(var + eps)
    X_hat = (X - mu) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * X_hat).sum(axis=0)
    dX = gamma * inv_std * (dout - dout.mean(axis=0) - X_hat * (dout * X_hat).mean(axis=0))
    return dX, dgamma, dbeta


def batchnorm_inference(X, gamma, beta, mean, var, eps=1e-5):
    """Y = γ ⊙ (X − mean)/√(var + ε) + β with *given* statistics (the running ones): each row's
    output depends on that row alone. X: (N, D); the rest (D,). Returns (N, D)."""
    _check(eps=eps)
    _check_shapes(X, gamma)
    return gamma * (X - mean) / np.sqrt(var + eps) + beta


def batchnorm_inference_backward(dout, X, gamma, mean, var, eps=1e-5):
    """Backward through :func:`batchnorm_inference`: the statistics are constants there, so
    dX = dout ⊙ γ/√(var + ε). Returns ``(dX, dgamma, dbeta)``."""
    inv_std = 1 / np.sqrt(var + eps)
    return dout * gamma * inv_std, (dout * (X - mean) * inv_std).sum(axis=0), dout.sum(axis=0)


def batchnorm(X, gamma, beta, running_mean, running_var, training, momentum=0.9, eps=1e-5):
    """The batch-norm layer's forward pass, in either mode, as a function of its state.

    X: (N, D); gamma, beta, running_mean, running_var: (D,); training: bool.
    Returns ``(Y, running_mean, running_var)``: Y (N, D) and the running statistics after it.

    * training: Y from the batch's own μ and σ² (:func:`batchnorm_forward`); the running
      statistics become momentum·running + (1 − momentum)·batch (new arrays; the ones given
      are not changed).
    * inference: Y from the running statistics (:func:`batchnorm_inference`), which are
      returned unchanged.
    """
    _check(momentum, eps)
    if not training:
        return (batchnorm_inference(X, gamma, beta, running_mean, running_var, eps),
                running_mean, running_var)
    Y = batchnorm_forward(X, gamma, beta, eps)
    running_mean = momentum * running_mean + (1 - momentum) * X.mean(axis=0)
    running_var = momentum * running_var + (1 - momentum) * X.var(axis=0)
    return Y, running_mean, running_var


class BatchNorm(Layer):
    """Batch normalization of ``n_features`` features: (N, D) -> (N, D), usually placed between a
    Dense layer and its activation.

    Parameters ``gamma`` (starts at 1) and ``beta`` (starts at 0), both (D,); state
    ``running_mean`` (starts at 0) and ``running_var`` (starts at 1). ``forward(X,
    training=True)`` normalises with the batch's statistics and updates the running ones;
    ``forward(X, training=False)`` (what ``Network.predict`` does) uses the running ones and
    changes nothing. ``backward`` goes back through whichever the last forward computed.
    """

    def __init__(self, n_features, momentum=0.9, eps=1e-5, dtype=np.float64):
        if int(n_features) != n_features or n_features < 1:
            raise ValueError(f"invalid n_features: {n_features!r} (must be a whole number >= 1)")
        _check(momentum, eps)
        self.momentum, self.eps = momentum, eps
        self.gamma = Parameter(np.ones(int(n_features), dtype=dtype), "gamma")
        self.beta = Parameter(np.zeros(int(n_features), dtype=dtype), "beta")
        self.running_mean = np.zeros(int(n_features), dtype=dtype)
        self.running_var = np.ones(int(n_features), dtype=dtype)
        self.X, self.training = None, None

    def forward(self, X, training=True):
        """X: (N, D) -> Y: (N, D). Training needs N >= 2 (one sample has no spread)."""
        if training and len(X) < 2:
            raise ValueError("batch norm in training needs at least 2 samples per batch (got "
                             f"{len(X)}): one sample's variance is 0. Use training=False to "
                             "predict one sample.")
        self.X, self.training = X, bool(training)
        self._stats = (self.running_mean, self.running_var)    # what inference normalises with
        Y, self.running_mean, self.running_var = batchnorm(
            X, self.gamma.value, self.beta.value, self.running_mean, self.running_var,
            self.training, self.momentum, self.eps)
        return Y

    def backward(self, dout):
        """dout: (N, D). Adds dgamma and dbeta (D,); returns dX (N, D)."""
        if self.training:
            dX, dgamma, dbeta = batchnorm_backward(dout, self.X, self.gamma.value, self.eps)
        else:
            dX, dgamma, dbeta = batchnorm_inference_backward(dout, self.X, self.gamma.value,
                                                             *self._stats, self.eps)
        self.gamma.add_grad(dgamma)
        self.beta.add_grad(dbeta)
        return dX

    def parameters(self):
        return [self.gamma, self.beta]

    def __repr__(self):
        return f"BatchNorm({self.gamma.value.size}, momentum={self.momentum}, eps={self.eps})"


__all__ = ["batchnorm_forward", "batchnorm_backward", "batchnorm_inference",
           "batchnorm_inference_backward", "batchnorm", "BatchNorm"]
