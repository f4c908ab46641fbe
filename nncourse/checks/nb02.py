"""Checks for notebook 02, the neuron."""

import warnings

import numpy as np

from nnlib import activations
from nncourse.checking import describe_learner_error, show
from nncourse.exercises import Case, Mistake, exercise, function_exercise
from nnlib.layers import Activation, Dense
from nnlib.network import Network

NOTEBOOK = "02_the_neuron"


# --- references: nnlib's own layers, with one neuron --------------------------------------------

def weighted_sum_reference(X, w, b):
    """z = X·w + b (N,) for one neuron: nnlib's Dense layer with a single column."""
    return Dense.from_arrays(w[:, None], [b]).forward(X)[:, 0]


def neuron_reference(X, w, b):
    """a = σ(X·w + b) (N,): a Dense layer with one unit followed by a sigmoid Activation."""
    net = Network([Dense.from_arrays(w[:, None], [b]), Activation("sigmoid")])
    return net.forward(X)[:, 0]


# --- exercise 1: weighted_sum --------------------------------------------------------------------

def _float32_case(rng, description, n, d):
    X = rng.standard_normal((n, d)).astype(np.float32)
    w = rng.standard_normal(d).astype(np.float32)
    return Case(description, (X, w, 0.25), rtol=1e-5, atol=1e-5)


def weighted_sum_cases(rng):
    return [
        # square on purpose: the order mistakes (X.T·w, w·X) then give wrong numbers, not an error
        Case("2 samples, 2 inputs: X = [[1, 2], [3, 4]], w = [0.5, -1], b = 0.25",
             (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0]), 0.25)),
        Case("the worked example: x = (0.5, -0.5), w = (-0.3, 0.1), b = -0.2",
             (np.array([[0.5, -0.5]]), np.array([-0.3, 0.1]), -0.2)),
        Case("3 samples, 4 inputs, b = 1.5",
             (np.arange(12.0).reshape(3, 4) / 4, np.array([0.2, -0.1, 0.4, 0.3]), 1.5)),
        Case("5 random samples, 3 inputs",
             (rng.standard_normal((5, 3)), rng.standard_normal(3), float(rng.normal()))),
        Case("8 random samples, 64 inputs (digit-sized)",
             (rng.random((8, 64)), 0.1 * rng.standard_normal(64), -0.5)),
        _float32_case(rng, "float32 X and w: 4 samples, 3 inputs", 4, 3),
    ]


function_exercise(
    id="nb02_weighted_sum", name="weighted_sum", notebook=NOTEBOOK, points=1,
    verifies="z = X·w + b: shape (N,), values, dtype kept",
    reference=weighted_sum_reference, cases=weighted_sum_cases, arg_names=("X", "w", "b"),
    mistakes=[
        Mistake("bias forgotten",
                "the bias is missing: z = X·w + b, so add `b` after the weighted sum.",
                lambda X, w, b: X @ w),
        Mistake("products not summed",
                "you returned the products x_i·w_i one by one, shape (N, D): add them up along "
                "each row (axis=1), or use the dot product X @ w.",
                lambda X, w, b: X * w + b),
        Mistake("summed over the batch axis",
                "you summed over axis 0, the samples: each sample needs its own sum over its D "
                "inputs, so sum along axis=1 (or use X @ w).",
                lambda X, w, b: (X * w).sum(axis=0) + b),
        Mistake("summed over everything",
                "you added up the whole batch into one number: return one z per sample, shape "
                "(N,) — sum along axis=1 only (or use X @ w).",
                lambda X, w, b: np.sum(X * w) + b),
        Mistake("order of X and w",
                "the weights meet the wrong axis of X: w @ X (or X.T @ w) mixes the samples. "
                "Each row of X is one sample, so write X @ w: shapes (N, D) @ (D,) -> (N,).",
                lambda X, w, b: X.T @ w + b),
        Mistake("bias added to every product",
                "b was added once per input (D times): (X * w + b).sum(axis=1) adds D·b. A "
                "neuron has one bias, added after the sum: X @ w + b.",
                lambda X, w, b: (X * w + b).sum(axis=1)),
    ],
)


# --- exercise 2: sigmoid, numerically stable -----------------------------------------------------

STABLE_FORM = ("Use an exponent that is never positive: E = np.exp(-np.abs(z)), then 1 / (1 + E) "
               "where z >= 0 and E / (1 + E) where z < 0 (combine with np.where). Careful: "
               "np.where computes both branches for every element, so each branch must be safe "
               "on its own.")

NAIVE_HINT = ("1 / (1 + np.exp(-z)) is right on paper, but for z = -1000 it computes exp(1000), "
              "which overflows to inf (numpy warns \"overflow encountered in exp\"). "
              + STABLE_FORM)

NAN_HINT = ("exp(z) / (1 + exp(z)) is right on paper, but for z = 1000 both exponentials "
            "overflow to inf and inf / inf is NaN. " + STABLE_FORM)

MATH_HINT = ("math.exp(x) raises OverflowError once x is above about 709 (numpy's exp gives inf "
             "and a warning instead), so 1 / (1 + math.exp(-v)) fails for v = -1000. "
             + STABLE_FORM)


def _naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _ratio_sigmoid(z):
    return np.exp(z) / (1 + np.exp(z))


SIGMOID_VALUE_MISTAKES = [
    Mistake("sign of the exponent flipped",
            "your values are 1 − σ(z): the sign of the exponent is flipped (exp(z) where "
            "exp(-z) belongs, or 1 − σ). σ(z) = 1 / (1 + exp(−z)) grows with z: σ(2) ≈ 0.88.",
            lambda z: 1 / (1 + np.exp(z))),
    Mistake("tanh instead of sigmoid",
            "that is tanh(z), which goes from −1 to 1. The sigmoid goes from 0 to 1: "
            "σ(z) = 1 / (1 + exp(−z)), σ(0) = 0.5.",
            lambda z: np.tanh(z)),
    Mistake("operator precedence",
            "1 / 1 + np.exp(-z) divides 1 by 1 first, giving 1 + exp(−z). Put the denominator "
            "in brackets: 1 / (1 + np.exp(-z)).",
            lambda z: 1 / 1 + np.exp(-z)),
    Mistake("minus in the denominator",
            "the denominator is 1 + exp(−z), with a plus: with a minus you divide by zero at "
            "z = 0.",
            lambda z: 1 / (1 - np.exp(-z))),
]

SIGMOID_STABILITY_MISTAKES = [
    Mistake("naive formula overflows", NAIVE_HINT, _naive_sigmoid),
    Mistake("exp(z) / (1 + exp(z)) gives NaN", NAN_HINT, _ratio_sigmoid),
]


def sigmoid_cases(rng):
    """(case, extreme): ``extreme`` cases hold values whose exponential overflows."""
    return [
        (Case("z = [-2, -1, 0, 1, 2]", (np.array([-2.0, -1.0, 0.0, 1.0, 2.0]),)), False),
        (Case("z = [[0.5, -0.4], [3, -3]], a 2×2 batch (same shape out)",
              (np.array([[0.5, -0.4], [3.0, -3.0]]),)), False),
        (Case("random z of shape (6, 3)", (rng.normal(0, 3, (6, 3)),)), False),
        (Case("float32 z of shape (4, 2) (float32 in, float32 out)",
              (rng.normal(0, 3, (4, 2)).astype(np.float32),), rtol=1e-5, atol=1e-7), False),
        (Case("large |z|: z = [-1000, -50, 0, 50, 1000]",
              (np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]),)), True),
        (Case("float32 z = [-100, -20, 20, 100] (exp(100) overflows float32)",
              (np.array([-100.0, -20.0, 20.0, 100.0], dtype=np.float32),),
              rtol=1e-5, atol=1e-7), True),
    ]


class _MathOverflow:
    """What the learner's code 'returned' when it raised OverflowError (math.exp)."""

    def __init__(self, exc):
        self.exc = exc


def _call_watching_overflow(fn, ctx, case):
    """Call the learner through ``ctx.call`` and report numpy's overflow warnings.

    The framework runs judges under ``np.errstate(all="ignore")``: here we turn warnings back
    on for the call only and record them."""
    def watched(*args):
        try:
            return fn(*args)
        except OverflowError as exc:  # math.exp(1000)
            return _MathOverflow(exc)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="ignore", under="ignore"):
            got = ctx.call(watched, *case.args, case=case)
    overflow = any(issubclass(w.category, RuntimeWarning) and "overflow" in str(w.message)
                   for w in caught)
    return got, overflow


def _stability_failure(ctx, number, case, got, hint, problem):
    z = case.args[0]
    lines = [f"✘ sigmoid — case {number}: {case.description}",
             f"  input:    z: {show(z)}",
             f"  problem:  {problem}"]
    if got is not None:
        lines.insert(2, f"  got:      {show(got)}")
    lines.append(f"  likely mistake: {hint}")
    ctx.fail("\n".join(lines))


@exercise(id="nb02_sigmoid", name="sigmoid", notebook=NOTEBOOK, points=2,
          verifies="values, shape, float32 kept, no overflow or NaN for |z| up to 1000",
          reference=activations.sigmoid, arg_names=("z",),
          mistakes=SIGMOID_VALUE_MISTAKES + SIGMOID_STABILITY_MISTAKES)
def judge_sigmoid(fn, ctx):
    for number, (case, extreme) in enumerate(sigmoid_cases(ctx.rng), start=1):
        expected = activations.sigmoid(*case.args)
        got, overflow = _call_watching_overflow(fn, ctx, case)
        if isinstance(got, _MathOverflow):
            _stability_failure(ctx, number, case, None, MATH_HINT,
                               f"your code raised {describe_learner_error(got.exc)}")
        if extreme and isinstance(got, np.ndarray) and got.shape == expected.shape \
                and got.dtype.kind == "f" and not np.all(np.isfinite(got)):
            hint = NAN_HINT if np.any(np.isnan(got)) else NAIVE_HINT
            _stability_failure(ctx, number, case, got, hint, "NaN or inf where σ(z) is 0 or 1")
        ctx.compare(got, expected, case, SIGMOID_VALUE_MISTAKES)
        if overflow:
            ctx.cases_passed -= 1  # the values were right, the computation was not
            _stability_failure(ctx, number, case, None, NAIVE_HINT,
                               "the values are right, but numpy warned \"overflow encountered "
                               "in exp\" while computing them")


# --- exercise 3: neuron --------------------------------------------------------------------------

def neuron_cases(rng):
    X32 = rng.standard_normal((4, 3)).astype(np.float32)
    return [
        Case("the worked example: x = (0.5, -0.5), w = (-0.3, 0.1), b = -0.2",
             (np.array([[0.5, -0.5]]), np.array([-0.3, 0.1]), -0.2)),
        Case("3 samples, 2 inputs, w = [1, 1], b = -1.5 (the AND neuron)",
             (np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 1.0]), -1.5)),
        Case("5 random samples, 4 inputs",
             (rng.standard_normal((5, 4)), rng.standard_normal(4), float(rng.normal()))),
        Case("6 random samples, 64 inputs, large weights",
             (rng.random((6, 64)), 3 * rng.standard_normal(64), 2.0)),
        Case("float32 X and w: 4 samples, 3 inputs",
             (X32, rng.standard_normal(3).astype(np.float32), 0.5), rtol=1e-5, atol=1e-6),
    ]


function_exercise(
    id="nb02_neuron", name="neuron", notebook=NOTEBOOK, points=1,
    verifies="a = σ(X·w + b): shape (N,), values, dtype kept",
    reference=neuron_reference, cases=neuron_cases, arg_names=("X", "w", "b"),
    mistakes=[
        Mistake("activation forgotten",
                "these are the net values z = X·w + b: pass them through the sigmoid to get "
                "a = σ(z).",
                lambda X, w, b: X @ w + b),
        Mistake("bias outside the sigmoid",
                "the bias was added after the sigmoid: it belongs inside, a = σ(X·w + b).",
                lambda X, w, b: activations.sigmoid(X @ w) + b),
        Mistake("sigmoid of each product",
                "the sigmoid was applied to each product x_i·w_i before summing: first the "
                "weighted sum plus bias, then one sigmoid: a = σ(X·w + b).",
                lambda X, w, b: activations.sigmoid(X * w).sum(axis=1) + b),
        Mistake("sigmoid of the inputs",
                "the sigmoid was applied to the inputs X: it acts on the neuron's net value, "
                "a = σ(X·w + b).",
                lambda X, w, b: activations.sigmoid(X) @ w + b),
        Mistake("step instead of sigmoid",
                "that is the perceptron's step (0 or 1): this neuron uses the sigmoid, "
                "a = σ(X·w + b).",
                lambda X, w, b: activations.step(X @ w + b)),
    ],
)
