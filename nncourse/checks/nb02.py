"""Checks for notebook 02, the neuron."""

import numpy as np

from nnlib import activations
from nncourse.checks.registry import Case, Mistake, exercise, function_exercise, name_errors
from nncourse.checks.mistakes import ELEMENTWISE_ERRORS
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
    tripwires=("nnlib.layers.Dense.forward", "nnlib.plain.dense_forward"),
    mistakes=[
        Mistake("bias forgotten",
                "the bias is missing: z = X·w + b, so add `b` after the weighted sum.",
                lambda X, w, b: X @ w),
        Mistake("bias added to every weight",
                "the bias went inside the product, X·(w + b): it is added once to each "
                "sample's weighted sum, z = X·w + b.",
                lambda X, w, b: X @ (w + b)),
        Mistake("bias added to every input",
                "the bias went inside the product, (X + b)·w: it is added once to each "
                "sample's weighted sum, after the products: z = X·w + b.",
                lambda X, w, b: (X + b) @ w),
        Mistake("mean instead of sum",
                "you averaged the products x_i·w_i: the weighted sum adds them up, "
                "z = Σ_i x_i w_i + b (X @ w + b).",
                lambda X, w, b: (X * w).mean(axis=1) + b),
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
                "neuron has one bias, added once, after the sum.",
                lambda X, w, b: (X * w + b).sum(axis=1)),
        Mistake("column (N, 1) returned",
                "the result is a column, shape (N, 1): with w of shape (D,), X @ w is already "
                "(N,). Do not reshape w into a column (or flatten the result).",
                lambda X, w, b: (X @ w + b)[:, None]),
        Mistake("bias subtracted",
                "the bias was subtracted: the neuron's net value adds it, z = X·w + b.",
                lambda X, w, b: X @ w - b),
    ],
)


# --- exercise 2: sigmoid, numerically stable -----------------------------------------------------

STABLE_FORM = ("Never take exp of a large positive number: where z < 0, "
               "σ(z) = exp(z) / (1 + exp(z)) needs only exp(z) ≤ 1.")

NAIVE_HINT = ("1 / (1 + np.exp(-z)) is right on paper, but for z below about -709 exp(-z) "
              "overflows to inf: numpy warns \"overflow encountered in exp\", which the exercise "
              "asks you to avoid (for a float32 z it already happens below about -88). "
              + STABLE_FORM)

NAN_HINT = ("exp(z) / (1 + exp(z)) is right on paper, but for z = 1000 both exponentials "
            "overflow to inf and inf / inf is NaN. " + STABLE_FORM)

CLIP_HINT = ("clipping z (np.clip) avoids the overflow, but clipped this tightly it changes "
             "the answer by more than the check's tolerance (1e-12): σ(-40) ≈ 4.2e-18 is not "
             "σ(-20) ≈ 2.1e-9. Clip no closer than about ±30, or better: " + STABLE_FORM)

MATH_HINT = ("math.exp(x) raises OverflowError once x is above about 709 (numpy's exp gives inf "
             "instead). " + STABLE_FORM)

def _naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _ratio_sigmoid(z):
    return np.exp(z) / (1 + np.exp(z))


SIGMOID_VALUE_MISTAKES = [
    Mistake("float64 result",
            "the values are right but float32 z gave a float64 result (np.zeros without a "
            "dtype, or .astype(np.float64)): return the dtype of z.",
            lambda z: activations.sigmoid(z).astype(np.float64)),
    Mistake("sign of the exponent flipped",
            "your values are 1 − σ(z): the sign of the exponent is flipped (exp(z) where "
            "exp(-z) belongs, or 1 − σ). σ(z) = 1 / (1 + exp(−z)) grows with z: σ(2) ≈ 0.88.",
            lambda z: 1 / (1 + np.exp(z))),
    Mistake("tanh instead of sigmoid",
            "that is tanh(z), which goes from −1 to 1. The sigmoid goes from 0 to 1: "
            "σ(z) = 1 / (1 + exp(−z)), σ(0) = 0.5.",
            lambda z: np.tanh(z)),
    Mistake("tanh form without halving z",
            "the tanh form of the sigmoid is σ(z) = 0.5·(1 + tanh(z / 2)): you left out the "
            "halving of z (or halved it twice), which makes the curve twice as steep (or "
            "flat): 0.5·(1 + tanh(z)) is σ(2z).",
            lambda z: 0.5 * (1 + np.tanh(z))),
    Mistake("tanh form without halving z",
            "the tanh form of the sigmoid is σ(z) = 0.5·(1 + tanh(z / 2)): you left out the "
            "halving of z (or halved it twice), which makes the curve twice as steep (or "
            "flat): 0.5·(1 + tanh(z)) is σ(2z).",
            lambda z: 0.5 * (1 + np.tanh(z / 4))),
    Mistake("operator precedence",
            "1 / 1 + np.exp(-z) divides 1 by 1 first, giving 1 + exp(−z). Put the denominator "
            "in brackets: 1 / (1 + np.exp(-z)).",
            lambda z: 1 / 1 + np.exp(-z)),
    Mistake("minus in the denominator",
            "the denominator is 1 + exp(−z), with a plus: with a minus you divide by zero at "
            "z = 0.",
            lambda z: 1 / (1 - np.exp(-z))),
    Mistake("σ(|z|): the sign of z lost",
            "every negative z got σ(|z|) > 0.5: exp(-|z|) is the safe exponential, but where "
            "z < 0 it stands for exp(z), so that branch needs the other form of σ.",
            lambda z: 1 / (1 + np.exp(-np.abs(z)))),
]

SIGMOID_STABILITY_MISTAKES = [
    Mistake("naive formula overflows", NAIVE_HINT, _naive_sigmoid),
    Mistake("exp(z) / (1 + exp(z)) gives NaN", NAN_HINT, _ratio_sigmoid),
] + [Mistake("z clipped", CLIP_HINT, lambda z, c=c: _naive_sigmoid(np.clip(z, -c, c)))
     for c in (5, 10, 15, 20, 25)]

# The statement asks for σ's values, no overflow warning and no NaN; it does not ask for
# relative accuracy of tiny values. So values are compared with an absolute tolerance of 1e-12
# (float32: 1e-7): 0.5·(1 + tanh(z/2)), scipy.special.expit and exp(-logaddexp(0, -z)) are all
# right, although they give 0 for σ(-740) ≈ 4.2e-322. An overflow shows as numpy's warning:
# the check refuses any warning the function emits (after comparing, so that a NaN is named).
TINY = dict(rtol=1e-6, atol=1e-12)
OVERFLOW = {"overflow": SIGMOID_STABILITY_MISTAKES[0]}


def sigmoid_cases(rng):
    return [
        Case("z = [-2, -1, 0, 1, 2]", (np.array([-2.0, -1.0, 0.0, 1.0, 2.0]),)),
        Case("z = [[0.5, -0.4], [3, -3]], a 2×2 batch (same shape out)",
             (np.array([[0.5, -0.4], [3.0, -3.0]]),)),
        Case("random z of shape (6, 3)", (rng.normal(0, 3, (6, 3)),)),
        Case("float32 z of shape (4, 2) (float32 in, float32 out)",
             (rng.normal(0, 3, (4, 2)).astype(np.float32),), rtol=1e-5, atol=1e-7),
        Case("very negative z = [-40, -30, -20]: σ(z) is tiny (4.2e-18 ...)",
             (np.array([-40.0, -30.0, -20.0]),), **TINY),
        Case("large |z|: z = [-740, -720, -50, 0, 50, 720, 1000] (exp(740) overflows)",
             (np.array([-740.0, -720.0, -50.0, 0.0, 50.0, 720.0, 1000.0]),), **TINY),
        Case("float32 z = [-100, -20, 20, 100] (exp(100) overflows float32)",
             (np.array([-100.0, -20.0, 20.0, 100.0], dtype=np.float32),), rtol=1e-5, atol=1e-7),
    ]


@exercise(id="nb02_sigmoid", name="sigmoid", notebook=NOTEBOOK, points=2,
          verifies="values, shape, float32 kept, no NaN and no overflow warning up to |z| = 1000",
          reference=activations.sigmoid, arg_names=("z",),
          mistakes=SIGMOID_VALUE_MISTAKES + SIGMOID_STABILITY_MISTAKES)
def judge_sigmoid(fn, ctx):
    hints = {OverflowError: MATH_HINT}
    for case in sigmoid_cases(ctx.rng):
        got = ctx.call(fn, *case.args, case=case, error_hints=hints)
        ctx.compare(got, activations.sigmoid(*case.args), case,
                    SIGMOID_VALUE_MISTAKES + SIGMOID_STABILITY_MISTAKES)
        ctx.refuse_warnings(case, OVERFLOW)


# --- exercise 3: neuron --------------------------------------------------------------------------

def neuron_cases(rng):
    X32 = rng.standard_normal((4, 3)).astype(np.float32)
    return [
        # first: z = (-1.5, -0.5, 1.5) tells the sigmoid from the step, ReLU and tanh, and
        # w != 1 tells σ(X)·w from Σ σ(x_i·w_i)
        Case("3 samples, 2 inputs, w = [1, 2], b = -1.5",
             (np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 2.0]), -1.5)),
        Case("the worked example: x = (0.5, -0.5), w = (-0.3, 0.1), b = -0.2",
             (np.array([[0.5, -0.5]]), np.array([-0.3, 0.1]), -0.2)),
        Case("5 random samples, 4 inputs",
             (rng.standard_normal((5, 4)), rng.standard_normal(4), float(rng.normal()))),
        Case("6 random samples, 64 inputs, large weights",
             (rng.random((6, 64)), 3 * rng.standard_normal(64), 2.0)),
        Case("float32 X and w: 4 samples, 3 inputs",
             (X32, rng.standard_normal(3).astype(np.float32), 0.5), rtol=1e-5, atol=1e-6),
    ]


NEURON_MISTAKES = [
    Mistake("bias forgotten",
            "the bias is missing: a = σ(X·w + b), so add `b` to the weighted sum before the "
            "sigmoid.",
            lambda X, w, b: activations.sigmoid(X @ w)),
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
    Mistake("one sigmoid per input",
            "you applied the sigmoid to each x_i·w_i + b and then averaged (or added) them: "
            "a neuron adds its weighted inputs first, then applies one sigmoid to the sum: "
            "a = σ(X·w + b).",
            lambda X, w, b: activations.sigmoid(X * w + b).mean(axis=1)),
    Mistake("one sigmoid per input",
            "you applied the sigmoid to each x_i·w_i + b and then averaged (or added) them: "
            "a neuron adds its weighted inputs first, then applies one sigmoid to the sum: "
            "a = σ(X·w + b).",
            lambda X, w, b: activations.sigmoid(X * w + b).sum(axis=1)),
    Mistake("sigmoid of the inputs",
            "the sigmoid was applied to the inputs X: it acts on the neuron's net value, "
            "a = σ(X·w + b).",
            lambda X, w, b: activations.sigmoid(X) @ w + b),
    Mistake("step instead of sigmoid",
            "that is the perceptron's step (0 or 1): this neuron uses the sigmoid, "
            "a = σ(X·w + b).",
            lambda X, w, b: activations.step(X @ w + b)),
    Mistake("ReLU instead of sigmoid",
            "that is the ReLU, max(0, z): this neuron uses the sigmoid, a = σ(X·w + b), "
            "which stays between 0 and 1.",
            lambda X, w, b: activations.relu(X @ w + b)),
    Mistake("tanh instead of sigmoid",
            "that is tanh(z), between -1 and 1: this neuron uses the sigmoid, "
            "σ(z) = 1 / (1 + exp(-z)), between 0 and 1.",
            lambda X, w, b: np.tanh(X @ w + b)),
    Mistake("sign of the exponent flipped",
            "your values are 1 - σ(z): the exponent's sign is flipped. σ(z) = 1 / (1 + "
            "exp(-z)) grows with z.",
            lambda X, w, b: activations.sigmoid(-(X @ w + b))),
    Mistake("bias subtracted",
            "the bias was subtracted: a = σ(X·w + b) adds it.",
            lambda X, w, b: activations.sigmoid(X @ w - b)),
    Mistake("column (N, 1) returned",
            "the result is a column, shape (N, 1): with w of shape (D,), X @ w is already "
            "(N,). Do not reshape w into a column.",
            lambda X, w, b: neuron_reference(X, w, b)[:, None]),
    Mistake("averaged over the batch",
            "you returned one number, the mean over the samples: the neuron gives one value per "
            "sample, a of shape (N,), with no mean.",
            lambda X, w, b: float(np.mean(neuron_reference(X, w, b)))),
    Mistake("products not summed",
            "X * w multiplies each input by its weight but never adds them up, shape (N, D): "
            "the weighted sum is X @ w (one number per sample), then the sigmoid.",
            lambda X, w, b: activations.sigmoid(X * w + b)),
]


@exercise(id="nb02_neuron", name="neuron", notebook=NOTEBOOK, points=1,
          verifies="a = σ(X·w + b): shape (N,), values, dtype kept",
          reference=neuron_reference, arg_names=("X", "w", "b"), mistakes=NEURON_MISTAKES,
          tripwires=("nnlib.network.Network.forward", "nnlib.layers.Dense.forward",
                     "nnlib.plain.dense_forward"))
def judge_neuron(fn, ctx):
    for case in neuron_cases(ctx.rng):
        got = ctx.call(fn, *case.args, case=case)   # math.exp on an array: named (below)
        ctx.compare(got, neuron_reference(*case.args), case, NEURON_MISTAKES)


for _id in ("nb02_sigmoid", "nb02_neuron"):
    name_errors(_id, ELEMENTWISE_ERRORS)
