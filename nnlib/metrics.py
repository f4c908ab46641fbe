"""Metrics: how good a classifier's predictions are, in one place.

    to_labels         the class each row of an output stands for: the one label rule
    accuracy          the fraction of samples classified correctly
    confusion_matrix  how often each true class was predicted as each class: (K, K) counts
    standard_error    how uncertain an accuracy measured on n samples is: √(a(1 − a)/n)

Shapes as everywhere in nnlib: ``y`` holds the true class labels (N,), ``y_pred`` the predicted
labels (N,); for probabilities ``y_hat`` (N, K), the predicted label is ``y_hat.argmax(axis=1)``.
"""

import numpy as np


def to_labels(out):
    """Class labels (N,) from any classifier output or target, by one rule:

    * (N, K) with K > 1, scores, probabilities or one-hot rows: each row's argmax;
    * (N,) or (N, 1) integers, or floats that are all whole numbers: those labels;
    * (N,) or (N, 1) other floats, probabilities of class 1: 1 where >= 0.5, else 0.

    nnlib's accuracy and every figure that colours points by class read labels this way.
    """
    out = np.asarray(out)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    if out.ndim not in (1, 2):
        raise ValueError(f"expected labels (N,) or scores (N, K), got shape {out.shape}")
    out = out.reshape(len(out))
    if np.issubdtype(out.dtype, np.floating):
        whole = np.all(out == np.round(out))
        return out.astype(np.int64) if whole else (out >= 0.5).astype(np.int64)
    return out


def accuracy(y, y_hat):
    """Fraction of samples whose predicted class equals the true class, as a float.

    ``y``: true labels (N,) or one-hot rows (N, K). ``y_hat``: predicted labels (N,),
    probabilities or scores (N, K), or probabilities of class 1 (N,)/(N, 1); both are read by
    :func:`to_labels`.
    """
    labels, predicted = to_labels(y), to_labels(y_hat)
    if len(labels) != len(predicted):
        raise ValueError(f"y and y_hat need one row per sample, got {len(labels)} and "
                         f"{len(predicted)}")
    return float(np.mean(predicted == labels))


def _labels(name, values):
    values = np.asarray(values)
    if values.ndim != 1 or values.dtype.kind not in "iu":
        hint = (" (probabilities or scores? take each row's class with .argmax(axis=1))"
                if values.ndim == 2 else "")
        raise ValueError(f"{name} must be integer class labels of shape (N,), got {values.dtype} "
                         f"array of shape {values.shape}{hint}")
    return values.astype(np.int64)


def confusion_matrix(y, y_pred, n_classes=None):
    """Counts of (true class, predicted class) pairs: C (K, K), int64.

    ``C[i, j]`` is the number of samples of true class ``i`` that were predicted as class ``j``:
    rows are true classes, columns predicted classes (as scikit-learn's ``confusion_matrix``).
    The diagonal holds the right answers, so ``trace(C) / C.sum()`` is the accuracy, and row
    ``i`` sums to the number of samples of class ``i``.

    y:         true labels (N,), integers in 0..K-1.
    y_pred:    predicted labels (N,), integers in 0..K-1.
    n_classes: K. Give it: a batch may hold no sample of the last classes. Default: one more
               than the largest label in ``y`` or ``y_pred``.
    """
    y, y_pred = _labels("y", y), _labels("y_pred", y_pred)
    if len(y) != len(y_pred):
        raise ValueError(f"y and y_pred need one label per sample, got {len(y)} and {len(y_pred)}")
    seen = int(max(y.max(initial=-1), y_pred.max(initial=-1))) + 1
    K = seen if n_classes is None else int(n_classes)
    if K < 0 or (n_classes is not None and K != n_classes):
        raise ValueError(f"n_classes must be a whole number >= 0, got {n_classes!r}")
    if y.size and (min(y.min(), y_pred.min()) < 0 or seen > K):
        raise ValueError(f"labels must lie in [0, {K}), got values from "
                         f"{min(y.min(), y_pred.min())} to {seen - 1}")
    # Each (i, j) pair gets its own bin i*K + j; bincount counts repeats (C[y, y_pred] += 1
    # would not: numpy applies a fancy-indexed += once per distinct index).
    counts = np.bincount(y * K + y_pred, minlength=K * K)
    return counts.reshape(K, K).astype(np.int64)


__all__ = ["to_labels", "accuracy", "confusion_matrix"]


def standard_error(accuracy, n):
    """The standard error √(a(1 − a)/n) of an accuracy ``a`` measured on ``n`` samples, a float.

    Each sample is right (1) or wrong (0), a draw with variance a(1 − a); the accuracy is the
    mean of ``n`` such draws, so its variance is a(1 − a)/n. Four times the samples halve it.
    """
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy must be a fraction in [0, 1], got {accuracy!r}")
    if not n >= 1:
        raise ValueError(f"n must be a number of samples >= 1, got {n!r}")
    return float(np.sqrt(accuracy * (1 - accuracy) / n))
