"""Checks for notebook 03, forward propagation: a dense layer, softmax, a whole network."""

import functools

import numpy as np

from nnlib import activations, examples, plain
from nncourse.checks.drivers.nb03 import drive_watching_numpy
from nncourse.checks.judging import Said
from nncourse.checks.registry import Case, Mistake, exercise, function_exercise, name_errors
from nnlib.layers import Activation, Dense
from nnlib.network import Network

NOTEBOOK = "03_forward_propagation"


# --- helpers ---------------------------------------------------------------------------------

# --- exercise 1: dense_forward ---------------------------------------------------------------

def dense_forward_reference(X, W, b):
    """nnlib's Dense layer holding W (D, M) and b (M,), applied to X (N, D): Z (N, M)."""
    return Dense.from_arrays(W, b).forward(X)


def dense_cases(rng):
    return [
        Case("a batch of N=2 samples, D=2 inputs, M=2 neurons (small whole numbers)",
             (np.array([[1.0, 2.0], [3.0, 1.0]]),
              np.array([[0.5, -1.0], [2.0, 0.25]]),
              np.array([10.0, -20.0]))),
        Case("the 2-2-2 example's hidden layer: X (1, 2), W1 (2, 2), b1 (2,)",
             (examples.X_222.copy(), examples.W1_222.copy(), examples.B1_222.copy())),
        Case("N=3 samples, D=2 inputs, M=3 neurons",
             (rng.standard_normal((3, 2)), rng.standard_normal((2, 3)),
              rng.standard_normal(3))),
        Case("N=4 samples, D=3 inputs, M=2 neurons",
             (rng.standard_normal((4, 3)), rng.standard_normal((3, 2)),
              rng.standard_normal(2))),
        Case("one neuron: N=5 samples, D=4 inputs, M=1",
             (rng.standard_normal((5, 4)), rng.standard_normal((4, 1)),
              rng.standard_normal(1))),
        Case("a larger random layer: N=8, D=5, M=6",
             (rng.standard_normal((8, 5)), rng.standard_normal((5, 6)),
              rng.standard_normal(6))),
        Case("float32 arrays: N=3, D=4, M=2 (the result stays float32)",
             (rng.standard_normal((3, 4)).astype(np.float32),
              rng.standard_normal((4, 2)).astype(np.float32),
              rng.standard_normal(2).astype(np.float32)), rtol=1e-5, atol=1e-6),
    ]


function_exercise(
    id="nb03_dense_forward", name="dense_forward", notebook=NOTEBOOK, points=1,
    verifies="Z = X·W + b: order of the product, bias on every row, shapes, dtype kept",
    reference=dense_forward_reference, cases=dense_cases, arg_names=("X", "W", "b"),
    tripwires=("nnlib.plain.dense_forward", "nncourse.checks.nb03.forward_reference"),
    mistakes=[
        Mistake("W·X order",
                "you computed W @ X: with batch-first X (N, D) and W (D, M) the product is "
                "X @ W, shape (N, M). (W @ X only runs by accident when M == N.)",
                lambda X, W, b: W @ X + b),
        Mistake("W transposed",
                "you multiplied by W.T: W is already (D, M), one column per neuron, so "
                "X @ W is the product you need.",
                lambda X, W, b: X @ W.T + b),
        Mistake("column convention",
                "the result is (M, N), one column per sample: that is the column-vector "
                "convention (or a transposed result). The course is batch first: one row per "
                "sample, shape (N, M).",
                lambda X, W, b: W.T @ X.T + b[:, None]),
        Mistake("biases summed",
                "you added the sum of the biases to every entry: each neuron m has its own "
                "bias b[m], added to column m (X @ W + b broadcasts b across the rows).",
                lambda X, W, b: X @ W + b.sum()),
        Mistake("X transposed",
                "you multiplied X.T by W: with batch-first X (N, D) and W (D, M) the product is "
                "X @ W, no transpose. (X.T @ W only runs when N == D.)",
                lambda X, W, b: X.T @ W + b),
        Mistake("bias forgotten",
                "the bias is missing: add b to X @ W.",
                lambda X, W, b: X @ W),
        Mistake("bias on the wrong axis",
                "the bias went down the rows instead of across the columns: b[:, None] has "
                "shape (M, 1) and adds b[n] to sample n. Add b as it is, shape (M,): numpy "
                "then adds b[j] to column j (neuron j) of every row.",
                lambda X, W, b: X @ W + b[:, None]),
        Mistake("elementwise product",
                "`*` multiplies entry by entry (and numpy broadcast the shapes instead of "
                "failing); a layer needs the matrix product: X @ W (or np.dot(X, W)).",
                lambda X, W, b: X * W + b),
        Mistake("elementwise product summed",
                "you summed an entry-by-entry product into one number; each neuron needs "
                "its own weighted sum: the matrix product X @ W gives all N×M at once.",
                lambda X, W, b: np.sum(X * W) + b),
        Mistake("bias subtracted",
                "the bias was subtracted: a layer adds it, Z = X·W + b.",
                lambda X, W, b: X @ W - b),
        Mistake("activation applied",
                "these values went through an activation (the sigmoid): dense_forward returns "
                "the layer's net values Z = X·W + b; the activation is the next step.",
                lambda X, W, b: activations.sigmoid(X @ W + b)),
        Mistake("activation applied",
                "these values went through an activation (the ReLU: negative values became 0): "
                "dense_forward returns the layer's net values Z = X·W + b; the activation is "
                "the next step.",
                lambda X, W, b: activations.relu(X @ W + b)),
    ],
)


# --- exercise 2: softmax ---------------------------------------------------------------------

def _rowmax(Z):
    return Z.max(axis=1, keepdims=True)


def _colmax(Z):
    return Z.max(axis=0, keepdims=True)


SOFTMAX_MISTAKES = [
    Mistake("float64 result",
            "the values are right but float32 logits gave a float64 result (.astype(np.float64) "
            "or an array made with np.zeros without a dtype): return the dtype of Z.",
            lambda Z: activations.softmax(Z).astype(np.float64)),
    Mistake("no max subtraction",
            "exp overflowed (or underflowed to 0/0): for logits in the hundreds np.exp gives "
            "inf, and inf/inf is NaN. Subtract each row's maximum before np.exp — "
            "Z - Z.max(axis=1, keepdims=True) — it leaves softmax unchanged.",
            lambda Z: np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)),
    Mistake("row minimum subtracted",
            "you subtracted each row's minimum: that leaves softmax unchanged on paper, but "
            "the largest exponent is then max - min, and a row with logits from -1e4 to 1e4 "
            "overflows (inf/inf is NaN). Subtract the row's *maximum*, so every exponent is "
            "≤ 0.",
            lambda Z: (lambda E: E / E.sum(axis=1, keepdims=True))(
                np.exp(Z - Z.min(axis=1, keepdims=True)))),
    Mistake("divided by the batch's sum",
            "each row was divided by the sum over the whole batch: divide by each row's own "
            "sum, E.sum(axis=1, keepdims=True), so that every row sums to 1.",
            lambda Z: (lambda E: E / E.sum())(np.exp(Z - Z.max(axis=1, keepdims=True)))),
    Mistake("global max",
            "you subtracted the largest value of the whole batch (Z.max()). That is right "
            "on paper, but a row far below that maximum has every exp underflow to 0, and "
            "0/0 is NaN. Subtract each row's own maximum: Z.max(axis=1, keepdims=True).",
            lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(axis=1, keepdims=True)),
    Mistake("one softmax over the whole batch",
            "you divided by the sum over the whole batch (np.sum without an axis), so all N·K "
            "values together sum to 1: each row is one sample's probabilities and must sum to "
            "1 by itself, .sum(axis=1, keepdims=True).",
            lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum()),
    Mistake("columns normalised",
            "each column sums to 1, not each row: you normalised over axis 0, the batch. "
            "Each sample's K scores are one row; sum over axis=1 (keepdims=True).",
            lambda Z: np.exp(Z - _colmax(Z)) / np.exp(Z - _colmax(Z)).sum(axis=0,
                                                                        keepdims=True)),
    Mistake("columns normalised",
            "each column sums to 1, not each row: you shifted by each row's maximum, rightly, "
            "but summed the exps over axis 0, the batch. Each sample's K scores are one row; "
            "sum over axis=1 (keepdims=True).",
            lambda Z: np.exp(Z - _rowmax(Z)) / np.exp(Z - _rowmax(Z)).sum(axis=0,
                                                                         keepdims=True)),
    Mistake("sum without keepdims",
            "E.sum(axis=1) has shape (N,), which numpy lines up with the columns, so row "
            "n's sum divided column n. Keep the axis: E.sum(axis=1, keepdims=True), shape "
            "(N, 1).",
            lambda Z: np.exp(Z - _rowmax(Z)) / np.exp(Z - _rowmax(Z)).sum(axis=1)),
    Mistake("max without keepdims",
            "Z.max(axis=1) has shape (N,), which numpy lines up with the columns, so row "
            "n's maximum was subtracted from column n. Use Z.max(axis=1, keepdims=True), "
            "shape (N, 1).",
            lambda Z: np.exp(Z - Z.max(axis=1)) / np.exp(Z - Z.max(axis=1)).sum(
                axis=1, keepdims=True)),
    Mistake("sigmoid",
            "that is the sigmoid of each score on its own: softmax divides each exp by the "
            "sum of the exps of its row, so the row sums to 1.",
            activations.sigmoid),
    Mistake("not divided (shifted)",
            "the rows do not sum to 1: after np.exp, divide each row by its sum.",
            lambda Z: np.exp(Z - _rowmax(Z))),
    Mistake("not divided",
            "the rows do not sum to 1: you returned np.exp(Z); divide each row by its sum "
            "(and subtract the row max first, for large logits).",
            lambda Z: np.exp(Z)),
    Mistake("no exp",
            "you divided Z by its row sum without taking np.exp first: softmax is "
            "exp(Z) / row sum of exp(Z), which is positive even for negative scores.",
            lambda Z: Z / Z.sum(axis=1, keepdims=True)),
    Mistake("log-softmax",
            "your values are negative: they are the *log* of the probabilities (log-softmax). "
            "Softmax returns the probabilities themselves, exp(...) / row sum.",
            lambda Z: np.log(activations.softmax(Z))),
]

MATH_EXP_OVERFLOW = ("math.exp raises OverflowError above about 709; numpy's np.exp gives inf "
                     "instead, and subtracting each row's maximum first keeps every exponent "
                     "≤ 0.")
MATH_EXP_ON_ARRAY = ("math.exp works on one number at a time; for an array use np.exp, which "
                     "works element by element.")


def softmax_cases(rng):
    return [
        Case("3 samples × 3 classes, small logits",
             (np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [2.0, -1.0, 0.5]]),)),
        Case("large logits around 1000 (np.exp(1000) overflows)",
             (np.array([[1000.0, 1001.0, 1002.0], [999.0, 1000.0, 998.0]]),)),
        Case("rows of very different scales: one around 1e4, one around 0",
             (np.array([[1e4, 1e4 - 1, 1e4 - 2], [0.0, 1.0, 2.0]]),)),
        Case("very negative logits around -1e4 (exp underflows to 0)",
             (np.array([[-1e4, -1e4 + 1, -1e4 + 3, -1e4 - 1]]),)),
        Case("a row spread from -1e4 to 1e4 (exp of max - min overflows)",
             (np.array([[1e4, 0.0, -1e4], [5.0, 1e4, -1e4]]),)),
        Case("4 samples × 5 classes, random logits", (3 * rng.standard_normal((4, 5)),)),
        Case("10 samples × 2 classes, random logits", (2 * rng.standard_normal((10, 2)),)),
        Case("one class: every probability is 1", (rng.standard_normal((3, 1)),)),
        Case("float32 logits: 3 samples × 4 classes (the result stays float32)",
             ((10 * rng.standard_normal((3, 4))).astype(np.float32),), rtol=1e-5, atol=1e-7),
    ]


@exercise(id="nb03_softmax", name="softmax", notebook=NOTEBOOK, points=2,
          verifies="probabilities per row, rows sum to 1, stable for logits like 1e4, dtype kept",
          reference=activations.softmax, mistakes=SOFTMAX_MISTAKES, arg_names=("Z",))
def judge_softmax(fn, ctx):
    for case in softmax_cases(ctx.rng):
        expected = activations.softmax(*case.args)
        got = ctx.call(fn, *case.args, case=case, error_hints={
            OverflowError: MATH_EXP_OVERFLOW, TypeError: MATH_EXP_ON_ARRAY})
        ctx.compare(got, expected, case, SOFTMAX_MISTAKES)


# --- exercise 3: forward ---------------------------------------------------------------------

def forward_reference(X, layers):
    """An nnlib Network of Dense.from_arrays(W, b) + Activation(name) per (W, b, name)
    tuple, applied to X: the network's output."""
    net = Network([layer for W, b, name in layers
                   for layer in (Dense.from_arrays(W, b), Activation(name))])
    return net.forward(X)


def _f(name):
    return activations.get_activation(name)[0]


def _no_last_activation(X, layers):
    A = X
    for i, (W, b, name) in enumerate(layers):
        Z = A @ W + b
        A = _f(name)(Z) if i < len(layers) - 1 else Z
    return A


def _only_last_activation(X, layers):
    A = X
    for i, (W, b, name) in enumerate(layers):
        Z = A @ W + b
        A = _f(name)(Z) if i == len(layers) - 1 else Z
    return A


def _all_activations(X, layers):
    A, out = X, []
    for W, b, name in layers:
        A = _f(name)(A @ W + b)
        out.append(A)
    return out


def _forward_without(X, layers, missing):
    """Forward with a table of activations that lacks ``missing`` (a KeyError where used)."""
    if any(name == missing for _, _, name in layers):
        raise KeyError(missing)
    return forward_reference(X, layers)


FORWARD_MISTAKES = [
    Mistake("no activation on the last layer",
            "the last layer's activation is missing: you returned its Z. Apply every "
            "layer's activation, the last one included.",
            _no_last_activation),
    Mistake("activation only on the last layer",
            "only the last layer was activated: apply each layer's activation right after "
            "its X·W + b, hidden layers included.",
            _only_last_activation),
    Mistake("layers reversed",
            "the layers ran in reverse order: forward goes from the first layer (the input "
            "side) to the last.",
            lambda X, layers: forward_reference(X, layers[::-1])),
    Mistake("X fed to every layer",
            "every layer got the network's input X: each layer's input is the previous "
            "layer's output A (start with A = X and replace A at every layer).",
            lambda X, layers: _f(layers[-1][2])(X @ layers[-1][0] + layers[-1][1])),
    Mistake("returned every layer's output",
            "you returned a list (or tuple) of outputs: forward returns only the network's "
            "output, the last layer's A, one numpy array of shape (N, M_last).",
            _all_activations),
    Mistake("same activation everywhere",
            "a layer used the wrong activation: look each layer's own up by its name, "
            "f, _ = activations.get_activation(name), instead of hard-coding sigmoid.",
            lambda X, layers: forward_reference(X, [(W, b, "sigmoid") for W, b, _ in layers])),
    Mistake("W transposed",
            "a layer multiplied by W.T: each W is already (inputs, outputs), so a layer "
            "computes A @ W + b.",
            lambda X, layers: forward_reference(X, [(W.T, b, n) for W, b, n in layers])),
    Mistake("bias forgotten",
            "the biases are missing: each layer computes A @ W + b before its activation.",
            lambda X, layers: forward_reference(X, [(W, 0 * b, n) for W, b, n in layers])),
    ] + [Mistake("one layer's activation for every layer",
                 "every layer used the same layer's activation: you looked the function up "
                 "once, before the loop. Look each layer's own up inside the loop, "
                 "f, _ = activations.get_activation(name) with that layer's name.",
                 lambda X, layers, i=i: forward_reference(
                     X, [(W, b, layers[i][2]) for W, b, _ in layers])) for i in (0,)] + [
        Mistake.error("an activation missing from your own table",
                       "your own table of activations has no entry for one name (the KeyError "
                       "names it): every layer may use any of nnlib's activations; look each "
                       "name up with activations.get_activation(name), which knows them all.",
                       lambda X, layers, n=n: _forward_without(X, layers, n))
         for n in ("sigmoid", "relu", "leaky_relu", "tanh", "identity", "softmax")] + [
    Mistake("only the first layer ran",
            "only the first layer ran: a `return` inside the loop over the layers stops after "
            "one. Return after the loop, once every layer has run.",
            lambda X, layers: forward_reference(X, layers[:1])),
    Mistake("activation before the bias",
            "each layer applied its activation before adding the bias, f(A @ W) + b: the bias "
            "belongs inside, A = f(A @ W + b).",
            lambda X, layers: functools.reduce(lambda A, l: _f(l[2])(A @ l[0]) + l[1], layers,
                                               X)),
    Mistake("the activation's backward used",
            "get_activation(name) returns the pair (f, backward): the first is the activation, "
            "the second its backward pass, backward(Z, dout) = f′(Z)·dout. You applied the "
            "second: take the first, f, _ = activations.get_activation(name).",
            lambda X, layers: functools.reduce(
                lambda A, l: activations.get_activation(l[2])[1](
                    A @ l[0] + l[1], np.ones_like(A @ l[0] + l[1])), layers, X)),
    Mistake("activation before the product",
            "each layer applied its activation to its input, before the product: a layer "
            "computes Z = A @ W + b first, then A = f(Z).",
            lambda X, layers: functools.reduce(lambda A, l: _f(l[2])(A) @ l[0] + l[1], layers, X)),
]


class Layers(list):
    """The ``layers`` argument: a plain list of (W, b, name) tuples whose repr is short
    enough for a check message, e.g. "[(2→2, sigmoid), (2→2, sigmoid)]"."""

    def __repr__(self):
        return "[" + ", ".join(f"({W.shape[0]}→{W.shape[1]}, {name})"
                               for W, _, name in self) + "]"


def _layer(rng, n_in, n_out, name, dtype=np.float64):
    W = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
    return (W.astype(dtype), (0.1 * rng.standard_normal(n_out)).astype(dtype), name)


def forward_cases(rng):
    e = examples
    net_222 = Layers([(e.W1_222.copy(), e.B1_222.copy(), "sigmoid"),
                      (e.W2_222.copy(), e.B2_222.copy(), "sigmoid")])
    relu_222 = Layers([(e.W1_222.copy(), e.B1_222.copy(), "relu"),
                       (e.W2_222.copy(), e.B2_222.copy(), "identity")])
    deep = Layers([_layer(rng, 5, 4, "sigmoid"), _layer(rng, 4, 4, "relu"),
                   _layer(rng, 4, 2, "softmax")])
    f32 = Layers([_layer(rng, 3, 4, "tanh", np.float32),
                  _layer(rng, 4, 2, "sigmoid", np.float32)])
    return [
        Case("the 2-2-2 example network (sigmoid, sigmoid) on X = [[0.5, -0.5]]",
             (e.X_222.copy(), net_222)),
        Case("the 2-2-2 weights with relu then identity, on a batch of 3",
             (np.array([[0.5, -0.5], [1.0, 2.0], [-1.0, 0.5]]), relu_222)),
        Case("a 5-4-4-2 network (sigmoid, relu, softmax) on 6 random samples",
             (rng.uniform(-1, 1, (6, 5)), deep)),
        Case("one layer only: 3 inputs -> 2 outputs with tanh",
             (rng.standard_normal((4, 3)), Layers([_layer(rng, 3, 2, "tanh")]))),
        Case("a 3-6-5-4-3 network (leaky_relu, tanh, relu, identity)",
             (rng.standard_normal((5, 3)),
              Layers([_layer(rng, 3, 6, "leaky_relu"), _layer(rng, 6, 5, "tanh"),
                      _layer(rng, 5, 4, "relu"), _layer(rng, 4, 3, "identity")]))),
        Case("float32 arrays: a 3-4-2 network (the result stays float32)",
             (rng.standard_normal((4, 3)).astype(np.float32), f32), rtol=1e-5, atol=1e-6),
    ]


UNKNOWN_NAME_HINT = (
    "a layer's activation name was not found: a layer may use any name "
    "activations.get_activation knows (sigmoid, relu, leaky_relu, tanh, softmax, identity, "
    "step). Look each one up with f, _ = activations.get_activation(name) rather than in a "
    "table of your own.")


@exercise(id="nb03_forward", name="forward", notebook=NOTEBOOK, points=2,
          verifies="layer order, each layer's activation, output only, shapes, dtype kept",
          reference=forward_reference, mistakes=FORWARD_MISTAKES, arg_names=("X", "layers"),
          tripwires=("nnlib.layers.Dense.forward", "nnlib.plain.dense_forward"))
def judge_forward(fn, ctx):
    for case in forward_cases(ctx.rng):
        expected = forward_reference(*case.args)
        got = ctx.call(fn, *case.args, case=case, error_hints={KeyError: UNKNOWN_NAME_HINT})
        if isinstance(got, (list, tuple)):
            ctx.fail_case(case, expected=expected,
                          got=Said(f"a {type(got).__name__} of {len(got)} items"),
                          problem=f"returned a {type(got).__name__}; return one numpy array",
                          mistake=FORWARD_MISTAKES[4], show_input=True)
        ctx.compare(got, expected, case, FORWARD_MISTAKES)


# --- a dense layer in plain Python (lists, no numpy) ------------------------------------------

dense_forward_plain_reference = plain.dense_forward    # nnlib's, one source


def _plain_bias_per_input(X, W, b):
    return [[sum(x[k] * W[k][m] + b[m] for k in range(len(W))) for m in range(len(b))] for x in X]


def _plain_running_total(X, W, b):
    out = []
    for x in X:
        total, row = 0.0, []
        for m in range(len(b)):
            for k in range(len(W)):
                total += x[k] * W[k][m]
            row.append(total + b[m])
        out.append(row)
    return out


def _plain_running_total_never_reset(X, W, b):
    out, total = [], 0.0
    for x in X:
        row = []
        for m in range(len(b)):
            for k in range(len(W)):
                total += x[k] * W[k][m]
            row.append(total + b[m])
        out.append(row)
    return out


def _plain_transposed(X, W, b):
    return [[sum(x[k] * W[m][k] for k in range(len(x))) + b[m] for m in range(len(b))] for x in X]


NUMPY_USED = Mistake(
    "numpy used",
    "the values are right, but this exercise is plain Python, so that you write every sum the "
    "layer does: build the rows with lists and loops (or list comprehensions) and `sum`, with "
    "no numpy inside the function (not even to convert at the end with .tolist()).",
    lambda X, W, b: (np.array(X) @ np.array(W) + np.array(b)).tolist())

PLAIN_MISTAKES = [
    Mistake("bias forgotten",
            "every value is off by the neuron's bias: add b[m] once to neuron m's weighted sum.",
            lambda X, W, b: dense_forward_plain_reference(X, W, [0.0] * len(b))),
    Mistake("bias added once per input",
            "the bias was added inside the loop over the inputs, so it counts D times: add "
            "b[m] once, after the sum.",
            _plain_bias_per_input),
    Mistake("running total not reset",
            "each neuron's sum still holds the previous neurons' products: start the total at "
            "0 for every neuron (inside the loop over m), not once per sample.",
            _plain_running_total),
    Mistake("running total never reset",
            "each sum still holds the products of every earlier neuron and sample: the total "
            "starts at 0 once, before all the loops. Start it at 0 for every neuron, inside "
            "the loop over m.",
            _plain_running_total_never_reset),
    Mistake("last input skipped",
            "the sum skipped the last input (range(len(x) - 1), an off-by-one): every input "
            "k = 0 .. D-1 counts, range(len(x)).",
            lambda X, W, b: dense_forward_plain_reference([x[:-1] for x in X], W[:-1], b)),
    Mistake("W read as W[m][k]",
            "the weights are read the wrong way round: W has one row per input and one column "
            "per neuron, so input k's weight into neuron m is W[k][m].",
            _plain_transposed),
    Mistake("activation applied",
            "an activation was applied: this layer returns Z = X·W + b only; the activation is "
            "the next step.",
            lambda X, W, b: [[activations.sigmoid(np.float64(z)).item() for z in row]
                             for row in dense_forward_plain_reference(X, W, b)]),
    Mistake("one flat list",
            "you returned one flat list of N·M numbers (every row's values one after the "
            "other): return a list of N rows, each a list of M numbers (append each row to "
            "Z, not its values).",
            lambda X, W, b: [z for row in dense_forward_plain_reference(X, W, b) for z in row]),
    Mistake("the first neuron's weights for every neuron",
            "every neuron used the weights of neuron 0 (W[k][0], e.g. from zip(x, W) with "
            "w[0]): neuron m's weight from input k is W[k][m], so index the weights with the "
            "neuron's own m.",
            lambda X, W, b: [[sum(x[k] * W[k][0] for k in range(len(x))) + b[m]
                              for m in range(len(b))] for x in X]),
    Mistake("one row list reused for every sample",
            "every row is the last sample's: you filled *one* row list and appended it N times, "
            "so each append adds the same list, and filling it for the next sample changes the "
            "rows already in Z. Make a new list for each sample (row = [] or [0.0] * M inside "
            "the loop over the samples).",
            lambda X, W, b: [dense_forward_plain_reference(X, W, b)[-1]] * len(X)),
    Mistake("one row per neuron",
            "the result has one row per neuron (M rows of N values): the loops are the wrong "
            "way round. Z has one row per sample, each holding that sample's M neuron values.",
            lambda X, W, b: [list(col) for col in zip(*dense_forward_plain_reference(X, W, b))]),
    Mistake("only the first sample",
            "you returned one row (the first sample's) instead of one row per sample: loop over "
            "every row of X and collect a list of N rows.",
            lambda X, W, b: dense_forward_plain_reference(X[:1], W, b)[0]),
]


def _as_array(value):
    return np.array(value, dtype=np.float64)


def _plain_lists(rng, n, d, m):
    return (rng.uniform(-1, 1, (n, d)).round(2).tolist(), rng.uniform(-1, 1, (d, m)).round(2).tolist(),
            rng.uniform(-1, 1, m).round(2).tolist())


def plain_cases(rng):
    return [
        # two samples first: a flat list and a single row differ only when N > 1
        Case("2 samples, 3 inputs, 3 neurons (as many inputs as neurons)", _plain_lists(rng, 2, 3, 3)),
        Case("the 2-2-2 network's hidden layer on X = [[0.5, -0.5]]",
             (examples.X_222.tolist(), examples.W1_222.tolist(), examples.B1_222.tolist())),
        Case("1 sample, 3 inputs, 2 neurons", _plain_lists(rng, 1, 3, 2)),
        Case("4 samples, 5 inputs, 3 neurons", _plain_lists(rng, 4, 5, 3)),
        Case("3 samples, 2 inputs, 4 neurons", _plain_lists(rng, 3, 2, 4)),
    ]


@exercise(id="nb03_dense_forward_plain", name="dense_forward_plain", notebook=NOTEBOOK, points=1,
          verifies="Z = X·W + b in plain lists: one row per sample, W[k][m], bias once, no numpy",
          reference=dense_forward_plain_reference, mistakes=PLAIN_MISTAKES + [NUMPY_USED],
          arg_names=("X", "W", "b"),
          tripwires=("nnlib.layers.Dense.forward", "nnlib.network.Network.forward",
                     "nncourse.checks.nb03.dense_forward_reference",
                     "nncourse.checks.nb03.forward_reference"))
def judge_dense_forward_plain(fn, ctx):
    array_mistakes = [Mistake(m.name, m.hint, lambda *a, f=m.fn: _as_array(f(*a)))
                      for m in PLAIN_MISTAKES]
    for case in plain_cases(ctx.rng):
        expected = dense_forward_plain_reference(*case.args)
        reply = ctx.call(fn, *case.args, case=case, driver=drive_watching_numpy)
        got = reply["out"]
        rows = Said(f"a list of {len(expected)} rows of {len(expected[0])} floats: "
                    f"{[[round(z, 4) for z in row] for row in expected][:3]}")
        if isinstance(got, np.ndarray):
            ctx.fail_case(case, expected=rows, got=got, show_input=True,
                          problem="returned a numpy array: this exercise is plain Python. Build "
                          "the rows with lists and `append` (or list comprehensions), no numpy.")
        if got is None or not isinstance(got, list) or not all(
                isinstance(row, list) and all(isinstance(z, (int, float)) and not isinstance(z, bool)
                                              for z in row) for row in got):
            m = ctx.find_mistake(_as_array(got), case, array_mistakes) if isinstance(got, list) and got \
                and all(isinstance(z, (int, float)) for z in got) else None
            problem_text = ("your function returned None: did you forget the `return` statement?"
                            if got is None else
                            "return a list of rows, each row a list of numbers (one per neuron)")
            ctx.fail_case(case, expected=rows, got=got, problem=problem_text, mistake=m,
                          show_input=True)
        ctx.compare(_as_array(got), _as_array(expected), case, array_mistakes, check_dtype=False)
        if reply["numpy"]:      # right values, but the statement says: no numpy
            ctx.fail_case(case, problem=f"your function used numpy ({', '.join(reply['numpy'])})",
                          mistake=NUMPY_USED)


name_errors("nb03_dense_forward_plain", {"list index out of range": Mistake(
    "a loop over the wrong length",
    "an index ran past the end of a list: loop over the neurons with range(len(b)) (M = len(b) "
    "= len(W[0]), not len(W), which is D) and over the inputs with range(len(x)) (D = len(x) "
    "= len(W)); W[k][m] is input k's weight into neuron m.", None)})
