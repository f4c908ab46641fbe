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
