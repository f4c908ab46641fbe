"""Measurements that explain how training goes: dead and saturated units, gradient sizes, the
size of each update.

Nothing here trains or changes a network's weights; each function looks at arrays or at a
network's state:

    dead_units(A)                  how many units of a ReLU layer output 0 for every sample
    saturated_fraction(A, name)    the share of a layer's outputs where its activation is flat
    hidden_activations(network, X) the output A of every hidden activation layer, for histograms
    activation_stats(network, X)   mean, std, dead units and saturation of each of those layers
    gradient_norms(network)        the size of dW for each Dense layer, after a backward pass
    gradient_stats(network)        ‖dW‖, ‖W‖, their ratio and dW's spread, per Dense layer
    update_ratio(W_before, W_after)  ‖ΔW‖ / ‖W‖: how big one update was, relative to W
    weights(network), update_ratios(before, network)   the same for every Dense layer

Shapes are batch first as everywhere in nnlib: ``A`` is (N, M), one row per sample and one column
per unit. ‖·‖ is the Frobenius norm √(Σ entries²).

A rule of thumb from CS231n's notes ("babysitting the learning process"): an update ratio near
1e-3 is healthy; far below (1e-5) the layer barely learns, far above (1e-1) it is thrown about.
"""

import numpy as np

from .layers import Activation

# The slope below which an activation counts as flat: 6% of its steepest. For tanh that is
# |A| > 0.97 (the threshold Karpathy uses in makemore, part 3).
FLAT_SLOPE = 0.06


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


def saturated_fraction(A, name):
    """The fraction of the entries of ``A`` (any shape: one layer's outputs) at which the
    activation ``name`` is flat, its slope under 6% of its steepest, so that it passes almost no
    gradient back:

    * ``"tanh"``: |A| > 0.97 (slope 1 − A² < 0.06);
    * ``"sigmoid"``: A < 0.015 or A > 0.985 (slope A(1 − A) < 0.06 · 0.25);
    * ``"relu"``: A = 0 (slope 0); ``"leaky_relu"``: A < 0 (slope 0.01).

    Other activations (identity, softmax) are never flat here: 0.0. Returns a float in [0, 1].
    """
    A = np.asarray(A, dtype=np.float64)
    if name == "tanh":
        flat = 1 - A ** 2 < FLAT_SLOPE
    elif name == "sigmoid":
        flat = A * (1 - A) < FLAT_SLOPE * 0.25
    elif name == "relu":
        flat = A == 0
    elif name == "leaky_relu":
        flat = A < 0
    else:
        return 0.0
    return float(np.mean(flat)) if A.size else 0.0


def hidden_activations(network, X, training=False):
    """Run ``X`` (N, D) forward and return ``[(name, A), ...]``: the output A (N, M) of every
    activation layer except the network's output layer, bottom to top. ``name`` is the
    activation's name, e.g. ``"relu"``. ``training=False`` (the default) runs the network as
    ``predict`` does; ``training=True`` as a training step does (dropout on; batch norm with
    the batch's statistics, which also updates its running ones)."""
    out = []
    layers = network.layers
    for i, layer in enumerate(layers):
        X = layer.forward(X, training)
        if isinstance(layer, Activation) and i < len(layers) - 1:
            out.append((layer.name, X))
    return out


def activation_stats(network, X, training=False):
    """One dict per hidden activation layer (bottom to top) with the layer's output A (N, M)
    on the batch ``X`` (N, D) summarised: ``layer`` (counted from 1), ``name``, ``mean``,
    ``std`` (over all N·M entries), ``dead`` (:func:`dead_units`), ``units`` (M) and
    ``saturated`` (:func:`saturated_fraction`)."""
    stats = []
    for k, (name, A) in enumerate(hidden_activations(network, X, training), start=1):
        stats.append({"layer": k, "name": name, "mean": float(A.mean()), "std": float(A.std()),
                      "dead": dead_units(A), "units": A.shape[1],
                      "saturated": saturated_fraction(A, name)})
    return stats


def _norm(a):
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def gradient_norms(network):
    """The Frobenius norm ‖dW‖ = √(Σ dW²) of every Dense layer's weight gradient, bottom to top.

    Reads the gradients the last ``network.backward`` left in ``W.grad`` (call ``zero_grad``
    before the backward pass, since backward adds into them). Returns a list of floats, one per
    Dense layer.
    """
    return [float(np.sqrt(np.sum(layer.W.grad ** 2))) for layer in network.dense_layers]


def gradient_stats(network):
    """One dict per Dense layer (bottom to top) from the gradients the last backward pass left:
    ``layer`` (from 1), ``grad_norm`` ‖dW‖, ``weight_norm`` ‖W‖, ``grad_to_weight``
    ‖dW‖/‖W‖ (inf when W is all zeros) and ``grad_std``, the standard deviation of dW's
    entries."""
    rows = []
    for k, layer in enumerate(network.dense_layers, start=1):
        W, dW = layer.W.value, layer.W.grad
        g, w = _norm(dW), _norm(W)
        rows.append({"layer": k, "grad_norm": g, "weight_norm": w,
                     "grad_to_weight": g / w if w > 0 else float("inf"),
                     "grad_std": float(dW.std())})
    return rows


def update_ratio(W_before, W_after):
    """‖W_after − W_before‖ / ‖W_before‖: the size of one update relative to the weights it
    changed, for arrays of one shape (any optimizer: it measures the step actually taken).
    A float; inf when W_before is all zeros and the update is not."""
    W_before = np.asarray(W_before, dtype=np.float64)
    W_after = np.asarray(W_after, dtype=np.float64)
    if W_before.shape != W_after.shape:
        raise ValueError(f"W_before {W_before.shape} and W_after {W_after.shape} differ in shape")
    step, size = _norm(W_after - W_before), _norm(W_before)
    if size == 0:
        return 0.0 if step == 0 else float("inf")
    return step / size


def weights(network):
    """Copies of every Dense layer's weights, bottom to top: what :func:`update_ratios` compares
    with after an update."""
    return [layer.W.value.copy() for layer in network.dense_layers]


def update_ratios(before, network):
    """:func:`update_ratio` for every Dense layer: ``before`` from :func:`weights` taken before
    the update, the network as it is after it. A list of floats, bottom to top."""
    return [update_ratio(W, layer.W.value) for W, layer in zip(before, network.dense_layers)]


__all__ = ["dead_units", "saturated_fraction", "hidden_activations", "activation_stats",
           "gradient_norms", "gradient_stats", "update_ratio", "weights", "update_ratios"]
