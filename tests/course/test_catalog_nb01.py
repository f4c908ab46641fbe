"""Notebook 01's mistake catalog: realistic wrong answers, each rejected and named with its true
cause; correct answers written other ways, each accepted; every known mistake named as itself."""

import numpy as np

from .catalog import catalog_tests, check_wrong, says  # noqa: F401

IDS = ["nb01_flatten", "nb01_unflatten", "nb01_scale_pixels", "nb01_local_binary_pattern",
       "nb01_one_hot_column"]


# --- flatten ---------------------------------------------------------------------------------

def _flatten_in_place(images):
    images.shape = (len(images), -1)
    return images


def _flatten_loop_list(images):
    return [img.ravel() for img in images]


def _flatten_zeros_loop(images):
    out = np.zeros((images.shape[0], images.shape[1] * images.shape[2]))
    for n in range(len(images)):
        out[n] = images[n].ravel()
    return out


def _one_hot_bisect(column, categories):
    import bisect
    out = np.zeros((len(column), len(categories)))
    for n, value in enumerate(column):
        out[n, min(bisect.bisect_left(categories, value), len(categories) - 1)] = 1
    return out


WRONG = [
    ("nb01_flatten", "whole batch in one vector", lambda images: images.reshape(-1)),
    ("nb01_flatten", "whole batch in one vector", lambda images: images.flatten()),
    ("nb01_flatten", "batch axis last", lambda images: images.reshape(images.shape[0], -1).T),
    ("nb01_flatten", "reshape(-1, N)", lambda images: images.reshape(-1, images.shape[0])),
    ("nb01_flatten", "Fortran order",
     lambda images: images.transpose(0, 2, 1).reshape(len(images), -1)),
    ("nb01_flatten", "Fortran order", lambda images: images.reshape(len(images), -1, order="F")),
    ("nb01_flatten", "Fortran order across the batch",
     lambda images: images.ravel(order="F").reshape(len(images), -1)),
    ("nb01_flatten", "height used as N", lambda images: images.reshape(images.shape[1], -1)),
    ("nb01_flatten", "converted to float", _flatten_zeros_loop),
    ("nb01_flatten", "converted to float",
     lambda images: images.reshape(len(images), -1).astype(np.float32)),
    ("nb01_flatten", "a list, not an array", _flatten_loop_list),
    ("nb01_flatten", says("changed its input `images` in place"), _flatten_in_place),
]

RIGHT = [
    ("nb01_flatten", lambda images: images.reshape(images.shape[0], -1)),
    ("nb01_flatten", lambda images: np.reshape(images, (len(images), images[0].size))),
    ("nb01_flatten", lambda images: np.array([img.flatten() for img in images])),
    ("nb01_flatten", lambda images: np.stack([img.ravel() for img in images])),
    ("nb01_flatten", lambda images: images.reshape(len(images), -1, order="C").copy()),
]


# --- unflatten -------------------------------------------------------------------------------

def _unflatten_in_place(X, height, width):
    X.shape = (len(X), height, width)
    return X


def _unflatten_loop(X, height, width):
    out = np.empty((len(X), height, width), dtype=X.dtype)
    for n in range(len(X)):
        for i in range(height):
            out[n, i] = X[n, i * width:(i + 1) * width]
    return out


WRONG += [
    ("nb01_unflatten", "height and width swapped", lambda X, h, w: X.reshape(len(X), w, h)),
    ("nb01_unflatten", "height and width swapped", lambda X, h, w: X.reshape(-1, w, h)),
    ("nb01_unflatten", "Fortran order",
     lambda X, h, w: X.reshape(len(X), w, h).transpose(0, 2, 1)),
    ("nb01_unflatten", "Fortran order", lambda X, h, w: X.reshape(len(X), h, w, order="F")),
    ("nb01_unflatten", "batch axis lost", lambda X, h, w: X.reshape(h, w)),
    ("nb01_unflatten", "batch axis last", lambda X, h, w: X.reshape(h, w, -1)),
    ("nb01_unflatten", "X read as one column per image", lambda X, h, w: X.T.reshape(-1, h, w)),
    ("nb01_unflatten", "reshaped batch-last, then moved to the front",
     lambda X, h, w: X.reshape(h, w, len(X)).transpose(2, 0, 1)),
    ("nb01_unflatten", "images transposed", lambda X, h, w: np.swapaxes(X.reshape(-1, h, w), 1, 2)),
    ("nb01_unflatten", "converted to float",
     lambda X, h, w: X.reshape(len(X), h, w).astype(float)),
    ("nb01_unflatten", "a list, not an array",
     lambda X, h, w: [row.reshape(h, w) for row in X]),
    ("nb01_unflatten", says("changed its input `X` in place"), _unflatten_in_place),
]

RIGHT += [
    ("nb01_unflatten", lambda X, h, w: X.reshape(len(X), h, w)),
    ("nb01_unflatten", lambda X, h, w: X.reshape(-1, h, w)),
    ("nb01_unflatten", lambda X, h, w: np.array([row.reshape(h, w) for row in X])),
    ("nb01_unflatten", _unflatten_loop),
]


# --- scale_pixels ----------------------------------------------------------------------------

def _scale_in_place(X):
    X = X.astype(np.float64)
    X /= 255
    return X


WRONG += [
    ("nb01_scale_pixels", "integer division", lambda X: X // 255),
    ("nb01_scale_pixels", "integer division", lambda X: (X / 255).astype(np.uint8)),
    ("nb01_scale_pixels", "divided by 256", lambda X: X / 256),
    ("nb01_scale_pixels", "divided by the batch maximum", lambda X: X / X.max()),
    ("nb01_scale_pixels", "min-max scaled by the batch",
     lambda X: (X - X.min()) / (X.max() - X.min())),
    ("nb01_scale_pixels", "not scaled", lambda X: X.astype(np.float64)),
    ("nb01_scale_pixels", "percentage instead of fraction", lambda X: X / 255 * 100),
    ("nb01_scale_pixels", "standardised", lambda X: (X - X.mean()) / X.std()),
    ("nb01_scale_pixels", "scaled to [-1, 1]", lambda X: X / 127.5 - 1),
    ("nb01_scale_pixels", "a list, not an array", lambda X: (X / 255).tolist()),
]

RIGHT += [
    ("nb01_scale_pixels", lambda X: X / 255),
    ("nb01_scale_pixels", lambda X: X.astype(np.float32) / 255.0),
    ("nb01_scale_pixels", _scale_in_place),
    ("nb01_scale_pixels", lambda X: np.divide(X, 255, dtype=np.float64)),
    ("nb01_scale_pixels", lambda X: X * (1 / 255)),
]


# --- local_binary_pattern ----------------------------------------------------------------------

OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]


def _lbp_loops(image, compare=lambda nb, c: nb >= c, offsets=OFFSETS, weights=None,
               border=False, dtype=np.int64):
    img = image.astype(np.int64)
    H, W = img.shape
    weights = weights or [1 << k for k in range(8)]
    if border:
        out = np.zeros((H, W), dtype=dtype)
        rows, cols = range(H), range(W)
    else:
        out = np.zeros((H - 2, W - 2), dtype=dtype)
        rows, cols = range(1, H - 1), range(1, W - 1)
    for r in rows:
        for c in cols:
            code = 0
            for (dr, dc), weight in zip(offsets, weights):
                rr, cc = r + dr, c + dc
                if 0 <= rr < H and 0 <= cc < W and compare(img[rr, cc], img[r, c]):
                    code += weight
            out[(r, c) if border else (r - 1, c - 1)] = code
    return out


def _lbp_uint8_difference(image):
    """Compares image[nb] - image[c] >= 0 in uint8, where a negative difference wraps around."""
    H, W = image.shape
    centre = image[1:-1, 1:-1]
    codes = np.zeros(centre.shape, dtype=np.int64)
    for bit, (dr, dc) in enumerate(OFFSETS):
        nb = image[1 + dr:H - 1 + dr, 1 + dc:W - 1 + dc]
        codes += ((nb - centre) >= 0).astype(np.int64) << bit
    return codes


def _lbp_centre_vs_neighbour(image):
    return _lbp_loops(image, compare=lambda nb, c: c >= nb)


WRONG += [
    ("nb01_local_binary_pattern", "strict comparison",
     lambda image: _lbp_loops(image, compare=lambda nb, c: nb > c)),
    ("nb01_local_binary_pattern", "counter-clockwise",
     lambda image: _lbp_loops(image, offsets=[OFFSETS[0]] + OFFSETS[:0:-1])),
    ("nb01_local_binary_pattern", "reversed bits",
     lambda image: _lbp_loops(image, weights=[1 << (7 - k) for k in range(8)])),
    ("nb01_local_binary_pattern", "centre compared with the neighbour", _lbp_centre_vs_neighbour),
    ("nb01_local_binary_pattern", "uint8 subtraction wraps around", _lbp_uint8_difference),
    ("nb01_local_binary_pattern", "border kept",
     lambda image: _lbp_loops(image, border=True)),
    ("nb01_local_binary_pattern", "starts at the top neighbour",
     lambda image: _lbp_loops(image, offsets=OFFSETS[1:] + OFFSETS[:1])),
    ("nb01_local_binary_pattern", "starts at the left neighbour",
     lambda image: _lbp_loops(image, offsets=OFFSETS[7:] + OFFSETS[:7])),
    ("nb01_local_binary_pattern", "weights 1..8 instead of powers of 2",
     lambda image: _lbp_loops(image, weights=list(range(1, 9)))),
    ("nb01_local_binary_pattern", "count of brighter neighbours",
     lambda image: _lbp_loops(image, weights=[1] * 8)),
]

RIGHT += [
    ("nb01_local_binary_pattern", _lbp_loops),
    ("nb01_local_binary_pattern", lambda image: _lbp_loops(image, dtype=np.uint8)),
    ("nb01_local_binary_pattern",
     lambda image: _lbp_loops(image, compare=lambda nb, c: not nb < c, dtype=np.int32)),
    ("nb01_local_binary_pattern",
     lambda image: sum(((np.roll(np.roll(image.astype(int), -dr, 0), -dc, 1) >= image)
                        .astype(int) << k) for k, (dr, dc) in enumerate(OFFSETS))[1:-1, 1:-1]),
]


# --- one_hot_column ----------------------------------------------------------------------------

def _one_hot_loop(column, categories, dtype=np.float64, shift=0, sort=False):
    categories = sorted(categories) if sort else list(categories)
    X = np.zeros((len(column), len(categories)), dtype=dtype)
    for n, value in enumerate(column):
        X[n, (categories.index(value) + shift) % len(categories)] = 1
    return X


def _one_hot_unique(column, categories):
    values, codes = np.unique(np.asarray(column), return_inverse=True)
    return np.eye(len(values))[codes]


def _one_hot_sorts_in_place(column, categories):
    categories.sort()
    return _one_hot_loop(column, categories)


def _one_hot_dict(column, categories):
    where = {value: k for k, value in enumerate(categories)}
    X = np.zeros((len(column), len(categories)))
    X[np.arange(len(column)), [where[v] for v in column]] = 1.0
    return X


WRONG += [
    ("nb01_one_hot_column", "True/False instead of floats",
     lambda column, categories: np.asarray(column)[:, None] == np.asarray(categories)),
    ("nb01_one_hot_column", "True/False instead of floats",
     lambda column, categories: _one_hot_loop(column, categories, dtype=int)),
    ("nb01_one_hot_column", "categories taken from the column", _one_hot_unique),
    ("nb01_one_hot_column", "categories sorted",
     lambda column, categories: _one_hot_loop(column, categories, sort=True)),
    ("nb01_one_hot_column", "categories in order of appearance",
     lambda column, categories: _one_hot_loop(column, list(dict.fromkeys(column)))),
    ("nb01_one_hot_column", "first category dropped",
     lambda column, categories: _one_hot_loop(column, categories)[:, 1:]),
    ("nb01_one_hot_column", "one row per category",
     lambda column, categories: _one_hot_loop(column, categories).T),
    ("nb01_one_hot_column", "category codes instead of one-hot",
     lambda column, categories: np.array([list(categories).index(v) for v in column], float)),
    ("nb01_one_hot_column", "positions found as if the categories were sorted",
     _one_hot_bisect),
    ("nb01_one_hot_column", "positions found as if the categories were sorted",
     lambda column, categories: np.eye(len(categories))[
         np.minimum(np.searchsorted(categories, column), len(categories) - 1)]),
    ("nb01_one_hot_column", "column index off by one",
     lambda column, categories: _one_hot_loop(column, categories, shift=-1)),
    ("nb01_one_hot_column", "column index off by one",
     lambda column, categories: _one_hot_loop(column, categories, shift=1)),
    ("nb01_one_hot_column", "a list, not an array",
     lambda column, categories: _one_hot_loop(column, categories).tolist()),
    ("nb01_one_hot_column", says("changed its input `categories` in place"),
     _one_hot_sorts_in_place),
]

RIGHT += [
    ("nb01_one_hot_column", _one_hot_dict),
    ("nb01_one_hot_column",
     lambda column, categories: np.eye(len(categories))[[list(categories).index(v)
                                                         for v in column]]),
    ("nb01_one_hot_column",     # "a float array": float32 is one
     lambda column, categories: _one_hot_loop(column, categories, dtype=np.float32)),
    ("nb01_one_hot_column", lambda column, categories: (
        np.asarray(column)[:, None] == np.asarray(categories)[None, :]).astype(np.float64)),
]


# --- general slips (written for this catalog, not from the held-out samples) ----------------------

def _scale_by_row_max(X):
    return np.stack([row / row.max() for row in X])


def _one_hot_shared_rows(column, categories):
    rows = [[0.0] * len(categories)] * len(column)      # one list, N times
    for n, value in enumerate(column):
        rows[n][list(categories).index(value)] = 1.0
    return np.array(rows)


WRONG += [
    ("nb01_scale_pixels", "divided by each row's maximum", _scale_by_row_max),
    ("nb01_scale_pixels", "multiplied by 255", lambda X: X.astype(float) * 255),
    ("nb01_scale_pixels", "rounded", lambda X: (X / 255).round(3)),
    ("nb01_local_binary_pattern", "mirrored: starts top-right, counter-clockwise",
     lambda image: _lbp_loops(image, offsets=[(dr, -dc) for dr, dc in OFFSETS])),
    ("nb01_local_binary_pattern", "float codes", lambda image: _lbp_loops(image).astype(float)),
    ("nb01_one_hot_column", "every row the same list", _one_hot_shared_rows),
    ("nb01_flatten", "input changed in place", _flatten_in_place),
]

# --- written other ways (samples3's families: fixed sizes, loops that stop early) ------------

def _flatten_square(images):
    n, h = images.shape[0], images.shape[1]
    return images.reshape(n, h * h)


def _flatten_1024(images):
    return images.reshape(images.shape[0], 32 * 32)


def _unflatten_stride(X, height, width):
    out = np.empty((len(X), height, width), dtype=X.dtype)
    for n in range(len(X)):
        for i in range(height):
            for j in range(width):
                out[n, i, j] = X[n, i * height + j]
    return out


def _lbp_loop(image, last_row=True, last_col=True):
    H, W = image.shape
    img = image.astype(int)
    out = np.zeros((H - 2, W - 2), dtype=int)
    nbrs = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
    for i in range(1, H - 1 if last_row else H - 2):
        for j in range(1, W - 1 if last_col else W - 2):
            out[i - 1, j - 1] = sum(1 << k for k, (di, dj) in enumerate(nbrs)
                                    if img[i + di, j + dj] >= img[i, j])
    return out


def _one_hot_seen(column, categories):
    idx = [list(categories).index(v) for v in column]
    out = np.zeros((len(column), max(idx) + 1))
    out[np.arange(len(column)), idx] = 1.0
    return out


def _one_hot_distinct(column, categories):
    out = np.zeros((len(column), len(np.unique(column))))
    for n, v in enumerate(column):
        out[n, list(categories).index(v)] = 1.0
    return out


WRONG += [
    ("nb01_flatten", "sizes not taken from the input", _flatten_square),
    ("nb01_flatten", "sizes not taken from the input", _flatten_1024),
    ("nb01_unflatten", "row stride height instead of width", _unflatten_stride),
    ("nb01_unflatten", "sizes not taken from the input", lambda X, height, width: X.reshape(-1, 32, 32)),
    ("nb01_local_binary_pattern", "last inner row or column skipped",
     lambda image: _lbp_loop(image, last_row=False)),
    ("nb01_local_binary_pattern", "last inner row or column skipped",
     lambda image: _lbp_loop(image, last_col=False)),
    ("nb01_one_hot_column", "K taken from the rows seen", _one_hot_seen),
    ("nb01_one_hot_column", "a list, not an array",
     lambda column, categories: [[float(v == c) for c in categories] for v in column]),
    ("nb01_scale_pixels", "a list, not an array", lambda X: [[p / 255 for p in row] for row in X]),
]


# --- errors named by their text -------------------------------------------------------------------

def _scale_in_place(X):
    X /= 255
    return X


WRONG += [
    ("nb01_flatten", "sizes not taken from the input",
     lambda images: images.reshape(images.shape[0], images.shape[1] ** 2)),
    ("nb01_flatten", "sizes not taken from the input", lambda images: images.reshape(-1, 32 * 32)),
    ("nb01_unflatten", "sizes not taken from the input",
     lambda X, h, w: X.reshape(len(X), int(X.shape[1] ** 0.5), int(X.shape[1] ** 0.5))),
    ("nb01_scale_pixels", "divided in place on integers", _scale_in_place),
    ("nb01_flatten", "sizes not taken from the input",
     lambda images: images.reshape(-1, images.shape[1] * images.shape[1])),
    ("nb01_unflatten", "sizes not taken from the input",
     lambda X, height, width: X.reshape(len(X) * height // width, width, width)),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT))
