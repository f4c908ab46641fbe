"""Notebook 01's checks accept correct answers written other ways and explain bad returns."""

import numpy as np

from nnlib import features


def flatten_loops(images):
    N, H, W = images.shape
    out = np.empty((N, H * W), dtype=images.dtype)
    for n in range(N):
        for i in range(H):
            for j in range(W):
                out[n, i * W + j] = images[n, i, j]
    return out


def flatten_ravel(images):
    return np.array([img.ravel() for img in images])


def flatten_minus_one(images):
    return images.reshape(images.shape[0], -1)


def test_flatten_accepts_other_correct_versions(judge):
    for fn in (flatten_loops, flatten_ravel, flatten_minus_one):
        assert judge("nb01_flatten", fn).passed


def test_flatten_bad_returns(judge):
    r = judge("nb01_flatten", lambda images: None)
    assert "forget the `return`" in r.message
    r = judge("nb01_flatten", lambda images: images.reshape(len(images), -1).tolist())
    assert "return a numpy array" in r.message
    r = judge("nb01_flatten", lambda images: images.reshape(len(images), -1).astype(np.float64))
    assert "wrong dtype: expected int64, got float64" in r.message

    def mutates(images):
        images[0] = 0
        return images.reshape(len(images), -1)
    r = judge("nb01_flatten", mutates)
    assert "changed its input `images` in place" in r.message


def test_flatten_failure_shows_case_expected_and_got(judge):
    r = judge("nb01_flatten", lambda images: images.transpose(0, 2, 1).reshape(len(images), -1))
    lines = r.message.splitlines()
    assert lines[0].startswith("✘ flatten — case 1: a batch of 2 images")
    assert any(line.strip().startswith("input:") and "(2, 2, 3)" in line for line in lines)
    assert any(line.strip().startswith("expected:") and "(2, 6)" in line for line in lines)
    assert any(line.strip().startswith("got:") for line in lines)
    assert "tolerance exact" in r.message and "Fortran order" in r.message


def test_unflatten_alternatives(judge):
    assert judge("nb01_unflatten", lambda X, h, w: np.array([row.reshape(h, w) for row in X])).passed
    assert judge("nb01_unflatten", lambda X, h, w: np.reshape(X, (-1, h, w))).passed


def test_scale_pixels_alternatives(judge):
    assert judge("nb01_scale_pixels", lambda X: X.astype(np.float64) / 255.0).passed
    assert judge("nb01_scale_pixels", lambda X: X * (1 / 255)).passed
    assert judge("nb01_scale_pixels", lambda X: (X / 255).astype(np.float32)).passed


def test_lbp_alternative_vectorised(judge):
    assert judge("nb01_local_binary_pattern", features.local_binary_pattern).passed

    def lbp_strings(image):  # builds the bits as a string, reads it in base 2
        H, W = image.shape
        order = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
        out = np.zeros((H - 2, W - 2), dtype=int)
        for i in range(1, H - 1):
            for j in range(1, W - 1):
                bits = "".join("1" if image[i + a, j + b] >= image[i, j] else "0" for a, b in order)
                out[i - 1, j - 1] = int(bits[::-1], 2)
        return out
    assert judge("nb01_local_binary_pattern", lbp_strings).passed


def test_lbp_uint8_subtraction_trap(judge):
    """A learner who compares via `image[...] - centre >= 0` on uint8 wraps around."""
    def wraps(image):
        H, W = image.shape
        order = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
        c = image[1:H - 1, 1:W - 1]
        out = np.zeros(c.shape, dtype=np.int64)
        for bit, (a, b) in enumerate(order):
            out += ((image[1 + a:H - 1 + a, 1 + b:W - 1 + b] - c) >= 0).astype(np.int64) << bit
        return out
    r = judge("nb01_local_binary_pattern", wraps)
    assert not r.passed and "case 1" in r.message


# --- one_hot_column --------------------------------------------------------------------------

def test_one_hot_column_reference_and_other_correct_versions(judge):
    from nncourse.checks import nb01

    def with_loops(column, categories):
        out = np.zeros((len(column), len(categories)))
        for n, value in enumerate(column):
            out[n, list(categories).index(value)] = 1.0
        return out

    def with_broadcasting(column, categories):
        return (np.asarray(column)[:, None] == np.asarray(categories)[None, :]).astype(float)
    for fn in (nb01.one_hot_column, with_loops, with_broadcasting):
        assert judge("nb01_one_hot_column", fn).passed


def test_one_hot_column_names_each_mistake(judge):
    from nncourse.checks import nb01
    from nncourse.checks.registry import EXERCISES
    mistakes = EXERCISES["nb01_one_hot_column"].mistakes
    assert len(mistakes) >= 5
    for mistake in mistakes:
        r = judge("nb01_one_hot_column", mistake.fn)
        assert not r.passed, mistake.name
        assert mistake.hint in r.message, (mistake.name, r.message)
    # the hint for unused categories fires on the case made for it, not before
    r = judge("nb01_one_hot_column", lambda col, cats: nb01.one_hot_column(col, sorted(set(col))))
    assert "case 2" in r.message and "every category has its column" in r.message


def test_one_hot_column_bad_returns(judge):
    from nncourse.checks import nb01
    r = judge("nb01_one_hot_column", lambda col, cats: nb01.one_hot_column(col, cats).tolist())
    assert "return a numpy array" in r.message
    r = judge("nb01_one_hot_column", lambda col, cats: None)
    assert "forget the `return`" in r.message
