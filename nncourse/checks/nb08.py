"""Checks for notebook 08, the capstone: accuracy, confusion matrix, one training step.

``train_step`` is judged by running it: two identical networks (same seed) take two steps each,
one with the learner's function and one with nnlib's ``train.train_step``, and the returned
costs and every parameter after each step are compared. Two steps, because a forgotten
``zero_grad()`` only shows on the second one (the gradients start at zero).
"""

import numpy as np

from nnlib import data, losses, metrics, train
from nncourse.checks.drivers.nb08 import drive_train_step, setup
from nncourse.checks.registry import TRAINING, Case, Mistake, exercise, function_exercise, name_errors

NOTEBOOK = "08_capstone_digits"


def _probabilities(rng, N, K, dtype=np.float64):
    """N rows of K random class probabilities (a softmax of random scores), no ties."""
    Z = rng.normal(0, 2, (N, K))
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    return (P / P.sum(axis=1, keepdims=True)).astype(dtype)


# --- accuracy ---------------------------------------------------------------------------------

def accuracy_cases(rng):
    y_hat_f32 = _probabilities(rng, 50, 3, np.float32)
    return [
        Case("4 samples, 4 classes: samples 0, 1 and 3 right, sample 2 wrong",
             (np.array([0, 2, 1, 3]),
              np.array([[0.5, 0.2, 0.2, 0.1],
                        [0.1, 0.2, 0.6, 0.1],
                        [0.4, 0.3, 0.2, 0.1],
                        [0.2, 0.1, 0.3, 0.4]]))),
        Case("5 samples, 3 classes, every one right",
             (np.array([2, 0, 1, 1, 0]),
              np.array([[0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.5, 0.3],
                        [0.9, 0.05, 0.05]]))),
        Case("20 random samples, 10 classes",
             (rng.integers(0, 10, 20), _probabilities(rng, 20, 10))),
        Case("50 random samples, 3 classes, float32 probabilities, int32 labels",
             (rng.integers(0, 3, 50).astype(np.int32), y_hat_f32)),
        Case("3 samples, 3 classes, all right; the largest probability of all is sample 0's",
             (np.array([2, 1, 0]),
              np.array([[0.1, 0.1, 0.8], [0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]))),
        Case("5 samples, 3 classes, three ties: on a tie the predicted class is the first of "
             "the tied ones (sample 1: classes 0 and 2 tie, predicted 0; samples 3 and 4: "
             "classes 1 and 2 tie, predicted 1)",
             (np.array([0, 2, 1, 1, 2]),
              np.array([[0.7, 0.2, 0.1], [0.4, 0.2, 0.4], [0.1, 0.8, 0.1], [0.0, 0.5, 0.5],
                        [0.2, 0.4, 0.4]]))),
    ]


def _predicted(y_hat):
    return np.asarray(y_hat).argmax(axis=1)


function_exercise(
    id="nb08_accuracy", name="accuracy", notebook=NOTEBOOK, points=1,
    verifies="argmax over classes, a fraction in [0, 1]",
    reference=metrics.accuracy, cases=accuracy_cases, arg_names=("y", "y_hat"),
    rtol=1e-9, atol=1e-12,
    mistakes=[
        Mistake("argmax over the batch axis",
                "you took the argmax over axis 0 (down each column, across samples). Each "
                "sample's predicted class is the largest entry of its *row*: "
                "y_hat.argmax(axis=1).",
                lambda y, y_hat: float(np.mean(np.asarray(y_hat).argmax(axis=0) == y))),
        Mistake("probabilities compared with labels",
                "you compared probabilities with the labels (y_hat itself, or each row's largest "
                "probability: 0.6 is never equal to 2). Compare classes with classes: each row's "
                "predicted class is the *position* of its largest probability.",
                lambda y, y_hat: float(np.mean(np.asarray(y_hat).max(axis=1) == y))),
        Mistake("argmax without an axis",
                "np.argmax(y_hat) without an axis gives one number, the position of the largest "
                "entry in the whole flattened array, not one class per sample: "
                "np.argmax(y_hat, axis=1) gives each row's class.",
                lambda y, y_hat: float(np.mean(np.argmax(y_hat) == y))),
        Mistake("count, not fraction",
                "you returned how many samples are right; accuracy is the fraction: divide by "
                "the number of samples (or use np.mean on the True/False array).",
                lambda y, y_hat: int(np.sum(_predicted(y_hat) == y))),
        Mistake("error rate",
                "you returned the fraction of *wrong* predictions (the error rate, 1 - accuracy): "
                "count the samples where the predicted class equals y.",
                lambda y, y_hat: float(np.mean(_predicted(y_hat) != y))),
        Mistake("percentage",
                "you returned a percentage (75.0); accuracy here is a fraction between 0 and 1 "
                "(0.75), as nnlib.metrics.accuracy returns it: do not multiply by 100.",
                lambda y, y_hat: 100 * float(np.mean(_predicted(y_hat) == y))),
        Mistake("per-sample True/False returned",
                "you returned one True/False per sample; accuracy is one number, the fraction "
                "of them that are True.",
                lambda y, y_hat: _predicted(y_hat) == y),
        Mistake("a tie counted as right",
                "you counted a sample as right when its true class has the largest probability, "
                "tied or not: on a tie the predicted class is the first of the tied columns "
                "(what np.argmax gives), so only that one is right. Compare "
                "y_hat.argmax(axis=1) with y.",
                lambda y, y_hat: float(np.mean(np.asarray(y_hat)[np.arange(len(y)), y]
                                               == np.asarray(y_hat).max(axis=1)))),
        Mistake("the last of a tie",
                "on a tie you took the last of the tied columns; the predicted class is the "
                "first (np.argmax gives the first largest entry).",
                lambda y, y_hat: float(np.mean(
                    np.shape(y_hat)[1] - 1 - np.asarray(y_hat)[:, ::-1].argmax(axis=1) == y))),
        Mistake("floor division //",
                "count // N is floor division: 0 unless every sample is right. Divide with /, "
                "or take np.mean of the True/False array.",
                lambda y, y_hat: int(np.sum(_predicted(y_hat) == y)) // len(y)),
        Mistake("argmin instead of argmax",
                "you took each row's *smallest* probability (argmin) as its predicted class: "
                "the predicted class is the most probable one, y_hat.argmax(axis=1).",
                lambda y, y_hat: float(np.mean(np.asarray(y_hat).argmin(axis=1) == y))),
        Mistake("divided by the number of classes",
                "you divided the number of right predictions by the number of classes "
                "(y_hat.shape[1]); divide by the number of samples, len(y).",
                lambda y, y_hat: float(np.sum(_predicted(y_hat) == y) / np.shape(y_hat)[1])),
    ],
)


# --- confusion matrix -------------------------------------------------------------------------

def confusion_cases(rng):
    y_big = rng.integers(0, 10, 300)
    noisy = rng.random(300) < 0.1            # a 90%-accurate classifier
    y_pred_big = np.where(noisy, rng.integers(0, 10, 300), y_big)
    same = np.array([2, 0, 1, 1, 3, 2, 2])
    return [
        Case("6 samples, 3 classes: y = [0, 0, 0, 1, 1, 2], y_pred = [0, 0, 1, 1, 1, 0]",
             (np.array([0, 0, 0, 1, 1, 2]), np.array([0, 0, 1, 1, 1, 0]), 3)),
        Case("n_classes = 4, but class 3 never appears (neither true nor predicted)",
             (np.array([0, 1, 2, 2, 1]), np.array([0, 2, 2, 1, 1]), 4)),
        Case("every prediction right: the counts sit on the diagonal", (same, same.copy(), 4)),
        Case("60 random int32 labels, 5 classes",
             (rng.integers(0, 5, 60).astype(np.int32), rng.integers(0, 5, 60).astype(np.int32), 5)),
        Case("300 samples, 10 classes, 90% right", (y_big, y_pred_big, 10)),
    ]


def _looped(y, y_pred, K, assign=False):
    C = np.zeros((K, K), dtype=np.int64)
    for true, pred in zip(y, y_pred):
        C[true, pred] = 1 if assign else C[true, pred] + 1
    return C


FLOAT_COUNTS_HINT = ("counts are whole numbers, so the matrix should be an integer array: "
                     "np.zeros((n_classes, n_classes)) makes floats; use "
                     "np.zeros((n_classes, n_classes), dtype=int).")

BINCOUNT_HINT = ("np.bincount counts only up to the largest value it sees: when the last classes "
                 "never occur, there are fewer than K·K counts to reshape. Pass "
                 "minlength=n_classes ** 2.")


def _bincount_short(y, y_pred, K):
    return np.bincount(np.asarray(y) * K + np.asarray(y_pred)).reshape(-1, K)


CONFUSION_MISTAKES = [
    Mistake("histogram2d bins from the labels seen",
            "np.histogram2d without range= takes its bins from the smallest and largest label it "
            "sees, so a class missing at either end shifts every bin: give it "
            "range=[[0, n_classes], [0, n_classes]] and return integers, or count with "
            "C[y[n], y_pred[n]] += 1 (np.add.at(C, (y, y_pred), 1) does all at once).",
            lambda y, y_pred, K: np.histogram2d(y, y_pred, bins=K)[0]),
    Mistake("transposed",
            "rows and columns are swapped: row i is the *true* class i and column j the "
            "*predicted* class j, so a sample adds 1 to C[y[n], y_pred[n]].",
            lambda y, y_pred, K: metrics.confusion_matrix(y, y_pred, K).T),
    Mistake("size from the labels seen",
            "the size came from the largest label in this batch, but a class can be missing "
            "from a batch: the matrix is always n_classes × n_classes.",
            lambda y, y_pred, K: metrics.confusion_matrix(y, y_pred)),
    Mistake("only 0/1 entries",
            "every entry is 0 or 1: repeated (true, predicted) pairs were not added up. Use "
            "`C[y[n], y_pred[n]] += 1` in a loop over the samples (with whole arrays, "
            "`C[y, y_pred] += 1` counts each distinct pair only once; np.add.at(C, (y, y_pred), 1) "
            "counts them all).",
            lambda y, y_pred, K: _looped(y, y_pred, K, assign=True)),
    Mistake("fractions per row",
            "you divided each row by its total: return the counts themselves (the number of "
            "samples), not fractions.",
            lambda y, y_pred, K: _looped(y, y_pred, K) / _looped(y, y_pred, K).sum(axis=1,
                                                                               keepdims=True)),
    Mistake("only the diagonal",
            "only the right answers were counted (the diagonal): C[i, j] counts every sample "
            "of true class i predicted as j, the mistakes off the diagonal too.",
            lambda y, y_pred, K: np.diag(np.diag(metrics.confusion_matrix(y, y_pred, K)))),
    Mistake("| instead of &",
            "C[i, j] counted samples of class i *or* predicted j: use & (and) — "
            "np.sum((y == i) & (y_pred == j)).",
            lambda y, y_pred, K: np.array([[int(np.sum((np.asarray(y) == i)
                                                       | (np.asarray(y_pred) == j)))
                                            for j in range(K)] for i in range(K)])),
    Mistake("float counts", FLOAT_COUNTS_HINT,
            lambda y, y_pred, K: _looped(y, y_pred, K).astype(np.float64)),
    Mistake("fractions of all samples",
            "you divided the counts by the number of samples: return the counts themselves "
            "(whole numbers), not fractions.",
            lambda y, y_pred, K: _looped(y, y_pred, K) / len(y)),
    Mistake("off by one (K + 1 classes)",
            "the matrix has one row and one column too many: classes are numbered 0 to "
            "n_classes − 1, so the matrix is n_classes × n_classes.",
            lambda y, y_pred, K: _looped(y, y_pred, K + 1)),
] + [Mistake("a sample left out",
             "one sample was never counted (the entries add up to N − 1): the loop stopped one "
             "short or started one late (range(len(y) - 1), range(1, len(y))). Count every "
             "sample: for n in range(len(y)).",
             lambda y, y_pred, K, cut=cut: _looped(np.asarray(y)[cut], np.asarray(y_pred)[cut], K))
     for cut in (slice(None, -1), slice(1, None))] + [
    Mistake("np.bincount without minlength", BINCOUNT_HINT, _bincount_short)]


@exercise(id="nb08_confusion_matrix", name="confusion_matrix", notebook=NOTEBOOK, points=2,
          verifies="rows true, columns predicted, repeated pairs counted, absent classes, ints",
          reference=metrics.confusion_matrix, mistakes=CONFUSION_MISTAKES,
          arg_names=("y", "y_pred", "n_classes"))
def confusion_matrix_judge(fn, ctx):
    for case in confusion_cases(ctx.rng):
        expected = metrics.confusion_matrix(*case.args)
        got = ctx.call(fn, *case.args, case=case)
        # Any integer dtype is fine (int32 or int64); the values are compared exactly first.
        ctx.compare(got, expected, case, CONFUSION_MISTAKES, rtol=0, atol=0, check_dtype=False)
        if got.dtype.kind not in "iu":
            ctx.fail_case(case, problem=f"the counts are right but stored as {got.dtype}",
                          mistake=next(m for m in CONFUSION_MISTAKES if m.name == "float counts"))


# --- one training step ------------------------------------------------------------------------

CCE = "categorical_cross_entropy"

# (description, layer sizes, optimizer, learning rate, dtype, batch size). SGD comes first:
# its update is proportional to the gradient, so every wrong gradient shows at once (Adam's
# first step is close to lr·sign(gradient), which hides a gradient's size).
TRAIN_CONFIGS = [
    ("a 4-5-3 network with SGD (lr=0.5), batches of 6", [4, 5, 3], "sgd", 0.5, np.float64, 6),
    ("a 6-8-4 network with Adam (lr=0.01), batches of 10", [6, 8, 4], "adam", 0.01,
     np.float64, 10),
    ("a 5-7-3 float32 network with SGD (lr=0.1), batches of 8", [5, 7, 3], "sgd", 0.1,
     np.float32, 8),
]


def _reference_train_step(network, optimizer, X, y):
    """nnlib's train.train_step with categorical cross-entropy, returning only the cost."""
    cost, _ = train.train_step(network, optimizer, X, y, cost=CCE)
    return float(cost)


def _cost(y, y_hat):
    return losses.categorical_cross_entropy(y, y_hat)


def _logits(network):
    return network.layers[-1].Z


def _no_zero_grad(network, optimizer, X, y):
    y_hat = network.forward(X)
    network.backward(losses.softmax_cross_entropy_grad(y, _logits(network)), start=-1)
    optimizer.step()
    return _cost(y, y_hat)


def _no_step(network, optimizer, X, y):
    y_hat = network.forward(X)
    optimizer.zero_grad()
    network.backward(losses.softmax_cross_entropy_grad(y, _logits(network)), start=-1)
    return _cost(y, y_hat)


def _step_first(network, optimizer, X, y):
    y_hat = network.forward(X)
    optimizer.step()
    optimizer.zero_grad()
    network.backward(losses.softmax_cross_entropy_grad(y, _logits(network)), start=-1)
    return _cost(y, y_hat)


def _cost_after_update(network, optimizer, X, y):
    _reference_train_step(network, optimizer, X, y)
    return _cost(y, network.forward(X))


def _fused_through_softmax(network, optimizer, X, y):
    y_hat = network.forward(X)
    optimizer.zero_grad()
    network.backward(losses.softmax_cross_entropy_grad(y, _logits(network)))
    optimizer.step()
    return _cost(y, y_hat)


def _fused_from_probabilities(network, optimizer, X, y):
    y_hat = network.forward(X)
    optimizer.zero_grad()
    network.backward(losses.softmax_cross_entropy_grad(y, y_hat), start=-1)
    optimizer.step()
    return _cost(y, y_hat)


def _unfused_skipping_softmax(network, optimizer, X, y):
    y_hat = network.forward(X)
    optimizer.zero_grad()
    network.backward(losses.categorical_cross_entropy_grad(y, y_hat), start=-1)
    optimizer.step()
    return _cost(y, y_hat)


def _fused_scaled(scale):
    """The fused gradient ŷ − y written out by hand, times ``scale(y)`` instead of 1/N."""
    def step(network, optimizer, X, y):
        y_hat = network.forward(X)
        optimizer.zero_grad()
        network.backward((y_hat - y) * scale(y), start=-1)
        optimizer.step()
        return _cost(y, y_hat)
    return step


def _cost_arguments_swapped(network, optimizer, X, y):
    _, y_hat = train.train_step(network, optimizer, X, y, cost=CCE)
    return _cost(y_hat, y)


def _fused_arguments_swapped(network, optimizer, X, y):
    y_hat = network.forward(X)
    optimizer.zero_grad()
    network.backward(losses.softmax_cross_entropy_grad(_logits(network), y), start=-1)
    optimizer.step()
    return _cost(y, y_hat)


def _cost_summed(network, optimizer, X, y):
    _, y_hat = train.train_step(network, optimizer, X, y, cost=CCE)
    return _cost(y, y_hat) * len(y)


def _mse_reported(network, optimizer, X, y):
    _, y_hat = train.train_step(network, optimizer, X, y, cost=CCE)
    return losses.mse(y, y_hat)


def _manual_sgd(network, optimizer, X, y):
    y_hat = network.forward(X)
    optimizer.zero_grad()
    network.backward(losses.softmax_cross_entropy_grad(y, _logits(network)), start=-1)
    for p in network.parameters():
        p.value -= optimizer.lr * p.grad
    return _cost(y, y_hat)


TRAIN_STEP_MISTAKES = [
    Mistake("cost after the update",
            "you returned the cost measured after the update (a second forward pass). Return "
            "the cost of the forward pass the gradients came from, computed before "
            "optimizer.step().",
            _cost_after_update),
    Mistake("MSE returned",
            "the returned cost is the mean squared error; this network is trained on the "
            "categorical cross-entropy, so return losses.categorical_cross_entropy(y, y_hat).",
            _mse_reported),
    Mistake("no zero_grad",
            "the first step is right but the second is not: backward *adds* into every "
            "parameter's grad, so without optimizer.zero_grad() the second update used the sum "
            "of both batches' gradients. Call optimizer.zero_grad() before network.backward(...).",
            _no_zero_grad),
    Mistake("parameters never move",
            "the parameters did not move: the optimizer never stepped, or stepped on zero "
            "gradients. The order is optimizer.zero_grad(), network.backward(...), "
            "optimizer.step(): backward fills the gradients and step uses them, so zero_grad() "
            "between them wipes them, and step() before backward() finds them still zero.",
            _no_step),
    Mistake("step before backward",
            "each update used the gradients of the *previous* batch (the first one changed "
            "nothing): optimizer.step() ran before network.backward(...). The order is "
            "zero_grad(), backward(), step().",
            _step_first),
    Mistake("fused gradient sent through the softmax",
            "softmax_cross_entropy_grad already is the gradient with respect to Z, the softmax's "
            "input: start the backward pass below the softmax layer with "
            "network.backward(dout, start=-1).",
            _fused_through_softmax),
    Mistake("fused gradient from the probabilities",
            "softmax_cross_entropy_grad(y, Z) takes the logits Z = network.layers[-1].Z (the "
            "softmax's input), not the probabilities y_hat.",
            _fused_from_probabilities),
    Mistake("softmax skipped",
            "categorical_cross_entropy_grad(y, y_hat) is the gradient with respect to y_hat, so "
            "it must go back through the softmax: network.backward(dout) without start=-1 (or "
            "use the fused softmax_cross_entropy_grad(y, Z) with start=-1).",
            _unfused_skipping_softmax),
    Mistake("fused gradient without the 1/N",
            "the gradient you sent back is ŷ − y, the gradient of the *summed* cost: the cost is "
            "the mean over the N samples of the batch, so its gradient with respect to Z is "
            "(ŷ − y) / N (what losses.softmax_cross_entropy_grad(y, Z) returns).",
            _fused_scaled(lambda y: 1.0)),
    Mistake("fused gradient divided by N·K",
            "you divided ŷ − y by N·K (y.size): the cost averages over the N samples only (each "
            "sample's cross-entropy is a sum over its K classes), so the gradient with respect "
            "to Z is (ŷ − y) / N, with N = len(y).",
            _fused_scaled(lambda y: 1.0 / y.size)),
    Mistake("gradient sign flipped",
            "the gradient you sent back is (y − ŷ) / N, the wrong sign, so the step goes "
            "uphill: the gradient of the cost with respect to Z is (ŷ − y) / N.",
            _fused_scaled(lambda y: -1.0 / len(y))),
    Mistake("cost summed over the batch",
            "the cost you returned is N times the right one: the cross-entropy is the *mean* "
            "over the batch's samples (losses.categorical_cross_entropy(y, y_hat)), not their "
            "sum.",
            _cost_summed),
    Mistake("cost's arguments swapped",
            "the cost is losses.categorical_cross_entropy(y, y_hat): the targets first, then "
            "the predictions (you passed y_hat first, so the log was taken of the 0/1 "
            "targets).",
            _cost_arguments_swapped),
    Mistake("fused gradient's arguments swapped",
            "losses.softmax_cross_entropy_grad(y, Z) takes the targets first, then the logits "
            "Z = network.layers[-1].Z: with (Z, y) it returned (softmax(y) − Z) / N, not "
            "(softmax(Z) − y) / N.",
            _fused_arguments_swapped),
    Mistake("SGD by hand",
            "you updated the parameters yourself with the SGD rule w -= lr * grad, which is "
            "wrong for any other optimizer (Adam here): call optimizer.step(), which applies "
            "the optimizer's own rule.",
            _manual_sgd),
]


def _recipe(config):
    """A config's network and optimizer as plain data: (sizes, optimizer, lr, dtype name)."""
    _, sizes, opt_name, lr, dtype, _ = config
    return list(sizes), opt_name, lr, np.dtype(dtype).name


def _setup(config, seed):
    return setup(*_recipe(config), seed)


def _batches(config, rng):
    _, sizes, _, _, dtype, N = config
    return [(rng.normal(0, 1, (N, sizes[0])).astype(dtype),
             data.one_hot(rng.integers(0, sizes[-1], N), sizes[-1], dtype=dtype))
            for _ in range(2)]


def _two_steps(step, config, seed, batches):
    """Run ``step`` on a fresh network for each batch; returns per step (cost, parameters)."""
    network, optimizer = _setup(config, seed)
    record = []
    for X, y in batches:
        cost = step(network, optimizer, X, y)
        record.append((cost, [(name, p.value.copy()) for name, p in network.named_parameters()]))
    return record


def _agree(a, b, rtol, atol):
    """Same shape and close values; False for anything that is not numbers (a tuple, None)."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def _same_run(r1, r2, rtol, atol):
    return all(_agree(c1, c2, rtol, atol) and
               all(_agree(v1, v2, rtol, atol) for (_, v1), (_, v2) in zip(p1, p2))
               for (c1, p1), (c2, p2) in zip(r1, r2))


COST_TUPLE = Mistake(
    "a tuple returned, not the cost",
    "train_step returns the batch's cost, one number: nnlib's train.train_step returns the "
    "pair (cost, y_hat), so return its first item (or the cost you computed), not the pair.",
    None)


@exercise(id="nb08_train_step", name="train_step", notebook=NOTEBOOK, points=3,
          verifies="cost before the update; every parameter after two steps, SGD and Adam",
          reference=_reference_train_step, mistakes=TRAIN_STEP_MISTAKES,
          arg_names=("network", "optimizer", "X", "y"), tripwires=TRAINING)
def train_step_judge(fn, ctx):
    for config in TRAIN_CONFIGS:
        description, dtype = config[0], config[4]
        rtol, atol = (1e-4, 1e-6) if dtype == np.float32 else (1e-6, 1e-9)
        seed = int(ctx.rng.integers(2**31))
        batches = _batches(config, ctx.rng)

        # The learner's two steps, on their own network and optimizer (built where their
        # code runs, from the same recipe).
        steps = ctx.call(fn, *_recipe(config), seed, batches, check_mutation=False,
                         case=Case(description, ()), driver=drive_train_step)
        got = []
        for k, step in enumerate(steps, start=1):
            for name in step["changed"]:
                ctx.failure(f"changed its input `{name}` in place on {description}, step {k}.",
                            "Leave the batch as it is: the gradient and the cost only read it.")
            got.append((step["cost"], [tuple(pair) for pair in step["parameters"]]))
        expected = _two_steps(_reference_train_step, config, seed, batches)

        # Compare step by step: the cost, then the parameters (the first one that differs, or
        # the first one when all agree, so that each counts as one case). A wrong result is
        # named by the known mistake whose whole two-step run it reproduces.
        matching = None
        for k, ((cost, params), (exp_cost, exp_params)) in enumerate(zip(got, expected), 1):
            if isinstance(cost, (tuple, list)):
                ctx.fail_case(f"{description} — step {k}: the cost it returned",
                              expected=exp_cost, got=cost, mistake=COST_TUPLE,
                              problem=f"returned a {type(cost).__name__}; expected a single "
                              "number")
            differ = [(f"{name} after the update", v, e)
                      for (name, v), (_, e) in zip(params, exp_params)
                      if not _agree(v, e, rtol, atol)]
            first = ("the parameters after the update", params[0][1], exp_params[0][1])
            parameters = differ[0] if differ else first
            for what, value, exp in [("the cost it returned", cost, exp_cost), parameters]:
                hints = []
                if not _agree(value, exp, rtol, atol):
                    if matching is None:
                        matching = [m for m in TRAIN_STEP_MISTAKES
                                    if _matches(m.fn, got, config, seed, batches, rtol, atol)]
                    hints = [Mistake(m.name, m.hint, lambda *a, v=value: v) for m in matching]
                case = Case(f"{description} — step {k}: {what}", (), rtol=rtol, atol=atol)
                ctx.compare(value, exp, case, hints, rtol=rtol, atol=atol, check_dtype=False)


def _matches(wrong_step, got, config, seed, batches, rtol, atol):
    """Does the learner's run equal the run of this known wrong step?"""
    try:
        with np.errstate(all="ignore"):
            wrong = _two_steps(wrong_step, config, seed, batches)
    except Exception:
        return False
    return _same_run(got, wrong, rtol, atol)


name_errors("nb08_accuracy", {"axis 1 is out of bounds for array of dimension 1": Mistake(
    "y read as one-hot",
    "y holds one class number per sample, shape (N,), not one-hot rows: compare it directly "
    "with y_hat.argmax(axis=1), without an argmax of its own.", None)})
name_errors("nb08_confusion_matrix", {"cannot reshape array": Mistake(
    "np.bincount without minlength", BINCOUNT_HINT, None)})
