"""Checks for notebook 07, sigmoid vs ReLU (and initialisation)."""

import numpy as np

from nnlib import data, diagnostics, initializers, losses
from nncourse.checks.comparing import kind
from nncourse.checks.drivers.nb07 import drive_he_init, drive_train_ssr, network_of, parameters_of
from nncourse.checks.registry import Case, Mistake, Said, exercise, function_exercise, TRAINING
from nnlib.train import fit

NOTEBOOK = "07_sigmoid_vs_relu"


# --- train_ssr: the experiment's training loop ----------------------------------------------

def train_ssr_reference(network, X, y, lr, epochs):
    """nnlib's loop: full-batch gradient descent on the SSR, one cost per epoch (measured in
    the forward pass, before that epoch's update)."""
    return fit(network, X, y, cost="ssr", optimizer="sgd", lr=lr, epochs=epochs,
               batch_size=None)["cost"]


def _loop(network, X, y, lr, epochs, zero_grad=True, record_after=False,
          grad=losses.ssr_grad, backward=True, cost=losses.ssr, sign=-1, skip_biases=False,
          forward_once=False):
    """The loop with one thing changed, for naming mistakes."""
    history = []
    first = network.forward(X) if forward_once else None
    for _ in range(epochs):
        y_hat = first if forward_once else network.forward(X)
        if zero_grad:
            network.zero_grad()
        if backward:
            network.backward(grad(y, y_hat))
        for p in network.parameters():
            if not (skip_biases and p.value.ndim == 1):
                p.value += sign * lr * p.grad
        history.append(float(cost(y, network.forward(X) if record_after else y_hat)))
    return history


HISTORY_NOT_A_LIST = Mistake(
    "an array, not a list",
    "your training is right, but you returned the costs as a numpy array; the statement asks "
    "for a list of floats (as fit's history holds): append each epoch's SSR to a list and "
    "return the list itself.",
    lambda net, X, y, lr, epochs: np.array(_loop(net, X, y, lr, epochs)))

TRAIN_MISTAKES = [
    Mistake("no zero_grad",
            "the gradients piled up: nnlib's backward ADDS into each parameter's grad, so call "
            "network.zero_grad() before network.backward(...) in every epoch.",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs, zero_grad=False)),
    Mistake("cost recorded after the update",
            "each recorded SSR is one epoch late: record the SSR of the prediction y_hat from "
            "this epoch's forward pass, before the update (as nnlib.fit does).",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs, record_after=True)),
    Mistake("MSE gradient",
            "the steps are too small by a factor N·K: that is the MSE's gradient 2(ŷ − y)/(N·K). "
            "The SSR is a sum, so its gradient is losses.ssr_grad(y, y_hat) = 2(ŷ − y).",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs, grad=losses.mse_grad)),
    Mistake("MSE recorded",
            "the recorded cost is the mean squared error: record the SSR, losses.ssr(y, y_hat), "
            "the sum of every squared residual.",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs, cost=losses.mse)),
    Mistake("no backward pass",
            "the SSR never changes: the weights were never updated. Call "
            "network.backward(losses.ssr_grad(y, y_hat)) to fill each p.grad, then move every "
            "parameter: p.value -= lr * p.grad.",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs, backward=False)),
    Mistake("forward pass once, before the loop",
            "the SSR never changes, though the weights do: the forward pass ran once, before "
            "the loop, so every epoch reused the first prediction (for its cost and its "
            "gradient). Run y_hat = network.forward(X) inside the loop, at the start of every "
            "epoch.",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs, forward_once=True)),
    Mistake("gradient ascent",
            "the SSR grows: the parameters moved along the gradient, uphill. Gradient descent "
            "moves against it: p.value -= lr * p.grad.",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs, sign=+1)),
    Mistake("biases never updated",
            "the weights W moved but the biases b did not: update every parameter "
            "network.parameters() gives you, the biases included.",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs, skip_biases=True)),
    Mistake("gradient divided by N",
            "the steps are N times too small: you divided the gradient by the number of "
            "samples, as for a mean. The SSR is a sum, so its gradient is 2(ŷ − y), with no "
            "1/N.",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs,
                                                grad=lambda y, y_hat: 2 * (y_hat - y) / len(y))),
    Mistake("the 2 of the square forgotten",
            "the steps are half as big as they should be: the gradient of the SSR Σ(ŷ − y)² "
            "is 2(ŷ − y), with the 2 from the square.",
            lambda net, X, y, lr, epochs: _loop(net, X, y, lr, epochs,
                                                grad=lambda y, y_hat: y_hat - y)),
    HISTORY_NOT_A_LIST,
]


ONE_EPOCH_SHORT = Mistake(
    "one epoch too few",
    "the costs are right but one epoch is missing: the loop ran epochs − 1 times "
    "(range(1, epochs) or range(epochs - 1)). Loop with range(epochs): one SSR per epoch.",
    None)
EXTRA_COST = Mistake(
    "one cost too many",
    "the first costs are right, then one more: the SSR after the last update was appended "
    "after the loop. Record one SSR per epoch, before that epoch's update, inside the loop.",
    None)


def _training_cases(rng):
    """(description, sizes, activation, net seed, N, data seed, lr, epochs)."""
    h1, h2 = (int(v) for v in rng.integers(3, 9, size=2))
    return [
        ("a 5-3-3-2 sigmoid network, 6 samples, lr=0.05, 3 epochs",
         [5, 3, 3, 2], "sigmoid", 1, 6, 2, 0.05, 3),
        ("a 5-8-8-2 ReLU network, 40 samples, lr=0.002, 12 epochs",
         [5, 8, 8, 2], "relu", 3, 40, 4, 0.002, 12),
        (f"a random 5-{h1}-{h2}-2 ReLU network, 20 samples, lr=0.005, 6 epochs",
         [5, h1, h2, 2], "relu", int(rng.integers(1000)), 20, int(rng.integers(1000)), 0.005, 6),
        ("a 5-4-2 sigmoid network (one hidden layer), 10 samples, lr=0.02, 1 epoch",
         [5, 4, 2], "sigmoid", 5, 10, 6, 0.02, 1),
    ]


_parameters = parameters_of


def _as_history(got):
    """The learner's list of costs as a float array, or ``got`` itself if it is not one."""
    if isinstance(got, (list, tuple, np.ndarray)):
        try:
            return np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            return got
    return got


_network = network_of


@exercise(id="nb07_train_ssr", name="train_ssr", notebook=NOTEBOOK, points=3,
          verifies="SSR history before each update, zero_grad, SSR gradient, final weights",
          reference=train_ssr_reference, mistakes=TRAIN_MISTAKES,
          arg_names=("network", "X", "y", "lr", "epochs"), tripwires=TRAINING)
def judge_train_ssr(fn, ctx):
    ctx.arg_names = ()  # the case descriptions say what the network and data are
    # A case's inputs are the network's recipe (sizes, activation, seed) and the data; each
    # mistake builds its own copy of the network from it.
    mistakes = [Mistake(m.name, m.hint,
                        lambda sizes, act, seed, X, y, lr, epochs, f=m.fn: np.asarray(
                            f(_network(sizes, act, seed), X, y, lr, epochs), dtype=np.float64))
                for m in TRAIN_MISTAKES]
    for description, sizes, activation, seed, N, data_seed, lr, epochs in _training_cases(ctx.rng):
        X, y = data.regression(n_samples=N, rng=data_seed)
        ours = _network(sizes, activation, seed)
        case = Case(description, (sizes, activation, seed, X, y, lr, epochs))
        run = ctx.call(fn, *case.args, case=case, check_mutation=False, driver=drive_train_ssr)
        if run["data_changed"]:
            ctx.failure(f"changed X or y in place on case: {description}.",
                        "Training changes only the network's parameters; leave the data alone.")
        expected = np.asarray(train_ssr_reference(ours, X, y, lr, epochs))
        got = _as_history(run["history"])
        if isinstance(got, np.ndarray) and got.ndim == 0 or isinstance(got, (float, int)):
            ctx.fail_case(case, "returned a single number; return the list of all the epochs' "
                          "SSR values, one per epoch.", mistake=Mistake(
                              "one number, not the list", "train_ssr returns the SSR of every "
                              "epoch, a list of `epochs` numbers (append each epoch's cost to "
                              "a list and return the list), not only the last one.", None))
        if isinstance(got, np.ndarray) and got.shape != expected.shape:
            extra = got.size == epochs + 1 and np.allclose(got[:epochs], expected, rtol=1e-6)
            short = got.size == epochs - 1 and np.allclose(got, expected[:-1], rtol=1e-6)
            ctx.fail_case(case, f"returned {got.size} value(s) for {epochs} epoch(s): record "
                          "exactly one SSR per epoch, in a list.",
                          mistake=EXTRA_COST if extra else ONE_EPOCH_SHORT if short else None)
        # a constant SSR: the weights did not move (no backward pass), or they did and the
        # prediction was made once, before the loop; the parameters tell which
        moved = not _same_values(run["parameters"], _parameters(_network(sizes, activation, seed)))
        unlike = "no backward pass" if moved else "forward pass once, before the loop"
        ctx.compare(got, expected, case, [m for m in mistakes if m.name != unlike], rtol=1e-6,
                    atol=1e-9, check_dtype=False)
        params = Case(f"{description}: the network's W and b after training, flattened", ())
        ctx.compare(run["parameters"], _parameters(ours), params, rtol=1e-6, atol=1e-10,
                    check_dtype=False)
        if not isinstance(run["history"], list):
            ctx.fail_case(case, expected=Said(f"a list of {epochs} floats"),
                          got=Said(f"{kind(run['history'])} of {epochs} values"),
                          mistake=HISTORY_NOT_A_LIST
                          if isinstance(run["history"], np.ndarray) else None)


def _same_values(a, b):
    try:
        return bool(np.allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                rtol=1e-12, atol=0))
    except (TypeError, ValueError):
        return False


# --- dead_units ---------------------------------------------------------------------------

HAND_EXAMPLE = np.array([[0.0, 0.0, 1.5, 0.2],
                         [0.0, 2.0, 0.3, 0.1],
                         [0.0, 0.0, 0.7, 1.1],
                         [0.0, 1.0, 2.0, 0.4]])


def _relu_batch(rng, N, M, dead, dtype=np.float64):
    """ReLU outputs (N, M) with exactly the columns ``dead`` zero for every sample."""
    A = np.maximum(rng.standard_normal((N, M)), 0)
    A[0] = np.abs(A[0]) + 0.5  # every unit is on for sample 0 ...
    A[:, dead] = 0             # ... except the dead ones
    return A.astype(dtype)


def dead_units_cases(rng):
    with_zero_row = np.array([[0.0, 0.3, 0.0, 1.2, 0.0],
                              [0.0, 0.0, 0.0, 0.0, 0.0],
                              [0.0, 0.8, 0.0, 0.0, 0.4]])
    small_live = np.array([[0.0, 0.02, 1.5, 0.0, 2.0],
                           [0.0, 0.03, 0.3, 1.1, 0.0],
                           [0.0, 0.05, 0.7, 0.4, 1.3],
                           [0.0, 0.01, 2.0, 0.9, 0.6]])
    barely_on = np.array([[0.0, 2e-4, 1.5, 0.0],
                          [0.0, 0.0, 0.3, 1.1],
                          [0.0, 5e-4, 0.7, 0.4],
                          [0.0, 0.0, 2.0, 0.9]])
    M = 20
    dead = rng.choice(M, size=int(rng.integers(2, 7)), replace=False)
    return [
        Case("4 samples × 5 units: unit 0 dead; unit 1 alive with small outputs (at most 0.05)",
             (small_live,)),
        Case("4 samples × 4 units: unit 0 is 0 for every sample, unit 1 only for some",
             (HAND_EXAMPLE.copy(),)),
        Case("3 samples × 5 units, one sample all zeros, units 0 and 2 dead", (with_zero_row,)),
        Case("4 samples × 4 units: unit 0 dead; unit 1 barely on (outputs 2e-4 and 5e-4, "
             "still not 0)", (barely_on,)),
        Case(f"ReLU outputs, 50 samples × {M} units, {len(dead)} dead",
             (_relu_batch(rng, 50, M, dead),)),
        Case("ReLU outputs, 30 samples × 8 units, none dead", (_relu_batch(rng, 30, 8, []),)),
        Case("float32 ReLU outputs, 16 samples × 6 units, units 1 and 4 dead",
             (_relu_batch(rng, 16, 6, [1, 4], np.float32),)),
    ]


function_exercise(
    id="nb07_dead_units", name="dead_units", notebook=NOTEBOOK, points=1,
    verifies="whole columns, all samples, a count",
    reference=diagnostics.dead_units, cases=dead_units_cases, arg_names=("A",), rtol=0, atol=0,
    mistakes=[
        Mistake("zero entries counted",
                "you counted zero entries, not units: a unit is a column of A, and it is dead "
                "only when its whole column is 0. Use np.all(A == 0, axis=0), then count.",
                lambda A: int(np.sum(A == 0))),
        Mistake("any zero instead of all zero",
                "you counted units that are 0 for *some* sample; a dead unit is 0 for *every* "
                "sample: np.all(..., axis=0), not np.any.",
                lambda A: int(np.sum(np.any(A == 0, axis=0)))),
        Mistake("wrong axis",
                "you counted samples (rows) whose outputs are all 0: units are the columns, so "
                "reduce over the samples, axis=0.",
                lambda A: int(np.sum(np.all(A == 0, axis=1)))),
        Mistake("no dead unit ever found",
                "your function found 0 dead units everywhere. Two tests do that: A < 0 (a ReLU "
                "never outputs a negative number, so no column is ever all negative) and "
                "np.all(...) without axis=0 (one True/False for the whole layer, False as soon "
                "as one entry is not 0). A dead unit outputs exactly 0 for every sample: "
                "np.all(A == 0, axis=0), one answer per column, then count the True values.",
                lambda A: int(np.sum(np.all(A < 0, axis=0)))),
        Mistake("len of np.where's tuple",
                "len(np.where(mask)) is the length of the tuple np.where returns, one array of "
                "indices per axis: always 1 for a 1-D mask. Count the True values instead: "
                "np.count_nonzero(mask), or len(np.where(mask)[0]).",
                lambda A: len(np.where(np.all(A == 0, axis=0)))),
        Mistake("live units counted",
                "you counted the units that are alive (non-zero for some sample); count the "
                "ones that are 0 for every sample.",
                lambda A: int(np.sum(np.any(A != 0, axis=0)))),
        Mistake("fraction",
                "you returned the fraction of dead units; this function returns their number "
                "(an int from 0 to M).",
                lambda A: float(np.mean(np.all(A == 0, axis=0)))),
        Mistake("a float count",
                "you returned the count as a float (np.mean or a float division on the way, or "
                "float(...)); a number of units is a whole number: return an int, e.g. "
                "int(np.sum(...)).",
                lambda A: float(np.sum(np.all(A == 0, axis=0)))),
        Mistake("mask not counted",
                "you returned the True/False mask of dead units; count the True values "
                "(np.count_nonzero or .sum()) and return that number.",
                lambda A: np.all(A == 0, axis=0)),
    ] + [Mistake("small activations counted as dead",
                 "you counted units whose outputs are small (below a threshold, or close to 0) "
                 "as dead: a unit with outputs like 0.02 or 2e-4 is alive, its gradient still "
                 "flows. A dead unit outputs exactly 0 for every sample: test A == 0 (or "
                 "A <= 0), no threshold.",
                 lambda A, t=t, f=f: int(np.sum(f(A, axis=0) < t)))
         for f in (np.max, np.mean) for t in (0.1, 1e-2, 1e-3)],
)


# --- he_init ------------------------------------------------------------------------------

def _he_like(scale_of):
    return lambda shape, rng: rng.standard_normal(shape) * scale_of(shape)


HE_MISTAKES = [
    Mistake("√(1/fan_in)",
            "the standard deviation is √(1/fan_in) (LeCun's): He's has a 2 on top, √(2/fan_in), "
            "to make up for ReLU zeroing half of its inputs.",
            _he_like(lambda s: np.sqrt(1 / s[0]))),
    Mistake("Xavier",
            "that is Xavier's scale √(2/(fan_in + fan_out)); He's uses only the inputs: "
            "√(2/fan_in) with fan_in = shape[0].",
            _he_like(lambda s: np.sqrt(2 / (s[0] + s[1])))),
    Mistake("fan_out",
            "you divided by fan_out = shape[1]; W has shape (fan_in, fan_out), and He's "
            "standard deviation is √(2/fan_in) with fan_in = shape[0].",
            _he_like(lambda s: np.sqrt(2 / s[1]))),
    Mistake("variance as std",
            "2/fan_in is the variance; the standard deviation is its square root, √(2/fan_in).",
            _he_like(lambda s: 2 / s[0])),
    Mistake("std 1",
            "the weights have standard deviation 1: scale the standard normal draws by "
            "√(2/fan_in).",
            lambda shape, rng: rng.standard_normal(shape)),
    Mistake("np.random",
            "two calls with equally seeded generators gave different weights: draw from the "
            "`rng` you are given (rng.standard_normal), not from np.random, so a seed always "
            "gives the same network.",
            lambda shape, rng: np.random.standard_normal(shape) * np.sqrt(2 / shape[0])),
    Mistake("own generator",
            "the weights do not depend on the `rng` you are given (different seeds gave the "
            "same weights): draw from `rng` itself instead of creating a generator inside.",
            lambda shape, rng: np.random.default_rng(0).standard_normal(shape)
            * np.sqrt(2 / shape[0])),
    Mistake("√2 / fan_in (precedence)",
            "np.sqrt(2) / fan_in is √2 divided by fan_in: the square root covers the whole "
            "fraction, np.sqrt(2 / fan_in).",
            _he_like(lambda s: np.sqrt(2) / s[0])),
    Mistake("shape (fan_out, fan_in)",
            "your W has shape (fan_out, fan_in), PyTorch's layout: in this course a layer "
            "computes X @ W, so W is (fan_in, fan_out), exactly the `shape` given: "
            "rng.standard_normal(shape) * √(2/fan_in).",
            lambda shape, rng: rng.standard_normal(tuple(shape)[::-1]) * np.sqrt(2 / shape[0])),
    Mistake("float32 weights",
            "your weights are float32: the statement asks for float64 (what rng.standard_normal "
            "gives by default). Leave out dtype=np.float32 and the .astype(np.float32).",
            lambda shape, rng: (rng.standard_normal(shape, dtype=np.float32)
                                * np.float32(np.sqrt(2 / shape[0])))),
]

# A case's inputs are (shape, seed); the generator is built from the seed where the code runs.
HE_SEEDED = [Mistake(m.name, m.hint, lambda shape, seed, f=m.fn: f(shape, np.random.default_rng(seed)))
             for m in HE_MISTAKES]


BIG = (200, 800)  # 160 000 weights: the sample std is within 0.2% of the true one


def _std_mistakes(shape):
    """The std each scale mistake gives on ``shape``, for naming a mistake from statistics."""
    fan_in, fan_out = shape
    stds = [np.sqrt(1 / fan_in), np.sqrt(2 / (fan_in + fan_out)), np.sqrt(2 / fan_out),
            2 / fan_in, 1.0]
    named = [Mistake(m.name, m.hint, lambda *a, s=s: s) for m, s in zip(HE_MISTAKES, stds)]
    named.append(Mistake("uniform limit", "a uniform distribution on [−a, a] has standard "
                         "deviation a/√3: for He-uniform take a = √(6/fan_in).",
                         lambda *a: np.sqrt(2 / fan_in) / np.sqrt(3)))
    return named


@exercise(id="nb07_he_init", name="he_init", notebook=NOTEBOOK, points=2,
          verifies="std √(2/fan_in), shape, draws from the given rng",
          reference=initializers.he, mistakes=HE_MISTAKES, arg_names=("shape",))
def judge_he_init(fn, ctx):
    seeds = [7, 2024, int(ctx.rng.integers(1, 10**6))]
    shapes = [(3, 4), (5, 16), (int(ctx.rng.integers(3, 40)), int(ctx.rng.integers(3, 40)))]
    checked_statistics = False
    for shape, seed in zip(shapes, seeds):
        case = Case(f"shape {shape}, rng = np.random.default_rng({seed})", (shape, seed))
        expected = initializers.he(shape, np.random.default_rng(seed))
        got = ctx.call(fn, shape, seed, case=case, check_mutation=False, driver=drive_he_init)
        exact = isinstance(got, np.ndarray) and got.shape == expected.shape \
            and got.dtype.kind == "f" and np.allclose(got, expected, rtol=1e-6, atol=1e-12)
        if exact or not isinstance(got, np.ndarray) or got.shape != expected.shape \
                or got.dtype.kind != "f" or not np.all(np.isfinite(got)):
            ctx.compare(got, expected, case, HE_SEEDED, rtol=1e-6, atol=1e-12)
            continue
        # Not nnlib's numbers: right only if float64, reproducible, tied to rng, of the right
        # spread.
        if got.dtype != expected.dtype:
            ctx.fail_case(case, expected=Said(f"dtype {expected.dtype}"),
                          got=Said(f"dtype {got.dtype}"), problem=f"wrong dtype: {got.dtype}",
                          mistake=HE_MISTAKES[-1] if got.dtype == np.float32 else None)
        again = ctx.call(fn, shape, seed, case=case, check_mutation=False, driver=drive_he_init)
        if not np.array_equal(got, again):
            ctx.fail_case(case, problem=f"called twice with this rng, W[0, 0] was "
                          f"{got.flat[0]:.4f} then {again.flat[0]:.4f}", mistake=HE_MISTAKES[5])
        other = ctx.call(fn, shape, seed + 1, case=case, check_mutation=False,
                         driver=drive_he_init)
        if np.array_equal(got, other):
            ctx.fail_case(case, problem=f"with seeds {seed} and {seed + 1} the weights were the "
                          "same", mistake=HE_MISTAKES[6])
        if ctx.diagnose(got, case, HE_SEEDED) is not None:
            ctx.compare(got, expected, case, HE_SEEDED, rtol=1e-6, atol=1e-12)
        if checked_statistics:
            ctx.pass_case(case)
            continue
        # Another distribution (e.g. uniform): judge its mean and spread on many weights.
        big = ctx.call(fn, BIG, seed, check_mutation=False, driver=drive_he_init)
        if not isinstance(big, np.ndarray) or big.shape != BIG:
            ctx.compare(big, initializers.he(BIG, np.random.default_rng(seed)),
                        Case(f"shape {BIG}", (BIG,)))
        target = np.sqrt(2 / BIG[0])
        mean, std = float(big.mean()), float(big.std())
        if abs(mean) > 0.02 * target:
            ctx.failure(f"the weights are not centred on 0: for shape {BIG} their mean is "
                        f"{mean:.4g} (standard deviation {std:.4g}).",
                        "He's weights have mean 0: draw from a distribution symmetric around 0.")
        ctx.compare(std, target, Case(f"standard deviation of he_init({BIG}, rng) over its "
                                      f"{BIG[0] * BIG[1]} weights (fan_in = {BIG[0]})", (BIG,)),
                    _std_mistakes(BIG), rtol=0.03, atol=0)
        checked_statistics = True
