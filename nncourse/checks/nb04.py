"""Checks for notebook 04, cost: MSE, RMSE, SSR and categorical cross-entropy.

Every cost returns one number for the whole batch. The first case of each check has K = 2 or
K = 3 outputs per sample, so that averaging over N instead of N·K, or over one axis only,
gives a different answer from the right one.
"""

import numpy as np

from nnlib import losses
from nnlib.activations import softmax
from nncourse.checks.judging import Stop
from nncourse.checks.registry import Case, Mistake, exercise, function_exercise

NOTEBOOK = "04_cost"


# --- squared errors ---------------------------------------------------------------------------

def _r(y, y_hat):
    """The residuals ŷ − y as floats (wrong answers below are built from them)."""
    return np.asarray(y_hat, dtype=np.float64) - np.asarray(y, dtype=np.float64)


def squared_cases(rng):
    y_f32 = rng.standard_normal((6, 2)).astype(np.float32)
    return [
        Case("3 samples with K = 2 outputs each",
             (np.array([[1.0, 0.0], [0.0, 2.0], [2.0, 1.0]]),
              np.array([[0.8, 0.1], [0.5, 2.0], [2.5, 0.2]]))),
        Case("the worked example: y = (1, 0, 2), y_hat = (0.8, 0.1, 2.5), shape (3,)",
             (np.array([1.0, 0.0, 2.0]), np.array([0.8, 0.1, 2.5]))),
        Case("a perfect prediction, y_hat equal to y (cost 0)",
             (np.array([[0.5, -1.0], [2.0, 3.0]]), np.array([[0.5, -1.0], [2.0, 3.0]]))),
        Case("5 random samples, K = 3",
             (rng.standard_normal((5, 3)), rng.standard_normal((5, 3)))),
        Case("8 random samples, one output each, shape (8, 1)",
             (rng.uniform(-3, 3, (8, 1)), rng.uniform(-3, 3, (8, 1)))),
        Case("6 random float32 samples, K = 2 (float32 tolerance)",
             (y_f32, y_f32 + rng.normal(0, 0.5, (6, 2)).astype(np.float32)), rtol=1e-5),
    ]


function_exercise(
    id="nb04_mse", name="mse", notebook=NOTEBOOK, points=1,
    verifies="mean of all N·K squared residuals, one number, (N,) and (N, K) inputs",
    reference=losses.mse, cases=squared_cases, arg_names=("y", "y_hat"),
    tripwires=("nnlib.losses.squared_error_loss",),
    mistakes=[
        Mistake("no mean (SSR)",
                "you returned the sum of the squared residuals (the SSR): divide by the number "
                "of entries, or use np.mean, to get their mean.",
                lambda y, y_hat: (_r(y, y_hat) ** 2).sum()),
        Mistake("mean absolute residual",
                "the residuals were not squared: this is the mean absolute error. Square each "
                "residual (y_hat - y) ** 2 before taking the mean.",
                lambda y, y_hat: np.abs(_r(y, y_hat)).mean()),
        Mistake("mean signed residual",
                "the residuals were not squared: this is the mean of y_hat - y, where positive "
                "and negative errors cancel. Square each residual before taking the mean.",
                lambda y, y_hat: _r(y, y_hat).mean()),
        Mistake("mean over the samples only",
                "you returned an array: np.mean(..., axis=0) averages over the samples only, "
                "leaving one number per output. The cost is one number: average over every "
                "entry (no axis).",
                lambda y, y_hat: (_r(y, y_hat) ** 2).mean(axis=0)),
        Mistake("mean over the outputs only",
                "you returned one number per sample: that is each sample's loss "
                "(losses.squared_error_loss). The cost is their mean: average over every entry "
                "(no axis).",
                lambda y, y_hat: (_r(y, y_hat) ** 2).mean(axis=1)),
        Mistake("square of the mean residual",
                "you squared the mean residual, (mean of y_hat - y) ** 2: positive and negative "
                "errors cancel before the square. Square each residual first, then take the "
                "mean.",
                lambda y, y_hat: _r(y, y_hat).mean() ** 2),
        Mistake("divided by N instead of N·K",
                "you divided the SSR by N, the number of samples. With K outputs per sample "
                "there are N·K squared residuals, and nnlib's MSE averages over all of them: "
                "divide by y.size (or use np.mean).",
                lambda y, y_hat: (_r(y, y_hat) ** 2).sum() / len(y)),
    ] + [Mistake("difference of squares",
                 "you took the difference of the squares, ŷ² − y²: the squared error is the "
                 "square of the difference, (ŷ − y)².",
                 lambda y, y_hat, s=s: s * np.mean(np.asarray(y_hat, dtype=float) ** 2
                                                   - np.asarray(y, dtype=float) ** 2))
         for s in (1, -1)] + [
        Mistake("half the MSE",
                "you returned half the MSE: some textbooks put ½ in front to simplify the "
                "derivative, but the MSE itself has no ½.",
                lambda y, y_hat: (_r(y, y_hat) ** 2).mean() / 2),
        Mistake("square root taken (RMSE)",
                "you took the square root of the mean: that is the RMSE, the next exercise. "
                "The MSE is the mean of the squared residuals itself.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).mean())),
        Mistake("divided by N − 1",
                "you divided by the number of entries minus 1 (as for a sample variance): the "
                "MSE is a plain mean, divided by the number of entries.",
                lambda y, y_hat: (_r(y, y_hat) ** 2).sum() / (np.size(y) - 1)),
    ] + [Mistake("floor division //",
                 "`//` is floor division: it rounds the mean down to a whole number (0 here). "
                 "Divide with `/` (or use np.mean).", fn)
         for fn in (lambda y, y_hat: (_r(y, y_hat) ** 2).sum() // np.size(y),
                    lambda y, y_hat: (_r(y, y_hat) ** 2).sum() // len(y))],
)


function_exercise(
    id="nb04_rmse", name="rmse", notebook=NOTEBOOK, points=1,
    verifies="square root of the mean of all squared residuals, one number",
    reference=losses.rmse, cases=squared_cases, arg_names=("y", "y_hat"),
    tripwires=("nnlib.losses.squared_error_loss",),
    mistakes=[
        Mistake("no square root (MSE)",
                "you returned the MSE: the RMSE is its square root, np.sqrt(...), which brings "
                "it back to the units of y.",
                lambda y, y_hat: (_r(y, y_hat) ** 2).mean()),
        Mistake("root before the mean",
                "this is the mean absolute error, the mean of |y_hat - y| (which is also what a "
                "square root of each squared residual before averaging gives). Average the "
                "squares first, then take one square root of that mean.",
                lambda y, y_hat: np.sqrt(_r(y, y_hat) ** 2).mean()),
        Mistake("root of the SSR",
                "you took the square root of the SSR (the sum): take the square root of the "
                "mean of the squared residuals instead.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).sum())),
        Mistake("mean of per-sample roots",
                "you took a square root per sample and averaged those: the RMSE is one square "
                "root of the mean over every entry.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).mean(axis=1)).mean()),
        Mistake("divided by N instead of N·K",
                "inside the root you divided the SSR by N, the number of samples. nnlib's MSE "
                "averages over all N·K entries: use np.mean (or divide by y.size).",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).sum() / len(y))),
        Mistake("standard deviation of the residuals",
                "np.std of the residuals subtracts their mean first, so it is not the RMSE "
                "unless the mean residual is 0: take the root of the mean of the squared "
                "residuals themselves.",
                lambda y, y_hat: np.std(_r(y, y_hat))),
        Mistake("root of the SSR divided by N",
                "you divided after the root, √SSR / N: the RMSE is the root of the mean, "
                "√(SSR / (N·K)), one root of np.mean of the squares.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).sum()) / len(y)),
        Mistake("** 1/2 is half, not the root",
                "mse ** 1/2 is (mse ** 1) / 2: ** binds tighter than /. Write mse ** 0.5 (with "
                "the brackets, ** (1/2)) or np.sqrt(mse).",
                lambda y, y_hat: (_r(y, y_hat) ** 2).mean() / 2),
    ] + [Mistake("residuals not squared",
                 "you took the root of the mean residual, without squaring: positive and "
                 "negative residuals cancel (and a negative mean gives nan). Square each "
                 "residual, average, then take the root.",
                 lambda y, y_hat, s=s: np.sqrt(s * _r(y, y_hat).mean())) for s in (1, -1)] + [
        Mistake("half the MSE inside the root",
                "inside the square root you used half the MSE: the RMSE is the root of the "
                "plain MSE, with no ½.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).mean() / 2)),
        Mistake("roots over the samples only",
                "you returned one RMSE per output: np.mean(..., axis=0) averages over the "
                "samples only. The cost is one number: average over every entry (no axis).",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).mean(axis=0))),
        Mistake("one RMSE per sample",
                "you returned one RMSE per sample: np.mean(..., axis=1) averages over each "
                "sample's outputs only. The cost is one number: the root of the mean over "
                "every entry (no axis).",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).mean(axis=-1))),
        Mistake("mean of per-output roots",
                "you took one root per output column (np.mean(..., axis=0)) and averaged "
                "those: the mean of roots is not the root of the mean. Take one square root "
                "of the mean over every entry.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).mean(axis=0)).mean()),
        Mistake("mean of per-sample lengths",
                "you took the length √Σ of each sample's residual vector and averaged those: "
                "the RMSE is one square root of the mean over every entry.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).sum(axis=-1)).mean()),
        Mistake("root of the SSR divided by N·K",
                "you divided after the root, √SSR / (N·K): the RMSE is the root of the mean, "
                "√(SSR / (N·K)), one root of np.mean of the squares.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).sum()) / np.size(y)),
    ] + [Mistake("divided by N − 1",
                 "you divided the sum by one less than the count (as for a sample standard "
                 "deviation, ddof=1): the RMSE divides by the number of entries, N·K (np.mean "
                 "does that).",
                 lambda y, y_hat, n=n: np.sqrt((_r(y, y_hat) ** 2).sum() / (n(y) - 1)))
         for n in (np.size, len)] + [
        Mistake("standard deviation with ddof=1",
                "np.std(..., ddof=1) of the residuals subtracts their mean and divides by "
                "N·K − 1: the RMSE is the root of the plain mean of the squared residuals.",
                lambda y, y_hat: np.std(_r(y, y_hat), ddof=1)),
    ] + [Mistake("floor division //",
                 "`//` is floor division: it rounds the mean down to a whole number. Divide "
                 "with `/` (or use np.mean).",
                 lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).sum() // np.size(y)))],
)


function_exercise(
    id="nb04_ssr", name="ssr", notebook=NOTEBOOK, points=1,
    verifies="sum of every squared residual, one number",
    reference=losses.ssr, cases=squared_cases, arg_names=("y", "y_hat"),
    tripwires=("nnlib.losses.squared_error_loss",),
    mistakes=[
        Mistake("mean instead of sum (MSE)",
                "you returned the mean of the squared residuals (the MSE): the SSR is their sum, "
                "with no division.",
                lambda y, y_hat: (_r(y, y_hat) ** 2).mean()),
        Mistake("divided by N",
                "you divided the sum by N: the SSR is the plain sum of the squared residuals, "
                "not divided by anything (that would be a mean).",
                lambda y, y_hat: (_r(y, y_hat) ** 2).sum() / len(y)),
        Mistake("signed residuals summed",
                "the residuals were not squared: positive and negative errors cancel in the sum. "
                "Sum (y_hat - y) ** 2.",
                lambda y, y_hat: _r(y, y_hat).sum()),
        Mistake("absolute residuals summed",
                "you summed the absolute residuals: the SSR sums their squares, (y_hat - y) ** 2.",
                lambda y, y_hat: np.abs(_r(y, y_hat)).sum()),
        Mistake("sum over the samples only",
                "you returned one number per output: .sum(axis=0) adds over the samples only. "
                "Sum over every entry (no axis).",
                lambda y, y_hat: (_r(y, y_hat) ** 2).sum(axis=0)),
        Mistake("sum over the outputs only",
                "you returned one number per sample: .sum(axis=1) adds each sample's outputs "
                "only. Sum over every entry (no axis).",
                lambda y, y_hat: (_r(y, y_hat) ** 2).sum(axis=1)),
        Mistake("half the SSR",
                "you returned half the SSR: some textbooks put ½ in front to simplify the "
                "derivative, but the SSR itself has no ½.",
                lambda y, y_hat: (_r(y, y_hat) ** 2).sum() / 2),
        Mistake("square of the summed residual",
                "you squared the sum of the residuals: positive and negative errors cancel "
                "before the square. Square each residual first, then sum.",
                lambda y, y_hat: _r(y, y_hat).sum() ** 2),
        Mistake("square root of the SSR",
                "you returned the square root of the SSR (the length of the residual vector, "
                "np.linalg.norm): the SSR is the sum of squares itself, with no root.",
                lambda y, y_hat: np.sqrt((_r(y, y_hat) ** 2).sum())),
    ],
)


# --- categorical cross-entropy ------------------------------------------------------------------

def _log_p(y_hat, eps=None):
    """log of y_hat clipped to [eps, 1 − eps] (default eps: y_hat's machine epsilon)."""
    y_hat = np.asarray(y_hat)
    eps = np.finfo(y_hat.dtype).eps if eps is None else eps
    return np.log(np.clip(y_hat, eps, 1 - eps))


def _fixed_eps(eps):
    return lambda y, y_hat: -(y * _log_p(y_hat, eps)).sum(axis=1).mean()


FIXED_EPS_HINT = (
    "the log of a zero probability was kept finite with a fixed epsilon (such as 1e-15, 1e-12 or "
    "1e-7, clipped to or added to y_hat). Clip with the machine epsilon of the dtype, "
    "np.finfo(y_hat.dtype).eps, as nnlib does: np.clip(y_hat, eps, 1 - eps).")

ADDED_EPS_HINT = (
    "you added a small number inside the log, log(y_hat + 1e-9): log(0) stays finite, but a "
    "zero probability then costs log(1e-9) instead of the course's value. nnlib clips y_hat "
    "instead, to [eps, 1 - eps] with eps = np.finfo(y_hat.dtype).eps.")

LABELS_HINT = (
    "y holds one-hot rows of shape (N, K), not class labels 0..K-1, so it cannot index y_hat. "
    "Either multiply by the one-hot y and sum over the classes, or turn y into labels first "
    "with y.argmax(axis=1).")


def cce_cases(rng):
    def one_hot(labels, K):
        return np.eye(K)[labels]

    def probs(N, K, scale=2.0, dtype=np.float64):
        return softmax(scale * rng.standard_normal((N, K))).astype(dtype)

    return [
        Case("2 samples, K = 3 classes, true classes 0 and 2",
             (one_hot([0, 2], 3), np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]))),
        Case("the true class of sample 0 has probability exactly 0 (log(0) = -inf), "
             "sample 1's only 1e-7",
             (one_hot([1, 0], 3), np.array([[0.5, 0.0, 0.5], [1e-7, 0.3, 0.7 - 1e-7]]))),
        Case("2 certain and correct predictions, zeros on the other classes (cost 0)",
             (one_hot([2, 0], 3), np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]))),
        Case("5 random samples, K = 4", (one_hot(rng.integers(0, 4, 5), 4), probs(5, 4))),
        Case("8 random samples, K = 10", (one_hot(rng.integers(0, 10, 8), 10), probs(8, 10))),
        Case("4 random float32 samples, K = 3 (float32 tolerance)",
             (one_hot(rng.integers(0, 3, 4), 3).astype(np.float32),
              probs(4, 3, dtype=np.float32)), rtol=1e-5),
        Case("float32 predictions whose true class has probability exactly 0 (float32's eps "
             "is 1.2e-7, float64's 2.2e-16)",
             (one_hot([0, 2], 3).astype(np.float32),
              np.array([[0.0, 0.5, 0.5], [0.2, 0.2, 0.6]], dtype=np.float32)), rtol=1e-5),
    ]


CCE_MISTAKES = [
    Mistake("no mean (sum over the samples)",
            "you added the samples' losses up: the cost is their mean, so divide by N "
            "(or use .mean() over the per-sample losses).",
            lambda y, y_hat: -(y * _log_p(y_hat)).sum()),
    Mistake("no minus sign",
            "your cost is negative: the log of a probability is <= 0, so cross-entropy has a "
            "minus sign in front, -(y * np.log(y_hat)).",
            lambda y, y_hat: (y * _log_p(y_hat)).sum(axis=1).mean()),
    Mistake("log of every probability summed",
            "you summed the log of every probability in the row: only the true class counts. "
            "Multiplying by the one-hot y first keeps log(y_hat) of the true class alone.",
            lambda y, y_hat: -_log_p(y_hat).sum(axis=1).mean()),
    Mistake("argmax without axis",
            "y.argmax() without an axis gives one index into the flattened y, the same for "
            "every sample: use y.argmax(axis=1), one class label per row (or multiply by the "
            "one-hot y instead of indexing).",
            lambda y, y_hat: -_log_p(y_hat)[np.arange(len(y)), y.argmax()].mean()),
    Mistake("mean over all N·K entries",
            "you averaged over all N·K entries of y * log(y_hat), most of which are the zeros "
            "of the one-hot rows. Sum over the classes (axis=1) first, then average over the N "
            "samples.",
            lambda y, y_hat: -(y * _log_p(y_hat)).mean()),
    Mistake("arguments swapped",
            "y and y_hat are swapped: the order is (y, y_hat), and the log is taken of the "
            "prediction y_hat, weighted by the one-hot target y.",
            lambda y, y_hat: -(y_hat * _log_p(y)).sum(axis=1).mean()),
    Mistake("log(0) not clipped",
            "a probability of exactly 0 gives log(0) = -inf, so your cost is inf. Clip y_hat "
            "first with eps = np.finfo(y_hat.dtype).eps: np.log(np.clip(y_hat, eps, 1 - eps)).",
            lambda y, y_hat: -(y * np.log(y_hat)).sum(axis=1).mean()),
    Mistake("float64's epsilon for float32",
            "you clipped with float64's machine epsilon (2.2e-16) whatever the dtype: for "
            "float32 predictions the statement's eps is np.finfo(np.float32).eps = 1.2e-7, so "
            "take it from the data: np.finfo(y_hat.dtype).eps.",
            _fixed_eps(np.finfo(np.float64).eps)),
    Mistake("mean over the classes",
            "you summed over the samples (axis=0) and averaged over the K classes: the cost is "
            "the sum over the classes (axis=1) of each sample, averaged over the N samples.",
            lambda y, y_hat: -(y * _log_p(y_hat)).sum(axis=0).mean()),
    Mistake("fixed epsilon 1e-15", FIXED_EPS_HINT, _fixed_eps(1e-15)),
    Mistake("fixed epsilon 1e-12", FIXED_EPS_HINT, _fixed_eps(1e-12)),
    Mistake("fixed epsilon 1e-7", FIXED_EPS_HINT, _fixed_eps(1e-7)),
] + [Mistake("epsilon added inside the log", ADDED_EPS_HINT,
             lambda y, y_hat, e=e: -(y * np.log(y_hat + e)).sum(axis=1).mean())
     for e in (1e-9, 1e-8, 1e-7, 1e-10, 1e-6)] + [
    Mistake("log base 10",
            "you used np.log10: cross-entropy uses the natural logarithm, np.log.",
            lambda y, y_hat: -(y * _log_p(y_hat) / np.log(10)).sum(axis=1).mean()),
    Mistake("log base 2",
            "you used np.log2 (information in bits): the course's cross-entropy uses the "
            "natural logarithm, np.log.",
            lambda y, y_hat: -(y * _log_p(y_hat) / np.log(2)).sum(axis=1).mean()),
    Mistake("binary cross-entropy terms",
            "you added the (1 - y)·log(1 - y_hat) terms of the *binary* cross-entropy: with "
            "one-hot y over K classes, only -Σ_k y_k log(y_hat_k) remains.",
            lambda y, y_hat: -(y * _log_p(y_hat) + (1 - y) * np.log(1 - np.clip(
                y_hat, np.finfo(np.asarray(y_hat).dtype).eps, 1 - np.finfo(
                    np.asarray(y_hat).dtype).eps))).sum(axis=1).mean()),
]


@exercise(id="nb04_categorical_cross_entropy", name="categorical_cross_entropy",
          notebook=NOTEBOOK, points=2,
          verifies="true-class log-probabilities, minus sign, mean over N, log(0) clipped with eps",
          reference=losses.categorical_cross_entropy, mistakes=CCE_MISTAKES,
          arg_names=("y", "y_hat"),
          tripwires=("nnlib.losses.categorical_cross_entropy_loss",
                     "nnlib.losses.softmax_cross_entropy"))
def judge_categorical_cross_entropy(fn, ctx):
    for case in cce_cases(ctx.rng):
        expected = losses.categorical_cross_entropy(*case.args)
        try:
            got = ctx.call(fn, *case.args, case=case)
        except Stop as stop:
            # y used as class labels to index y_hat: an IndexError, which no Mistake can name
            if stop.status == "error" and "IndexError" in stop.message:
                ctx.fail(f"{stop.message}\n  likely mistake: {LABELS_HINT}", "error")
            raise
        ctx.compare(got, expected, case, CCE_MISTAKES)
