"""Bundled, offline datasets, and the small helpers that get them ready for a network.

Toy problems for the early lessons, generated with numpy from a seed:

    xor          the four XOR points: what a single neuron cannot learn
    spirals      interleaved spiral arms, one per class (CS231n)
    moons        two interleaving half circles
    circles      a small circle inside a large one
    blobs        Gaussian clusters
    regression   5 inputs -> 2 smooth nonlinear targets (the sigmoid-vs-ReLU experiment)

and one real dataset shipped in this folder (``digits.csv.gz``, see LICENSE-digits.txt):
:func:`load_digits`, 1797 handwritten digits as 8x8 images, and :func:`digits_32x32`, the same
digits upsampled for the lesson on flattening images. Helpers: :func:`flatten` /
:func:`unflatten`, :func:`scale_pixels`, :func:`one_hot`, :func:`train_test_split`.
Look a dataset up by name with :func:`get_dataset`.

Conventions: samples first, ``X`` is (N, D); class labels ``y`` are int64, shape (N,). Every
random function takes ``rng``, an int seed or a ``numpy.random.Generator`` (default 0), so the
same seed gives the same arrays for every learner. Every function that returns floats takes
``dtype`` (default float64) and returns exactly that dtype. The generated classification sets
come in shuffled order (as in scikit-learn), so any slice of rows mixes the classes.
"""

import functools
import gzip
from importlib.resources import files

import numpy as np


def _float_dtype(dtype):
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype must be a floating-point type such as np.float32, got {dtype}")
    return dtype


def _check(name, value, minimum=0, integer=True):
    if not value >= minimum or (integer and int(value) != value):
        raise ValueError(f"{name} must be {'an integer' if integer else 'a number'} >= {minimum}, "
                         f"got {value!r}")
    return int(value) if integer else value


def _shuffled(X, y, rng, dtype):
    """The rows of X and y in one random order; X as ``dtype``, y as int64 labels."""
    order = rng.permutation(len(y))
    return X[order].astype(dtype), y[order].astype(np.int64)


# --- toy problems ------------------------------------------------------------------------

def xor(dtype=np.float64):
    """The four XOR points: X (4, 2) with inputs 0/1, y (4, 1) = x1 XOR x2 as 0.0/1.0.

    No straight line separates the 1s from the 0s, so one neuron cannot learn it; a hidden
    layer can."""
    dtype = _float_dtype(dtype)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    y = np.array([[0], [1], [1], [0]], dtype=dtype)
    return X, y


def spirals(n_per_class=100, n_classes=3, noise=0.2, rng=0, dtype=np.float64):
    """Interleaved spiral arms, one per class (CS231n's toy problem): X (N, 2), y (N,),
    N = n_per_class * n_classes.

    Arm k has radius r from 0 to 1 and angle t = 4(k + r) radians plus Gaussian noise of std
    ``noise``; its points are (r sin t, r cos t).
    """
    n_per_class = _check("n_per_class", n_per_class, 1)
    n_classes, noise = _check("n_classes", n_classes, 1), _check("noise", noise, integer=False)
    rng, dtype = np.random.default_rng(rng), _float_dtype(dtype)
    y = np.repeat(np.arange(n_classes), n_per_class)
    r = np.tile(np.linspace(0, 1, n_per_class), n_classes)
    t = 4 * (y + r) + noise * rng.standard_normal(len(y))
    return _shuffled(np.column_stack([r * np.sin(t), r * np.cos(t)]), y, rng, dtype)


def moons(n_samples=200, noise=0.1, rng=0, dtype=np.float64):
    """Two interleaving half circles (as scikit-learn's ``make_moons``): X (N, 2), y (N,) 0/1.

    Class 0 is (cos θ, sin θ), class 1 is (1 − cos θ, ½ − sin θ), θ evenly spaced over [0, π];
    N // 2 points in class 0, the rest in class 1; Gaussian noise of std ``noise`` on both
    coordinates.
    """
    n_samples, noise = _check("n_samples", n_samples, 1), _check("noise", noise, integer=False)
    rng, dtype = np.random.default_rng(rng), _float_dtype(dtype)
    n0 = n_samples // 2
    y = np.repeat([0, 1], [n0, n_samples - n0])
    theta = np.concatenate([np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n_samples - n0)])
    X = np.column_stack([np.cos(theta), np.sin(theta)])
    X[y == 1] = [1, 0.5] - X[y == 1]
    return _shuffled(X + noise * rng.standard_normal(X.shape), y, rng, dtype)


def circles(n_samples=200, noise=0.05, factor=0.5, rng=0, dtype=np.float64):
    """A circle inside a circle (as scikit-learn's ``make_circles``): X (N, 2), y (N,) 0/1.

    Class 0 lies on the unit circle, class 1 on the circle of radius ``factor`` (0 <= factor
    < 1), N // 2 points evenly spaced on the outer one and the rest on the inner one; Gaussian
    noise of std ``noise`` on both coordinates.
    """
    n_samples, noise = _check("n_samples", n_samples, 1), _check("noise", noise, integer=False)
    if not 0 <= factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be in [0, 1), got {factor!r}")
    rng, dtype = np.random.default_rng(rng), _float_dtype(dtype)
    n0 = n_samples // 2
    y = np.repeat([0, 1], [n0, n_samples - n0])
    theta = np.concatenate([np.linspace(0, 2 * np.pi, n, endpoint=False)
                            for n in (n0, n_samples - n0)])
    X = np.where(y == 0, 1.0, factor)[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    return _shuffled(X + noise * rng.standard_normal(X.shape), y, rng, dtype)


def blobs(n_samples=300, centers=3, std=1.0, rng=0, dtype=np.float64):
    """Gaussian clusters: X (N, 2), y (N,) in 0..centers-1.

    The ``centers`` cluster centres are drawn uniformly from the square [-10, 10]² with ``rng``
    (so the seed fixes them); the samples are shared out evenly (the first N mod centers
    clusters get one more) and scattered around their centre with std ``std``.
    """
    n_samples, centers = _check("n_samples", n_samples, 1), _check("centers", centers, 1)
    std = _check("std", std, integer=False)
    rng, dtype = np.random.default_rng(rng), _float_dtype(dtype)
    C = rng.uniform(-10, 10, size=(centers, 2))
    y = np.arange(n_samples) % centers
    return _shuffled(C[y] + std * rng.standard_normal((n_samples, 2)), y, rng, dtype)


def regression(n_samples=200, noise=0.05, rng=0, dtype=np.float64):
    """The sigmoid-vs-ReLU experiment's data: 5 inputs, 2 smooth nonlinear targets.

    X (N, 5) is uniform in [-1, 1]; y (N, 2) is

        y1 = ½ sin(π x1) + ½ x2 x3        (in [-1, 1])
        y2 = x4² + ½ x5 − ½               (in [-1, 1])

    plus Gaussian noise of std ``noise`` on each target. A linear fit explains only about half
    of the variance (the curves and the product need hidden units); a 5-8-8-2 network learns it.
    """
    n_samples, noise = _check("n_samples", n_samples, 1), _check("noise", noise, integer=False)
    rng, dtype = np.random.default_rng(rng), _float_dtype(dtype)
    X = rng.uniform(-1, 1, size=(n_samples, 5))
    x1, x2, x3, x4, x5 = X.T
    y = np.column_stack([0.5 * np.sin(np.pi * x1) + 0.5 * x2 * x3, x4**2 + 0.5 * x5 - 0.5])
    y = y + noise * rng.standard_normal(y.shape)
    return X.astype(dtype), y.astype(dtype)


# --- handwritten digits ------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _digits_table():
    """digits.csv.gz parsed once: (1797, 65) int64, 64 pixels (row-major 8x8) then the label."""
    with (files("nnlib.data") / "digits.csv.gz").open("rb") as f, gzip.open(f, "rt") as text:
        return np.loadtxt(text, delimiter=",", dtype=np.int64)


def load_digits(dtype=np.float64):
    """The UCI handwritten digits (1797 samples, test part; see LICENSE-digits.txt):
    images (1797, 8, 8) with values 0..16 as ``dtype``, y (1797,) int64 labels 0..9.

    Each pixel counts the ink in a 4x4 block of the original 32x32 scan, hence 0..16.
    Flatten the images to X (1797, 64) with :func:`flatten` before feeding a network.
    """
    table = _digits_table()
    return table[:, :64].reshape(-1, 8, 8).astype(_float_dtype(dtype)), table[:, 64].copy()


def _bilinear_weights(n_in, n_out):
    """(n_out, n_in) matrix M that resamples a row of n_in pixels to n_out by linear
    interpolation: output pixel i sits at input position (i + ½)·n_in/n_out − ½ (pixel
    centres aligned), clamped to the edge pixels, and mixes its two neighbours."""
    x = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    left = np.minimum(np.floor(x).astype(int), n_in - 2)
    M = np.zeros((n_out, n_in))
    M[np.arange(n_out), left] = 1 - (x - left)
    M[np.arange(n_out), left + 1] = x - left
    return M


def digits_32x32(n=None):
    """The digits upsampled to 32x32, for the lesson on flattening an image:
    images (N, 32, 32) uint8 in 0..255, y (N,) int64; ``n`` keeps the first n (default all).

    Bilinear interpolation, smooth rather than blocky: with M the (32, 8) interpolation
    weights, each image becomes M · image · Mᵀ (resample the columns, then the rows). Values
    are stretched from 0..16 to 0..255 (16 -> 255) and rounded. This is a smooth
    reconstruction, not the original black-and-white scans.
    """
    images, y = load_digits()
    if n is not None and not 0 <= n <= len(y):
        raise ValueError(f"n must be between 0 and {len(y)}, got {n!r}")
    M = _bilinear_weights(8, 32)
    big = M @ images[:n] @ M.T
    return np.rint(big * (255 / 16)).astype(np.uint8), y[:n]


# --- preparing data ----------------------------------------------------------------------

def flatten(images):
    """Images (N, H, W) -> X (N, H*W): each image's rows laid end to end (row-major order),
    so pixel (i, j) becomes feature i*W + j. The dtype is kept."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (N, H, W), got shape {images.shape}; "
                         "for a single image use images[None] to make it (1, H, W)")
    N, H, W = images.shape
    return images.reshape(N, H * W)


def unflatten(X, height, width):
    """X (N, height*width) -> images (N, height, width): the inverse of :func:`flatten`."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != height * width:
        raise ValueError(f"expected X of shape (N, {height * width}) for {height}x{width} "
                         f"images, got shape {X.shape}")
    return X.reshape(len(X), height, width)


def scale_pixels(X, max_value=255, dtype=np.float64):
    """Pixel values in [0, max_value] -> floats in [0, 1]: X / max_value, same shape as X.
    Use max_value=16 for :func:`load_digits` and 255 for :func:`digits_32x32`."""
    X, dtype = np.asarray(X), _float_dtype(dtype)
    if not max_value > 0:
        raise ValueError(f"max_value must be > 0, got {max_value!r}")
    if X.size and (X.min() < 0 or X.max() > max_value):
        raise ValueError(f"pixel values must lie in [0, {max_value}], "
                         f"got values from {X.min()} to {X.max()}")
    return X.astype(dtype) / dtype.type(max_value)


def one_hot(y, n_classes=None, dtype=np.float64):
    """Class labels y (N,) in 0..K-1 -> one-hot rows Y (N, K): Y[n, y[n]] = 1, the rest 0.

    K is ``n_classes``, or max(y) + 1 when not given. Raises ValueError unless y is an
    integer array with every label in [0, K).
    """
    y, dtype = np.asarray(y), _float_dtype(dtype)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"y must be integer class labels of shape (N,), got {y.dtype} array of "
                         f"shape {y.shape} (whole-number floats: convert with y.astype(int))")
    K = int(y.max(initial=-1)) + 1 if n_classes is None else _check("n_classes", n_classes, 1)
    if y.size and (y.min() < 0 or y.max() >= K):
        raise ValueError(f"labels must lie in [0, {K}), got values from {y.min()} to {y.max()}")
    Y = np.zeros((len(y), K), dtype=dtype)
    Y[np.arange(len(y)), y] = 1
    return Y


def one_hot_column(column, categories, dtype=np.float64):
    """A categorical feature (N,) -> one input per category (N, K): row n has a 1 in column k
    when column[n] == categories[k]. The K columns follow the order of ``categories`` (fixed
    once for all data, so an unused category keeps its column). Raises ValueError for a value
    that is not one of ``categories``."""
    index = {value: k for k, value in enumerate(categories)}
    unknown = [value for value in column if value not in index]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not one of the categories {list(categories)}")
    return one_hot(np.array([index[value] for value in column], dtype=np.int64),
                   len(index), dtype)


def train_test_split(X, y, test_size=0.25, rng=0, stratify=True):
    """Split the samples into a training set and a test set after a seeded shuffle:
    returns X_train, X_test, y_train, y_test (rows of X (N, ...) and y (N, ...) stay paired).

    With ``stratify`` and integer class labels y (N,), each class is split on its own
    (round(test_size · n_k) of its n_k samples go to the test set), so both sets keep the class
    proportions. Otherwise round(test_size · N) random samples form the test set.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of samples, "
                         f"got {len(X)} and {len(y)}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    rng = np.random.default_rng(rng)
    if stratify and y.ndim == 1 and y.dtype.kind in "iu":
        groups = [np.flatnonzero(y == k) for k in np.unique(y)]
    else:
        groups = [np.arange(len(y))]
    train, test = [], []
    for group in groups:
        group = rng.permutation(group)
        n_test = round(test_size * len(group))
        train.append(group[n_test:])
        test.append(group[:n_test])
    train, test = rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
    if len(train) == 0 or len(test) == 0:
        raise ValueError(f"test_size={test_size} leaves an empty training or test set "
                         f"for {len(y)} samples")
    return X[train], X[test], y[train], y[test]


DATASETS = {"xor": xor, "spirals": spirals, "moons": moons, "circles": circles, "blobs": blobs,
            "regression": regression, "digits": load_digits}


def get_dataset(name, **kwargs):
    """Make (or load) a dataset by name: ``get_dataset("moons", noise=0.2)`` -> (X, y).
    Raises ValueError listing the valid names for an unknown one."""
    if name not in DATASETS:
        raise ValueError(
            f"unknown dataset {name!r}; choose one of: {', '.join(sorted(DATASETS))}"
        )
    return DATASETS[name](**kwargs)
