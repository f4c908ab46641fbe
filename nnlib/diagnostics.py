"""Measurements that explain how training goes: dead ReLUs, gradient sizes, activation statistics.

Nothing here trains or changes a network; each function looks at arrays or at a network's state:

    dead_units(A)                  how many units of a ReLU layer output 0 for every sample
    hidden_activations(network, X) the output A of every hidden activation layer, for histograms
    activation_stats(network, X)   mean, std and dead units of each of those layers
    gradient_norms(network)        the size of dW for each Dense layer, after a backward pass

Shapes are batch first as everywhere in nnlib: ``A`` is (N, M), one row per sample and one column
per unit.
"""

import numpy as np

from .layers import Activation


def dead_units(A):
    """The number of units that output 0 for every sample of the batch.

    A: (N, M) activations of one ReLU layer (N samples, M units). A unit is a column; it is
    *dead on this batch* when its whole column is 0: no sample switches it on, so no gradient
    reaches its incoming weights. Returns an int from 0 to M (divide by M for a fraction).
    """
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"A must be (N, M): one row per sample, one column per unit; got shape "
                         f"{A.shape}")
    return int(np.count_nonzero(np.all(A == 0, axis=0)))


def hidden_activations(network, X):
    """Run ``X`` (N, D) forward and return ``[(name, A), ...]``: the output A (N, M) of every
    activation layer except the network's output layer, bottom to top. ``name`` is the
    activation's name, e.g. ``"relu"``."""
    out = []
    layers = network.layers
    for i, layer in enumerate(layers):
        X = layer.forward(X)
        if isinstance(layer, Activation) and i < len(layers) - 1:
            out.append((layer.name, X))
    return out


def activation_stats(network, X):
    """One dict per hidden activation layer (bottom to top) with the layer's output A (N, M)
    on the batch ``X`` (N, D) summarised: ``layer`` (counted from 1), ``name``, ``mean``,
    ``std`` (over all N·M entries), ``dead`` (:func:`dead_units`) and ``units`` (M)."""
    stats = []
    for k, (name, A) in enumerate(hidden_activations(network, X), start=1):
        stats.append({"layer": k, "name": name, "mean": float(A.mean()), "std": float(A.std()),
                      "dead": dead_units(A), "units": A.shape[1]})
    return stats


def gradient_norms(network):
    """The Frobenius norm ‖dW‖ = √(Σ dW²) of every Dense layer's weight gradient, bottom to top.

    Reads the gradients the last ``network.backward`` left in ``W.grad`` (call ``zero_grad``
    before the backward pass, since backward adds into them). Returns a list of floats, one per
    Dense layer.
    """
    return [float(np.sqrt(np.sum(layer.W.grad ** 2))) for layer in network.dense_layers]


__all__ = ["dead_units", "hidden_activations", "activation_stats", "gradient_norms"]
