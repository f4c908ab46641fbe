"""Gradient clipping by global norm: a cap on the size of one update, for every optimizer.

When gradients explode (a deep network, a large weight, an unlucky batch), one step can throw
the weights so far that training never recovers. Clipping by the **global norm** treats all
the network's gradients as one long vector g = (dW₁, db₁, dW₂, ...):

    ‖g‖ = √(Σ over every array, every entry, of g²)
    if ‖g‖ > max_norm:  every array is multiplied by max_norm / ‖g‖      (else left as it is)

so the update keeps its *direction* and only its length is capped. (Clipping each array to
max_norm separately would change the direction; clipping each entry to [−c, c] even more so.)
TensorFlow's ``tf.clip_by_global_norm`` and PyTorch's ``clip_grad_norm_`` do the same.

    clip_by_global_norm(grads, max_norm)   new, clipped arrays and the norm before clipping
    clip_gradients(params, max_norm)       the same on Parameters' gradients, in place,
                                           between ``backward`` and ``optimizer.step()``
                                           (what ``fit(..., clip=max_norm)`` does)
"""

import numpy as np


def _check(max_norm):
    if not max_norm > 0:
        raise ValueError(f"invalid max_norm: {max_norm!r} (must be > 0)")


def global_norm(grads):
    """√(Σ g²) over every entry of every array in the list ``grads``, as a float (in float64)."""
    return float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))


def _scale(norm, max_norm):
    return max_norm / norm if norm > max_norm else 1.0


def clip_by_global_norm(grads, max_norm):
    """``(clipped, norm)``: ``norm`` = ‖grads‖ (:func:`global_norm`, before clipping) and
    ``clipped``, a list of new arrays, each ``g · max_norm/norm`` when norm > max_norm, else a
    copy of ``g`` (shapes and dtypes kept). The arrays given are not changed."""
    _check(max_norm)
    norm = global_norm(grads)
    scale = _scale(norm, max_norm)
    return [g * scale for g in grads], norm


def clip_gradients(params, max_norm):
    """Clip the gradients of ``params`` (:class:`~nnlib.layers.Parameter` objects) by their global
    norm, in place. Returns the norm before clipping."""
    _check(max_norm)
    grads = [p.grad for p in params]
    norm = global_norm(grads)
    scale = _scale(norm, max_norm)
    if scale != 1.0:
        for g in grads:
            g *= scale
    return norm


__all__ = ["global_norm", "clip_by_global_norm", "clip_gradients"]
