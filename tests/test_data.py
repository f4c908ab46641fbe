"""Datasets and data helpers: checked against facts that do not come from the code under test
(the generating formulas, the published digits file, hand-worked examples)."""

import subprocess
import sys
from importlib.resources import files

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import data as D

GENERATORS = ["spirals", "moons", "circles", "blobs", "regression"]


# --- every generator: shapes, dtypes, determinism ----------------------------------------

@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_generators_shapes_and_dtypes(name, dtype):
    X, y = D.get_dataset(name, dtype=dtype)
    assert X.dtype == dtype
    assert X.ndim == 2 and len(X) == len(y)
    assert np.all(np.isfinite(X))
    if name == "regression":
        assert X.shape == (200, 5) and y.shape == (200, 2) and y.dtype == dtype
    else:
        assert X.shape[1] == 2 and y.shape == (len(X),) and y.dtype == np.int64


def test_default_sizes():
    assert len(D.spirals()[0]) == 300
    assert len(D.moons()[0]) == 200
    assert len(D.circles()[0]) == 200
    assert len(D.blobs()[0]) == 300
    assert D.spirals(n_per_class=7, n_classes=4)[0].shape == (28, 2)


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_deterministic(name):
    X1, y1 = D.get_dataset(name, rng=5)
    X2, y2 = D.get_dataset(name, rng=5)
    X3, y3 = D.get_dataset(name, rng=np.random.default_rng(5))  # a Generator works too
    X4, _ = D.get_dataset(name, rng=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(X1, X3)
    np.testing.assert_array_equal(y1, y3)
    assert not np.array_equal(X1, X4)
    np.testing.assert_array_equal(D.get_dataset(name)[0], D.get_dataset(name, rng=0)[0])


@pytest.mark.parametrize("name", ["spirals", "moons", "circles", "blobs"])
def test_classes_come_shuffled(name):
    _, y = D.get_dataset(name)
    assert len(np.unique(y[:30])) == len(np.unique(y)), "the first rows should mix the classes"


@pytest.mark.parametrize("name", GENERATORS + ["xor", "digits"])
def test_integer_dtype_is_refused(name):
    with pytest.raises(ValueError, match="floating-point"):
        D.get_dataset(name, dtype=np.int64)


@pytest.mark.parametrize("call", [
    lambda: D.spirals(n_per_class=0), lambda: D.spirals(noise=-1), lambda: D.moons(n_samples=0),
    lambda: D.moons(n_samples=2.5), lambda: D.circles(factor=1.0), lambda: D.blobs(centers=0),
    lambda: D.blobs(std=-0.1), lambda: D.regression(noise=-0.1),
])
def test_generators_reject_bad_arguments(call):
    with pytest.raises(ValueError):
        call()


# --- each generator's geometry -----------------------------------------------------------

def test_xor_is_the_truth_table():
    X, y = D.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [[0], [1], [1], [0]])
    assert y.shape == (4, 1) and y.dtype == np.float64
    assert D.xor(np.float32)[1].dtype == np.float32
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


def test_spirals_follow_the_cs231n_formula():
    X, y = D.spirals(n_per_class=50, n_classes=3, noise=0.0)
    np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0 and r.max() == pytest.approx(1)
    # X = (r sin t, r cos t) with t = 4(k + r): compare the angles as points on the circle.
    t = 4 * (y + r)
    keep = r > 1e-9
    np.testing.assert_allclose(X[keep] / r[keep, None], np.c_[np.sin(t), np.cos(t)][keep],
                               atol=1e-12)


def test_moons_lie_on_two_half_circles():
    X, y = D.moons(n_samples=101, noise=0.0)
    np.testing.assert_array_equal(np.bincount(y), [50, 51])
    a, b = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(a[:, 0], a[:, 1]), 1)
    assert a[:, 1].min() >= -1e-12  # upper half circle
    np.testing.assert_allclose(np.hypot(b[:, 0] - 1, b[:, 1] - 0.5), 1)
    assert b[:, 1].max() <= 0.5 + 1e-12  # lower half circle, shifted
    X, y = D.moons(n_samples=2000, noise=0.1)
    off_circle = np.hypot(X[y == 0, 0], X[y == 0, 1]) - 1  # radial part of the noise
    assert off_circle.std() == pytest.approx(0.1, rel=0.2)


def test_circles_have_the_two_radii():
    X, y = D.circles(n_samples=200, noise=0.0, factor=0.3)
    np.testing.assert_array_equal(np.bincount(y), [100, 100])
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_blobs_cluster_around_seeded_centres():
    X, y = D.blobs(n_samples=301, centers=4, std=0.01)
    np.testing.assert_array_equal(np.bincount(y), [76, 75, 75, 75])
    means = np.array([X[y == k].mean(axis=0) for k in range(4)])
    assert np.all(np.abs(means) <= 10)
    for k in range(4):
        assert np.abs(X[y == k] - means[k]).max() < 0.1  # std 0.01: all within 10 std
    gaps = np.linalg.norm(means[:, None] - means[None], axis=-1)[np.triu_indices(4, 1)]
    assert gaps.min() > 0.1
    X1, y1 = D.blobs(n_samples=301, centers=4, std=0.01, rng=1)
    assert not np.allclose(means, [X1[y1 == k].mean(axis=0) for k in range(4)], atol=1)


def test_regression_formula_and_range():
    X, y = D.regression(n_samples=500, noise=0.0)
    assert X.min() >= -1 and X.max() <= 1
    x1, x2, x3, x4, x5 = X.T
    np.testing.assert_allclose(y[:, 0], np.sin(np.pi * x1) / 2 + x2 * x3 / 2)
    np.testing.assert_allclose(y[:, 1], x4 * x4 + x5 / 2 - 1 / 2)
    assert y.min() >= -1 and y.max() <= 1


def test_regression_needs_a_nonlinear_model():
    X, y = D.regression(n_samples=2000, noise=0.05)
    A = np.c_[X, np.ones(len(X))]
    residual = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
    r2_linear = 1 - residual.var(axis=0) / y.var(axis=0)
    r2_noise_only = 1 - 0.05**2 / y.var(axis=0)  # what a perfect model would reach
    assert np.all(r2_linear < 0.9), r2_linear
    assert np.all(r2_noise_only > 0.95), r2_noise_only
    assert np.all(np.abs(y.mean(axis=0)) < 0.5) and np.all(y.std(axis=0) > 0.2)


# --- digits ------------------------------------------------------------------------------

def test_load_digits_matches_the_published_file():
    images, y = D.load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert images.min() == 0 and images.max() == 16
    np.testing.assert_array_equal(images, np.round(images))
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    assert np.bincount(y).min() >= 170  # about 180 of each digit
    np.testing.assert_array_equal(images[0, 0], [0, 0, 5, 13, 9, 1, 0, 0])
    assert y[0] == 0
    assert D.load_digits(np.float32)[0].dtype == np.float32


def test_load_digits_returns_copies():
    images, y = D.load_digits()
    images[:] = -1
    y[:] = -1
    again, y_again = D.load_digits()
    assert again.min() == 0 and y_again.min() == 0


def test_digits_32x32_is_a_smooth_upsampling():
    small, y_small = D.load_digits()
    images, y = D.digits_32x32()
    assert images.shape == (1797, 32, 32) and images.dtype == np.uint8
    np.testing.assert_array_equal(y, y_small)
    assert images.min() == 0 and images.max() <= 255
    # Averaging each 4x4 block brings back (nearly) the 8x8 original, scaled to 0..255.
    blocks = images.reshape(1797, 8, 4, 8, 4).mean(axis=(2, 4))
    assert np.corrcoef(blocks.ravel(), small.ravel())[0, 1] > 0.95
    assert np.abs(blocks / 255 * 16 - small).mean() < 1.5  # under a tenth of the 0..16 range
    # Smooth, not blocky: pixels inside a 4x4 block are not all equal.
    assert np.any(images.reshape(1797, 8, 4, 8, 4).std(axis=(2, 4)) > 0)


def test_digits_32x32_first_n():
    images, y = D.digits_32x32(n=5)
    assert images.shape == (5, 32, 32)
    np.testing.assert_array_equal(images, D.digits_32x32()[0][:5])
    np.testing.assert_array_equal(y, D.load_digits()[1][:5])
    with pytest.raises(ValueError):
        D.digits_32x32(n=5000)


def test_licence_and_readme_are_bundled():
    folder = files("nnlib.data")
    licence = (folder / "LICENSE-digits.txt").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "Alpaydin" in licence and "Kaynak" in licence
    uci = "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits"
    assert uci in licence
    assert (folder / "README.md").is_file()


# --- flatten, unflatten, scale_pixels ----------------------------------------------------

def test_flatten_is_row_major():
    np.testing.assert_array_equal(D.flatten(np.arange(12).reshape(1, 3, 4)), [list(range(12))])
    images = np.random.default_rng(0).integers(0, 255, (6, 3, 4)).astype(np.uint8)
    X = D.flatten(images)
    assert X.shape == (6, 12) and X.dtype == np.uint8
    assert X[2, 1 * 4 + 3] == images[2, 1, 3]  # pixel (i, j) is feature i*W + j
    assert D.flatten(images.astype(np.float32)).dtype == np.float32
    assert D.flatten(np.zeros((0, 3, 4))).shape == (0, 12)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4, 1), (5,)])
def test_flatten_needs_a_batch_of_images(shape):
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        D.flatten(np.zeros(shape))


def test_unflatten_inverts_flatten():
    images, _ = D.digits_32x32(n=10)
    np.testing.assert_array_equal(D.unflatten(D.flatten(images), 32, 32), images)
    X = np.arange(24).reshape(2, 12)
    np.testing.assert_array_equal(D.flatten(D.unflatten(X, 3, 4)), X)
    with pytest.raises(ValueError, match="12"):
        D.unflatten(X, 3, 5)


def test_scale_pixels():
    X = np.array([[0, 51, 255]], dtype=np.uint8)
    np.testing.assert_allclose(D.scale_pixels(X), [[0, 0.2, 1]])
    assert D.scale_pixels(X).dtype == np.float64
    assert D.scale_pixels(X, dtype=np.float32).dtype == np.float32
    np.testing.assert_allclose(D.scale_pixels([[8, 16]], max_value=16), [[0.5, 1]])
    with pytest.raises(ValueError):
        D.scale_pixels(X, max_value=16)  # values above max_value
    with pytest.raises(ValueError):
        D.scale_pixels(X, max_value=0)


# --- one_hot -----------------------------------------------------------------------------

def test_one_hot_example():
    Y = D.one_hot([2, 0, 1])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert Y.dtype == np.float64
    assert D.one_hot([0, 1], n_classes=4).shape == (2, 4)
    assert D.one_hot(np.array([1, 0]), dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("y,n_classes", [
    ([0, 3], 3), ([-1, 0], None), ([0.0, 1.5], None), ([0.0, 1.0], None), ([[0], [1]], None),
])
def test_one_hot_rejects_bad_labels(y, n_classes):
    with pytest.raises(ValueError):
        D.one_hot(y, n_classes=n_classes)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12).flatmap(
    lambda K: st.tuples(st.just(K), st.lists(st.integers(0, K - 1), min_size=1, max_size=40))))
def test_one_hot_property(case):
    K, labels = case
    Y = D.one_hot(np.array(labels), n_classes=K)
    assert Y.shape == (len(labels), K)
    np.testing.assert_array_equal(Y.sum(axis=1), 1)
    np.testing.assert_array_equal(Y.argmax(axis=1), labels)
    assert set(np.unique(Y)) <= {0.0, 1.0}


# --- train_test_split --------------------------------------------------------------------

def test_split_keeps_rows_paired_and_covers_everything():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50.0)  # float targets: a plain, unstratified split
    X_train, X_test, y_train, y_test = D.train_test_split(X, y, test_size=0.2)
    assert len(X_test) == 10 and len(X_train) == 40
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)
    np.testing.assert_array_equal(X_test[:, 0] // 2, y_test)
    np.testing.assert_array_equal(np.sort(np.r_[y_train, y_test]), y)


def test_split_is_seeded():
    X, y = D.moons()
    first = D.train_test_split(X, y, rng=3)
    for a, b in zip(first, D.train_test_split(X, y, rng=3)):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], D.train_test_split(X, y, rng=4)[1])


def test_split_is_stratified():
    images, y = D.load_digits()
    X = D.flatten(images)
    _, X_test, y_train, y_test = D.train_test_split(X, y, test_size=0.25)
    counts = np.bincount(y)
    np.testing.assert_array_equal(np.bincount(y_test), np.round(0.25 * counts))
    np.testing.assert_array_equal(np.bincount(y_train) + np.bincount(y_test), counts)
    assert abs(len(y_test) - 0.25 * len(y)) <= 5


def test_split_of_regression_targets():
    X, y = D.regression(n_samples=100)
    X_train, X_test, y_train, y_test = D.train_test_split(X, y, test_size=0.3)
    assert X_train.shape == (70, 5) and X_test.shape == (30, 5)
    assert y_train.shape == (70, 2) and y_test.shape == (30, 2)


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.2])
def test_split_rejects_bad_test_size(test_size):
    X, y = D.moons()
    with pytest.raises(ValueError, match="test_size"):
        D.train_test_split(X, y, test_size=test_size)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same number"):
        D.train_test_split(np.zeros((5, 2)), np.zeros(4, dtype=int))


# --- the name table ----------------------------------------------------------------------

def test_get_dataset_by_name():
    assert set(D.DATASETS) == {"xor", "spirals", "moons", "circles", "blobs", "regression",
                               "digits"}
    np.testing.assert_array_equal(D.get_dataset("moons", noise=0.3)[0], D.moons(noise=0.3)[0])
    np.testing.assert_array_equal(D.get_dataset("digits")[1], D.load_digits()[1])
    with pytest.raises(ValueError, match="moons") as error:
        D.get_dataset("mnist")
    assert "spirals" in str(error.value) and "mnist" in str(error.value)


def test_import_is_silent():
    result = subprocess.run([sys.executable, "-W", "error", "-c", "import nnlib.data"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_one_hot_column_keeps_the_categories_order_and_unused_ones():
    Y = D.one_hot_column(["red", "blue", "red"], ["blue", "green", "red"])
    assert Y.dtype == np.float64 and Y.tolist() == [[0, 0, 1], [1, 0, 0], [0, 0, 1]]
    assert D.one_hot_column(np.array([2, 1]), [1, 2], dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="not one of the categories"):
        D.one_hot_column(["pink"], ["blue", "red"])
