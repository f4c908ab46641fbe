"""Checks for notebook 01, input flattening."""

import numpy as np

from nnlib import data, features
from nncourse.exercises import Case, Mistake, function_exercise

NOTEBOOK = "01_input_flattening"


def _images(rng, n, h, w):
    return rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)


def flatten_cases(rng):
    return [
        Case("a batch of 2 images, 2×3 pixels each, holding 0..11", (np.arange(12).reshape(2, 2, 3),)),
        Case("one 3×4 image", (np.arange(12).reshape(1, 3, 4),)),
        Case("a batch of 3 random 4×5 uint8 images", (_images(rng, 3, 4, 5),)),
        Case("a batch of 5 random 32×32 uint8 images", (_images(rng, 5, 32, 32),)),
        Case("2 float32 images, 6×2 pixels", (rng.random((2, 6, 2), dtype=np.float32),)),
    ]


function_exercise(
    id="nb01_flatten", name="flatten", notebook=NOTEBOOK, points=2,
    verifies="shapes, values, batch order, dtype kept",
    reference=data.flatten, cases=flatten_cases, arg_names=("images",), rtol=0, atol=0,
    mistakes=[
        Mistake("whole batch in one vector",
                "you flattened the whole batch into one long vector: keep the first (batch) "
                "axis, so the result has one row per image: shape (N, H*W).",
                lambda images: images.reshape(-1)),
        Mistake("batch axis last",
                "the result is (H*W, N): one column per image. The course puts the batch first: "
                "one row per image, shape (N, H*W).",
                lambda images: images.reshape(len(images), -1).T),
        Mistake("Fortran order",
                "pixels are in column-major order: did you flatten in Fortran order "
                "(order=\"F\") or transpose first? Read each image row by row.",
                lambda images: images.transpose(0, 2, 1).reshape(len(images), -1)),
        Mistake("Fortran order across the batch",
                "values from different images are mixed: ravel(order=\"F\") walks the batch "
                "axis fastest. Flatten each image in the default row-major (C) order.",
                lambda images: images.ravel(order="F").reshape(len(images), -1)),
    ],
)


def unflatten_cases(rng):
    return [
        Case("one row 0..5 back to a 2×3 image", (np.arange(6).reshape(1, 6), 2, 3)),
        Case("2 rows back to 3×4 images", (np.arange(24).reshape(2, 12), 3, 4)),
        Case("4 random rows back to 4×5 uint8 images",
             (rng.integers(0, 256, (4, 20), dtype=np.uint8), 4, 5)),
        Case("3 random float rows back to 32×32 images", (rng.random((3, 1024)), 32, 32)),
    ]


function_exercise(
    id="nb01_unflatten", name="unflatten", notebook=NOTEBOOK, points=1,
    verifies="round trip, shapes, row-major order",
    reference=data.unflatten, cases=unflatten_cases, arg_names=("X", "height", "width"),
    rtol=0, atol=0,
    mistakes=[
        Mistake("height and width swapped",
                "height and width are swapped: the result should be (N, height, width).",
                lambda X, h, w: X.reshape(len(X), w, h)),
        Mistake("Fortran order",
                "the image is filled column by column: use the default row-major order so that "
                "unflatten undoes flatten.",
                lambda X, h, w: X.reshape(len(X), w, h).transpose(0, 2, 1)),
        Mistake("batch axis lost",
                "the batch axis is missing: keep one image per row of X, shape (N, height, width).",
                lambda X, h, w: X.reshape(h, w) if len(X) == 1 else X.reshape(-1, w)),
    ],
)


def scale_cases(rng):
    return [
        Case("the values 0, 51, 255", (np.array([[0, 51, 255]], dtype=np.uint8),)),
        Case("a batch of 3 random uint8 rows of 8 pixels",
             (rng.integers(0, 256, (3, 8), dtype=np.uint8),)),
        Case("a batch whose brightest pixel is only 100",
             (rng.integers(0, 101, (4, 16), dtype=np.uint8),)),
        Case("integer pixels stored as int64", (rng.integers(0, 256, (2, 5)),)),
    ]


function_exercise(
    id="nb01_scale_pixels", name="scale_pixels", notebook=NOTEBOOK, points=1,
    verifies="values in [0, 1], float result, no integer division",
    reference=data.scale_pixels, cases=scale_cases, arg_names=("X",), check_dtype=False,
    mistakes=[
        Mistake("integer division",
                "`//` is integer division: every pixel below 255 became 0. Use `/`.",
                lambda X: X // 255),
        Mistake("divided by 256",
                "you divided by 256; the largest pixel value is 255, so divide by 255 to map "
                "white to exactly 1.0.",
                lambda X: X / 256),
        Mistake("divided by the batch maximum",
                "you divided by the largest value in this batch; divide by 255, the largest "
                "value a pixel *can* take, so the same pixel always maps to the same input.",
                lambda X: X / X.max()),
        Mistake("not scaled",
                "the values were not scaled: divide by 255 so that they lie in [0, 1].",
                lambda X: X.astype(np.float64)),
    ],
)


def lbp_cases(rng):
    flat = np.full((4, 4), 7, dtype=np.uint8)
    return [
        Case("a 3×3 image with a bright centre (every neighbour smaller)",
             (np.array([[1, 2, 3], [8, 9, 4], [7, 6, 5]], dtype=np.uint8),)),
        Case("a 3×3 image whose neighbours 0..7 are all brighter than the centre",
             (np.array([[10, 11, 12], [17, 0, 13], [16, 15, 14]], dtype=np.uint8),)),
        Case("a flat 4×4 image (ties count as 1)", (flat,)),
        Case("a random 6×7 uint8 image", (rng.integers(0, 256, (6, 7), dtype=np.uint8),)),
        Case("a random 32×32 uint8 image", (rng.integers(0, 256, (32, 32), dtype=np.uint8),)),
    ]


function_exercise(
    id="nb01_local_binary_pattern", name="local_binary_pattern", notebook=NOTEBOOK, points=1,
    verifies="codes, bit order, ties, border skipped",
    reference=features.local_binary_pattern, cases=lbp_cases, arg_names=("image",),
    rtol=0, atol=0, check_dtype=False,
    mistakes=[
        Mistake("strict comparison",
                "ties are wrong: a neighbour equal to the centre counts as 1 (use >=, not >).",
                lambda img: _lbp(img, strict=True)),
        Mistake("counter-clockwise",
                "the bits go the wrong way round: start at the top-left neighbour (bit 0) and "
                "walk clockwise: top, top-right, right, bottom-right, ...",
                lambda img: _lbp(img, order=[0, 7, 6, 5, 4, 3, 2, 1])),
        Mistake("reversed bits",
                "the bit weights are reversed: the top-left neighbour is bit 0 (weight 1), "
                "the left neighbour bit 7 (weight 128).",
                lambda img: _lbp(img, order=[7, 6, 5, 4, 3, 2, 1, 0])),
    ],
)


def _lbp(img, strict=False, order=range(8)):
    """Wrong variants of the LBP, for naming mistakes."""
    H, W = img.shape
    centre = img[1:H - 1, 1:W - 1].astype(np.int64)
    codes = np.zeros(centre.shape, dtype=np.int64)
    for bit, (dr, dc) in zip(order, features.NEIGHBOURS):
        nb = img[1 + dr:H - 1 + dr, 1 + dc:W - 1 + dc].astype(np.int64)
        codes += ((nb > centre) if strict else (nb >= centre)).astype(np.int64) << bit
    return codes


# --- one-hot encoding of a categorical feature column (tabular inputs) ----------------------

def one_hot_column(column, categories):
    """Reference: (N,) values, K categories in their given order -> (N, K) float64 one-hot."""
    index = {value: k for k, value in enumerate(categories)}
    return data.one_hot(np.array([index[value] for value in column], dtype=np.int64),
                        len(categories))


def one_hot_cases(rng):
    colours = ["blue", "green", "red"]
    sizes = ["S", "M", "L", "XL"]
    return [
        Case("the worked example: 4 rows, categories blue, green, red",
             (["red", "blue", "green", "blue"], colours)),
        Case("a category (blue) that no row uses still gets its column",
             (["green", "red", "red", "green", "red"], colours)),
        Case("categories not in alphabetical order: S, M, L, XL",
             (["M", "XL", "S", "L", "M", "S"], sizes)),
        Case("6 random sizes", ([sizes[i] for i in rng.integers(0, 4, 6)], sizes)),
        Case("one row", (["M"], sizes)),
        Case("integer codes as categories: 3, 1, 2", ([1, 3, 3, 2, 1], [3, 1, 2])),
    ]


def _first_seen(column):
    return list(dict.fromkeys(column))


function_exercise(
    id="nb01_one_hot_column", name="one_hot_column", notebook=NOTEBOOK, points=1,
    verifies="one column per category in the given order, unused categories, float 0/1",
    reference=one_hot_column, cases=one_hot_cases, arg_names=("column", "categories"),
    rtol=0, atol=0,
    mistakes=[
        Mistake("True/False instead of floats",
                "the values are True/False (or integers): the network multiplies its inputs by "
                "weights, so return floats, e.g. with .astype(float).",
                lambda col, cats: one_hot_column(col, cats).astype(bool)),
        Mistake("categories sorted",
                "the columns are in sorted order: column k belongs to categories[k], in the "
                "order `categories` lists them, not in alphabetical (or numerical) order.",
                lambda col, cats: one_hot_column(col, sorted(cats))),
        Mistake("categories taken from the column",
                "the columns come from the values you saw in `column` (np.unique or order of "
                "appearance): use `categories`, so that every category has its column even when "
                "no row uses it, and the order is the same for every batch.",
                lambda col, cats: one_hot_column(col, sorted(set(col)))),
        Mistake("categories in order of appearance",
                "the columns follow the order in which values first appear in `column`: "
                "column k must belong to categories[k].",
                lambda col, cats: one_hot_column(col, _first_seen(col))),
        Mistake("first category dropped",
                "one column is missing: that is *dummy* coding (drop_first). Here every "
                "category gets its own input: K columns, exactly one 1 per row.",
                lambda col, cats: one_hot_column(col, cats)[:, 1:]),
        Mistake("one row per category",
                "the result is (K, N): one row per category. The batch comes first: one row "
                "per sample, shape (N, K).",
                lambda col, cats: one_hot_column(col, cats).T),
        Mistake("category codes instead of one-hot",
                "you returned each value's category number (shape (N,)): a network would read "
                "'blue = 2' as twice 'green = 1'. Return a row of K zeros with a 1 at that "
                "number.",
                lambda col, cats: np.array([list(cats).index(v) for v in col], dtype=np.float64)),
    ],
)
