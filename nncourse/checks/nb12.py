"""Checks for notebook 12, your own network: forward and backward for any depth, mini-batches,
Adam, the training loop with L2, and the capstone's decisions: the candidates, the choice on
the validation set, saving and reloading, the chosen network against the linear baseline, and
the test accuracy with its standard error.

The learner's network is plain data: ``params = [W1, b1, W2, b2, ...]`` (float arrays, ReLU
hidden layers, a softmax output, categorical cross-entropy). Each piece is compared with nnlib
on seeded cases: ``forward`` and ``backward`` with a ``Network`` holding the same arrays,
``minibatches`` with ``train.minibatches``, ``adam_step`` with ``optimizers.Adam``, ``train``
and ``choose`` with ``train.fit``. The references registered here are written in plain numpy
(they are what a learner writes, and the known mistakes are their one-keyword variants); nnlib
only produces the expected answers.

Learner code is reached through the drivers of :mod:`nncourse.checks.drivers.nb12`, which also
list what its code path reads: nnlib (the network must be the learner's own) and arrays named
*test* (choices are made on the validation set, and the test set is touched once, at the end).
"""

import numpy as np

from nnlib import data, train as nn_train
from nnlib.layers import Activation, Dense
from nnlib.losses import softmax_cross_entropy_grad
from nnlib.network import Network
from nnlib.optimizers import Adam
from nncourse.checks.drivers.nb12 import (
    drive_candidates, drive_choose, drive_minibatches, drive_minibatches_type, drive_my_network, drive_save_and_reload,
    drive_train)
from nncourse.checks.judging import Said, as_named, problem, verdict_wrong
from nncourse.checks.mistakes import variants
from nncourse.checks.registry import TRAINING, Case, Mistake, exercise, name_errors

NOTEBOOK = "12_your_own_network"
BATCH_SIZE = 32
BUDGET = 2_000_000          # parameters × epochs, summed over the candidates
MAX_CANDIDATES = 8
KEYS = ("hidden", "lr", "l2", "epochs")
BASELINE_VAL_CORRECT = 260  # the 64-10 softmax regression on the 269 validation digits
                            # (tests/course/test_checks_nb12.py recomputes it with nnlib)


# --- the pieces in plain numpy (the references, and the material of the known mistakes) -----

def init_params(sizes, rng):
    """He-initialised weights and zero biases, drawn exactly as nnlib's ``Network.from_sizes``
    draws them: ``[W1, b1, W2, b2, ...]``."""
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        params.append(np.sqrt(2.0 / n_in) * rng.standard_normal((n_in, n_out)))
        params.append(np.zeros(n_out))
    return params


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def forward(params, X, hidden="relu", output_relu=False, stable=True, axis=1, cache_A=False,
            bias=True, output="softmax", cache_next=False, cache_swapped=False,
            transposed=False, sum_axis=None):
    """``(y_hat, cache)`` with ``cache[l] = (A_in, Z)`` for layer l: ReLU hidden layers, a
    softmax output. (The keywords make the known mistakes.)"""
    cache, A = [], X
    L = len(params) // 2
    for l in range(L):
        W, b = params[2 * l], params[2 * l + 1]
        Z = A @ (W.T if transposed else W) + (b if bias else 0)
        if l < L - 1:
            A_next = np.maximum(Z, 0) if hidden == "relu" else (
                1 / (1 + np.exp(-Z)) if hidden == "sigmoid" else _softmax(Z) if
                hidden == "softmax" else np.tanh(Z) if hidden == "tanh" else Z)
        elif output == "logits":
            A_next = Z
        else:
            Zo = np.maximum(Z, 0) if output_relu else Z
            if stable:
                E = np.exp(Zo - Zo.max(axis=axis, keepdims=True))
            else:
                E = np.exp(Zo)
            A_next = E / E.sum(axis=axis if sum_axis is None else sum_axis, keepdims=True)
        pair = (A_next if cache_next else A, A_next if cache_A else Z)
        cache.append(pair[::-1] if cache_swapped else pair)
        A = A_next
    return A, cache


def backward(params, cache, Y, per_sample=False, db_mean=False, relu_grad=True,
             transposed_dW=False, no_transpose_dA=False, sign=1, slope_from_A=False,
             sum_keepdims=False, no_softmax=False, per_layer_n=False, slope_at="own",
             reverse_out=False, w_below=False, out_slope=False):
    """``[dW1, db1, ...]`` of the mean cross-entropy, with the fused (softmax − Y)/N at the
    output."""
    L = len(params) // 2
    grads = [None] * len(params)
    N = 1 if per_sample else len(Y)
    P = cache[-1][1] if no_softmax else _softmax(cache[-1][1])
    dZ, dA = sign * (P - Y) / N, None
    if out_slope:
        dZ = dZ * (cache[-1][1] > 0)
    for l in reversed(range(L)):
        A_in, Z = cache[l]
        if l < L - 1 and relu_grad and slope_at == "above":
            dZ = dA * (cache[l + 1][1] > 0)
        elif l < L - 1 and relu_grad and slope_at == "sigmoid":
            dZ = dA * (1 / (1 + np.exp(-Z))) * (1 - 1 / (1 + np.exp(-Z)))
        elif l < L - 1 and relu_grad:
            dZ = dA * ((cache[l + 1][0] > 0) if slope_from_A else (Z > 0))
        elif l < L - 1:
            dZ = dA
        if l < L - 1 and per_layer_n:
            dZ = dZ / N
        grads[2 * l] = (dZ.T @ A_in) if transposed_dW else A_in.T @ dZ
        grads[2 * l + 1] = dZ.mean(axis=0) if db_mean else dZ.sum(axis=0, keepdims=sum_keepdims)
        W = params[2 * (l - 1)] if w_below and l > 0 else params[2 * l]
        dA = dZ @ (W if no_transpose_dA else W.T)
    if reverse_out:
        return [g for l in reversed(range(L)) for g in (grads[2 * l], grads[2 * l + 1])]
    return grads


def minibatches(N, batch_size, rng):
    """Index arrays covering range(N) once, in the order ``rng.permutation(N)``."""
    order = rng.permutation(N)
    return [order[start:start + batch_size] for start in range(0, N, batch_size)]


def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam update (step t, counted from 1): returns new ``(w, m, v)``."""
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _cost(P, Y):
    return float(-np.mean(np.sum(Y * np.log(np.clip(P, 1e-300, None)), axis=1)))


def train(params, X, Y, epochs, batch_size, lr, seed, l2=0.0, shuffle="once", weighted=True,
          after=False, t_per_epoch=False, sgd=False, l2_biases=False, l2_factor=1.0,
          penalty=0.5, decoupled=False, l2_over_n=False, per_batch=False, t_reset=False,
          moments_reset=False, seed_shift=0, cost_biases=False):
    """Adam on mini-batches, with an L2 penalty (λ/2)·Σ‖W‖² on the weights; returns
    ``(params, costs)`` with one cost per epoch: the mean of the batches' costs (each weighted
    by its size, penalty included), measured before each update."""
    params = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    rng, t, costs = np.random.default_rng(seed + seed_shift), 0, []
    for epoch in range(epochs):
        t = 0 if t_reset else t
        if shuffle == "every epoch":
            rng = np.random.default_rng(seed)
        batches = [np.arange(s, min(s + batch_size, len(X))) for s in range(0, len(X), batch_size)] \
            if shuffle == "never" else minibatches(len(X), batch_size, rng)
        total, batch_costs = 0.0, []
        if t_per_epoch:
            t += 1
        for idx in batches:
            if moments_reset:
                m = [np.zeros_like(p) for p in params]
                v = [np.zeros_like(p) for p in params]
            penalised = [i for i in range(len(params)) if i % 2 == 0 or l2_biases]
            in_cost = range(len(params)) if cost_biases else penalised
            y_hat, cache = forward(params, X[idx])
            grads = backward(params, cache, Y[idx])
            lam = l2 / len(idx) if l2_over_n else l2
            before = _cost(y_hat, Y[idx]) + penalty * lam * sum(
                float(np.sum(params[i] ** 2)) for i in in_cost)
            if not decoupled:
                for i in penalised:
                    grads[i] = grads[i] + l2_factor * lam * params[i]
            if not t_per_epoch:
                t += 1
            for i, (p, g) in enumerate(zip(params, grads)):
                if sgd:
                    params[i] = p - lr * g
                else:
                    params[i], m[i], v[i] = adam_step(p, g, m[i], v[i], t, lr)
                if decoupled and i in penalised:
                    params[i] = params[i] - lr * lam * p
            c = _cost(forward(params, X[idx])[0], Y[idx]) if after else before
            total += c * len(idx)
            batch_costs.append(c)
        if per_batch:
            costs.extend(batch_costs)
        else:
            costs.append(total / len(X) if weighted else float(np.mean(batch_costs)))
    return params, costs


def fit(config, X, Y, seed):
    """The notebook's given glue: the network of ``config`` (He-initialised from ``seed``),
    trained by ``train`` with batches of 32 and shuffling seed ``seed + 1``."""
    sizes = [X.shape[1], *config["hidden"], Y.shape[1]]
    params = init_params(sizes, np.random.default_rng(seed))
    params, _ = train(params, X, Y, config["epochs"], BATCH_SIZE, config["lr"], seed + 1,
                      l2=config["l2"])
    return params


def predict(params, X):
    """The predicted class of every row of X."""
    return forward(params, X)[0].argmax(axis=1)


def accuracy(params, X, y):
    return float(np.mean(predict(params, X) == y))


# --- nnlib, for the expected answers ----------------------------------------------------------

def nnlib_network(params):
    layers = []
    L = len(params) // 2
    for l in range(L):
        layers += [Dense.from_arrays(params[2 * l], params[2 * l + 1]),
                   Activation("relu" if l < L - 1 else "softmax")]
    return Network(layers)


def nnlib_forward(params, X):
    net = nnlib_network(params)
    y_hat = net.forward(X)
    cache = [(dense.X, act.Z) for dense, act in zip(net.layers[::2], net.layers[1::2])]
    return y_hat, cache


def nnlib_backward(params, cache, Y):
    net = nnlib_network(params)
    net.forward(cache[0][0])
    net.backward(softmax_cross_entropy_grad(Y, net.layers[-1].Z), start=-1)
    return [p.grad.copy() for p in net.parameters()]


def nnlib_fit(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
    net = nnlib_network(params)
    history = nn_train.fit(net, X, Y, cost="categorical_cross_entropy",
                           optimizer=Adam(net.parameters(), lr=lr), epochs=epochs,
                           batch_size=batch_size, rng=np.random.default_rng(seed), l2=l2)
    return [p.value.copy() for p in net.parameters()], np.array(history["cost"])


def nnlib_config(config, X, Y, seed):
    """``fit`` with nnlib: the trained parameters of ``config``."""
    sizes = [X.shape[1], *config["hidden"], Y.shape[1]]
    return nnlib_fit(init_params(sizes, np.random.default_rng(seed)), X, Y, config["epochs"],
                     BATCH_SIZE, config["lr"], seed + 1, config["l2"])[0]


def nnlib_predict(params, X):
    return nnlib_network(params).predict(X).argmax(axis=1)


# --- helpers ----------------------------------------------------------------------------------

def _random_params(rng, sizes, scale=1.0):
    params = init_params(sizes, rng)
    return [p * scale if p.ndim == 2 else np.round(rng.normal(0, 0.1, p.shape), 3) for p in params]


def _named(matching, value):
    return [Mistake(m.name, m.hint, lambda *a, v=value: v) for m in matching]


def _is_list_of_arrays(x, n=None):
    return isinstance(x, (list, tuple)) and (n is None or len(x) == n) and \
        all(isinstance(a, np.ndarray) for a in x)


def _fail_structure(ctx, description, what, mistake=None):
    ctx.fail_case(description, problem=what, mistake=mistake)


def _param_names(n):
    return [f"{'W' if i % 2 == 0 else 'b'}{i // 2 + 1}" for i in range(n)]


def _nnlib_hint(names):
    return (f"your code reaches nnlib through {', '.join(names)}. This network must be all "
            "yours: use your own forward, backward, minibatches and adam_step (plain numpy), "
            "with no nnlib in their code path.")


NNLIB = Mistake("nnlib in the code path", "your code reaches nnlib: this network must be all "
                "yours (plain numpy), with no nnlib in its code path.", None)


def _network_names(names):
    """The nnlib names that make a network (nnlib.data, the digits and one_hot, is allowed)."""
    return [n for n in names if "nnlib.data" not in n and n != "data (nnlib.data)"]


def _fail_nnlib(ctx, description, names):
    ctx.fail_case(description, problem="nnlib in your network's code path",
                  mistake=Mistake(NNLIB.name, _nnlib_hint(names), None))


# --- exercise 1: forward ----------------------------------------------------------------------

def forward_cases(rng):
    X4 = np.round(rng.normal(0, 1, (5, 4)), 3)
    return [
        ("a 4-4-4 network (one hidden layer), 5 samples", _random_params(rng, [4, 4, 4]), X4),
        ("a 3-5-4-2 network (two hidden layers), 6 samples", _random_params(rng, [3, 5, 4, 2]),
         np.round(rng.normal(0, 1, (6, 3)), 3)),
        ("a 4-3 network (no hidden layer: softmax of X·W + b), 5 samples",
         _random_params(rng, [4, 3]), X4),
        ("a 4-6-3 network with large weights: logits in the hundreds",
         _random_params(rng, [4, 6, 3], scale=60.0), X4),
        ("a 64-32-16-10 network, 8 samples", _random_params(rng, [64, 32, 16, 10]),
         rng.random((8, 64))),
    ]


FORWARD_MISTAKES = [
    Mistake("cache pairs as (Z, A_in)",
            "each cache entry is the pair (A_in, Z), the layer's input first: backward reads "
            "A_in, Z = cache[l].", lambda p, X: forward(p, X, cache_swapped=True)),
    Mistake("ReLU on the output layer",
            "the last layer's logits went through ReLU before the softmax: only the hidden "
            "layers use ReLU; the output layer is softmax(A·W + b) of the raw logits.",
            lambda p, X: forward(p, X, output_relu=True)),
    Mistake("softmax overflows",
            "NaN for large logits: exp(1000) overflows. Subtract each row's maximum before "
            "np.exp; it cancels in the ratio (notebook 03).",
            lambda p, X: forward(p, X, stable=False)),
    Mistake("softmax over the batch",
            "your probabilities add up to 1 down each column: the softmax runs over each "
            "sample's classes, along axis=1 (with keepdims=True).",
            lambda p, X: forward(p, X, axis=0)),
    Mistake("softmax over the batch",
            "your probabilities add up to 1 down each column: you shifted by each row's "
            "maximum, rightly, but summed the exps over axis 0, the samples. The softmax runs "
            "over each sample's classes: sum along axis=1 (with keepdims=True).",
            lambda p, X: forward(p, X, sum_axis=0)),
    Mistake("sigmoid hidden layers",
            "the hidden layers use the sigmoid; this network uses ReLU, np.maximum(Z, 0).",
            lambda p, X: forward(p, X, hidden="sigmoid")),
    Mistake("tanh hidden layers",
            "the hidden layers use tanh; this network uses ReLU, np.maximum(Z, 0).",
            lambda p, X: forward(p, X, hidden="tanh")),
    Mistake("no biases",
            "the biases were left out: each layer computes Z = A·W + b.",
            lambda p, X: forward(p, X, bias=False)),
    Mistake("activations cached instead of Z",
            "y_hat is right, but cache[l] must hold (A_in, Z): the layer's input and its "
            "pre-activation Z = A_in·W + b (backward needs Z for ReLU's slope and the last Z "
            "for the fused gradient), not the activation after it.",
            lambda p, X: forward(p, X, cache_A=True)),
    Mistake("no softmax at the output",
            "y_hat holds the last layer's logits: the output layer applies the softmax, so "
            "each row of y_hat is a probability distribution summing to 1.",
            lambda p, X: forward(p, X, output="logits")),
    Mistake("no ReLU in the hidden layers",
            "the hidden layers pass Z on unchanged: each hidden layer applies ReLU, "
            "A = np.maximum(Z, 0) (without it the whole network is one linear map).",
            lambda p, X: forward(p, X, hidden="identity")),
    Mistake("the layer's output cached as A_in",
            "cache[l][0] must be the layer's *input* A_in (A₀ = X for the first layer), "
            "saved before you overwrite A with the layer's output.",
            lambda p, X: forward(p, X, cache_next=True)),
    Mistake("softmax in every layer",
            "the hidden layers went through the softmax too: only the output layer applies "
            "it; the hidden layers use ReLU, np.maximum(Z, 0).",
            lambda p, X: forward(p, X, hidden="softmax")),
    Mistake("W transposed (A·Wᵀ)",
            "you multiplied by W transposed, A @ W.T (the W·x convention of other courses, "
            "where W is (M_out, M_in)): here W has shape (M_in, M_out), one row per input, so "
            "Z = A @ W + b. (A square W hides the slip; the other shapes raise an error.)",
            lambda p, X: forward(p, X, transposed=True)),
    Mistake("softmax over all entries",
            "each row must sum to 1: normalise each sample's exponentials by their own row sum, "
            "E.sum(axis=1, keepdims=True), not by the sum over the whole batch.",
            lambda p, X: forward(p, X, axis=None)),
]


def _flat_forward(out):
    """y_hat and the cache as one list of arrays (None when the structure is wrong)."""
    if not (isinstance(out, (tuple, list)) and len(out) == 2 and isinstance(out[0], np.ndarray)):
        return None
    y_hat, cache = out
    if not (isinstance(cache, (list, tuple)) and
            all(isinstance(c, (list, tuple)) and len(c) == 2 for c in cache)):
        return None
    return [y_hat] + [a for pair in cache for a in pair]


def _loose(names):
    """Per name, the comparison without a dtype rule (float32 is judged by its values)."""
    return {n: (lambda g, e, rtol, atol: problem(g, e, rtol, atol, False)) for n in names}


PAIR_SWAPPED = Mistake("the pair swapped", "return the pair in the order the statement gives "
                       "((y_hat, cache) from forward, (best, val_accuracies) from choose).",
                       None)
CACHE_SHORT = Mistake("the output layer left out of the cache",
                      "the cache has one pair (A_in, Z) for *every* layer, the output layer "
                      "included: backward needs its Z for the fused gradient and its A_in for "
                      "the last dW.", None)


@exercise(id="nb12_forward", name="network_forward", notebook=NOTEBOOK, points=2,
          function="forward",
          verifies="y_hat and the cache (A_in, Z) of every layer, any depth, equal nnlib's",
          reference=lambda params, X: forward(params, X), mistakes=FORWARD_MISTAKES,
          arg_names=("params", "X"),
          tripwires=("nnlib.network.Network.forward", "nnlib.layers.Dense.forward"))
def judge_forward(fn, ctx):
    for description, params, X in forward_cases(ctx.rng):
        case = Case(description, (params, X))
        got = ctx.call(fn, params, X, case=case)
        flat = _flat_forward(got)
        L = len(params) // 2
        if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], np.ndarray) \
                and isinstance(got[0], (list, tuple)):
            _fail_structure(ctx, description, "returned (cache, y_hat)", PAIR_SWAPPED)
        if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], (list, tuple)) \
                and len(got[1]) == L - 1:
            _fail_structure(ctx, description, f"the cache holds {L - 1} pairs for {L} layers",
                            CACHE_SHORT)
        if flat is None or len(flat) != 1 + 2 * L:
            _fail_structure(ctx, description, f"return the pair (y_hat, cache), with cache a "
                            f"list of {L} pairs (A_in, Z), one per layer")
        y_hat, cache = nnlib_forward(params, X)
        names = ["y_hat"] + [f"cache[{l}][{k}] ({'A_in' if k == 0 else 'Z'} of layer {l + 1})"
                             for l in range(L) for k in range(2)]
        ctx.compare_named(flat, [y_hat] + [a for pair in cache for a in pair], case, names,
                          FORWARD_MISTAKES, rtol=1e-6, atol=1e-9, compare=_loose(names),
                          extract=lambda out, names=names: as_named(_flat_forward(out), names),
                          verdict=verdict_wrong)


# --- exercise 2: backward ---------------------------------------------------------------------

BACKWARD_MISTAKES = [
    Mistake("sum, not mean",
            "every gradient is N times too big: the cost is the *mean* over the batch, so the "
            "fused output gradient is (softmax(Z) − Y) / N.",
            lambda p, c, Y: backward(p, c, Y, per_sample=True)),
    Mistake("db averaged",
            "db is averaged over the samples: the 1/N is already inside dZ, so db is the *sum* "
            "of dZ over the samples, dZ.sum(axis=0).",
            lambda p, c, Y: backward(p, c, Y, db_mean=True)),
    Mistake("ReLU slope forgotten",
            "the gradient went through the hidden ReLUs unchanged: multiply by ReLU's slope, "
            "dZ = dA * (Z > 0), with that layer's Z from the cache.",
            lambda p, c, Y: backward(p, c, Y, relu_grad=False)),
    Mistake("dW transposed",
            "dW must have W's shape (D, M): dW = A_inᵀ·dZ, not dZᵀ·A_in.",
            lambda p, c, Y: backward(p, c, Y, transposed_dW=True)),
    Mistake("W not transposed for dA",
            "the gradient passed down to the layer below is dA = dZ·Wᵀ (shape (N, D)); "
            "you multiplied by W itself.",
            lambda p, c, Y: backward(p, c, Y, no_transpose_dA=True)),
    Mistake("sign flipped",
            "every gradient points the wrong way: the fused output gradient is "
            "(ŷ − Y) / N, prediction minus target.", lambda p, c, Y: backward(p, c, Y, sign=-1)),
    Mistake("softmax not applied to the cached Z",
            "the cache holds the output layer's Z, the logits: take their softmax to get ŷ "
            "before dZ = (ŷ − Y) / N.", lambda p, c, Y: backward(p, c, Y, no_softmax=True)),
    Mistake("db kept as a row",
            "db must have b's shape (M,): sum over the samples without keepdims, "
            "dZ.sum(axis=0).", lambda p, c, Y: backward(p, c, Y, sum_keepdims=True)),
    Mistake("ReLU slope of the layer above",
            "the slope that multiplies dA is ReLU's at the Z of the layer dA belongs to, the "
            "one below the weights you just went through: dZ = (dZ_above @ W_aboveᵀ) * "
            "(Z > 0) with that lower layer's Z (cache[l][1] for layer l), not the upper one's.",
            lambda p, c, Y: backward(p, c, Y, slope_at="above")),
    Mistake("sigmoid's slope for the hidden layers",
            "the hidden layers are ReLUs: their slope is (Z > 0), not σ(Z)(1 − σ(Z)).",
            lambda p, c, Y: backward(p, c, Y, slope_at="sigmoid")),
    Mistake("gradients in reverse order",
            "you appended the gradients while walking from the output down, so the list is "
            "[dW_L, db_L, ..., dW1, db1]: return them in params' order, [dW1, db1, ...] "
            "(fill grads[2 * l] and grads[2 * l + 1], or reverse the layers at the end).",
            lambda p, c, Y: backward(p, c, Y, reverse_out=True)),
    Mistake("dA with the weights of the layer below",
            "dA, passed down from layer l, is dZ·Wᵀ with layer l's own W (the weights dZ went "
            "through), not the next layer down's.",
            lambda p, c, Y: backward(p, c, Y, w_below=True)),
    Mistake("ReLU slope on the output layer",
            "the output's gradient also went through ReLU's slope (Z_L > 0): the output layer "
            "has no ReLU, its softmax is already inside the fused dZ = (ŷ − Y)/N. Apply "
            "(Z > 0) only to the hidden layers.",
            lambda p, c, Y: backward(p, c, Y, out_slope=True)),
    Mistake("divided by N at every layer",
            "the 1/N enters once, in the output's dZ = (ŷ − Y)/N; the layers below inherit it "
            "through dA, so do not divide again.",
            lambda p, c, Y: backward(p, c, Y, per_layer_n=True)),
]


def backward_cases(rng):
    cases = []
    for description, sizes, N in (("a 4-4-4 network, 5 samples", [4, 4, 4], 5),
                                  ("a 4-4-4-4 network (two hidden layers), 6 samples",
                                   [4, 4, 4, 4], 6),
                                  ("a 3-5-4-2 network, 7 samples", [3, 5, 4, 2], 7),
                                  ("a 4-3 network (no hidden layer), 5 samples", [4, 3], 5),
                                  ("a 64-32-10 network, 16 samples", [64, 32, 10], 16)):
        params = _random_params(rng, sizes)
        X = np.round(rng.normal(0, 1, (N, sizes[0])), 3)
        Y = data.one_hot(rng.integers(0, sizes[-1], N), sizes[-1])
        cases.append((description, params, nnlib_forward(params, X)[1], Y))
    return cases


@exercise(id="nb12_backward", name="network_backward", notebook=NOTEBOOK, points=3,
          function="backward",
          verifies="dW and db of every layer, any depth, equal nnlib's Network.backward",
          reference=lambda params, cache, Y: backward(params, cache, Y),
          mistakes=BACKWARD_MISTAKES, arg_names=("params", "cache", "Y"),
          tripwires=("nnlib.network.Network.backward", "nnlib.layers.Dense.backward"))
def judge_backward(fn, ctx):
    for description, params, cache, Y in backward_cases(ctx.rng):
        case = Case(description, (params, cache, Y))
        got = ctx.call(fn, params, cache, Y, case=case)
        if not _is_list_of_arrays(got, len(params)):
            _fail_structure(ctx, description, f"return a list of {len(params)} arrays, "
                            "[dW1, db1, dW2, db2, ...], one per parameter, in params' order")
        names = [f"d{n}" for n in _param_names(len(params))]
        ctx.compare_named(list(got), nnlib_backward(params, cache, Y), case, names,
                          BACKWARD_MISTAKES, rtol=1e-6, atol=1e-9, compare=_loose(names),
                          extract=lambda out, names=names: as_named(
                              list(out) if isinstance(out, (list, tuple)) else None, names),
                          verdict=verdict_wrong)


# --- exercise 3: minibatches ------------------------------------------------------------------

def _mb_no_shuffle(N, batch_size, rng):
    return [np.arange(s, min(s + batch_size, N)) for s in range(0, N, batch_size)]


def _mb_drop_last(N, batch_size, rng):
    order = rng.permutation(N)
    return [order[k * batch_size:(k + 1) * batch_size] for k in range(N // batch_size)]


def _mb_replacement(N, batch_size, rng):
    order = rng.integers(0, N, N)
    return [order[s:s + batch_size] for s in range(0, N, batch_size)]


def _mb_fresh_rng(N, batch_size, rng):
    return minibatches(N, batch_size, np.random.default_rng(0))


def _mb_split_count(N, batch_size, rng):
    return np.array_split(rng.permutation(N), batch_size)


def _mb_merge_last(N, batch_size, rng):
    batches = minibatches(N, batch_size, rng)
    if len(batches) > 1 and len(batches[-1]) < batch_size:
        batches[-2:] = [np.concatenate(batches[-2:])]
    return batches


def _mb_per_batch(N, batch_size, rng):
    return [rng.permutation(N)[s:s + batch_size] for s in range(0, N, batch_size)]


def _mb_even(N, batch_size, rng):
    return np.array_split(rng.permutation(N), max(1, N // batch_size))


def _mb_uncut(N, batch_size, rng):
    return [rng.permutation(N)]


def _mb_small_perm(N, batch_size, rng):
    order = rng.permutation(batch_size)
    return [order[s:s + batch_size] for s in range(0, N, batch_size)]


MINIBATCH_MISTAKES = [
    Mistake("a new permutation for every batch",
            "you drew a fresh rng.permutation(N) for each batch, so an epoch repeats some "
            "samples and misses others: draw one order per call, then cut it.",
            _mb_per_batch),
    Mistake("split evenly into N // batch_size batches",
            "np.array_split spreads the samples evenly over N // batch_size batches; every "
            "batch has batch_size samples but the last: order[s:s + batch_size] for s in "
            "range(0, N, batch_size).", _mb_even),
    Mistake("not cut into batches",
            "you returned the whole shuffled order as one batch: cut it into pieces of "
            "batch_size, order[s:s + batch_size] for s in range(0, N, batch_size).", _mb_uncut),
    Mistake("permutation of batch_size, not N",
            "rng.permutation(batch_size) shuffles only 0 .. batch_size − 1: shuffle all the "
            "samples, order = rng.permutation(N).", _mb_small_perm),
    Mistake("not shuffled",
            "the batches are in the samples' own order: shuffle first, with the generator you "
            "were given, order = rng.permutation(N).", _mb_no_shuffle),
    Mistake("last batch dropped",
            "the last, smaller batch is missing, so some samples are never trained on: cut "
            "order[start:start + batch_size] for start in range(0, N, batch_size).",
            _mb_drop_last),
    Mistake("sampled with replacement",
            "some samples appear twice and others never: an epoch uses every sample exactly "
            "once, a permutation (rng.permutation(N)), not rng.integers.", _mb_replacement),
    Mistake("own generator",
            "every epoch has the same order, whatever rng you were given: you made a new "
            "generator inside the function. Use the rng argument, so that each epoch is "
            "shuffled differently and the run is reproducible from one seed.", _mb_fresh_rng),
    Mistake("batch_size taken as the number of batches",
            "you cut the data into batch_size batches; batch_size is the number of samples "
            "in each batch (the last one may be smaller).", _mb_split_count),
    Mistake("last batch merged",
            "the smaller last batch was added to the one before it: keep it as a batch of its "
            "own, order[start:start + batch_size] for every start.", _mb_merge_last),
]
OTHER_ORDER = Mistake(
    "not rng.permutation's order",
    "each epoch holds every sample once, in batches of the right sizes, but not in the order "
    "rng.permutation(N) gives: shuffle once per epoch with order = rng.permutation(N), using "
    "the rng you were given (not np.random's global functions), then cut.",
    lambda N, batch_size, rng: minibatches(N, batch_size, np.random.default_rng(12345)))


def _mb_generator(N, batch_size, rng):
    yield from minibatches(N, batch_size, rng)


BATCHES_NOT_ARRAYS = Mistake(
    "batches not int arrays",
    "your batches hold the right indices, but they are not integer numpy arrays (Python "
    "lists, say, from .tolist() or list(...), or float arrays): the statement asks for int "
    "index arrays, the pieces of order = rng.permutation(N) as they are, order[s:s + batch_size].",
    lambda N, batch_size, rng: [b.tolist() for b in minibatches(N, batch_size, rng)])
NOT_A_LIST = Mistake(
    "a generator, not a list",
    "your minibatches yields its batches (a generator, as nnlib's train.minibatches does); the "
    "statement asks for a list of index arrays, which can be counted and read twice: build "
    "the list and return it, [order[s:s + batch_size] for s in range(0, N, batch_size)].",
    _mb_generator)


@exercise(id="nb12_minibatches", name="minibatches", notebook=NOTEBOOK, points=1,
          verifies="a list, rng.permutation order, every sample once per epoch, a smaller last "
                   "batch, two epochs from one generator",
          reference=minibatches,
          mistakes=MINIBATCH_MISTAKES + [OTHER_ORDER, NOT_A_LIST, BATCHES_NOT_ARRAYS],
          tripwires=("nnlib.train.minibatches",))
def judge_minibatches(fn, ctx):
    for N, bs in ((10, 4), (12, 3), (7, 10), (100, 32)):
        seed = int(ctx.rng.integers(2**31))
        description = f"N = {N}, batch_size = {bs}, two epochs from one seeded generator"
        got = ctx.call(fn, N, bs, seed, driver=drive_minibatches, check_mutation=False)
        expected = drive_minibatches(nn_train.minibatches, N, bs, seed)
        flat = lambda e: np.concatenate([np.array(b, dtype=np.int64).ravel() for ep in e  # noqa
                                         for b in ep] or [np.zeros(0, np.int64)])
        try:
            shape_ok = [[len(b) for b in ep] for ep in got] == \
                [[len(b) for b in ep] for ep in expected]
            g = flat(got)
        except Exception:
            shape_ok, g = False, None
        hints = []
        if g is None or not shape_ok or not np.array_equal(g, flat(expected)):
            for m in MINIBATCH_MISTAKES:
                wrong = drive_minibatches(m.fn, N, bs, seed)
                if g is not None and shape_ok is not None and \
                        [[len(b) for b in ep] for ep in wrong] == [[len(b) for b in ep]
                                                                   for ep in got] \
                        and np.array_equal(flat(wrong), g):
                    hints.append(m)
            if not hints and shape_ok and all(
                    np.array_equal(np.sort(np.concatenate([np.asarray(b) for b in ep])),
                                   np.arange(N)) for ep in got):
                hints.append(OTHER_ORDER)
        if g is None:
            _fail_structure(ctx, description, "return a list (or generator) of index arrays")
        sizes = [len(b) for b in got[0]]
        exp_sizes = [len(b) for b in expected[0]]
        if not shape_ok:
            ctx.fail_case(description, expected=Said(f"batch sizes {exp_sizes} in each epoch"),
                          got=Said(f"batch sizes {sizes} (first epoch)"),
                          mistake=hints[0] if hints else None)
        ctx.compare(g, flat(expected), Case(f"{description}: the indices, batch after batch, "
                                            "both epochs", ()), _named(hints, g),
                    rtol=0, atol=0, check_dtype=False)
    kind = ctx.call(fn, 10, 4, 0, driver=drive_minibatches_type, check_mutation=False)
    if kind != "list of int arrays":
        ctx.fail_case("N = 10, batch_size = 4: what minibatches returns",
                      expected=Said("a list of int arrays"), got=Said(f"a {kind}"),
                      mistake=NOT_A_LIST if kind == "generator" else
                      BATCHES_NOT_ARRAYS if kind.startswith("list of") else None)


# --- exercise 4: adam_step --------------------------------------------------------------------

def _adam_no_correction(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _adam_late(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_step(w, dw, m, v, t + 1, lr, beta1, beta2, eps)


def _adam_no_sqrt(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    return w - lr * (m / (1 - beta1 ** t)) / (v / (1 - beta2 ** t) + eps), m, v


def _adam_v_from_dw(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * np.abs(dw)
    return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


def _adam_eps_inside(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    return w - lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t) + eps), m, v


def _adam_efficient_eps(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    return w - lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t) * m / (np.sqrt(v) + eps), m, v


ADAM_MISTAKES = [
    Mistake("efficient form with ε unscaled",
            "the 'efficient' form lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε̂) is the same step only "
            "with ε̂ = ε·√(1 − β₂ᵗ): with ε itself it differs slightly. Scale ε, or use "
            "m̂ / (√v̂ + ε).", _adam_efficient_eps),
    Mistake("no bias correction",
            "the first steps are too small: m and v start at 0, so divide them by (1 − β₁ᵗ) and "
            "(1 − β₂ᵗ) before the update (m̂ and v̂).", _adam_no_correction),
    Mistake("bias correction one step late",
            "the bias correction used t + 1: t counts the updates from 1, so the first update "
            "divides by (1 − β₁¹) = 0.1.", _adam_late),
    Mistake("no square root",
            "the update divides by v̂ itself: Adam divides by its square root, √v̂ + ε (the "
            "root of a mean squared gradient has the gradient's size).", _adam_no_sqrt),
    Mistake("v from |dw|",
            "v is the running mean of the *squared* gradient, dw ** 2.", _adam_v_from_dw),
    Mistake("eps inside the square root",
            "ε is added after the square root, √v̂ + ε (as in nnlib and PyTorch); inside it, "
            "√(v̂ + ε) dominates for small gradients.", _adam_eps_inside),
]


def _adam_betas_swapped(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_step(w, dw, m, v, t, lr, beta2, beta1, eps)


def _adam_uphill(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new, m, v = adam_step(w, dw, m, v, t, lr, beta1, beta2, eps)
    return 2 * w - new, m, v


def _adam_no_one_minus(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + dw
    v = beta2 * v + dw ** 2
    return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


def _adam_slip(m_new=True, v_new=True, t_shift=0, correct_m=True, correct_v=True,
               after_root=False):
    """Adam with one slip: a (1 − β) factor left out, the correction's t shifted, m or v left
    uncorrected, v corrected after the root."""
    def step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + ((1 - beta1) if m_new else 1) * dw
        v = beta2 * v + ((1 - beta2) if v_new else 1) * dw ** 2
        c1, c2 = 1 - beta1 ** (t + t_shift), 1 - beta2 ** (t + t_shift)
        m_hat = m / c1 if correct_m else m
        root = np.sqrt(v) / c2 if after_root else np.sqrt(v / c2 if correct_v else v)
        with np.errstate(all="ignore"):
            return w - lr * m_hat / (root + eps), m, v
    return step


def _adam_corrected_state(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new, m, v = adam_step(w, dw, m, v, t, lr, beta1, beta2, eps)
    return new, m / (1 - beta1 ** t), v / (1 - beta2 ** t)


ADAM_MISTAKES += [
    Mistake("bias-corrected m̂, v̂ returned as the state",
            "the new w is right, but you returned m̂ and v̂, the bias-corrected moments: the "
            "state carried to the next step is the running averages m and v themselves (the "
            "correction is recomputed at every step from t, and would compound otherwise).",
            _adam_corrected_state),
    Mistake("(1 − β₁) factor missing in m", "m is a running *average*: m = β₁·m + (1 − β₁)·dw "
            "(v is right).", _adam_slip(m_new=False)),
    Mistake("(1 − β₂) factor missing in v", "v is a running *average*: v = β₂·v + (1 − β₂)·dw² "
            "(m is right).", _adam_slip(v_new=False)),
    Mistake("bias correction with t − 1", "t counts the updates from 1, and the correction uses "
            "t itself, 1 − β₁ᵗ: with t − 1 the first update divides by 1 − β⁰ = 0.",
            _adam_slip(t_shift=-1)),
    Mistake("only m bias-corrected", "v starts at 0 too: divide it by (1 − β₂ᵗ) as well, "
            "v̂ = v / (1 − β₂ᵗ).", _adam_slip(correct_v=False)),
    Mistake("only v bias-corrected", "m starts at 0 too: divide it by (1 − β₁ᵗ) as well, "
            "m̂ = m / (1 − β₁ᵗ).", _adam_slip(correct_m=False)),
    Mistake("v corrected after the root", "the correction belongs inside the root: "
            "√(v / (1 − β₂ᵗ)), not √v / (1 − β₂ᵗ).", _adam_slip(after_root=True)),
    Mistake("returned (w, v, m)",
            "return the new values in the order (w, m, v): the first moment m before the "
            "second v.", lambda *a, **k: (lambda w, m, v: (w, v, m))(*adam_step(*a, **k))),
    Mistake("ε added to the step",
            "brackets: lr·m̂ / (√v̂ + ε) puts ε in the denominator; lr·m̂/√v̂ + ε adds ε to every "
            "step.", lambda w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8: (
                lambda w2, m2, v2: (w - (lr * (m2 / (1 - beta1 ** t))
                                        / np.sqrt(v2 / (1 - beta2 ** t)) + eps), m2, v2))(
                *adam_step(w, dw, m, v, t, lr, beta1, beta2, eps))),
    Mistake("betas swapped",
            "β₁ (0.9) averages the gradient into m, β₂ (0.999) its square into v: you used "
            "them the other way round.", _adam_betas_swapped),
    Mistake("step uphill",
            "the weights moved *up* the gradient: the update subtracts, w − lr · m̂ / (√v̂ + ε).",
            _adam_uphill),
    Mistake("(1 − β) factors left out",
            "m and v are running *averages*: m = β₁·m + (1 − β₁)·dw and "
            "v = β₂·v + (1 − β₂)·dw².", _adam_no_one_minus),
]


def _nnlib_adam(w, grads, lr, betas=(0.9, 0.999), eps=1e-8):
    """Per step ``(w, m, v)`` of nnlib's Adam fed the gradients ``grads``."""
    from nnlib.layers import Parameter
    p = Parameter(w.copy(), "w")
    opt = Adam([p], lr=lr, beta1=betas[0], beta2=betas[1], eps=eps)
    out = []
    for g in grads:
        p.grad = g.copy()
        opt.step()
        state = opt.state[p]
        out.append((p.value.copy(), state["m"].copy(), state["v"].copy()))
    return out


@exercise(id="nb12_adam_step", name="adam_step", notebook=NOTEBOOK, points=2,
          verifies="w, m and v after three steps equal nnlib's Adam (default and other betas, "
                   "tiny gradients)",
          reference=adam_step, mistakes=ADAM_MISTAKES,
          arg_names=("w", "dw", "m", "v", "t", "lr", "beta1", "beta2", "eps"),
          tripwires=("nnlib.optimizers.Adam.update",))
def judge_adam(fn, ctx):
    configs = [("a (2, 3) weight, lr = 0.1, default betas and eps (left out)", (2, 3), 0.1,
                None, 1.0),
               ("a (4,) bias, lr = 0.01, beta1 = 0.8, beta2 = 0.99", (4,), 0.01, (0.8, 0.99), 1.0),
               ("a (3, 2) weight with tiny gradients (about 1e-6), lr = 0.1", (3, 2), 0.1,
                (0.9, 0.999), 1e-6)]
    names = ("w", "m", "v")
    for description, shape, lr, betas, scale in configs:
        w0 = np.round(ctx.rng.normal(0, 1, shape), 3)
        grads = [ctx.rng.normal(0, 1, shape) * scale for _ in range(3)]
        expected = _nnlib_adam(w0, grads, lr, betas or (0.9, 0.999))
        w, m, v = w0.copy(), np.zeros(shape), np.zeros(shape)
        for t, (g, want) in enumerate(zip(grads, expected), start=1):
            args = (w, g, m, v, t, lr) + ((betas[0], betas[1], 1e-8) if betas else ())
            case = Case(f"{description}: step t = {t}", args)
            got = ctx.call(fn, *args, case=case)
            if isinstance(got, np.ndarray) and got.shape == w.shape:
                _fail_structure(ctx, case.description, "returned only the new w", Mistake(
                    "only w returned", "adam_step returns the new moments too, (w, m, v): the "
                    "caller keeps m and v for the next step (nothing else stores them).", None))
            if not _is_list_of_arrays(got, 3):
                _fail_structure(ctx, case.description, "return the tuple (w, m, v) of three "
                                "new arrays")
            ctx.compare_named(tuple(got), want, case, names, ADAM_MISTAKES, rtol=1e-7,
                              atol=1e-12, compare=_loose(names))
            w, m, v = got


# --- exercise 5: train ------------------------------------------------------------------------

def _train_mistake(**changed):
    def wrong(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
        return train(params, X, Y, epochs, batch_size, lr, seed, l2=l2, **changed)
    return wrong


TRAIN_MISTAKES = [
    Mistake("no shuffling",
            "the batches came in the samples' own order: call your minibatches(N, batch_size, "
            "rng) in every epoch, with one rng = np.random.default_rng(seed) made before the "
            "first epoch.", _train_mistake(shuffle="never")),
    Mistake("same shuffle every epoch",
            "every epoch used the same order: make the generator once, before the loop over "
            "epochs, not inside it.", _train_mistake(shuffle="every epoch")),
    Mistake("unweighted epoch cost",
            "the epoch's cost is the mean over its *samples*: weight each batch's cost by its "
            "size (the last batch is smaller), total += cost * len(idx), then divide by N.",
            _train_mistake(weighted=False)),
    Mistake("one cost per batch",
            "costs has one entry per *epoch*: the mean of that epoch's batch costs, each "
            "weighted by its size (append after the loop over the batches, not inside it).",
            _train_mistake(per_batch=True)),
    Mistake("cost after the update",
            "each batch's cost must come from the forward pass the gradients came from, "
            "before the update.", _train_mistake(after=True)),
    Mistake("Adam's t per epoch",
            "t counts Adam's *updates*: add 1 before every mini-batch's step, not once per "
            "epoch.", _train_mistake(t_per_epoch=True)),
    Mistake("plain gradient descent",
            "the parameters moved by lr · gradient: update each one with your adam_step, "
            "keeping one m and one v per parameter.", _train_mistake(sgd=True)),
    Mistake("L2 on the biases",
            "the biases were penalised too: L2 adds λ·W to the gradients of the *weights* "
            "only (params[0::2]), never to the biases' (notebook 09).",
            _train_mistake(l2_biases=True)),
    Mistake("L2 gradient 2λW",
            "the penalty (λ/2)·Σ‖W‖² has the gradient λ·W, not 2λ·W: the ½ cancels the 2.",
            _train_mistake(l2_factor=2.0)),
    Mistake("penalty left out of the cost",
            "the weights moved right, but each batch's cost must include the penalty: "
            "cross-entropy + (λ/2)·Σ‖W‖² over the weights, measured before the update.",
            _train_mistake(penalty=0.0)),
    Mistake("penalty λ·Σ‖W‖²",
            "the penalty in the cost is (λ/2)·Σ‖W‖², with the ½ (its gradient is then λ·W).",
            _train_mistake(penalty=1.0)),
    Mistake("weight decay after Adam",
            "you shrank the weights after Adam's step (decoupled weight decay, as AdamW does): "
            "here L2 is a gradient, λ·W added to dW *before* adam_step, as nnlib's fit(l2=) "
            "does.", _train_mistake(decoupled=True, penalty=0.5)),
    Mistake("λ divided by the batch size",
            "λ is used as it is: add λ·W to dW (the cross-entropy's 1/N is already inside "
            "dW; the penalty has no 1/N).", _train_mistake(l2_over_n=True)),
]


def _train_in_place(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
    trained, costs = train(params, X, Y, epochs, batch_size, lr, seed, l2=l2)
    params[:] = trained
    return params, costs


CALLERS_LIST = Mistake(
    "the caller's list changed",
    "train replaced the arrays of the list it was given (params[i] = ... on the caller's own "
    "list, or an update in place): the caller keeps its initial parameters. Start with a new "
    "list, params = list(params), and replace its items.", _train_in_place)
TRAIN_MISTAKES += [
    CALLERS_LIST,
    Mistake("Adam's t restarted every epoch",
            "t counts every update of the whole run: set t = 0 once, before the first epoch, "
            "not at the start of each (Adam's bias correction would restart).",
            _train_mistake(t_reset=True)),
    Mistake("m and v restarted every batch",
            "one m and one v per parameter for the whole run, made once before the loop: "
            "restarting them at zeros every batch throws Adam's running averages away.",
            _train_mistake(moments_reset=True)),
    Mistake("a different seed",
            "make the generator from the seed you are given, np.random.default_rng(seed), "
            "exactly: any other seed (seed + 1, a fixed number) shuffles differently.",
            _train_mistake(seed_shift=1)),
    Mistake("λ·W not added to the gradients",
            "the penalty is in the cost, but its gradient λ·W must also be added to each "
            "weight's gradient before adam_step: grads[i] = grads[i] + l2 * params[i] for "
            "even i.", _train_mistake(l2_factor=0.0)),
    Mistake("penalty over the biases too",
            "the penalty (λ/2)·Σ‖W‖² in the cost runs over the weights only, params[0::2], "
            "not the biases.", _train_mistake(cost_biases=True)),
]


def train_cases(rng):
    cases = []
    for description, sizes, N, epochs, bs, lr, l2 in (
            ("a 4-5-3 network, 10 samples, 3 epochs, batches of 4 (the last has 2), lr 0.01, "
             "l2 = 0", [4, 5, 3], 10, 3, 4, 0.01, 0.0),
            ("a 6-8-8-4 network, 24 samples, 2 epochs, batches of 8, lr 0.005, l2 = 0",
             [6, 8, 8, 4], 24, 2, 8, 0.005, 0.0),
            ("a 5-6-3 network, 12 samples, 2 epochs, batches of 5, lr 0.01, l2 = 0.1",
             [5, 6, 3], 12, 2, 5, 0.01, 0.1)):
        params = init_params(sizes, rng)
        params = [p if p.ndim == 2 else np.round(rng.normal(0, 0.5, p.shape), 3) for p in params]
        X = np.round(rng.normal(0, 1, (N, sizes[0])), 3)
        Y = data.one_hot(rng.integers(0, sizes[-1], N), sizes[-1])
        cases.append((description, (params, X, Y, epochs, bs, lr, int(rng.integers(1000)), l2)))
    return cases


@exercise(id="nb12_train", name="train_network", notebook=NOTEBOOK, points=3,
          function="train",
          verifies="every parameter and each epoch's cost equal nnlib's fit with Adam, with and "
                   "without L2; no nnlib in the code path",
          reference=train, mistakes=TRAIN_MISTAKES,
          tripwires=TRAINING + ("nnlib.optimizers.Adam.update",))
def judge_train(fn, ctx):
    for description, args in train_cases(ctx.rng):
        got = ctx.call(fn, *args, driver=drive_train, check_mutation=False,
                       case=Case(description, args),
                       error_hints={TypeError: "train takes a last parameter l2 (default 0.0): "
                                               "def train(params, X, Y, epochs, batch_size, lr, "
                                               "seed, l2=0.0)."})
        if got["nnlib"]:
            _fail_nnlib(ctx, description, got["nnlib"])
        n = len(args[0])
        if got["changed"]:
            ctx.fail_case(description, problem="the list of initial parameters you were given "
                          "was changed (its arrays replaced or updated in place)",
                          mistake=CALLERS_LIST)
        if got["costs"] is None or not _is_list_of_arrays(got["params"], n):
            _fail_structure(ctx, description, f"return the pair (params, costs): the {n} "
                            "trained arrays and one cost per epoch")
        exp_params, exp_costs = nnlib_fit(*args)
        names = ["costs"] + [f"{name} after training" for name in _param_names(n)]
        ctx.compare_named([got["costs"]] + list(got["params"]), [exp_costs] + exp_params,
                          Case(description, args), names, TRAIN_MISTAKES, rtol=1e-6, atol=1e-9,
                          compare=_loose(names), verdict=verdict_wrong,
                          extract=lambda out, names=names: as_named(
                              [np.asarray(out[1], dtype=np.float64)] + list(out[0]), names))


# --- the digits, three sets, and the linear baseline -------------------------------------------

def digits_split():
    """Notebook 08's split: 1078 training, 269 validation and 450 test digits (scaled)."""
    images, labels = data.load_digits()
    X = data.scale_pixels(data.flatten(images), max_value=16)
    X_rest, X_test, y_rest, y_test = data.train_test_split(X, labels, test_size=0.25, rng=0)
    X_train, X_val, y_train, y_val = data.train_test_split(X_rest, y_rest, test_size=0.2, rng=1)
    return X_train, y_train, X_val, y_val, X_test, y_test


def baseline_params(X_train, y_train):
    """The linear baseline: a 64-10 softmax regression trained with nnlib, notebook 08's
    settings (Adam, lr 3e-3, batches of 32, 40 epochs), seeded."""
    net = Network.from_sizes([X_train.shape[1], 10], output="softmax",
                             rng=np.random.default_rng(0))
    nn_train.fit(net, X_train, data.one_hot(y_train, 10), cost="categorical_cross_entropy",
                 optimizer="adam", lr=3e-3, epochs=40, batch_size=BATCH_SIZE,
                 rng=np.random.default_rng(1))
    return [p.value.copy() for p in net.parameters()]


def n_parameters(config, D=64, K=10):
    sizes = [D, *config["hidden"], K]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


# --- exercise 6: candidates -------------------------------------------------------------------

def candidates():
    """The notebook's example plan: architecture, learning rate and L2 strength all varied."""
    return [{"hidden": [16], "lr": 3e-3, "l2": 0.0, "epochs": 40},
            {"hidden": [64], "lr": 3e-4, "l2": 0.0, "epochs": 40},
            {"hidden": [64], "lr": 3e-3, "l2": 0.0, "epochs": 40},
            {"hidden": [64], "lr": 3e-3, "l2": 1e-1, "epochs": 40},
            {"hidden": [128], "lr": 3e-3, "l2": 1e-3, "epochs": 40},
            {"hidden": [64, 64], "lr": 3e-3, "l2": 1e-3, "epochs": 40}]


CHOSEN = {"hidden": [64], "lr": 3e-3, "l2": 0.0, "epochs": 40}   # the plan's first best


_BASE = {"hidden": [64], "lr": 3e-3, "l2": 0.0, "epochs": 40}


def _plan(*changes):
    return lambda: [{**_BASE, **c} for c in changes]


CANDIDATE_MISTAKES = [
    Mistake("not a list of configurations",
            "return a list of dicts, one per candidate: [{\"hidden\": [64], \"lr\": 3e-3, "
            "\"l2\": 0.0, \"epochs\": 40}, ...].", lambda: dict(_BASE)),
    Mistake("too few candidates",
            f"a choice needs candidates: return 3 to {MAX_CANDIDATES} configurations.",
            _plan({})),
    Mistake("too many candidates",
            f"at most {MAX_CANDIDATES} candidates: the search must run in the notebook in "
            "well under a minute.", _plan(*[{"lr": 1e-3 * (k + 1)} for k in range(9)])),
    Mistake("a key missing or misspelled",
            "every configuration has exactly the keys \"hidden\", \"lr\", \"l2\" and "
            "\"epochs\" (fit reads them by these names).",
            lambda: [{"hidden": [64], "learning_rate": 3e-3, "l2": 0.0, "epochs": 40}] * 3),
    Mistake("hidden as a number",
            "\"hidden\" is the *list* of hidden layer sizes: [64] for one hidden layer of 64, "
            "[64, 32] for two, [] for none.", _plan({"hidden": 64}, {"hidden": 32},
                                                   {"hidden": 128})),
    Mistake("input or output size in hidden",
            "\"hidden\" lists the hidden layers only: fit adds the 64 inputs and the 10 "
            "outputs itself ([64] means 64-64-10).",
            _plan({"hidden": [64, 64, 10]}, {"hidden": [64, 32, 10]}, {"hidden": [64, 10]})),
    Mistake("not a positive number",
            "lr must be a number above 0, l2 a number at least 0, epochs a whole number at "
            "least 1, and every hidden size a whole number at least 1.",
            _plan({"lr": 3e-3}, {"lr": 0}, {"lr": -1e-3})),
    Mistake("a number written as text",
            "a setting is a string ('3e-3'): write the numbers themselves, 3e-3, 64, 40, "
            "without quotes (fit computes with them).",
            _plan({"lr": "3e-3"}, {"lr": "1e-2"}, {"l2": 1e-4})),
    Mistake("a count written as a float",
            "epochs and the hidden sizes are counts: write them as ints, 40 and not 40.0 "
            "(fit runs range(epochs) and builds arrays of those sizes, and both need ints).",
            _plan({"epochs": 40.0}, {"lr": 1e-2, "epochs": 30.0}, {"l2": 1e-4})),
    Mistake("over the time budget",
            f"the candidates' parameters × epochs add up to more than {BUDGET:,}: the search "
            "would take too long. Use fewer or smaller networks, or fewer epochs (notebook "
            "08's 64-64-10 network for 40 epochs costs 4,810 × 40 = 192,400).",
            _plan({"hidden": [256, 256]}, {"hidden": [256, 256], "lr": 1e-2},
                  {"hidden": [256, 256], "l2": 1e-3})),
    Mistake("the same candidate twice",
            "two candidates are the same configuration: each one should try something else.",
            _plan({}, {"lr": 1e-2}, {})),
    Mistake("only one thing varied",
            "the capstone asks you to choose the architecture, the learning rate *and* the "
            "regularisation: vary each of \"hidden\", \"lr\" and \"l2\" in at least one "
            "candidate.", _plan({"lr": 1e-3}, {"lr": 3e-3}, {"lr": 1e-2})),
]


def _whole(x, low):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool) and x >= low


def _number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) \
        and np.isfinite(x)


def candidate_problem(plan):
    """``(mistake, details)`` for the first rule a plan breaks, else None."""
    M = {m.name: m for m in CANDIDATE_MISTAKES}
    if not isinstance(plan, (list, tuple)) or not all(isinstance(c, dict) for c in plan):
        return M["not a list of configurations"], f"got {type(plan).__name__}"
    if len(plan) < 3:
        return M["too few candidates"], f"{len(plan)} candidate(s)"
    if len(plan) > MAX_CANDIDATES:
        return M["too many candidates"], f"{len(plan)} candidates"
    for k, c in enumerate(plan, start=1):
        if sorted(c) != sorted(KEYS):
            return M["a key missing or misspelled"], f"candidate {k} has the keys {sorted(c)}"
        if not isinstance(c["hidden"], (list, tuple)):
            return M["hidden as a number"], f"candidate {k}: hidden = {c['hidden']!r}"
        if any(isinstance(x, str) for x in list(c["hidden"]) + [c["lr"], c["l2"], c["epochs"]]):
            return M["a number written as text"], f"candidate {k}: {c!r}"
        counts = list(c["hidden"]) + [c["epochs"]]
        if any(isinstance(x, (float, np.floating)) and np.isfinite(x) and x == int(x) and x >= 1
               for x in counts) and all(_whole(x, 1) or _number(x) for x in counts):
            return M["a count written as a float"], f"candidate {k}: {c!r}"
        if not (all(_whole(h, 1) for h in c["hidden"]) and _number(c["lr"]) and c["lr"] > 0
                and _number(c["l2"]) and c["l2"] >= 0 and _whole(c["epochs"], 1)):
            return M["not a positive number"], f"candidate {k}: {c!r}"
        if list(c["hidden"])[:1] == [64] and list(c["hidden"])[-1:] == [10] and \
                len(c["hidden"]) >= 2:
            return M["input or output size in hidden"], f"candidate {k}: hidden = {c['hidden']}"
    cost = sum(n_parameters(c) * c["epochs"] for c in plan)
    if cost > BUDGET:
        return M["over the time budget"], f"parameters × epochs = {cost:,}"
    seen = [(tuple(c["hidden"]), float(c["lr"]), float(c["l2"]), c["epochs"]) for c in plan]
    if len(set(seen)) < len(seen):
        return M["the same candidate twice"], "two equal configurations"
    for key in ("hidden", "lr", "l2"):
        if len({repr(s[KEYS.index(key)]) for s in seen}) < 2:
            return M["only one thing varied"], f"every candidate has the same {key!r}"
    return None


@exercise(id="nb12_candidates", name="candidates", notebook=NOTEBOOK, points=1,
          verifies=f"3 to {MAX_CANDIDATES} configurations, each with hidden, lr, l2 and epochs, "
                   "architecture, lr and l2 each varied, within the time budget",
          reference=candidates, mistakes=CANDIDATE_MISTAKES)
def judge_candidates(fn, ctx):
    description = "your list of candidate configurations"
    plan = ctx.call(fn, driver=drive_candidates, check_mutation=False)
    found = candidate_problem(plan)
    if found is not None:
        mistake, details = found
        ctx.fail_case(description, problem=details, mistake=mistake)
    ctx.pass_case()
    cost = sum(n_parameters(c) * c["epochs"] for c in plan)
    ctx.fail(f"✔ {ctx.name} — 1/1 cases: {len(plan)} candidates, parameters × epochs = "
             f"{cost:,} of the budget {BUDGET:,}", status="passed")


# --- exercise 7: choose -----------------------------------------------------------------------

def choose(configs, X_train, Y_train, X_val, y_val, seed, score_on="val", pick="first",
           scale=1.0, train_on="train", untrained=False, seed_per_config=False, offset=0,
           error_rate=False, fixed_seed=None, sort_scores=False, by_cost=False,
           confidence=False, counts=False):
    """``(best, val_accuracies)``: each configuration trained on the training set with one seed,
    scored on the validation set; the index of the first best."""
    scores = []
    for k, config in enumerate(configs):
        s = seed + k if seed_per_config else seed if fixed_seed is None else fixed_seed
        if train_on == "val":
            Xf, Yf = X_val, data.one_hot(y_val, Y_train.shape[1])
        elif train_on == "both":
            Xf = np.concatenate([X_train, X_val])
            Yf = np.concatenate([Y_train, data.one_hot(y_val, Y_train.shape[1])])
        else:
            Xf, Yf = X_train, Y_train
        if untrained:
            params = init_params([Xf.shape[1], *config["hidden"], Yf.shape[1]],
                                 np.random.default_rng(s))
        else:
            params = fit(config, Xf, Yf, s)
        if by_cost:
            P = forward(params, X_val)[0]
            a = -float(np.mean(np.log(np.clip(P[np.arange(len(y_val)), y_val], 1e-300, None))))
            scores.append(a)
            continue
        if confidence:
            a = float(np.mean(forward(params, X_val)[0].max(axis=1)))
        elif score_on == "train":
            a = accuracy(params, X_train, Y_train.argmax(axis=1))
        else:
            a = accuracy(params, X_val, y_val)
        scores.append(1 - a if error_rate else a)
    scores = np.array(scores) * scale * (len(y_val) if counts else 1)
    if pick == "argmin" or error_rate or by_cost:
        best = int(np.argmin(scores))
    elif pick == "last":
        best = int(len(scores) - 1 - np.argmax(scores[::-1]))
    else:
        best = int(np.argmax(scores))
    return best + offset, (np.sort(scores)[::-1] if sort_scores else scores)


CHOOSE_MISTAKES = [
    Mistake.variant("mean of the largest probability",
                    "a validation accuracy is the share of digits predicted right, "
                    "np.mean(predict(params, X_val) == y_val), not the mean of the largest "
                    "probability (the network's confidence).", choose, confidence=True),
    Mistake.variant("tuned on training accuracy",
                    "you scored each candidate on the training digits it learned from: a "
                    "network that memorises them scores best there. Score on the validation "
                    "set, accuracy(params, X_val, y_val).", choose, score_on="train"),
    Mistake.variant("chose the worst",
                    "you picked the candidate with the *lowest* validation accuracy: the best is "
                    "the highest, np.argmax.", choose, pick="argmin"),
    Mistake.variant("last of the ties",
                    "two candidates tie for the best, and you picked the later one: take the "
                    "first best (np.argmax does; in a loop, replace only on a strictly higher "
                    "score, >).", choose, pick="last"),
    Mistake.variant("percent, not fractions",
                    "the accuracies are fractions between 0 and 1 (0.97), not percent (97).",
                    choose, scale=100.0),
    Mistake.variant("error rates returned",
                    "you returned error rates (1 − accuracy); return the validation "
                    "*accuracies*.", choose, error_rate=True),
    Mistake.variant("not trained",
                    "the accuracies are those of untrained networks: train each candidate with "
                    "fit(config, X_train, Y_train, seed) before scoring it.", choose,
                    untrained=True),
    Mistake.variant("trained on the validation set",
                    "you trained on the validation digits: train on X_train, Y_train, and keep "
                    "the validation set for scoring only.", choose, train_on="val"),
    Mistake.variant("trained on training and validation",
                    "you trained on the training and the validation digits together: the "
                    "validation set must stay unseen until it scores the candidates.", choose,
                    train_on="both"),
    Mistake.variant("a different seed per candidate",
                    "each candidate got its own seed: use the same seed for every candidate, "
                    "so that they differ only in their configuration.", choose,
                    seed_per_config=True),
    Mistake.variant("seed ignored",
                    "you trained with a seed of your own: use the seed you are given, "
                    "fit(config, X_train, Y_train, seed), so that the caller decides the run.",
                    choose, fixed_seed=0),
    Mistake.variant("validation cost, not accuracy",
                    "you scored the candidates by their validation cross-entropy: a fine "
                    "measure, but this exercise chooses by validation *accuracy*, the fraction "
                    "of validation digits read right, and returns those accuracies.", choose,
                    by_cost=True),
    Mistake.variant("accuracies sorted",
                    "val_accuracies must follow the order of configs (val_accuracies[k] is "
                    "configs[k]'s), not be sorted from best to worst.", choose,
                    sort_scores=True),
    Mistake.variant("counts, not fractions",
                    "you recorded how many validation digits each candidate read right: a "
                    "validation accuracy is that count divided by the number of digits, "
                    "np.mean(predict(params, X_val) == y_val), between 0 and 1.", choose,
                    counts=True),
    Mistake.variant("counted from 1",
                    "best is the position in configs counted from 0, as Python indexes "
                    "(configs[best] is the chosen one).", choose, offset=1),
]
TEST_SET = Mistake("chose on the test set",
                   "your choose reads the test set (it is not among its inputs): the test set "
                   "is touched once, at the very end, to report the chosen network. Choose on "
                   "the validation set, X_val and y_val.", None)
GLOBAL_ARRAYS = Mistake("the notebook's arrays, not the arguments",
                        "your choose (or a helper it calls) reads the notebook's own arrays "
                        "instead of the ones it is given: use the arguments X_train, Y_train, "
                        "X_val and y_val, and pass them on to your helpers.", None)
SCORES_DICT = Mistake("accuracies in a dict",
                      "val_accuracies is a list (or array) in the order of configs, "
                      "[accuracy of configs[0], accuracy of configs[1], ...], not a dict.", None)
ROUNDED = Mistake("rounded",
                  "the numbers are rounded: return them exactly, as fractions, and round only "
                  "when you print them (f\"{accuracy:.1%}\").", None)


def _rounded(got, want):
    """Every value of ``got`` is ``want``'s, or it rounded (as a fraction or in percent, to 0-6
    decimals), and at least one is rounded."""
    def form(g, w):
        if np.isclose(g, w, rtol=1e-9, atol=1e-12):
            return "exact"
        for scale in (1, 100):
            for k in range(7):
                r = round(float(w) * scale, k)
                if np.isclose(g, r, rtol=1e-12, atol=1e-12) and \
                        not np.isclose(r, w * scale, rtol=1e-9, atol=1e-12):
                    return "rounded"
        return None
    forms = [form(float(g), float(w)) for g, w in zip(np.ravel(got), np.ravel(want))]
    return None not in forms and "rounded" in forms
CONFIG_RETURNED = Mistake("returned the configuration",
                          "best is the *index* of the chosen configuration in configs (an int); "
                          "the notebook then takes configs[best].", None)


def choose_cases(rng):
    X_train, y_train, *_ = digits_split()
    idx = rng.permutation(len(X_train))
    Xa, ya, Xb, yb = X_train[idx[:160]], y_train[idx[:160]], X_train[idx[160:257]], \
        y_train[idx[160:257]]
    strong = {"hidden": [16], "lr": 1e-2, "l2": 0.0, "epochs": 4}
    return [
        Case("three configurations, 160 training and 97 validation digits",
             ([{"hidden": [8], "lr": 1e-3, "l2": 0.0, "epochs": 2},
               {"hidden": [], "lr": 3e-3, "l2": 1e-3, "epochs": 3}, strong],
              Xa, data.one_hot(ya, 10), Xb, yb, 3)),
        Case("a tie: the second and third configurations are the same one",
             ([{"hidden": [4], "lr": 1e-3, "l2": 0.0, "epochs": 1}, strong, dict(strong),
               {"hidden": [8, 8], "lr": 3e-3, "l2": 1e-2, "epochs": 2}],
              Xb, data.one_hot(yb, 10), Xa[:83], ya[:83], 7)),
    ]


def _choose_named(out):
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        return None
    best, scores = out
    if isinstance(scores, (list, tuple)) and all(_number(s) for s in scores):
        scores = np.asarray(scores, dtype=np.float64)
    if isinstance(best, (np.integer, np.floating)) or (isinstance(best, np.ndarray)
                                                      and best.ndim == 0):
        best = best.item()
    return best, scores


@exercise(id="nb12_choose", name="choose", notebook=NOTEBOOK, points=2,
          verifies="validation accuracies of every candidate, trained with one seed, and the "
                   "first best; the test set never read",
          reference=choose, mistakes=CHOOSE_MISTAKES,
          arg_names=("configs", "X_train", "Y_train", "X_val", "y_val", "seed"),
          tripwires=TRAINING + ("nnlib.optimizers.Adam.update",))
def judge_choose(fn, ctx):
    for case in choose_cases(ctx.rng):
        got = ctx.call(fn, *case.args, case=case, driver=drive_choose, check_mutation=True,
                       error_hints={NameError: "choose uses fit and predict: run the cell of "
                                               "section 9 that defines them, then this one."})
        if got["test"]:
            ctx.fail_case(case, problem=f"your code reads {', '.join(got['test'])}",
                          mistake=TEST_SET)
        if _network_names(got["nnlib"]):
            _fail_nnlib(ctx, case.description, _network_names(got["nnlib"]))
        out = _choose_named(got["out"])
        if out is not None and isinstance(out[0], (list, tuple, np.ndarray)) and \
                np.ndim(out[0]) == 1 and _number(out[1]):
            ctx.fail_case(case, problem="returned (val_accuracies, best)", mistake=PAIR_SWAPPED)
        if out is not None and isinstance(out[0], dict):
            ctx.fail_case(case, problem="best is a dict", mistake=CONFIG_RETURNED)
        if out is not None and isinstance(out[1], dict):
            ctx.fail_case(case, problem="val_accuracies is a dict", mistake=SCORES_DICT)
        configs, Xa, Ya, Xb, yb, seed = case.args
        scores = [float(np.mean(nnlib_predict(nnlib_config(c, Xa, Ya, seed), Xb) == yb))
                  for c in configs]
        expected = (int(np.argmax(scores)), np.array(scores))
        if out is not None and isinstance(out[1], np.ndarray) and out[1].shape == \
                expected[1].shape and _rounded(out[1], expected[1]):
            ctx.fail_case(case, expected=expected[1], got=out[1],
                          problem="val_accuracies differ by rounding", mistake=ROUNDED)
        shadowed = [n for n in got["arrays"] if n in ("X_train", "Y_train", "y_train", "X_val",
                                                      "y_val", "Y_val")]
        if shadowed and (out is None or not isinstance(out[1], np.ndarray) or
                         problem(out[1], expected[1], 1e-9, 1e-12, False) is not None):
            ctx.fail_case(case, problem=f"your code reads the notebook's {', '.join(shadowed)}",
                          mistake=GLOBAL_ARRAYS)
        ctx.compare_named(out if out is not None else got["out"], expected, case,
                          ("best", "val_accuracies"), CHOOSE_MISTAKES, rtol=1e-9, atol=1e-12,
                          extract=lambda o: as_named(_choose_named(o), ("best", "val_accuracies")))


# --- exercise 8: save_and_reload --------------------------------------------------------------

def _keys(n):
    return _param_names(n)


def save_and_reload(params, path):
    """Save with np.savez under the names W1, b1, W2, b2, ...; read back in that order."""
    names = _keys(len(params))
    np.savez(path, **dict(zip(names, params)))
    with np.load(path) as f:
        return [f[name] for name in names]


def save_then_names(params, path, rename=None, keys=None):
    keys = keys or [rename(k) for k in _keys(len(params))]
    np.savez(path, **dict(zip(keys, params)))
    with np.load(path) as f:
        return [f[k] for k in keys]


def _sr_pickled(params, path):
    import pickle
    with open(path, "wb") as f:
        pickle.dump(list(params), f)
    with open(path, "rb") as f:
        return pickle.load(f)


def _sr_given_back(params, path):
    save_and_reload(params, path)
    return params


def _sr_weights_only(params, path):
    np.savez(path, **{f"W{l + 1}": W for l, W in enumerate(params[0::2])})
    with np.load(path) as f:
        return [f[k] for k in f.files]


def _sr_sorted(params, path):
    np.savez(path, **dict(zip(_keys(len(params)), params)))
    with np.load(path) as f:
        return [f[k] for k in sorted(f.files)]


def _sr_positional(params, path):
    np.savez(path, *params)
    with np.load(path) as f:
        return [f[k] for k in f.files]


def _sr_from_zero(params, path):
    names = [f"{'W' if i % 2 == 0 else 'b'}{i // 2}" for i in range(len(params))]
    np.savez(path, **dict(zip(names, params)))
    with np.load(path) as f:
        return [f[k] for k in names]


def _sr_float32(params, path):
    names = _keys(len(params))
    np.savez(path, **{k: p.astype(np.float32) for k, p in zip(names, params)})
    with np.load(path) as f:
        return [f[k] for k in names]


def _sr_rounded(params, path):
    names = _keys(len(params))
    np.savez(path, **{k: np.round(p, 4) for k, p in zip(names, params)})
    with np.load(path) as f:
        return [f[k] for k in names]


def _sr_twice_npz(params, path):
    names = _keys(len(params))
    np.savez(path + ".npz", **dict(zip(names, params)))
    with np.load(path + ".npz") as f:
        return [f[k] for k in names]


def _sr_first_layer(params, path):
    np.savez(path, W1=params[0], b1=params[1])
    with np.load(path) as f:
        return [f["W1"], f["b1"]]


def _sr_npzfile(params, path):
    np.savez(path, **dict(zip(_keys(len(params)), params)))
    return dict(np.load(path))


def _sr_transposed(params, path):
    names = _keys(len(params))
    np.savez(path, **{k: p.T for k, p in zip(names, params)})
    with np.load(path) as f:
        return [f[k] for k in names]


def _sr_biases_not_reloaded(params, path):
    names = _keys(len(params))
    np.savez(path, **dict(zip(names, params)))
    with np.load(path) as f:
        return [f[k] for k in names if k.startswith("W")]


_NUMBERINGS = [   # layer numbers a learner gets wrong: the biases' (or weights') count off by
    # one, or numbered by position in params (from 1 or from 0)
    lambda n: [f"W{i // 2 + 1}" if i % 2 == 0 else f"b{i // 2}" for i in range(n)],
    lambda n: [f"W{i // 2}" if i % 2 == 0 else f"b{i // 2 + 1}" for i in range(n)],
    lambda n: [f"{'W' if i % 2 == 0 else 'b'}{i + 1}" for i in range(n)],
    lambda n: [f"{'W' if i % 2 == 0 else 'b'}{i}" for i in range(n)],
]

SAVE_MISTAKES = [
    Mistake("no file at path",
            "there is no file at `path` after your function ran: save to the path you are "
            "given, np.savez(path, ...).", lambda params, path: _sr_twice_npz(
                params, path[:-4] + "_params")),
    Mistake(".npz added twice",
            "you saved to path + \".npz\": `path` already ends in .npz (np.savez adds the "
            "extension only when it is missing), so save to path itself.", _sr_twice_npz),
    Mistake("biases left out of the file",
            "the file holds the weights only: save every array, W1, b1, W2, b2, ... (a "
            "network without its biases predicts differently).", _sr_weights_only),
    Mistake("positional names arr_0, arr_1, ...",
            "np.savez(path, *params) names the arrays arr_0, arr_1, ...: give them their "
            "names, np.savez(path, W1=..., b1=..., ...), e.g. with "
            "**{name: p for name, p in zip(names, params)}.", _sr_positional),
    Mistake("names counted from 0",
            "the layers are counted from 1: W1, b1, W2, b2, ... (W1 is the first layer's).",
            _sr_from_zero),
    Mistake("layers numbered wrong",
            "each array is named by its layer, counted from 1, and a layer's W and b share "
            "its number: W1, b1, W2, b2, ... The name of the array at position i is "
            "f\"{'W' if i % 2 == 0 else 'b'}{i // 2 + 1}\" (not numbered by position, nor "
            "with the biases' count off by one).",
            lambda params, path: save_then_names(params, path, None, _NUMBERINGS[0](len(params)))),
    Mistake("other names than W1, b1, ...",
            "the file holds the right number of arrays but not under the names the statement "
            "gives: W1, b1, W2, b2, ... exactly (a capital W, a small b, the layer's number "
            "from 1, nothing else), since np.load and the notebook's later cells read them by "
            "these names.",
            lambda params, path: save_then_names(params, path, lambda n: n[0] + "_" + n[1:])),
    Mistake("first layer only",
            "only the first layer was saved: loop over every layer (len(params) // 2 of "
            "them).", _sr_first_layer),
    Mistake("saved as float32",
            "the arrays were converted to float32, so the reloaded network is not identical: "
            "save them as they are (float64).", _sr_float32),
    Mistake("saved rounded",
            "the arrays were rounded before saving, so the reloaded network is not identical: "
            "save them as they are.", _sr_rounded),
    Mistake("saved transposed",
            "the file's arrays have the wrong shapes: save each array as it is (W of shape "
            "(D, M), b of shape (M,)).", _sr_transposed),
    Mistake("reloaded in another order",
            "the arrays came back as W1, W2, ..., b1, b2, ... (sorted keys, or all the weights "
            "first): params is [W1, b1, W2, b2, ...], so read them by name in that order, "
            "[f[name] for name in names].", _sr_sorted),
    Mistake("biases not reloaded",
            "only the weights came back: return every array, [W1, b1, W2, b2, ...].",
            _sr_biases_not_reloaded),
    Mistake("lower-case names",
            "the names are W1, b1, W2, b2, ...: a capital W for the weights, a small b for the "
            "biases (the names are case-sensitive).",
            lambda params, path: save_then_names(params, path, lambda n: n.lower())),
    Mistake("every array named W",
            "the biases are named b: W1, b1, W2, b2, ... by layer, f\"{'W' if i % 2 == 0 "
            "else 'b'}{i // 2 + 1}\" for the array at position i, not W1, W2, W3, W4 by "
            "position.", lambda params, path: save_then_names(
                params, path, None, [f"W{i + 1}" for i in range(len(params))])),
    Mistake("pickled, not np.savez",
            "the file is a pickle (np.save or pickle.dump of the list): save an .npz archive "
            "with np.savez(path, W1=..., b1=..., ...), one named array each.", _sr_pickled),
    Mistake("returned params, not the file's",
            "your function saved the file but returned the list it was given: return the "
            "arrays read back from the file, with np.load(path) as f: [f[name] for name in "
            "names], so that the check (and you) can see that the file holds the network.",
            _sr_given_back),
    Mistake("returned the file's contents as a dict",
            "return a list of arrays in params' order, [W1, b1, W2, b2, ...], not a dict or "
            "the NpzFile itself.", _sr_npzfile),
]


def save_cases(rng):
    return [Case(description, (_random_params(rng, sizes),)) for description, sizes in (
        ("a 64-64-10 network (4 arrays)", [64, 64, 10]),
        ("a 3-4-4-4-4-4-2 network (6 layers, 12 arrays)", [3, 4, 4, 4, 4, 4, 2]),
        ("a 5-3 network (no hidden layer, 2 arrays)", [5, 3]))]


def _identical(a, b):
    return isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and \
        np.array_equal(a, b)


@exercise(id="nb12_save_and_reload", name="save_and_reload", notebook=NOTEBOOK, points=2,
          verifies="a .npz file at path holding W1, b1, ... exactly, and the reloaded list "
                   "identical to params, in order",
          reference=save_and_reload, mistakes=SAVE_MISTAKES, arg_names=("params",))
def judge_save_and_reload(fn, ctx):
    M = {m.name: m for m in SAVE_MISTAKES}
    for case in save_cases(ctx.rng):
        (params,) = case.args
        names = _keys(len(params))
        got = ctx.call(fn, params, case=case, driver=drive_save_and_reload,
                       error_hints={ValueError: "np.savez stores arrays, not a list of arrays "
                                                "of different shapes: pass each array under "
                                                "its own name, np.savez(path, W1=..., b1=..., "
                                                "...).",
                                    KeyError: "the file lacks a name you read back: save every "
                                              "array, W1, b1, W2, b2, ..., under the names you "
                                              "then read (biases included)."})
        saved, out = got["saved"], got["out"]
        if saved is None:
            known = M[".npz added twice"] if "network.npz.npz" in got["files"] else \
                M["no file at path"]
            ctx.fail_case(case, problem=f"no file at path; the folder holds {got['files']}",
                          mistake=known)
        if "error" in saved:
            ctx.fail_case(case, problem=f"the file at path is not an .npz archive "
                          f"({saved['error']}): save it with np.savez",
                          mistake=M["pickled, not np.savez"] if "pickle" in saved["error"]
                          else None)
        keys = saved["keys"]
        if sorted(keys) != sorted(names):
            known = None
            if keys and all(k.startswith("arr_") for k in keys):
                known = M["positional names arr_0, arr_1, ..."]
            elif sorted(keys) == sorted(names[0::2]):
                known = M["biases left out of the file"]
            elif sorted(keys) == sorted(f"{'W' if i % 2 == 0 else 'b'}{i // 2}"
                                        for i in range(len(params))):
                known = M["names counted from 0"]
            elif sorted(keys) == ["W1", "b1"]:
                known = M["first layer only"]
            elif sorted(keys) == sorted(k.lower() for k in names):
                known = M["lower-case names"]
            elif sorted(keys) == sorted(f"W{i + 1}" for i in range(len(params))):
                known = M["every array named W"]
            elif any(sorted(keys) == sorted(numbering(len(params))) for numbering in _NUMBERINGS):
                known = M["layers numbered wrong"]
            elif len(keys) == len(names):
                known = M["other names than W1, b1, ..."]
            ctx.fail_case(case, expected=Said(f"a file with the arrays {names}"),
                          got=Said(f"a file with the arrays {keys}"), mistake=known)
        arrays = dict(zip(keys, saved["arrays"]))
        for name, p in zip(names, params):
            a = arrays[name]
            if not _identical(a, p):
                known = M["saved as float32"] if a.dtype == np.float32 else \
                    M["saved transposed"] if a.shape == p.T.shape and np.array_equal(a, p.T) \
                    else M["saved rounded"] if np.array_equal(a, np.round(p, 4)) else None
                ctx.fail_case(f"{case.description}: {name} in the file", expected=p, got=a,
                              problem="not identical to the array saved", mistake=known)
        if isinstance(out, dict) or not isinstance(out, (list, tuple)):
            ctx.fail_case(case, problem=f"returned {type(out).__name__}; return the reloaded "
                          "list [W1, b1, W2, b2, ...]",
                          mistake=M["returned the file's contents as a dict"])
        if got["returned_given"]:
            ctx.fail_case(case, problem="returned the arrays you were given, not the ones read "
                          "back from the file", mistake=M["returned params, not the file's"])
        if len(out) != len(params):
            known = M["biases not reloaded"] if len(out) == len(params) // 2 else None
            ctx.fail_case(case, problem=f"returned {len(out)} arrays; params has "
                          f"{len(params)}", mistake=known)
        if all(_identical(np.asarray(a), p) for a, p in zip(out, params)):
            ctx.pass_case(case)
            continue
        orders = [("reloaded in another order", sorted(names)),
                  ("reloaded in another order", names[0::2] + names[1::2])]
        known = next((M[label] for label, order in orders
                      if all(isinstance(a, np.ndarray) and a.shape == arrays[k].shape and
                             np.array_equal(a, arrays[k]) for a, k in zip(out, order))), None)
        wrong = next(i for i, (a, p) in enumerate(zip(out, params))
                     if not _identical(np.asarray(a), p))
        ctx.fail_case(f"{case.description}: item {wrong} ({names[wrong]}) of the reloaded list",
                      expected=params[wrong], got=np.asarray(out[wrong]),
                      problem="not identical to the array you were given", mistake=known)


# --- exercise 9: my_network -------------------------------------------------------------------

_TRAINED = {}


def my_network(X):
    """The reference: the example plan's first network, trained (once, on first use) by the
    plain-numpy pieces, predicting X."""
    return predict(_trained("params", CHOSEN), X)


def _trained(key, config):
    """A network of ``config`` trained on the training digits (once, then cached)."""
    if key not in _TRAINED:
        X_train, y_train, *_ = digits_split()
        _TRAINED[key] = fit(config, X_train, data.one_hot(y_train, 10), 0)
    return _TRAINED[key]


def _my_untrained(X):
    return predict(init_params([64, 64, 10], np.random.default_rng(0)), X)


def _my_linear(X):
    return predict(_trained("linear", {"hidden": [], "lr": 3e-3, "l2": 0.0, "epochs": 40}), X)


def _my_probabilities(X):
    return forward(_trained("params", CHOSEN), X)[0]


def _my_axis0(X):
    return forward(_trained("params", CHOSEN), X)[0].argmax(axis=0)


def _my_forward_pair(X):
    return forward(_trained("params", CHOSEN), X)


def _my_list(X):
    return [int(k) for k in my_network(X)]


def _my_float(X):
    return my_network(X).astype(np.float64)


def _my_test_set(X):
    return my_network(digits_split()[4])


def _my_ignores_X(X):
    return my_network(digits_split()[2])


NOT_RELOADED = Mistake(
    "not the reloaded parameters",
    "the statement asks for the network *as reloaded from its file*: predict with `reloaded` "
    "(what save_and_reload read back), not with the arrays you trained, so that what you "
    "judge is what the file holds.", None)
MY_MISTAKES = {m.name: m for m in [
    Mistake("labels as a column",
            "return one label per digit as a flat array of shape (N,), not a column (N, 1): "
            "np.argmax(y_hat, axis=1) without keepdims.", lambda X: my_network(X)[:, None]),
    Mistake("untrained network",
            "accuracy near chance (10%): the network that predicts was not trained. Predict "
            "with the parameters you reloaded *after* training (saving before training saves "
            "the initial weights).", _my_untrained),
    Mistake("labels counted from 1",
            "your labels are shifted by one (argmax + 1, the 1-to-10 numbering of other "
            "courses): the digits' labels are the classes 0 to 9, exactly np.argmax(y_hat, "
            "axis=1), as predict returns them.", lambda X: my_network(X) + 1),
    Mistake("not above the baseline",
            "your network does not beat the linear baseline on the validation digits: go back "
            "to your candidates (a hidden layer, the learning rate, L2, the epochs) and choose "
            "again on the validation set.", _my_linear),
    Mistake("probabilities returned",
            "return one predicted label per digit, shape (N,): the argmax of each row of "
            "your forward pass's y_hat (axis=1), as predict does.", _my_probabilities),
    Mistake("argmax over the batch",
            "you took the argmax down each column (axis=0), one number per class: each "
            "digit's label is the argmax of its row, axis=1.", _my_axis0),
    Mistake("forward's pair returned",
            "forward returns the pair (y_hat, cache): my_network returns the predicted "
            "classes, the argmax of each row of y_hat, as predict(reloaded, X) does.",
            _my_forward_pair),
    Mistake("a list, not an array",
            "return the labels as one integer numpy array of shape (N,), as predict returns "
            "them (np.argmax(y_hat, axis=1)), not a Python list.", _my_list),
    Mistake("labels not integers",
            "the labels are class numbers, an integer array (np.argmax gives int64): do not "
            "turn them into floats.", _my_float),
    Mistake("predicted the test set",
            "my_network reads the notebook's test digits: it must predict the X it is given, "
            "predict(reloaded, X), and the test set stays closed until section 14.", _my_test_set),
    Mistake("X ignored",
            "my_network does not predict the X it is given (the check gave the same digits in "
            "another order and got the same answer back): return predict(reloaded, X).", _my_ignores_X),
]}


def _fail_my(ctx, description, problem_text, name):
    ctx.fail_case(description, problem=problem_text, mistake=MY_MISTAKES[name])


@exercise(id="nb12_my_network", name="my_network", notebook=NOTEBOOK, points=3,
          verifies="your reloaded network, your own code, beats the linear baseline on the "
                   "validation digits",
          reference=my_network, mistakes=list(MY_MISTAKES.values()))
def judge_my_network(fn, ctx):
    _, _, X_val, y_val, X_test, _ = digits_split()
    description = f"the {len(X_val)} validation digits"
    got = ctx.call(fn, X_val, driver=drive_my_network, case=Case(description, ()),
                   error_hints={NameError: "my_network uses predict (section 9) and `reloaded` "
                                           "(made by the cell after Exercise 8): run the cells "
                                           "above this one first, your search included."})
    if _network_names(got["nnlib"]):
        _fail_nnlib(ctx, description, _network_names(got["nnlib"]))
    if got["test"]:
        _fail_my(ctx, description, f"your code reads {', '.join(got['test'])}",
                 "predicted the test set")
    pred = got["predictions"]
    if isinstance(pred, (tuple, list)) and len(pred) == 2 and isinstance(pred[0], np.ndarray) \
            and pred[0].ndim == 2:
        _fail_my(ctx, description, "returned a pair (y_hat, cache)", "forward's pair returned")
    if not isinstance(pred, np.ndarray):
        ctx.fail_case(description, problem=f"returned {type(pred).__name__}; return an integer "
                      f"array of shape ({len(X_val)},)")
    if got["type"] in ("list", "tuple") and pred.ndim == 1:
        _fail_my(ctx, description, f"returned a {got['type']}", "a list, not an array")
    if pred.shape == (len(X_val), 1):
        _fail_my(ctx, description, f"returned shape {pred.shape}", "labels as a column")
    if pred.ndim == 2 and pred.shape[0] == len(X_val):
        _fail_my(ctx, description, f"returned shape {pred.shape}", "probabilities returned")
    if pred.shape == (10,):
        _fail_my(ctx, description, "returned shape (10,)", "argmax over the batch")
    if pred.shape == (len(X_test),):
        _fail_my(ctx, description, f"returned shape {pred.shape}", "predicted the test set")
    if pred.shape != (len(X_val),):
        ctx.fail_case(description, problem=f"returned shape {pred.shape}, expected "
                      f"({len(X_val)},): one label per row of X")
    correct = int(np.sum(pred == y_val))
    if not np.issubdtype(pred.dtype, np.integer):
        _fail_my(ctx, description, f"returned dtype {pred.dtype}", "labels not integers")
    shifted = max((int(np.sum(pred - k == y_val)), k) for k in (1, -1))
    if correct < 0.3 * len(y_val) and shifted[0] > BASELINE_VAL_CORRECT:
        _fail_my(ctx, description, f"{correct} of {len(y_val)} right; your labels minus "
                 f"{shifted[1]} would give {shifted[0]}", "labels counted from 1")
    if correct < 0.3 * len(y_val):
        _fail_my(ctx, description, f"{correct} of {len(y_val)} right ({correct / len(y_val):.1%})",
                 "untrained network")
    if correct <= BASELINE_VAL_CORRECT:
        _fail_my(ctx, description, f"{correct} of {len(y_val)} right ({correct / len(y_val):.1%}), "
                 f"the baseline {BASELINE_VAL_CORRECT} ({BASELINE_VAL_CORRECT / len(y_val):.1%})",
                 "not above the baseline")
    ctx.pass_case()
    order = ctx.rng.permutation(len(X_val))
    again = ctx.call(fn, X_val[order], driver=drive_my_network,
                     case=Case("the same digits in another order", ()))["predictions"]
    if not (isinstance(again, np.ndarray) and again.shape == pred.shape and
            np.array_equal(again, pred[order])):
        _fail_my(ctx, "the same digits in another order", "the predictions did not follow the "
                 "new order", "X ignored")
    ctx.pass_case()
    if got["other_params"]:
        ctx.fail_case(description, problem=f"your code predicts with "
                      f"{', '.join(got['other_params'])}, not with `reloaded`",
                      mistake=NOT_RELOADED)
    ctx.fail(f"✔ {ctx.name} — 2/2 cases: your network reads {correct} of the {len(y_val)} "
             f"validation digits right ({correct / len(y_val):.1%}), the linear baseline "
             f"{BASELINE_VAL_CORRECT} ({BASELINE_VAL_CORRECT / len(y_val):.1%}); your own code, "
             "no nnlib in its path", status="passed")


# --- exercise 10: test_report -----------------------------------------------------------------

def test_report(params, X, y, n=None, n_minus_1=False, se_scale=1.0, acc_scale=1.0,
                power=0.5, over_n=False, no_n=False, error_rate=False, p_half=False,
                count=False, z=1.0, swap=False, percent_inside=False, confidence=False,
                var_form=None):
    """``(accuracy, standard_error)`` of the network on (X, y): the fraction right and
    √(p(1 − p)/n) with n = len(y)."""
    p = float(np.mean(predict(params, X) == y))
    if confidence:
        p = float(np.mean(forward(params, X)[0].max(axis=1)))
    p = 1 - p if error_rate else p
    n = len(y) if n is None else n
    q = 0.5 if p_half else p
    if percent_inside:
        q = 100 * q
    var = {None: lambda: q * (1 - q), "p": lambda: q, "1 - p": lambda: 1 - q,
           "p(1 + p)": lambda: q * (1 + q), "p²": lambda: q * q}[var_form]()
    if count:
        se = np.sqrt(n * var)
    elif no_n:
        se = np.sqrt(var)
    elif over_n:
        se = np.sqrt(var) / n
    else:
        v = var / (n - 1 if n_minus_1 else n)
        se = np.sqrt(v) if power == 0.5 else v
    out = (p * acc_scale, z * se * se_scale)
    return out[::-1] if swap else out


REPORT_MISTAKES = variants(test_report, [
    ("n − 1", "the standard error of an accuracy is √(p(1 − p)/n) with n itself, the number "
     "of digits scored (notebook 09); n − 1 belongs to a sample's standard deviation.",
     {"n_minus_1": True}),
    ("n of the training set", "n is the number of digits the accuracy was measured on, "
     "len(y), not the 1078 training digits.", {"n": 1078}),
    ("n of the validation set", "n is the number of digits the accuracy was measured on, "
     "len(y), not the 269 validation digits.", {"n": 269}),
    ("n of all the digits", "n is the number of digits the accuracy was measured on, len(y), "
     "not all 1797.", {"n": 1797}),
    ("SE in percent, accuracy a fraction", "the standard error is in percent (×100) while the "
     "accuracy is a fraction: give both as fractions, √(p(1 − p)/n) with p the fraction.",
     {"se_scale": 100.0}),
    ("both in percent", "give both as fractions (0.964 and 0.0088), not percent: the notebook "
     "prints them as percent with :.1%.", {"se_scale": 100.0, "acc_scale": 100.0}),
    ("accuracy in percent", "the accuracy is a fraction (0.964), not percent (96.4); the "
     "standard error is right.", {"acc_scale": 100.0}),
    ("percent inside the formula", "p(1 − p) needs p as a fraction: with p = 96.4, 1 − p is "
     "negative. Use the fraction right, p = np.mean(...).", {"percent_inside": True}),
    ("no square root", "that is the variance p(1 − p)/n: the standard error is its square "
     "root.", {"power": 1.0}),
    ("divided by n, not √n", "the standard error is √(p(1 − p)) / √n: you divided by n.",
     {"over_n": True}),
    ("not divided by n", "that is the standard deviation of one digit's 0/1 score, "
     "√(p(1 − p)): the standard error of the mean of n of them divides it by √n.",
     {"no_n": True}),
    ("SE of the count", "√(n·p(1 − p)) is the standard error of the *number* right; the "
     "accuracy's is √(p(1 − p)/n).", {"count": True}),
    ("(1 − p) factor missing", "under the root goes p(1 − p)/n, the variance of one digit's "
     "0/1 score over n: you left out the (1 − p) factor, √(p/n).", {"var_form": "p"}),
    ("p factor missing", "under the root goes p(1 − p)/n, the variance of one digit's 0/1 "
     "score over n: you left out the factor p, √((1 − p)/n).", {"var_form": "1 - p"}),
    ("p(1 + p) instead of p(1 − p)", "the variance of a 0/1 score is p(1 − p), with a minus: "
     "√(p(1 − p)/n).", {"var_form": "p(1 + p)"}),
    ("p² instead of p(1 − p)", "the variance of a 0/1 score is p(1 − p) = p − p², not p²: "
     "√(p(1 − p)/n).", {"var_form": "p²"}),
    ("worst case p = 0.5", "use the measured accuracy p in √(p(1 − p)/n), not 0.5 (the worst "
     "case, which is what a sample size is planned with).", {"p_half": True}),
    ("1.96 × SE", "1.96 × SE is the half-width of a 95% interval: return the standard error "
     "itself.", {"z": 1.96}),
    ("error rate", "you returned the error rate (1 − accuracy); the report gives the accuracy "
     "(the standard error is the same).", {"error_rate": True}),
    ("swapped", "return (accuracy, standard_error) in this order.", {"swap": True}),
    ("mean of the largest probability", "the accuracy is the share of digits whose predicted "
     "class, the argmax, equals y: np.mean(predict(params, X) == y), not the mean of the "
     "largest probability (the network's confidence).", {"confidence": True}),
])


FORMATTED = Mistake("formatted as text",
                    "return the two numbers, accuracy and standard error as fractions; format "
                    "them only when you print them (f\"{accuracy:.1%} ± {se:.1%}\").", None)


def report_cases(rng):
    cases = []
    for description, sizes, N in (("a 4-6-3 network, 40 samples", [4, 6, 3], 40),
                                  ("a 8-5 network, 123 samples", [8, 5], 123),
                                  ("a 64-16-10 network, 450 samples", [64, 16, 10], 450)):
        params = _random_params(rng, sizes)
        X = np.round(rng.normal(0, 1, (N, sizes[0])), 3)
        true = nnlib_predict(params, X)
        y = np.where(rng.random(N) < 0.7, true, rng.integers(0, sizes[-1], N))
        cases.append(Case(description, (params, X, y)))
    return cases


@exercise(id="nb12_test_report", name="test_report", notebook=NOTEBOOK, points=2,
          verifies="the accuracy as a fraction and its standard error √(p(1 − p)/n)",
          reference=test_report, mistakes=REPORT_MISTAKES, arg_names=("params", "X", "y"))
def judge_test_report(fn, ctx):
    for case in report_cases(ctx.rng):
        params, X, y = case.args
        got = ctx.call(fn, *case.args, case=case)
        if isinstance(got, np.ndarray) and got.shape == (2,):
            got = tuple(got.tolist())
        p = float(np.mean(nnlib_predict(params, X) == y))
        want = (p, float(np.sqrt(p * (1 - p) / len(y))))
        if isinstance(got, (tuple, list)) and any(isinstance(g, str) for g in got):
            ctx.fail_case(case, expected=want, got=Said(repr(tuple(got))),
                          problem="returned text; return the two numbers",
                          mistake=FORMATTED)
        if isinstance(got, (tuple, list)) and len(got) == 2 and all(_number(g) for g in got) \
                and _rounded(got, want):
            ctx.fail_case(case, expected=want, got=tuple(float(g) for g in got),
                          problem="the numbers are rounded", mistake=ROUNDED)
        ctx.compare_named(got, want, case,
                          ("accuracy", "standard_error"), REPORT_MISTAKES, rtol=1e-9,
                          atol=1e-12)


name_errors("nb12_save_and_reload", {"has no attribute 'open'": Mistake(
    "file read after it was closed",
    "np.load gives a lazy NpzFile: its arrays are read when you index it, so index it inside "
    "the `with np.load(path) as f:` block, [f[name] for name in names], before the block "
    "closes the file.", None)})
