"""Checks for notebook 05, backpropagation.

The two derivative checks compare with nnlib's activations; the two backward checks compare
*each* gradient array separately with nnlib's Dense / Network backward and say which arrays are
right and which are wrong ("dW is off; dX and db are right"), with expected against got for the
first wrong one and the known mistake that produces it.
"""

import itertools

import numpy as np

from nnlib import activations, losses
from nnlib.layers import Activation, Dense
from nnlib.network import Network
from nncourse.checks.judging import Stop, agree, matches
from nncourse.checks.registry import Case, Mistake, exercise

NOTEBOOK = "05_backpropagation"

sigmoid, sigmoid_derivative = activations.sigmoid, activations.sigmoid_derivative


def _call(ctx, fn, case, shape_hint=None):
    """``ctx.call`` that adds ``shape_hint`` to a learner's matmul/broadcast shape error."""
    try:
        return ctx.call(fn, *case.args, case=case)
    except Stop as stop:
        shape_error = any(s in stop.message for s in
                          ("mismatch in its core dimension", "not aligned",
                           "could not be broadcast"))
        if shape_hint and stop.status == "error" and shape_error:
            ctx.fail(f"{stop.message}\n  likely mistake: {shape_hint}", "error")
        raise


# --- exercise 1: sigmoid_derivative ---------------------------------------------------------

SIGMOID_NAN_HINT = (
    "exp(−Z) / (1 + exp(−Z))² is right on paper, but for Z = −1000 it computes inf / inf = NaN. "
    "Build the derivative from the sigmoid's output instead (your sigmoid of notebook 02, or "
    "nnlib's activations.sigmoid, never overflows).")

SIGMOID_DTYPE_HINT = ("the values are right but not their dtype: float32 in, float32 out. "
                      "Something made the result float64 (a constant array, np.float64, "
                      "an .astype); keep Z's dtype, or convert at the end with .astype(Z.dtype).")

SIGMOID_DERIVATIVE_MISTAKES = [
    Mistake("float64 for a float32 Z", SIGMOID_DTYPE_HINT,
            lambda Z: sigmoid_derivative(Z).astype(np.float64)),
    Mistake("Z·(1 − Z): the formula applied to the pre-activation",
            "you computed Z * (1 - Z): the formula σ'(Z) = σ(Z)(1 − σ(Z)) needs the sigmoid's "
            "output σ(Z), not Z itself (the classic bug: x(1 − x) is the derivative only when "
            "x is already σ(Z)).",
            lambda Z: Z * (1 - Z)),
    Mistake("(1 − σ) factor forgotten",
            "these are σ(Z) themselves: the derivative is σ(Z) times (1 − σ(Z)). It is at most "
            "0.25, at Z = 0.",
            lambda Z: sigmoid(Z)),
    Mistake("σ factor forgotten (quotient rule without the square)",
            "these are 1 − σ(Z) = exp(−Z) / (1 + exp(−Z)): the quotient rule gives "
            "exp(−Z) / (1 + exp(−Z))², with the denominator squared, which is σ(Z)(1 − σ(Z)).",
            lambda Z: 1 - sigmoid(Z)),
    Mistake("exp ratio overflows to NaN", SIGMOID_NAN_HINT,
            lambda Z: np.exp(-Z) / (1 + np.exp(-Z)) ** 2),
    Mistake("σ(Z)·(1 − Z): one factor fed the pre-activation",
            "one factor is right, σ(Z), but the other is 1 − Z: both factors are about the "
            "sigmoid's output S = σ(Z), the derivative is S·(1 − S).",
            lambda Z: sigmoid(Z) * (1 - Z)),
    Mistake("σ(Z)²  instead of σ(Z)(1 − σ(Z))",
            "these are σ(Z)²: the second factor is 1 − σ(Z), not σ(Z) again (the slope is "
            "largest, 0.25, at Z = 0, and falls to 0 on both sides).",
            lambda Z: sigmoid(Z) ** 2),
    Mistake("sign flipped: σ(Z)(σ(Z) − 1)",
            "right size, wrong sign: the sigmoid only ever rises, so its slope is never "
            "negative. Look at the order of the subtraction in the second factor.",
            lambda Z: sigmoid(Z) * (sigmoid(Z) - 1)),
    Mistake("1 − σ² instead of σ(1 − σ)",
            "you computed 1 − σ(Z)²: that is tanh's rule, 1 − tanh², written with σ. The "
            "sigmoid's slope is σ(Z)·(1 − σ(Z)).",
            lambda Z: 1 - sigmoid(Z) ** 2),
    Mistake("plus instead of minus: σ(1 + σ)",
            "you computed σ(Z)·(1 + σ(Z)): the second factor is 1 − σ(Z).",
            lambda Z: sigmoid(Z) * (1 + sigmoid(Z))),
    Mistake("sigmoid applied twice",
            "you applied the sigmoid to σ(Z) again, σ(S)·(1 − σ(S)) with S = σ(Z): the "
            "formula takes S = σ(Z) itself, σ′(Z) = S·(1 − S).",
            lambda Z: sigmoid(sigmoid(Z)) * (1 - sigmoid(sigmoid(Z)))),
    Mistake("tanh's derivative",
            "these are 1 − tanh(Z)², the derivative of tanh, not of the sigmoid: the "
            "sigmoid's slope is σ(Z)(1 − σ(Z)), at most 0.25 (tanh's reaches 1).",
            lambda Z: 1 - np.tanh(Z) ** 2),
]


def sigmoid_derivative_cases(rng):
    return [
        Case("Z = [[-2, -1, 0, 1, 2]]", (np.array([[-2.0, -1.0, 0.0, 1.0, 2.0]]),)),
        Case("Z = [[0, -0.4], [0.42, -0.079]] (the 2-2-2 network's pre-activations)",
             (np.array([[0.0, -0.4], [0.4203937, -0.0789501]]),)),
        Case("random Z of shape (5, 3)", (rng.normal(0, 3, (5, 3)),)),
        Case("float32 Z of shape (3, 4) (float32 in, float32 out)",
             (rng.normal(0, 3, (3, 4)).astype(np.float32),), rtol=1e-5, atol=1e-7),
        Case("large |Z|: Z = [[-1000, -40, 40, 1000]] (the derivative is 0 there, not NaN)",
             (np.array([[-1000.0, -40.0, 40.0, 1000.0]]),)),
    ]


@exercise(id="nb05_sigmoid_derivative", name="sigmoid_derivative", notebook=NOTEBOOK, points=1,
          verifies="σ(Z)(1 − σ(Z)) from the pre-activation Z, shape and dtype kept, no NaN",
          reference=sigmoid_derivative, mistakes=SIGMOID_DERIVATIVE_MISTAKES, arg_names=("Z",))
def judge_sigmoid_derivative(fn, ctx):
    for case in sigmoid_derivative_cases(ctx.rng):
        expected = sigmoid_derivative(*case.args)
        got = _call(ctx, fn, case)
        try:
            ctx.compare(got, expected, case, SIGMOID_DERIVATIVE_MISTAKES)
        except Stop as stop:
            if isinstance(got, np.ndarray) and got.dtype.kind == "f" \
                    and got.shape == expected.shape and np.isnan(got).any():
                nan = next(m for m in SIGMOID_DERIVATIVE_MISTAKES if m.hint == SIGMOID_NAN_HINT)
                if stop.mistake is None:
                    ctx.fail(f"{stop.message}\n  likely mistake: {SIGMOID_NAN_HINT}", mistake=nan)
            raise


# --- exercise 2: relu_derivative -------------------------------------------------------------

RELU_DTYPE_HINT = ("the 0s and 1s are right but their dtype is not: return floats of Z's own "
                   "dtype, e.g. (Z > 0).astype(Z.dtype) — not booleans, not integers, and "
                   "float32 for a float32 Z.")

RELU_MISTAKES = [
    Mistake("ReLU itself instead of its slope",
            "these are ReLU's values max(0, Z), not its slope. The slope of ReLU is 1 where "
            "Z > 0 (the line Z has slope 1) and 0 where Z < 0 (the flat 0 has slope 0).",
            lambda Z: np.maximum(Z, 0)),
    Mistake("booleans (or integers) instead of floats", RELU_DTYPE_HINT, lambda Z: Z > 0),
    Mistake("float64 for a float32 Z",
            "the 0s and 1s are right but float64 for a float32 Z: keep Z's own dtype "
            "(float32 in, float32 out); a conversion to a fixed dtype loses it.",
            lambda Z: (Z > 0).astype(np.float64)),
    Mistake("Z returned unchanged",
            "you returned Z itself: that is the slope of the identity everywhere, not ReLU's. "
            "ReLU's slope is a step: 1 where Z > 0, 0 where Z < 0.",
            lambda Z: Z.copy()),
    Mistake("slope of the wrong side (Z < 0)",
            "you returned 1 where Z < 0 and 0 where Z > 0: the flat side of ReLU is the "
            "negative one, so the slope is 1 for positive Z.",
            lambda Z: (Z < 0).astype(Z.dtype)),
    Mistake("sign of Z (−1 for negatives)",
            "you returned −1 where Z < 0 (np.sign): ReLU is flat, 0, on the negative side, so "
            "its slope there is 0, not −1.",
            lambda Z: np.sign(Z)),
    Mistake("Z clipped to [0, 1]",
            "np.clip(Z, 0, 1) is a clipped ReLU itself (Z between 0 and 1), not its slope: the "
            "slope is 1 wherever Z > 0 and 0 elsewhere, (Z > 0).astype(Z.dtype).",
            lambda Z: np.clip(Z, 0, 1)),
    Mistake("leaky ReLU slope",
            "you returned a small slope (like 0.01) for Z < 0: that is leaky ReLU. Plain "
            "ReLU is exactly 0 for Z < 0, so its slope there is 0.",
            lambda Z: np.where(Z > 0, 1.0, 0.01).astype(Z.dtype)),
    Mistake("0.5 at Z == 0",
            "at exactly Z = 0 you returned 0.5 (np.heaviside(Z, 0.5)). ReLU has no slope at 0; "
            "nnlib takes it to be 0 and this check also accepts 1, so use np.heaviside(Z, 0) or "
            "(Z > 0).",
            lambda Z: np.heaviside(Z, 0.5)),
]


def _by_dtype(mistakes, got):
    """``mistakes`` with the float-dtype mistake first for a float ``got`` (the known mistakes
    are matched on values alone, so a bool and a float64 array of 0s and 1s look alike)."""
    floaty = isinstance(got, np.ndarray) and got.dtype.kind == "f"
    return sorted(mistakes, key=lambda m: not (floaty and m.name == "float64 for a float32 Z"))


def relu_derivative_cases(rng):
    return [
        Case("Z = [[-2, -0.5, 0, 0.5, 3]] (at Z = 0 either 0 or 1 is accepted)",
             (np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]]),)),
        Case("random Z of shape (4, 3)", (rng.normal(0, 2, (4, 3)),)),
        Case("tiny Z = [[-1e-12, 1e-12], [-7, 7]]", (np.array([[-1e-12, 1e-12], [-7.0, 7.0]]),)),
        Case("float32 Z of shape (3, 5) (float32 in, float32 out)",
             (rng.normal(0, 2, (3, 5)).astype(np.float32),)),
        Case("random Z of shape (6, 8) with some exact zeros",
             (np.where(rng.random((6, 8)) < 0.2, 0.0, rng.normal(0, 2, (6, 8))),)),
    ]


@exercise(id="nb05_relu_derivative", name="relu_derivative", notebook=NOTEBOOK, points=1,
          verifies="1 where Z > 0, 0 where Z < 0 (0 or 1 at Z = 0), floats of Z's dtype",
          reference=activations.relu_derivative, mistakes=RELU_MISTAKES, arg_names=("Z",),
          tripwires=("nnlib.activations.leaky_relu_derivative",))
def judge_relu_derivative(fn, ctx):
    for case in relu_derivative_cases(ctx.rng):
        (Z,) = case.args
        expected = activations.relu_derivative(Z)
        got = _call(ctx, fn, case)
        if isinstance(got, np.ndarray) and got.shape == Z.shape:
            either = (Z == 0) & ((got == 0) | (got == 1))  # the slope at 0 is a convention
            expected = np.where(either, got, expected).astype(expected.dtype)
        ctx.compare(got, expected, case, _by_dtype(RELU_MISTAKES, got), rtol=0, atol=0)


# --- exercise 3: dense_backward ---------------------------------------------------------------

DENSE_NAMES = ("dX", "dW", "db")

SHAPE_HINT = ("a shape error in a backward pass almost always means a missing (or extra) "
              "transpose. Write the shapes down: dout (N, M), X (N, D), W (D, M). dW must have "
              "W's shape (D, M): Xᵀ·dout is (D, N)·(N, M). dX must have X's shape (N, D): "
              "dout·Wᵀ is (N, M)·(M, D).")

ORDER_HINT = ("the three arrays are right but in the wrong order: return them as "
              "(dX, dW, db), the order nnlib and CS231n use.")


def dense_reference(dout, X, W):
    """(dX, dW, db) from nnlib's Dense layer: forward X, then backward dout."""
    layer = Dense.from_arrays(W, np.zeros(W.shape[1], dtype=W.dtype))
    layer.forward(X)
    dX = layer.backward(dout)
    return dX, layer.W.grad, layer.b.grad


DENSE_MISTAKES = [
    Mistake("dX = dout·W (no transpose; W is square)",
            "dX = dout·W uses W the wrong way round: dX = dout·Wᵀ (dout @ W.T). With a square "
            "W the shapes fit either way, so only the values can tell: dX[n, d] = Σ_m "
            "dout[n, m]·W[d, m] sums over W's second index.",
            lambda dout, X, W: (dout @ W, X.T @ dout, dout.sum(axis=0))),
    Mistake("dW transposed (doutᵀ·X)",
            "your dW is transposed: doutᵀ·X has shape (M, D). dW must have W's shape (D, M): "
            "dW = Xᵀ·dout (X.T @ dout).",
            lambda dout, X, W: (dout @ W.T, dout.T @ X, dout.sum(axis=0))),
    Mistake("db summed over the units (axis=1)",
            "db was summed over the wrong axis: dout.sum(axis=1) adds each sample's units, "
            "giving one number per sample (N,). Sum over the samples, dout.sum(axis=0), one "
            "number per unit: shape (M,) like b.",
            lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(axis=1))),
    Mistake("db not summed",
            "db is dout itself, shape (N, M): each sample contributed to the same bias, so add "
            "the contributions up over the samples: db = dout.sum(axis=0), shape (M,).",
            lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.copy())),
    Mistake("db averaged instead of summed",
            "db is N times too small: you averaged dout over the samples. The cost's 1/N is "
            "already inside dout, so db adds the samples' contributions up without dividing "
            "again.",
            lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.mean(axis=0))),
    Mistake("dW divided by N",
            "dW is N times too small: you divided Xᵀ·dout by N. dout = ∂cost/∂Z already holds "
            "the cost's 1/N (some courses put the 1/m here instead; nnlib puts it in the "
            "cost's gradient), so dW = Xᵀ·dout with nothing else.",
            lambda dout, X, W: (dout @ W.T, X.T @ dout / len(X), dout.sum(axis=0))),
    Mistake("(dW, db, dX) order", ORDER_HINT,
            lambda dout, X, W: (X.T @ dout, dout.sum(axis=0), dout @ W.T)),
    Mistake("db with keepdims (shape (1, M))",
            "db has the right numbers but shape (1, M): keepdims=True kept the summed axis. "
            "b has shape (M,), and its gradient must have b's shape.",
            lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(axis=0, keepdims=True))),
    Mistake("dX from dW instead of W",
            "dX was computed from the weight gradient, dout·dWᵀ: it uses the weights "
            "themselves, dX = dout·Wᵀ (dout @ W.T).",
            lambda dout, X, W: (dout @ (X.T @ dout).T, X.T @ dout, dout.sum(axis=0))),
    Mistake("dX = X·W (the forward pass)",
            "your dX is X·W, the layer's forward output: the gradient flowing back to the "
            "input comes from dout, carried back along W (transposed), not from X.",
            lambda dout, X, W: (X @ W, X.T @ dout, dout.sum(axis=0))),
    Mistake("dX transposed (W·doutᵀ)",
            "your dX is W·doutᵀ, shape (D, N), the transpose: dX has X's shape (N, D), "
            "dX = dout·Wᵀ (dout @ W.T).",
            lambda dout, X, W: (W @ dout.T, X.T @ dout, dout.sum(axis=0))),
    Mistake("db summed over everything",
            "db = np.sum(dout) adds every entry into one number: db has one entry per neuron, "
            "shape (M,), the sum over the samples only, dout.sum(axis=0).",
            lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum())),
]


def dense_cases(rng):
    def arrays(N, D, M, dtype=np.float64):
        shapes = ((N, M), (N, D), (D, M))                 # dout, X, W
        return tuple(rng.standard_normal(shape).astype(dtype) for shape in shapes)
    return [
        Case("a square W: N = 3 samples, D = 2 inputs, M = 2 units",
             (np.array([[1.0, 0.0], [-1.0, 2.0], [0.5, -0.5]]),      # dout (3, 2)
              np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]]),       # X (3, 2)
              np.array([[1.0, -2.0], [0.5, 1.0]]))),                 # W (2, 2)
        Case("the worked example of section 3: N = 2, D = 3, M = 2",
             (np.array([[1.0, 0.0], [0.5, -1.0]]),
              np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]]),
              np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]]))),
        Case("random, every axis a different size: N = 4, D = 3, M = 5", arrays(4, 3, 5)),
        Case("one sample: N = 1, D = 4, M = 3", arrays(1, 4, 3)),
        Case("float32 arrays: N = 5, D = 2, M = 3 (float32 in, float32 out)",
             arrays(5, 2, 3, np.float32), rtol=1e-5, atol=1e-6),
        Case("random: N = 8, D = 6, M = 3", arrays(8, 6, 3)),
    ]


def _dense_tuple(out):
    if isinstance(out, (tuple, list)) and len(out) == 3:
        return dict(zip(DENSE_NAMES, out))
    return None


@exercise(id="nb05_dense_backward", name="dense_backward", notebook=NOTEBOOK, points=2,
          verifies="dX = dout·Wᵀ, dW = Xᵀ·dout, db = Σ_n dout: each checked for shape, dtype, "
                   "values",
          reference=dense_reference, mistakes=DENSE_MISTAKES, arg_names=("dout", "X", "W"))
def judge_dense_backward(fn, ctx):
    for case in dense_cases(ctx.rng):
        expected = dict(zip(DENSE_NAMES, dense_reference(*case.args)))
        out = _call(ctx, fn, case, SHAPE_HINT)
        got = _dense_tuple(out)
        if got is None:
            if out is None:
                what = "None: did you forget the `return` statement?"
            elif isinstance(out, (tuple, list)):
                what = f"a {type(out).__name__} of {len(out)} items"
            else:
                what = f"a {type(out).__name__}"
            ctx.fail_case(case, f"your function returned {what}",
                          "Return the three gradients as one tuple: return dX, dW, db")
        permuted = [got[k] for k in DENSE_NAMES]
        if not all(agree(got[k], expected[k], 1e-5, 1e-6) for k in DENSE_NAMES):
            for order in itertools.permutations(DENSE_NAMES):
                if order != DENSE_NAMES and all(
                        isinstance(g, np.ndarray) and g.shape == expected[k].shape
                        and agree(g, expected[k], 1e-5, 1e-6) for g, k in zip(permuted, order)):
                    ctx.fail_case(case, f"you returned ({', '.join(order)}).",
                                  mistake=next(m for m in DENSE_MISTAKES if m.hint == ORDER_HINT))
        ctx.compare_named(got, expected, case, DENSE_NAMES, DENSE_MISTAKES, rtol=1e-6, atol=1e-8,
                          extract=_dense_tuple)


# --- exercise 4: two_layer_backward ------------------------------------------------------------

GRAD_NAMES = ("dW1", "db1", "dW2", "db2")


def two_layer_reference(X, y, W1, b1, W2, b2):
    """The MSE gradients of a sigmoid-sigmoid 2-layer network, from nnlib's Network."""
    net = Network([Dense.from_arrays(W1, b1), Activation("sigmoid"),
                   Dense.from_arrays(W2, b2), Activation("sigmoid")])
    y_hat = net.forward(X)
    net.backward(losses.mse_grad(y, y_hat))
    first, second = net.dense_layers
    return {"dW1": first.W.grad, "db1": first.b.grad, "dW2": second.W.grad, "db2": second.b.grad}


def _two_layer(X, y, W1, b1, W2, b2, dcost=None, out_deriv="Z", hidden_deriv="Z",
               transpose_dW=False, transpose_dA1=False, db=lambda dZ: dZ.sum(axis=0),
               dW_scale=1.0, inputs="X A1"):
    """Wrong (or right, with the defaults) hand-written backward passes, to name mistakes."""
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    A2 = sigmoid(Z2)
    dA2 = losses.mse_grad(y, A2) if dcost is None else dcost(y, A2)

    def deriv(kind, Z, A):
        return {"Z": sigmoid_derivative(Z), "none": 1.0, "A": sigmoid_derivative(A),
                "Z(1-Z)": Z * (1 - Z), "relu": (Z > 0).astype(Z.dtype)}[kind]

    dZ2 = dA2 * deriv(out_deriv, Z2, A2)
    In1, In2 = ({"X": X, "A1": A1, "A2": A2}[k] for k in inputs.split())  # each dW's input
    dW2 = (dZ2.T @ In2 if transpose_dW else In2.T @ dZ2) * dW_scale
    dA1 = dZ2 @ W2 if transpose_dA1 else dZ2 @ W2.T
    dZ1 = dA1 * deriv(hidden_deriv, Z1, A1)
    dW1 = (dZ1.T @ In1 if transpose_dW else In1.T @ dZ1) * dW_scale
    return {"dW1": dW1, "db1": db(dZ1), "dW2": dW2, "db2": db(dZ2)}


def _two_layer_hidden_at(X, y, W1, b1, W2, b2):
    """The backward pass with the hidden layer's σ′ taken at Z2 (needs H == K)."""
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    Z2 = A1 @ W2 + b2
    dZ2 = losses.mse_grad(y, sigmoid(Z2)) * sigmoid_derivative(Z2)
    dZ1 = (dZ2 @ W2.T) * sigmoid_derivative(Z2)
    return {"dW1": X.T @ dZ1, "db1": dZ1.sum(axis=0), "dW2": A1.T @ dZ2, "db2": dZ2.sum(axis=0)}


SSR_HINT = ("every gradient is N·K times too big: you started from 2(ŷ − y), the gradient of "
            "the sum of squared residuals. nnlib's MSE is the mean over all N·K entries, so "
            "∂MSE/∂ŷ = 2(ŷ − y) / (N·K) (losses.mse_grad).")
PER_SAMPLE_HINT = ("every gradient is K times too big: you divided by N only. nnlib's MSE "
                   "averages over all N·K entries (every sample's every output), so "
                   "∂MSE/∂ŷ = 2(ŷ − y) / (N·K), with N·K = y.size.")
NO_TWO_HINT = ("every gradient is half what it should be: the 2 of the square is missing. "
               "∂MSE/∂ŷ = 2(ŷ − y) / (N·K).")
EXTRA_N_HINT = ("every gradient is N times too small: you divided dW and db by N (or took the "
                "mean of dZ for db). The 1/(N·K) is already in ∂MSE/∂ŷ; after that, "
                "dW = Aᵀ·dZ and db = Σ_n dZ with nothing else.")


def _factor_line(got, expected, wrong):
    """'all four gradients are off by the same factor c' when that is so."""
    if len(wrong) != len(GRAD_NAMES):
        return []
    ratios = []
    for k in GRAD_NAMES:
        g, e = got[k], expected[k]
        if not isinstance(g, np.ndarray) or g.shape != e.shape or not np.any(e):
            return []
        e64, g64 = e.astype(np.float64), g.astype(np.float64)
        c = float((g64 * e64).sum() / (e64 * e64).sum())
        if not np.allclose(g64, c * e64, rtol=1e-4, atol=1e-9):
            return []
        ratios.append(c)
    if not np.allclose(ratios, ratios[0], rtol=1e-4):
        return []
    return [f"all four gradients are off by the same factor: yours = {ratios[0]:.4g} × nnlib's. "
            "A factor shared by every gradient comes from the very first step, ∂cost/∂ŷ "
            "(or from a scale applied to every dW and db)."]


TUPLE_NOT_DICT = Mistake(
    "the gradients as a tuple, not a dict",
    "your four gradients are right, but returned as a tuple: the statement asks for a dict "
    "keyed by name, return {'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2}.", None)

def _layers_swapped(grads):
    return {"dW1": grads["dW2"], "db1": grads["db2"], "dW2": grads["dW1"], "db2": grads["db1"]}


TWO_LAYER_MISTAKES = [
    Mistake("the two layers' gradients swapped",
            "your gradients are right but under each other's names: layer 2's dW2 and db2 "
            "went under 'dW1' and 'db1', and layer 1's under 'dW2' and 'db2'. Layer 1 is the "
            "hidden layer, the one whose weights W1 multiply X.",
            lambda *a: _layers_swapped(two_layer_reference(*a))),
    Mistake("SSR gradient instead of the MSE's", SSR_HINT,
            lambda *a: _two_layer(*a, dcost=lambda y, A2: 2 * (A2 - y))),
    Mistake("divided by N instead of N·K", PER_SAMPLE_HINT,
            lambda *a: _two_layer(*a, dcost=lambda y, A2: 2 * (A2 - y) / len(y))),
    Mistake("the 2 of the square forgotten", NO_TWO_HINT,
            lambda *a: _two_layer(*a, dcost=lambda y, A2: (A2 - y) / y.size)),
    Mistake("extra 1/N on dW and db", EXTRA_N_HINT,
            lambda X, *a: _two_layer(X, *a, dW_scale=1 / len(X),
                                     db=lambda dZ: dZ.mean(axis=0))),
    Mistake("σ' of the output layer forgotten",
            "dZ2 is missing the output sigmoid's derivative: dZ2 = dA2 ⊙ σ'(Z2) = "
            "dA2 * activations.sigmoid_derivative(Z2). Every gradient below passes through it, "
            "so all four are off.",
            lambda *a: _two_layer(*a, out_deriv="none")),
    Mistake("σ' of the hidden layer forgotten",
            "dZ1 is missing the hidden sigmoid's derivative: after dA1 = dZ2·W2ᵀ comes "
            "dZ1 = dA1 ⊙ σ'(Z1) = dA1 * activations.sigmoid_derivative(Z1).",
            lambda *a: _two_layer(*a, hidden_deriv="none")),
    Mistake("sigmoid_derivative fed the activation A",
            "you called sigmoid_derivative on the activation A (σ'(σ(Z))). nnlib's derivatives "
            "take the pre-activation Z: use activations.sigmoid_derivative(Z2) and "
            "activations.sigmoid_derivative(Z1) (or, equivalently, A2 * (1 - A2) and "
            "A1 * (1 - A1)).",
            lambda *a: _two_layer(*a, out_deriv="A", hidden_deriv="A")),
    Mistake("sigmoid_derivative fed A1 in the hidden layer",
            "the hidden layer's slope was taken at its activation A1 (σ'(σ(Z1))): nnlib's "
            "sigmoid_derivative takes the pre-activation, dZ1 = dA1 * "
            "activations.sigmoid_derivative(Z1) (or dA1 * A1 * (1 - A1)).",
            lambda *a: _two_layer(*a, hidden_deriv="A")),
    Mistake("sigmoid_derivative fed A2 in the output layer",
            "the output layer's slope was taken at its activation A2 (σ'(σ(Z2))): nnlib's "
            "sigmoid_derivative takes the pre-activation, dZ2 = dA2 * "
            "activations.sigmoid_derivative(Z2) (or dA2 * A2 * (1 - A2)).",
            lambda *a: _two_layer(*a, out_deriv="A")),
    Mistake("Z·(1 − Z) instead of A·(1 − A)",
            "you wrote Z * (1 - Z): the shortcut x(1 − x) holds for the activation A = σ(Z), "
            "so use A * (1 - A), or activations.sigmoid_derivative(Z).",
            lambda *a: _two_layer(*a, out_deriv="Z(1-Z)", hidden_deriv="Z(1-Z)")),
    Mistake("hidden slope from Z2 instead of Z1",
            "the hidden layer's σ′ was taken at the output layer's Z2: each layer uses its own "
            "pre-activation, dZ1 = dA1 · σ′(Z1).",
            lambda X, y, W1, b1, W2, b2: _two_layer_hidden_at(X, y, W1, b1, W2, b2)),
    Mistake("dW transposed",
            "your dW1 and dW2 are transposed (dZᵀ·A instead of Aᵀ·dZ): each dW must have its W's "
            "shape, dW2 = A1ᵀ·dZ2 (H, K) and dW1 = Xᵀ·dZ1 (D, H).",
            lambda *a: _two_layer(*a, transpose_dW=True)),
    Mistake("dA1 = dZ2·W2 (no transpose)",
            "the gradient reaching the hidden layer is dA1 = dZ2·W2ᵀ (dZ2 @ W2.T): it goes back "
            "along the same weights, so W2 is used transposed. With a square W2 the shapes fit "
            "either way, so only the values tell.",
            lambda *a: _two_layer(*a, transpose_dA1=True)),
    Mistake("db summed over the wrong axis",
            "db1 and db2 were summed over the units (axis=1), giving one number per sample. "
            "Sum over the samples: db = dZ.sum(axis=0), shape like b.",
            lambda *a: _two_layer(*a, db=lambda dZ: dZ.sum(axis=1))),
    Mistake("db not summed",
            "db1 and db2 are dZ itself, one row per sample: sum over the samples, "
            "db = dZ.sum(axis=0), shape like b.",
            lambda *a: _two_layer(*a, db=lambda dZ: dZ)),
    Mistake("residual sign flipped (y − ŷ)",
            "every gradient has the right size and the wrong sign: the cost's gradient is "
            "∂MSE/∂ŷ = 2(ŷ − y)/(N·K), prediction minus target (y − ŷ points downhill).",
            lambda *a: _two_layer(*a, dcost=lambda y, A2: 2 * (y - A2) / y.size)),
    *[Mistake(f"dW{layer} from {used}, not {right}",
              f"a layer's dW is its own input, transposed, times its dZ: dW{layer} = "
              f"{right}ᵀ·dZ{layer}, not {used}ᵀ·dZ{layer} (with square weights the shapes fit "
              "either way, so only the values tell).",
              lambda *a, inputs=inputs: _two_layer(*a, inputs=inputs))
      for layer, used, right, inputs in ((1, "A1", "X", "A1 A1"), (2, "X", "A1", "X X"),
                                         (2, "A2", "A1", "X A2"))],
    Mistake("ReLU derivative in the hidden layer",
            "dZ1 used ReLU's slope (1 where Z1 > 0): this network's hidden layer is a sigmoid, "
            "so dZ1 = dA1 ⊙ σ'(Z1).",
            lambda *a: _two_layer(*a, hidden_deriv="relu")),
]

KEYS_OF_PARAMETERS = Mistake(
    "keys named after the parameters",
    "the dict's keys name the gradients, with a d in front: 'dW1', 'db1', 'dW2', 'db2' (dW1 is "
    "∂cost/∂W1), not the parameters' own names 'W1', 'b1', ...", None)
OTHER_KEYS = Mistake(
    "other keys than dW1, db1, dW2, db2",
    "the check (and the notebook's later cells) read the gradients by the keys the statement "
    "gives: exactly 'dW1', 'db1', 'dW2', 'db2', spelled and capitalised that way.", None)

TWO_LAYER_SHAPE_HINT = ("a shape error means a transpose is missing or extra. Shapes: X (N, D), "
                        "W1 (D, H), A1 (N, H), W2 (H, K), y (N, K). dW2 = A1ᵀ·dZ2 is (H, K), "
                        "dA1 = dZ2·W2ᵀ is (N, H), dW1 = Xᵀ·dZ1 is (D, H).")


def two_layer_cases(rng):
    from nnlib import examples as ex

    def random_case(N, D, H, K, dtype=np.float64):
        arrays = (rng.standard_normal((N, D)), rng.random((N, K)),
                  rng.normal(0, 0.8, (D, H)), rng.normal(0, 0.3, H),
                  rng.normal(0, 0.8, (H, K)), rng.normal(0, 0.3, K))
        return tuple(a.astype(dtype) for a in arrays)
    return [
        Case("the 2-2-2 network's weights on a batch of N = 3 inputs (K = 2 outputs)",
             (np.array([[0.5, -0.5], [1.0, 0.2], [-0.3, 0.8]]),
              np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
              ex.W1_222, ex.B1_222, ex.W2_222, ex.B2_222)),
        Case("the worked example of section 4: X_222, Y_222 and the 2-2-2 weights",
             (ex.X_222, ex.Y_222, ex.W1_222, ex.B1_222, ex.W2_222, ex.B2_222)),
        Case("random: N = 4, D = 3 inputs, H = 5 hidden, K = 2 outputs", random_case(4, 3, 5, 2)),
        Case("random: N = 6, D = 4, H = 3, K = 3", random_case(6, 4, 3, 3)),
        Case("float32 arrays: N = 5, D = 3, H = 4, K = 2 (float32 in, float32 out)",
             random_case(5, 3, 4, 2, np.float32), rtol=1e-4, atol=1e-6),
    ]


def _grad_dict(out):
    if isinstance(out, dict) and all(k in out for k in GRAD_NAMES):
        return out
    return None


@exercise(id="nb05_two_layer_backward", name="two_layer_backward", notebook=NOTEBOOK, points=3,
          verifies="dW1, db1, dW2, db2 of the MSE cost, each checked against nnlib's "
                   "Network.backward",
          reference=two_layer_reference, mistakes=TWO_LAYER_MISTAKES,
          arg_names=("X", "y", "W1", "b1", "W2", "b2"))
def judge_two_layer_backward(fn, ctx):
    for case in two_layer_cases(ctx.rng):
        expected = two_layer_reference(*case.args)
        out = _call(ctx, fn, case, TWO_LAYER_SHAPE_HINT)
        got = _grad_dict(out)
        if got is None:
            if out is None:
                ctx.fail_case(case, "your function returned None: did you forget the `return` "
                              "statement?")
            if not isinstance(out, dict):
                in_order = isinstance(out, (tuple, list)) and len(out) == 4 and matches(
                    list(out), [expected[k] for k in GRAD_NAMES], 1e-6, 1e-9)
                ctx.fail_case(case, f"your function returned a {type(out).__name__}; return a "
                              "dict {'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2}",
                              mistake=TUPLE_NOT_DICT if in_order else None)
            missing = [k for k in GRAD_NAMES if k not in out]
            named = KEYS_OF_PARAMETERS if sorted(map(str, out)) == sorted(
                k[1:] for k in GRAD_NAMES) else OTHER_KEYS if len(out) == len(GRAD_NAMES) \
                else None
            ctx.fail_case(case, f"the dict has no key{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(repr(k) for k in missing)} (it has "
                          f"{', '.join(repr(k) for k in out) or 'no keys'}); the keys are exactly "
                          "'dW1', 'db1', 'dW2', 'db2'", mistake=named)
        ctx.compare_named(got, expected, case, GRAD_NAMES, TWO_LAYER_MISTAKES, rtol=1e-6,
                          atol=1e-9, extract=_grad_dict, extra=_factor_line)
