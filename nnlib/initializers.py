"""Weight initialisers: where a network's numbers start.

Every initialiser has the same signature ``init(shape, rng, dtype=np.float64) -> array`` with
``shape = (fan_in, fan_out)`` for a weight matrix W of shape (D, M). Random ones draw from the
seeded ``numpy.random.Generator`` you pass in, so the same seed gives the same network.

* ``zeros`` / ``constant``: every weight equal. Fine for biases; for weights it is the
  *symmetry problem*: all units of a layer compute the same thing and receive the same gradient,
  so they stay identical for ever.
* ``normal`` / ``uniform``: small random numbers with a fixed ``scale``.
* ``xavier`` (Glorot): variance 2 / (fan_in + fan_out), keeps signal size through sigmoid/tanh.
* ``he``: variance 2 / fan_in, keeps signal size through ReLU (which zeroes half its inputs).
"""

import functools

import numpy as np


def zeros(shape, rng=None, dtype=np.float64):
    """All zeros (``rng`` is accepted for a uniform signature and ignored)."""
    return np.zeros(shape, dtype=dtype)


def constant(shape, rng=None, dtype=np.float64, value=0.5):
    """Every entry equal to ``value``: shows the symmetry problem."""
    return np.full(shape, value, dtype=dtype)


def normal(shape, rng, dtype=np.float64, scale=0.01):
    """Gaussian with mean 0 and standard deviation ``scale``."""
    return (scale * rng.standard_normal(shape)).astype(dtype, copy=False)


def uniform(shape, rng, dtype=np.float64, scale=0.05):
    """Uniform on [−scale, scale]."""
    return rng.uniform(-scale, scale, size=shape).astype(dtype, copy=False)


def xavier(shape, rng, dtype=np.float64):
    """Glorot/Xavier normal: standard deviation √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = shape[0], shape[-1]
    return normal(shape, rng, dtype, scale=np.sqrt(2.0 / (fan_in + fan_out)))


def he(shape, rng, dtype=np.float64):
    """He/Kaiming normal: standard deviation √(2 / fan_in)."""
    return normal(shape, rng, dtype, scale=np.sqrt(2.0 / shape[0]))


INITIALIZERS = {
    "zeros": zeros,
    "constant": constant,
    "normal": normal,
    "uniform": uniform,
    "xavier": xavier,
    "glorot": xavier,
    "he": he,
}


def get_initializer(name, **options):
    """Return the initialiser called ``name``, with any options (``scale``, ``value``) bound.

    >>> init = get_initializer("normal", scale=0.1)
    >>> W = init((3, 2), np.random.default_rng(0))
    """
    if name not in INITIALIZERS:
        raise ValueError(
            f"unknown initializer {name!r}; choose one of: {', '.join(sorted(INITIALIZERS))}"
        )
    init = INITIALIZERS[name]
    return functools.partial(init, **options) if options else init
