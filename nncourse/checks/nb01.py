"""Checks for notebook 01, input flattening."""

import functools

import numpy as np

from nnlib import data, features
from nncourse.checks.registry import Case, Mistake, exercise, function_exercise, name_errors

NOTEBOOK = "01_input_flattening"


def _images(rng, n, h, w):
    return rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)


RESHAPE_SIZES_NAME = "sizes not taken from the input"
RESHAPE_SIZES_HINT = (
    "the shape you reshaped to is not built from the input's own sizes: take them from the "
    "input (N, H, W = images.shape; unflatten's height and width are its arguments), not fixed "
    "numbers like 32 or 1024, not H twice or √D (an image need not be square). numpy refuses "
    "('cannot reshape') when the sizes do not fit, and with -1 quietly cuts the rows wrong when "
    "they happen to divide.")


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
        Mistake("converted to float",
                "the values are right but the dtype changed (a float array, e.g. from np.zeros, "
                "or .astype): flattening only rearranges pixels, so keep the input's dtype.",
                lambda images: data.flatten(images).astype(np.float64)),
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
        Mistake("reshape(-1, N)",
                "reshape(-1, N) puts N last, shape (H*W, N), and fills it row by row, so each "
                "column mixes pixels of different images. Put the batch size first in reshape.",
                lambda images: images.reshape(-1, len(images))),
        Mistake("height used as N",
                "the first size you gave reshape is images.shape[1], the height H: the number of "
                "images is images.shape[0] (or len(images)).",
                lambda images: images.reshape(images.shape[1], -1)),
        Mistake(RESHAPE_SIZES_NAME, RESHAPE_SIZES_HINT,     # H·H: numpy's -1 makes it fit
                lambda images: images.reshape(-1, images.shape[1] ** 2)),
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
        Mistake("converted to float",
                "the values are right but the dtype changed (a float array, e.g. from np.zeros, "
                "or .astype): unflattening only rearranges pixels, so keep the input's dtype.",
                lambda X, h, w: data.unflatten(X, h, w).astype(np.float64)),
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
        Mistake("batch axis last",
                "the result is (height, width, N): the batch axis went last. The course puts it "
                "first: (N, height, width).",
                lambda X, h, w: X.reshape(h, w, -1)),
        Mistake("reshaped batch-last, then moved to the front",
                "you reshaped to (height, width, N) and then moved the batch axis to the front: "
                "the reshape already read X's values in the wrong order (it fills the last axis "
                "fastest, so consecutive pixels of one image went to different images). "
                "Reshape straight to (N, height, width).",
                lambda X, h, w: np.moveaxis(X.reshape(h, w, -1), -1, 0)),
        Mistake("images transposed",
                "each image is transposed, shape (N, width, height): reshape straight to "
                "(N, height, width), with no transpose or swapaxes.",
                lambda X, h, w: X.reshape(len(X), h, w).transpose(0, 2, 1)),
        Mistake("X read as one column per image",
                "you transposed X first: X has one *row* per image, shape (N, height*width), "
                "so X.T mixes pixels of different images.",
                lambda X, h, w: X.T.reshape(-1, h, w)),
        Mistake("row stride height instead of width",
                "pixel (i, j) of an image is X[n, i * width + j]: a row holds `width` "
                "pixels, so step by width from one row to the next (you stepped by "
                "height).", lambda X, h, w: _strided(X, h, w, h)),
    ],
)


def _strided(X, h, w, stride):
    """Unflatten reading pixel (i, j) at i * stride + j (an IndexError past the row's end)."""
    idx = np.arange(h)[:, None] * stride + np.arange(w)[None, :]
    if idx.max() >= X.shape[1]:
        raise IndexError(f"index {idx.max()} is out of bounds for axis 0 with size {X.shape[1]}")
    return X[:, idx]


def scale_cases(rng):
    return [
        Case("the values 0, 51, 255", (np.array([[0, 51, 255]], dtype=np.uint8),)),
        Case("a batch of 3 random uint8 rows of 8 pixels",
             (rng.integers(0, 256, (3, 8), dtype=np.uint8),)),
        Case("a dim batch: pixels between 20 and 100 only",
             (rng.integers(20, 101, (4, 16), dtype=np.uint8),)),
        Case("integer pixels stored as int64", (rng.integers(0, 256, (2, 5)),)),
    ]


function_exercise(
    id="nb01_scale_pixels", name="scale_pixels", notebook=NOTEBOOK, points=1,
    verifies="values in [0, 1], float result, no integer division",
    reference=data.scale_pixels, cases=scale_cases, arg_names=("X",), check_dtype=False,
    mistakes=[
        Mistake("integer division",
                "only whole numbers came out, so every pixel below 255 became 0: `//` is "
                "integer division, and casting the result to an integer type (.astype(np.uint8)) "
                "does the same. Divide with `/` and keep the float result.",
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
        Mistake("divided by each row's maximum",
                "you divided each image (row) by its own largest pixel: a dim image is then "
                "stretched to reach 1. Divide every pixel by 255, the largest value a pixel "
                "*can* take.",
                lambda X: X / X.max(axis=-1, keepdims=True)),
        Mistake("multiplied by 255",
                "you multiplied by 255: the pixels are already 0..255, so divide by 255 to map "
                "them into [0, 1].",
                lambda X: X * 255.0),
    ] + [Mistake("rounded",
                 "the values were rounded: keep the full float result of X / 255 (rounding "
                 "throws information away and the network does not need tidy numbers).",
                 lambda X, d=d: np.round(X / 255, d)) for d in (1, 2, 3, 4)] + [
        Mistake("min-max scaled by the batch",
                "you scaled with this batch's smallest and largest values, (X - min) / (max - "
                "min): a pixel's input then depends on the other pixels. Scale by the fixed "
                "range of a pixel, 0..255.",
                lambda X: (X - X.min()) / (X.max() - X.min())),
        Mistake("percentage instead of fraction",
                "the values go up to 100: that is a percentage. The network's inputs are "
                "fractions in [0, 1], so do not multiply by 100.",
                lambda X: X / 255 * 100),
        Mistake("standardised",
                "you standardised the batch (subtracted its mean, divided by its standard "
                "deviation): this exercise only rescales each pixel into [0, 1] by the "
                "largest value a pixel can take.",
                lambda X: (X - X.mean()) / X.std()),
        Mistake("scaled to [-1, 1]",
                "the values lie in [-1, 1] (black is -1): the course maps black to 0 and white "
                "to 1.",
                lambda X: X / 127.5 - 1),
    ],
)


def lbp_cases(rng):
    flat = np.full((4, 4), 7, dtype=np.uint8)
    return [
        Case("a 3×3 image whose centre 9 lies between its neighbours (4 smaller, 4 larger)",
             (np.array([[1, 12, 3], [18, 9, 14], [7, 6, 15]], dtype=np.uint8),)),
        Case("a 3×3 image whose neighbours 0..7 are all brighter than the centre",
             (np.array([[10, 11, 12], [17, 0, 13], [16, 15, 14]], dtype=np.uint8),)),
        Case("a flat 4×4 image (ties count as 1)", (flat,)),
        Case("a random 6×7 uint8 image", (rng.integers(0, 256, (6, 7), dtype=np.uint8),)),
        Case("a random 32×32 uint8 image", (rng.integers(0, 256, (32, 32), dtype=np.uint8),)),
    ]


FLOAT_CODES = Mistake(
    "float codes",
    "your codes are right but stored as floats (np.zeros makes float64, and 2.0 ** k is a "
    "float): the codes are whole numbers 0..255, so build an integer array "
    "(np.zeros(shape, dtype=int), or 1 << k / 2 ** k with integer k).",
    lambda img: _lbp(img).astype(np.float64))


function_exercise(
    id="nb01_local_binary_pattern", name="local_binary_pattern", notebook=NOTEBOOK, points=1,
    verifies="codes, bit order, ties, border skipped",
    reference=features.local_binary_pattern, cases=lbp_cases, arg_names=("image",),
    rtol=0, atol=0, check_dtype=False, dtype_kinds="iu", dtype_mistake=FLOAT_CODES,
    mistakes=[
        Mistake("strict comparison",
                "ties are wrong: a neighbour equal to the centre counts as 1 (use >=, not >).",
                lambda img: _lbp(img, strict=True)),
    ] + [Mistake("last inner row or column skipped",
                 "the codes of the last inner row (or column) are 0: the centres run over rows "
                 "1 .. H-2 and columns 1 .. W-2, so loop with range(1, H - 1) and "
                 "range(1, W - 1) (range stops before its end).",
                 lambda img, r=r, c=c: _lbp_cut(img, rows=r, cols=c))
         for r, c in ((True, False), (False, True), (True, True))] + [
        Mistake("counter-clockwise",
                "the bits go the wrong way round: start at the top-left neighbour (bit 0) and "
                "walk clockwise: top, top-right, right, bottom-right, ...",
                lambda img: _lbp(img, order=[0, 7, 6, 5, 4, 3, 2, 1])),
        Mistake("reversed bits",
                "the bit weights are reversed: the top-left neighbour is bit 0 (weight 1), "
                "the left neighbour bit 7 (weight 128).",
                lambda img: _lbp(img, order=[7, 6, 5, 4, 3, 2, 1, 0])),
        Mistake("centre compared with the neighbour",
                "the comparison is the wrong way round: a bit is 1 when the *neighbour* is at "
                "least the centre (neighbour >= centre).",
                lambda img: _lbp(img, flipped=True)),
        Mistake("uint8 subtraction wraps around",
                "every bit is 1: in uint8, neighbour - centre never goes below 0 (it wraps "
                "around to a large number), so `difference >= 0` is always true. Compare the "
                "pixels directly, or convert to a signed type (int) first.",
                lambda img: _lbp(img, always=True)),
        Mistake("border kept",
                "your result has one code per pixel, border included: border pixels lack "
                "neighbours, so they are skipped and the result is (H-2, W-2).",
                lambda img: _lbp_border(img)),
        Mistake("starts at the top neighbour",
                "the bits are shifted by one place: bit 0 (weight 1) is the *top-left* neighbour, "
                "then clockwise: top is bit 1.",
                lambda img: _lbp(img, order=[7, 0, 1, 2, 3, 4, 5, 6])),
        Mistake("starts at the left neighbour",
                "the bits are shifted by one place: bit 0 (weight 1) is the top-left neighbour; "
                "the left neighbour is the last one, bit 7.",
                lambda img: _lbp(img, order=[1, 2, 3, 4, 5, 6, 7, 0])),
        Mistake("mirrored: starts top-right, counter-clockwise",
                "the walk is mirrored left to right: bit 0 is the top-*left* neighbour, then "
                "clockwise: top (bit 1), top-right (bit 2), right (bit 3), ... left (bit 7).",
                lambda img: _lbp(img, order=[2, 1, 0, 7, 6, 5, 4, 3])),
        Mistake("weights 1..8 instead of powers of 2",
                "neighbour k was weighted k + 1: the code is a binary number, so neighbour k "
                "has weight 2**k (1, 2, 4, ..., 128).",
                lambda img: _lbp(img, weights=range(1, 9))),
        Mistake("count of brighter neighbours",
                "you counted the neighbours that are at least the centre (0..8): each neighbour "
                "is one *bit* of the code, weight 2**k for neighbour k.",
                lambda img: _lbp(img, weights=[1] * 8)),
    ],
)


def _lbp(img, strict=False, order=range(8), flipped=False, always=False, weights=None):
    """Wrong variants of the LBP, for naming mistakes."""
    H, W = img.shape
    img = img.astype(np.int64)
    centre = img[1:H - 1, 1:W - 1]
    codes = np.zeros(centre.shape, dtype=np.int64)
    weights = [1 << bit for bit in order] if weights is None else list(weights)
    for weight, (dr, dc) in zip(weights, features.NEIGHBOURS):
        nb = img[1 + dr:H - 1 + dr, 1 + dc:W - 1 + dc]
        a, c = (centre, nb) if flipped else (nb, centre)
        bit = (a > c) if strict else (a >= c)
        codes += (bit | always).astype(np.int64) * weight
    return codes


def _lbp_cut(img, rows=False, cols=False):
    """The LBP with the last inner row and/or column left at 0 (a loop that stops early)."""
    codes = _lbp(img)
    if rows:
        codes[-1:, :] = 0
    if cols:
        codes[:, -1:] = 0
    return codes


def _lbp_border(img):
    """The LBP at every pixel; a missing neighbour (outside the image) counts as 0."""
    padded = np.pad(img.astype(np.int64), 1, constant_values=-1)
    return _lbp(padded)


# --- one-hot encoding of a categorical feature column (tabular inputs) ----------------------

one_hot_column = data.one_hot_column     # the reference: nnlib's, one source


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
        Case("the column as a 1-D numpy array (the statement allows one)",
             (np.array([2, 3, 1, 1, 3]), [1, 2, 3])),
    ]


def _first_seen(column):
    return list(dict.fromkeys(column))


def _searchsorted(column, categories, side="left"):
    """One-hot by binary search in ``categories`` as given (right only if it is sorted),
    positions past the end clipped to the last column."""
    cats, col = np.asarray(categories), np.asarray(column)
    if side == "right":
        idx = np.searchsorted(cats, col, side="right") - 1
    else:
        idx = np.searchsorted(cats, col)
    idx = np.clip(idx, 0, len(cats) - 1)
    out = np.zeros((len(col), len(cats)))
    out[np.arange(len(col)), idx] = 1.0
    return out


ONE_HOT_MISTAKES = [
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
        Mistake("column index off by one",
            "every 1 is one column to the left of where it belongs (the first category's "
            "wrapped round to the last column, as X[n, -1] does): category k's 1 goes in "
            "column k = categories.index(value), counted from 0, with no - 1.",
            lambda col, cats: np.roll(one_hot_column(col, cats), -1, axis=1)),
    Mistake("column index off by one",
            "every 1 is one column to the right of where it belongs (the last category's "
            "wrapped round to column 0): category k's 1 goes in column k = "
            "categories.index(value), counted from 0, with no + 1.",
            lambda col, cats: np.roll(one_hot_column(col, cats), 1, axis=1)),
    Mistake("every row the same list",
            "every row shows the 1s of all rows: [[0.0] * K] * N repeats *one* list N times, "
            "so setting a 1 in one row sets it in all. Build a new list per row "
            "([[0.0] * K for _ in range(N)]) or use np.zeros((N, K)).",
            lambda col, cats: np.tile(one_hot_column(col, cats).max(axis=0), (len(col), 1))),
] + [Mistake("K taken from the rows seen",
               "the result has fewer than K columns: you sized it from the values in `column` "
               "(the largest position seen + 1, or the number of distinct values), so a "
               "category no row uses loses its column. Make it (N, len(categories)).", fn)
       for fn in (lambda col, cats: one_hot_column(col, cats)[
                      :, :max(list(cats).index(v) for v in col) + 1],
                  lambda col, cats: one_hot_column(col, cats)[:, :len(set(col))])] + [
    *[Mistake("positions found as if the categories were sorted",
              "np.searchsorted (or bisect, np.digitize) finds a position by binary search, "
              "which is right only when `categories` is sorted; here it is in its own order. "
              "Look each value up by equality instead: categories.index(value), or compare "
              "np.asarray(column)[:, None] == np.asarray(categories).",
              functools.partial(_searchsorted, side=side)) for side in ("left", "right")],
    Mistake("category codes instead of one-hot",
                "you returned each value's category number (shape (N,)): a network would read "
                "'blue = 2' as twice 'green = 1'. Return a row of K zeros with a 1 at that "
                "number.",
                lambda col, cats: np.array([list(cats).index(v) for v in col], dtype=np.float64)),
]


@exercise(id="nb01_one_hot_column", name="one_hot_column", notebook=NOTEBOOK, points=1,
          verifies="one column per category in the given order, unused categories, float 0/1",
          reference=one_hot_column, mistakes=ONE_HOT_MISTAKES,
          arg_names=("column", "categories"))
def judge_one_hot_column(fn, ctx):
    # "a float array": float64 or float32 alike; True/False or integers are not floats
    cases = one_hot_cases(ctx.rng)
    for i, case in enumerate(cases):
        got = ctx.call(fn, *case.args, case=case)
        ctx.compare(got, one_hot_column(*case.args), case, ONE_HOT_MISTAKES, rtol=0, atol=0,
                    check_dtype=False, ahead=ctx.answers(fn, cases[i + 1:]))
        if got.dtype.kind != "f":
            ctx.fail_case(case, problem=f"the 0s and 1s are right but their dtype is "
                          f"{got.dtype}, not a float dtype", mistake=ONE_HOT_MISTAKES[0])


RESHAPE_SIZES = Mistake(RESHAPE_SIZES_NAME, RESHAPE_SIZES_HINT, None)
name_errors("nb01_flatten", {"cannot reshape array": RESHAPE_SIZES})
name_errors("nb01_unflatten", {"cannot reshape array": RESHAPE_SIZES})
name_errors("nb01_scale_pixels", {"Cannot cast ufunc 'divide' output": Mistake(
    "divided in place on integers",
    "X /= 255 writes the float results back into X's own integer array, which cannot hold "
    "them (and would change the caller's array): build a new array, X / 255.", None)})
