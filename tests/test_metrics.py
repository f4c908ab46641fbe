"""nnlib.metrics against answers worked by hand, a plain loop and scikit-learn."""

import numpy as np
import pytest

from nnlib import metrics, train
from nnlib.metrics import accuracy, confusion_matrix


def counted_by_loop(y, y_pred, K):
    C = np.zeros((K, K), dtype=np.int64)
    for true, pred in zip(y, y_pred):
        C[true, pred] += 1
    return C


def test_worked_example():
    # 3 zeros (two right, one called 1), 2 ones (both right), 1 two (called 0).
    C = confusion_matrix([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 1, 0])
    assert C.tolist() == [[2, 1, 0],
                          [0, 2, 0],
                          [1, 0, 0]]
    assert C.dtype == np.int64


def test_rows_are_true_classes_and_columns_predictions():
    C = confusion_matrix(np.array([2]), np.array([0]), n_classes=3)
    assert C[2, 0] == 1 and C.sum() == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_a_loop_and_its_invariants(seed):
    rng = np.random.default_rng(seed)
    y, y_pred = rng.integers(0, 7, 300), rng.integers(0, 7, 300)
    C = confusion_matrix(y, y_pred, n_classes=7)
    np.testing.assert_array_equal(C, counted_by_loop(y, y_pred, 7))
    np.testing.assert_array_equal(C.sum(axis=1), np.bincount(y, minlength=7))
    np.testing.assert_array_equal(C.sum(axis=0), np.bincount(y_pred, minlength=7))
    assert np.trace(C) / C.sum() == pytest.approx(accuracy(y, y_pred))


def test_matches_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(5)
    y, y_pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    np.testing.assert_array_equal(confusion_matrix(y, y_pred, 10),
                                  sklearn_metrics.confusion_matrix(y, y_pred, labels=range(10)))


def test_absent_classes_need_n_classes():
    y, y_pred = np.array([0, 1, 1]), np.array([0, 1, 0])
    assert confusion_matrix(y, y_pred).shape == (2, 2)          # from the labels seen
    C = confusion_matrix(y, y_pred, n_classes=4)                  # classes 2 and 3 never appear
    assert C.shape == (4, 4) and C[2:].sum() == 0 and C[:, 2:].sum() == 0


def test_other_integer_dtypes_and_empty_input():
    C = confusion_matrix(np.array([0, 1, 1], dtype=np.uint8), np.array([1, 1, 1], dtype=np.int32))
    assert C.tolist() == [[0, 1], [0, 2]] and C.dtype == np.int64
    assert confusion_matrix(np.array([], dtype=int), np.array([], dtype=int), 3).tolist() == \
        [[0] * 3] * 3


@pytest.mark.parametrize("args,match", [
    (([0, 1], [[0.2, 0.8], [0.9, 0.1]]), "argmax"),            # probabilities, not labels
    (([0.0, 1.0], [0, 1]), "integer class labels"),
    (([0, 1], [0]), "one label per sample"),
    (([0, 3], [0, 1], 3), r"lie in \[0, 3\)"),
    (([-1, 0], [0, 0], 2), r"lie in \[0, 2\)"),
    (([0, 1], [0, 1], 2.5), "whole number"),
])
def test_clear_errors(args, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(*args)


def test_accuracy_is_the_training_one():
    assert metrics.accuracy is train.accuracy
    y_hat = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.5, 0.4, 0.1]])
    assert accuracy(np.array([0, 2, 1]), y_hat) == pytest.approx(2 / 3)


def test_one_label_rule_for_accuracy_and_figures():
    """Labels [0, 1, 2] against class-1 probabilities [0.2, 0.7, 0.9]: both read the outputs as
    [0, 1, 1] (threshold 0.5), so accuracy is 2/3 and the image grid says 2 of 3 are right."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nnlib import plots

    y, out = np.array([0, 1, 2]), np.array([0.2, 0.7, 0.9])
    assert accuracy(y, out) == pytest.approx(2 / 3)
    assert metrics.to_labels(out).tolist() == [0, 1, 1]
    fig = plots.image_grid(np.zeros((3, 2, 2)), labels=y, predictions=out)
    assert "2 of 3 predictions are right" in fig.summary
    plt.close(fig)
    for y_hat in ([[0.1, 0.9], [0.8, 0.2]], [1.0, 0.0], [0.9, 0.4], [[1], [0]]):
        assert accuracy([1, 0], y_hat) == 1.0, y_hat
    assert accuracy([[0, 1], [1, 0]], [1, 1]) == 0.5     # one-hot targets
    with pytest.raises(ValueError, match="one row per sample"):
        accuracy([0, 1, 1], [0, 1])
