"""Notebook 12's mistake catalog: realistic wrong answers, written as a learner would write them
from the statements (loops, other numpy calls, the notebook's globals), each rejected and named
with its true cause; correct answers written other ways, each accepted; every known mistake
named as itself."""

import math

import numpy as np

from nncourse.checks import nb12
from nnlib import Network, data
from nnlib import fit as nnlib_fit
from nnlib.layers import Activation, Dense

from .catalog import catalog_tests, says

IDS = ["nb12_forward", "nb12_backward", "nb12_minibatches", "nb12_adam_step", "nb12_train",
       "nb12_candidates", "nb12_choose", "nb12_save_and_reload", "nb12_my_network",
       "nb12_test_report"]

# the notebook's globals, as a learner's functions see them
X_train, y_train, X_val, y_val, X_test, y_test = nb12.digits_split()
Y_train = data.one_hot(y_train, 10)
init_params, fit, predict = nb12.init_params, nb12.fit, nb12.predict


def relu(Z):
    return np.maximum(Z, 0)


def softmax_rows(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


# --- forward ------------------------------------------------------------------------------------
E = "nb12_forward"


def fwd(params, X, act=relu, out=softmax_rows, cache_what="Z", bias=True, out_relu=False):
    """A learner's loop; the keywords are the ways it goes wrong."""
    A, cache = X, []
    n = len(params) // 2
    for l in range(n):
        W, b = params[2 * l], params[2 * l + 1]
        Z = A @ W + b if bias else A @ W
        A_new = act(Z) if l < n - 1 else out(relu(Z) if out_relu else Z)
        cache.append((A, A_new) if cache_what == "A" else (A_new, Z) if cache_what == "out"
                     else (A, Z))
        A = A_new
    return A, cache


def fwd_transposed(params, X):
    A, cache = X, []
    for l in range(len(params) // 2):
        Z = np.dot(A, params[2 * l].T) + params[2 * l + 1]
        cache.append((A, Z))
        A = relu(Z)
    return softmax_rows(Z), cache


def softmax_unstable(Z):
    return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)


def softmax_columns(Z):
    E = np.exp(Z - Z.max(axis=0))
    return E / E.sum(axis=0)


def softmax_all(Z):
    E = np.exp(Z - Z.max())
    return E / E.sum()


def softmax_no_keepdims(Z):
    E = np.exp(Z - Z.max(axis=1))
    return E / E.sum(axis=1)


WRONG = [
    (E, "ReLU on the output layer", lambda params, X: fwd(params, X, out_relu=True)),
    (E, "softmax overflows", lambda params, X: fwd(params, X, out=softmax_unstable)),
    (E, "softmax over the batch", lambda params, X: fwd(params, X, out=softmax_columns)),
    (E, "softmax over the batch", lambda params, X: fwd(
        params, X, out=lambda Z: (lambda E: E / E.sum(axis=0, keepdims=True))(
            np.exp(Z - Z.max(axis=1, keepdims=True))))),
    (E, "tanh hidden layers", lambda params, X: fwd(params, X, act=np.tanh)),
    (E, "sigmoid hidden layers",
     lambda params, X: fwd(params, X, act=lambda Z: 1 / (1 + np.exp(-Z)))),
    (E, "no biases", lambda params, X: fwd(params, X, bias=False)),
    (E, "activations cached instead of Z", lambda params, X: fwd(params, X, cache_what="A")),
    (E, "no softmax at the output", lambda params, X: fwd(params, X, out=lambda Z: Z)),
    (E, "no ReLU in the hidden layers", lambda params, X: fwd(params, X, act=lambda Z: Z)),
    (E, "the layer's output cached as A_in", lambda params, X: fwd(params, X, cache_what="out")),
    (E, "softmax over all entries", lambda params, X: fwd(params, X, out=softmax_all)),
    (E, "softmax in every layer", lambda params, X: fwd(params, X, act=softmax_rows)),
    (E, says("your code raised an error"),
     lambda params, X: fwd(params, X, out=softmax_no_keepdims)),
    (E, "ReLU on the output layer",
     lambda params, X: fwd(params, X, act=lambda Z: Z * (Z > 0),
                           out=lambda Z: softmax_rows(np.maximum(Z, 0)))),
]


def forward_lists(params, X):
    Ws, bs = params[::2], params[1::2]
    cache, A = [], X
    for k in range(len(Ws)):
        Z = np.dot(A, Ws[k]) + bs[k]
        cache.append([A, Z])
        A = np.where(Z > 0, Z, 0.0) if k < len(Ws) - 1 else \
            np.exp(Z - np.logaddexp.reduce(Z, axis=1, keepdims=True))
    return A, cache


RIGHT = [
    (E, lambda params, X: fwd(params, X)),
    (E, forward_lists),
    (E, lambda params, X: nb12.nnlib_forward(params, X)),
]


# --- backward -----------------------------------------------------------------------------------
E = "nb12_backward"


def bwd(params, cache, Y, n_div=True, db=lambda dZ: dZ.sum(axis=0), slope=True,
        dW=lambda A, dZ: A.T @ dZ, Wt=True, sign=1, softmax=True, per_layer=False,
        reverse=False):
    Z_out = cache[-1][1]
    P = softmax_rows(Z_out) if softmax else Z_out
    N = len(Y)
    dZ = sign * (P - Y) / (N if n_div else 1)
    grads, dA = [], None
    for l in range(len(cache) - 1, -1, -1):
        A_in, Z = cache[l]
        if l < len(cache) - 1:
            dZ = dA * (Z > 0) if slope else dA
            if per_layer:
                dZ = dZ / N
        W = params[2 * l]
        grads = [dW(A_in, dZ), db(dZ)] + grads
        dA = dZ @ (W.T if Wt else W)
    return grads


WRONG += [
    (E, "sum, not mean", lambda params, cache, Y: bwd(params, cache, Y, n_div=False)),
    (E, "db averaged", lambda params, cache, Y: bwd(params, cache, Y,
                                                   db=lambda dZ: dZ.mean(axis=0))),
    (E, "ReLU slope forgotten", lambda params, cache, Y: bwd(params, cache, Y, slope=False)),
    (E, "dW transposed",
     lambda params, cache, Y: bwd(params, cache, Y, dW=lambda A, dZ: dZ.T @ A)),
    (E, "W not transposed for dA", lambda params, cache, Y: bwd(params, cache, Y, Wt=False)),
    (E, "sign flipped", lambda params, cache, Y: bwd(params, cache, Y, sign=-1)),
    (E, "softmax not applied to the cached Z",
     lambda params, cache, Y: bwd(params, cache, Y, softmax=False)),
    (E, "db kept as a row",
     lambda params, cache, Y: bwd(params, cache, Y, db=lambda dZ: np.sum(dZ, 0, keepdims=True))),
    (E, "divided by N at every layer",
     lambda params, cache, Y: bwd(params, cache, Y, per_layer=True)),
    (E, "sum, not mean",
     lambda params, cache, Y: [g * len(Y) for g in bwd(params, cache, Y)]),
    (E, says("return a list of"), lambda params, cache, Y: tuple(bwd(params, cache, Y))[:-1]),
]


def backward_einsum(params, cache, Y):
    L = len(cache)
    delta = (softmax_rows(cache[-1][1]) - Y) / Y.shape[0]
    out = [None] * (2 * L)
    for k in reversed(range(L)):
        A_in, Z = cache[k]
        if k < L - 1:
            delta = delta * np.heaviside(Z, 0.0)
        out[2 * k], out[2 * k + 1] = np.einsum("nd,nm->dm", A_in, delta), delta.sum(0)
        delta = delta @ params[2 * k].T
    return out


RIGHT += [
    (E, lambda params, cache, Y: bwd(params, cache, Y)),
    (E, backward_einsum),
    (E, lambda params, cache, Y: nb12.nnlib_backward(params, cache, Y)),
]


# --- minibatches --------------------------------------------------------------------------------
E = "nb12_minibatches"


def cut(order, batch_size):
    return [order[s:s + batch_size] for s in range(0, len(order), batch_size)]


WRONG += [
    (E, "not shuffled", lambda N, batch_size, rng: cut(np.arange(N), batch_size)),
    (E, "batches not int arrays",
     lambda N, batch_size, rng: [list(b) for b in cut(rng.permutation(N), batch_size)]),
    (E, "batches not int arrays",
     lambda N, batch_size, rng: [b.astype(float) for b in cut(rng.permutation(N), batch_size)]),
    (E, "batches not int arrays",
     lambda N, batch_size, rng: [tuple(b) for b in cut(rng.permutation(N), batch_size)]),
    (E, "last batch dropped",
     lambda N, batch_size, rng: [b for b in cut(rng.permutation(N), batch_size)
                                 if len(b) == batch_size]),
    (E, "sampled with replacement",
     lambda N, batch_size, rng: cut(rng.integers(0, N, size=N), batch_size)),
    (E, "own generator",
     lambda N, batch_size, rng: cut(np.random.default_rng(0).permutation(N), batch_size)),
    (E, "batch_size taken as the number of batches",
     lambda N, batch_size, rng: np.array_split(rng.permutation(N), batch_size)),
    (E, "last batch merged",
     lambda N, batch_size, rng: (lambda o, k: [o[i * batch_size:(i + 1) * batch_size]
                                               for i in range(k - 1)] + [o[(k - 1) * batch_size:]])(
         rng.permutation(N), max(1, N // batch_size))),
    (E, "not rng.permutation's order",
     lambda N, batch_size, rng: cut(np.random.permutation(N), batch_size)),
    (E, "not rng.permutation's order",
     lambda N, batch_size, rng: [rng.permutation(b) for b in cut(np.arange(N), batch_size)]),
    (E, "not rng.permutation's order",
     lambda N, batch_size, rng: cut(np.argsort(rng.random(N)), batch_size)),
    (E, says("batch sizes"),
     lambda N, batch_size, rng: cut(rng.permutation(N), batch_size - 1)),
]


def minibatches_shuffle(N, batch_size, rng):
    order = np.arange(N)
    rng.shuffle(order)
    return [order[i:i + batch_size] for i in range(0, N, batch_size)]


RIGHT += [
    (E, lambda N, batch_size, rng: cut(rng.permutation(N), batch_size)),
    (E, minibatches_shuffle),
    (E, lambda N, batch_size, rng: np.split(rng.permutation(N), range(batch_size, N, batch_size))),
]


# --- adam_step ----------------------------------------------------------------------------------
E = "nb12_adam_step"


def adam(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, correct=True, t_shift=0,
         root=np.sqrt, second=np.square, eps_in=False, sign=-1, one_minus=True):
    m = beta1 * m + ((1 - beta1) if one_minus else 1) * dw
    v = beta2 * v + ((1 - beta2) if one_minus else 1) * second(dw)
    tt = t + t_shift
    m_hat = m / (1 - beta1 ** tt) if correct else m
    v_hat = v / (1 - beta2 ** tt) if correct else v
    step = m_hat / (root(v_hat + eps) if eps_in else root(v_hat) + eps)
    return w + sign * lr * step, m, v


def adam_in_place(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * dw
    v *= beta2
    v += (1 - beta2) * dw ** 2
    return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


def adam_w_in_place(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    new_w, m, v = adam(w, dw, m, v, t, lr, beta1, beta2, eps)
    w -= w - new_w
    return w, m, v


WRONG += [
    (E, "no bias correction", lambda *a, **k: adam(*a, **k, correct=False)),
    (E, "bias correction one step late", lambda *a, **k: adam(*a, **k, t_shift=1)),
    (E, "no square root", lambda *a, **k: adam(*a, **k, root=lambda x: x)),
    (E, "v from |dw|", lambda *a, **k: adam(*a, **k, second=np.abs)),
    (E, "eps inside the square root", lambda *a, **k: adam(*a, **k, eps_in=True)),
    (E, "betas swapped",
     lambda w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8:
         adam(w, dw, m, v, t, lr, beta2, beta1, eps)),
    (E, "step uphill", lambda *a, **k: adam(*a, **k, sign=1)),
    (E, "(1 − β) factors left out", lambda *a, **k: adam(*a, **k, one_minus=False)),
    (E, says("changed its input `m` in place"), adam_in_place),
    (E, says("changed its input `w` in place"), adam_w_in_place),
]


def adam_hat_first(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m_new = m + (1 - beta1) * (dw - m)
    v_new = v + (1 - beta2) * (dw * dw - v)
    lr_t = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return w - lr_t * m_new / (np.sqrt(v_new) + eps * math.sqrt(1 - beta2 ** t)), m_new, v_new


RIGHT += [
    (E, lambda *a, **k: adam(*a, **k)),
    (E, lambda w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8: adam_in_place(
        w, dw, m.copy(), v.copy(), t, lr, beta1, beta2, eps)),
    (E, adam_hat_first),
]


# --- train --------------------------------------------------------------------------------------
E = "nb12_train"


def my_train(params, X, Y, epochs, batch_size, lr, seed, l2=0.0, order="shuffle",
             rng_inside=False, cost_mean="samples", cost_when="before", step="batch",
             update="adam", l2_on="weights", l2_grad=1.0, l2_cost=0.5, l2_where="grad",
             l2_scale="as is", record="epoch"):
    """A learner's loop (dicts of state, np.average), with the ways it goes wrong."""
    params = [p.copy() for p in params]
    state = {i: (np.zeros_like(p), np.zeros_like(p)) for i, p in enumerate(params)}
    rng, t, costs = np.random.default_rng(seed), 0, []
    for _ in range(epochs):
        if rng_inside:
            rng = np.random.default_rng(seed)
        if step == "epoch":
            t += 1
        batches = cut(np.arange(len(X)), batch_size) if order == "none" else \
            nb12.minibatches(len(X), batch_size, rng)
        batch_costs, sizes = [], []
        for idx in batches:
            lam = l2 / len(idx) if l2_scale == "over n" else l2
            keys = [i for i in range(len(params)) if i % 2 == 0 or l2_on == "all"]
            P, cache = nb12.forward(params, X[idx])
            c = -np.log(P[Y[idx] == 1]).mean() + l2_cost * lam * sum(
                np.sum(params[i] * params[i]) for i in keys)
            grads = nb12.backward(params, cache, Y[idx])
            if l2_where == "grad":
                for i in keys:
                    grads[i] = grads[i] + l2_grad * lam * params[i]
            if step == "batch":
                t += 1
            for i, g in enumerate(grads):
                old = params[i]
                if update == "sgd":
                    params[i] = params[i] - lr * g
                else:
                    params[i], m, v = nb12.adam_step(params[i], g, *state[i], t, lr)
                    state[i] = (m, v)
                if l2_where == "decay" and i in keys:
                    params[i] = params[i] - lr * lam * old
            if cost_when == "after":
                P, _ = nb12.forward(params, X[idx])
                c = -np.log(P[Y[idx] == 1]).mean() + l2_cost * lam * sum(
                    np.sum(params[i] * params[i]) for i in keys)
            batch_costs.append(c)
            sizes.append(len(idx))
        if record == "batch":
            costs += batch_costs
        else:
            costs.append(np.average(batch_costs, weights=sizes) if cost_mean == "samples"
                         else np.mean(batch_costs))
    return params, costs


def train_variant(**changed):
    def train(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
        return my_train(params, X, Y, epochs, batch_size, lr, seed, l2, **changed)
    return train


def train_via_nnlib(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
    from nnlib import Adam, train
    net = nb12.nnlib_network(params)
    history = train.fit(net, X, Y, cost="categorical_cross_entropy",
                        optimizer=Adam(net.parameters(), lr=lr), epochs=epochs,
                        batch_size=batch_size, rng=np.random.default_rng(seed), l2=l2)
    return [p.value for p in net.parameters()], history["cost"]


def train_without_l2(params, X, Y, epochs, batch_size, lr, seed):
    return my_train(params, X, Y, epochs, batch_size, lr, seed)


WRONG += [
    (E, "no shuffling", train_variant(order="none")),
    (E, "same shuffle every epoch", train_variant(rng_inside=True)),
    (E, "unweighted epoch cost", train_variant(cost_mean="batches")),
    (E, "cost after the update", train_variant(cost_when="after")),
    (E, "one cost per batch", train_variant(record="batch")),
    (E, "Adam's t per epoch", train_variant(step="epoch")),
    (E, "plain gradient descent", train_variant(update="sgd")),
    (E, "L2 on the biases", train_variant(l2_on="all")),
    (E, "L2 gradient 2λW", train_variant(l2_grad=2.0)),
    (E, "penalty left out of the cost", train_variant(l2_cost=0.0)),
    (E, "penalty λ·Σ‖W‖²", train_variant(l2_cost=1.0)),
    (E, "weight decay after Adam", train_variant(l2_where="decay")),
    (E, "λ divided by the batch size", train_variant(l2_scale="over n")),
    (E, "nnlib in the code path", train_via_nnlib),
    (E, says("train takes a last parameter l2"), train_without_l2),
]


def train_flat(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
    params = list(params)
    ms = [0 * p for p in params]
    vs = [0 * p for p in params]
    rng, step, costs = np.random.default_rng(seed), 0, []
    for _ in range(epochs):
        total = 0.0
        for idx in nb12.minibatches(X.shape[0], batch_size, rng):
            y_hat, cache = nb12.forward(params, X[idx])
            ce = -np.sum(Y[idx] * np.log(y_hat)) / len(idx)
            pen = 0.5 * l2 * sum(float((W ** 2).sum()) for W in params[0::2])
            total += len(idx) * (ce + pen)
            grads = nb12.backward(params, cache, Y[idx])
            step += 1
            for i in range(len(params)):
                g = grads[i] + (l2 * params[i] if i % 2 == 0 else 0)
                params[i], ms[i], vs[i] = nb12.adam_step(params[i], g, ms[i], vs[i], step, lr)
        costs.append(total / X.shape[0])
    return params, np.array(costs)


RIGHT += [
    (E, train_variant()),
    (E, train_flat),
    (E, lambda params, X, Y, epochs, batch_size, lr, seed, l2=0.0: nb12.train(
        params, X, Y, epochs, batch_size, lr, seed, l2=l2)),
]


# --- candidates ---------------------------------------------------------------------------------
E = "nb12_candidates"


def config(hidden=(64,), lr=3e-3, l2=0.0, epochs=40):
    return {"hidden": list(hidden), "lr": lr, "l2": l2, "epochs": epochs}


WRONG += [
    (E, "not a list of configurations", lambda: config()),
    (E, "not a list of configurations",
     lambda: {"hidden": [[64], [128]], "lr": [3e-3, 1e-2], "l2": [0, 1e-3], "epochs": [40]}),
    (E, "too few candidates", lambda: [config(), config(lr=1e-2)]),
    (E, "too many candidates", lambda: [config(lr=lr) for lr in np.linspace(1e-3, 1e-2, 10)]),
    (E, "a key missing or misspelled",
     lambda: [config(), config(lr=1e-2), {"hidden": [32], "lr": 3e-3, "epochs": 40}]),
    (E, "a key missing or misspelled",
     lambda: [{"hidden": [h], "learning_rate": 3e-3, "l2": 0.0, "epochs": 40}
              for h in (32, 64, 128)]),
    (E, "hidden as a number",
     lambda: [{"hidden": h, "lr": lr, "l2": l2, "epochs": 40}
              for h, lr, l2 in ((32, 3e-3, 0.0), (64, 1e-2, 1e-3), (128, 3e-3, 1e-4))]),
    (E, "input or output size in hidden",
     lambda: [config(hidden=(64, 64, 10)), config(hidden=(64, 128, 10), lr=1e-2),
              config(hidden=(64, 32, 10), l2=1e-3)]),
    (E, "not a positive number",
     lambda: [config(), config(lr=1e-2), config(hidden=(128,), l2=-1e-3)]),
    (E, "not a positive number",
     lambda: [config(), config(lr=1e-2, l2=1e-3), config(hidden=(128,), epochs=40.5)]),
    (E, "a count written as a float",
     lambda: [config(epochs=40.0), config(lr=1e-2, l2=1e-3), config(hidden=(128,))]),
    (E, "a number written as text",
     lambda: [config(lr="3e-3"), config(lr="1e-2", l2=1e-3), config(hidden=(128,), lr="3e-3")]),
    (E, "a count written as a float",
     lambda: [config(hidden=(64.0,)), config(lr=1e-2, l2=1e-3), config(hidden=(128,))]),
    (E, "over the time budget",
     lambda: [config(hidden=(512,), lr=lr, l2=l2) for lr, l2 in
              ((3e-3, 0.0), (1e-2, 1e-3), (3e-3, 1e-3), (1e-3, 0.0))]),
    (E, "the same candidate twice",
     lambda: [config(), config(hidden=(128,), lr=1e-2, l2=1e-3), config()]),
    (E, "only one thing varied", lambda: [config(lr=lr) for lr in (1e-3, 3e-3, 1e-2, 3e-2)]),
    (E, "only one thing varied",
     lambda: [config(hidden=h, lr=lr) for h, lr in (((32,), 1e-3), ((64,), 3e-3),
                                                    ((128,), 1e-2))]),
]
RIGHT += [
    (E, nb12.candidates),
    (E, lambda: [config(hidden=h, lr=lr, l2=l2) for h, lr, l2 in
                 (((32,), 3e-3, 0.0), ((64,), 1e-2, 0.0), ((64,), 3e-3, 1e-3), ((), 1e-2, 0.0))]),
    (E, lambda: tuple({"hidden": (np.int64(h),), "lr": np.float64(lr), "l2": l2, "epochs": 30}
                      for h, lr, l2 in ((48, 3e-3, 0), (96, 5e-3, 1e-4), (96, 3e-3, 0)))),
]


# --- choose -------------------------------------------------------------------------------------
E = "nb12_choose"


def val_scores(configs, X_tr, Y_tr, X_v, y_v, seed, score=None, train_set=None, seeds=None,
               trained=True):
    out = []
    for k, c in enumerate(configs):
        Xf, Yf = train_set(X_tr, Y_tr, X_v, y_v) if train_set else (X_tr, Y_tr)
        s = seeds(seed, k) if seeds else seed
        params = fit(c, Xf, Yf, s) if trained else \
            init_params([Xf.shape[1], *c["hidden"], Yf.shape[1]], np.random.default_rng(s))
        out.append(score(params, X_tr, Y_tr, X_v, y_v) if score else
                   float(np.mean(predict(params, X_v) == y_v)))
    return out


def choose_loop(configs, X_train, Y_train, X_val, y_val, seed, keep=lambda a, b: a > b):
    scores = val_scores(configs, X_train, Y_train, X_val, y_val, seed)
    best = 0
    for k, a in enumerate(scores):
        if keep(a, scores[best]):
            best = k
    return best, scores


def val_accuracy(params):
    return float(np.mean(predict(params, X_val) == y_val))


def choose_with_global_val(configs, X_train, Y_train, X_val, y_val, seed):
    s = [val_accuracy(fit(c, X_train, Y_train, seed)) for c in configs]
    return int(np.argmax(s)), s


latest = np.zeros(3)


def choose_keeping_latest(configs, X_train, Y_train, X_val, y_val, seed):
    global latest
    s = []
    for c in configs:
        latest = fit(c, X_train, Y_train, seed)[0] + 0 * latest.sum()
        s.append(float(np.mean(predict(fit(c, X_train, Y_train, seed), X_val) == y_val)))
    return int(np.argmax(s)), s


def choose_by_val_cost(configs, X_train, Y_train, X_val, y_val, seed):
    costs = []
    for c in configs:
        P = nb12.forward(fit(c, X_train, Y_train, seed), X_val)[0]
        costs.append(float(-np.mean(np.log(P[np.arange(len(y_val)), y_val]))))
    return int(np.argmin(costs)), costs


def choose_on_test(configs, X_train, Y_train, X_val, y_val, seed):
    scores = [float(np.mean(predict(fit(c, X_train, Y_train, seed), X_test) == y_test))
              for c in configs]
    return int(np.argmax(scores)), scores


def chooser(best=lambda s: int(np.argmax(s)), scores=lambda s: s, **kw):
    """A learner's choose: scores from val_scores(**kw), then best(scores)."""
    def choose(configs, X_train, Y_train, X_val, y_val, seed):
        s = scores(val_scores(configs, X_train, Y_train, X_val, y_val, seed, **kw))
        return best(s), s
    return choose


def on_training_set(p, Xt, Yt, Xv, yv):
    return np.mean(predict(p, Xt) == Yt.argmax(axis=1))


def returns_config(configs, X_train, Y_train, X_val, y_val, seed):
    s = val_scores(configs, X_train, Y_train, X_val, y_val, seed)
    return configs[int(np.argmax(s))], s


def choose_with_nnlib(configs, X_train, Y_train, X_val, y_val, seed):
    s = []
    for c in configs:
        net = Network.from_sizes([64, *c["hidden"], 10], output="softmax",
                                 rng=np.random.default_rng(seed))
        nnlib_fit(net, X_train, Y_train, cost="categorical_cross_entropy", optimizer="adam",
                  lr=c["lr"], l2=c["l2"], epochs=c["epochs"], batch_size=32,
                  rng=np.random.default_rng(seed + 1))
        s.append(float(np.mean(net.predict(X_val).argmax(axis=1) == y_val)))
    return int(np.argmax(s)), s


WRONG += [
    (E, "tuned on training accuracy", chooser(score=on_training_set)),
    (E, "chose the worst", chooser(best=lambda s: int(np.argmin(s)))),
    (E, "last of the ties", lambda *a: choose_loop(*a, keep=lambda x, y: x >= y)),
    (E, "percent, not fractions", chooser(scores=lambda s: [100 * a for a in s])),
    (E, "error rates returned", chooser(scores=lambda s: [1 - a for a in s],
                                        best=lambda s: int(np.argmin(s)))),
    (E, "not trained", chooser(trained=False)),
    (E, "trained on the validation set",
     chooser(train_set=lambda Xt, Yt, Xv, yv: (Xv, data.one_hot(yv, 10)))),
    (E, "trained on training and validation",
     chooser(train_set=lambda Xt, Yt, Xv, yv: (np.vstack([Xt, Xv]),
                                               np.vstack([Yt, np.eye(10)[yv]])))),
    (E, "a different seed per candidate", chooser(seeds=lambda s, k: s + k)),
    (E, "counted from 1", chooser(best=lambda s: int(np.argmax(s)) + 1)),
    (E, "seed ignored", lambda configs, X_train, Y_train, X_val, y_val, seed: chooser()(
        configs, X_train, Y_train, X_val, y_val, 0)),
    (E, "chose on the test set", choose_on_test),
    (E, "validation cost, not accuracy", choose_by_val_cost),
    (E, "accuracies in a dict", lambda *a: (lambda b, s: (b, dict(enumerate(s))))(
        *choose_loop(*a))),
    (E, "rounded", lambda *a: (lambda b, s: (b, [round(x, 3) for x in s]))(*choose_loop(*a))),
    (E, "accuracies sorted", lambda *a: (lambda b, s: (b, sorted(s, reverse=True)))(
        *choose_loop(*a))),
    (E, "the notebook's arrays, not the arguments", choose_with_global_val),
    (E, "returned the configuration", returns_config),
    (E, "nnlib in the code path", choose_with_nnlib),
]
RIGHT += [
    (E, lambda *a: choose_loop(*a)),
    (E, choose_keeping_latest),
    (E, chooser(best=lambda s: max(range(len(s)), key=s.__getitem__), scores=np.array)),
    (E, lambda configs, X_train, Y_train, X_val, y_val, seed: (lambda s: (np.argmax(s), tuple(s)))(
        [np.mean(predict(fit(c, X_train, Y_train, seed), X_val) == y_val) for c in configs])),
]


# --- save_and_reload ----------------------------------------------------------------------------
E = "nb12_save_and_reload"


def names_of(params, start=1):
    return [("W" if i % 2 == 0 else "b") + str(i // 2 + start) for i in range(len(params))]


def save_then(params, path, arrays=None, keys=None, load=None, save=np.savez, save_path=None):
    keys = keys or names_of(params)
    arrays = arrays or params
    save(save_path or path, **dict(zip(keys, arrays)))
    with np.load(save_path or path) as f:
        return load(f) if load else [f[k] for k in keys]


def save_positional(params, path):
    np.savez(path, *params)
    with np.load(path) as f:
        return [f[k] for k in f.files]


def save_with_np_save(params, path):
    np.save(path, np.array(params, dtype=object), allow_pickle=True)
    return list(np.load(path + ".npy", allow_pickle=True))


def save_loop_first_layer_only(params, path):
    for l in range(len(params) // 2):
        np.savez(path, **{f"W{l + 1}": params[2 * l], f"b{l + 1}": params[2 * l + 1]})
        with np.load(path) as f:
            return [f[f"W{l + 1}"], f[f"b{l + 1}"]]


WRONG += [
    (E, "biases left out of the file",
     lambda params, path: save_then(params, path, arrays=params[0::2],
                                    keys=[f"W{l + 1}" for l in range(len(params) // 2)])),
    (E, "reloaded in another order",
     lambda params, path: save_then(params, path, load=lambda f: [f[k] for k in sorted(f.files)])),
    (E, "reloaded in another order",
     lambda params, path: save_then(params, path, load=lambda f: [
         f[f"W{l}"] for l in range(1, len(params) // 2 + 1)] + [
         f[f"b{l}"] for l in range(1, len(params) // 2 + 1)])),
    (E, "positional names arr_0, arr_1, ...", save_positional),
    (E, "names counted from 0",
     lambda params, path: save_then(params, path, keys=names_of(params, start=0))),
    (E, "saved as float32",
     lambda params, path: save_then(params, path, arrays=[p.astype("float32") for p in params])),
    (E, "saved rounded",
     lambda params, path: save_then(params, path, arrays=[p.round(4) for p in params])),
    (E, "saved transposed",
     lambda params, path: save_then(params, path, arrays=[p.T for p in params])),
    (E, ".npz added twice",
     lambda params, path: save_then(params, path, save_path=path + ".npz")),
    (E, "no file at path",
     lambda params, path: save_then(params, path, save_path=path.replace(".npz", "_net.npz"))),
    (E, "no file at path", save_with_np_save),
    (E, "biases not reloaded",
     lambda params, path: save_then(params, path, load=lambda f: [f[k] for k in f.files
                                                                  if k[0] == "W"])),
    (E, "returned the file's contents as a dict",
     lambda params, path: save_then(params, path, load=lambda f: dict(f))),
    (E, "first layer only", save_loop_first_layer_only),
    (E, says("the file lacks a name you read back"),
     lambda params, path: save_then(params, path, arrays=params[0::2],
                                    keys=names_of(params)[0::2],
                                    load=lambda f: [f[k] for k in names_of(params)])),
    (E, says("np.savez stores arrays, not a list"),
     lambda params, path: (np.savez(path, params=params), list(np.load(path)["params"]))[1]),
]


def save_compressed_loop(params, path):
    arrays = {}
    for l in range(len(params) // 2):
        arrays["W" + str(l + 1)], arrays["b" + str(l + 1)] = params[2 * l], params[2 * l + 1]
    np.savez_compressed(path, **arrays)
    f = np.load(path)
    out = []
    for l in range(len(params) // 2):
        out += [f["W" + str(l + 1)], f["b" + str(l + 1)]]
    return out


RIGHT += [
    (E, lambda params, path: save_then(params, path)),
    (E, nb12.save_and_reload),
    (E, save_compressed_loop),
    (E, lambda params, path: save_then(params, path, save=np.savez_compressed,
                                       load=lambda f: [f[k] for k in names_of(params)])),
]


# --- my_network ---------------------------------------------------------------------------------
E = "nb12_my_network"
trained = nb12._trained


def chosen():
    return trained("params", nb12.CHOSEN)


def reloaded_of(config, key):
    return trained(key, config)


def as_nnlib(params):
    layers = []
    for l in range(len(params) // 2):
        layers += [Dense.from_arrays(params[2 * l], params[2 * l + 1]),
                   Activation("relu" if l < len(params) // 2 - 1 else "softmax")]
    return Network(layers)


WRONG += [
    (E, "untrained network",
     lambda X: predict(init_params([64, 64, 10], np.random.default_rng(0)), X)),
    (E, "not above the baseline",
     lambda X: predict(reloaded_of({"hidden": [], "lr": 3e-3, "l2": 0.0, "epochs": 40},
                                   "linear"), X)),
    (E, "not above the baseline",
     lambda X: predict(reloaded_of({"hidden": [64], "lr": 3e-4, "l2": 0.0, "epochs": 40},
                                   "slow"), X)),
    (E, "not above the baseline",
     lambda X: predict(reloaded_of({"hidden": [64], "lr": 3e-3, "l2": 0.1, "epochs": 40},
                                   "strong l2"), X)),
    (E, "probabilities returned", lambda X: nb12.forward(chosen(), X)[0]),
    (E, "probabilities returned",
     lambda X: np.eye(10, dtype=int)[predict(chosen(), X)]),
    (E, "argmax over the batch", lambda X: np.argmax(nb12.forward(chosen(), X)[0], axis=0)),
    (E, "predicted the test set", lambda X: predict(chosen(), X_test)),
    (E, "X ignored", lambda X: predict(chosen(), X_val)),
    (E, "forward's pair returned", lambda X: nb12.forward(chosen(), X)),
    (E, "nnlib in the code path", lambda X: as_nnlib(chosen()).predict(X).argmax(1)),
    (E, says(f"expected ({len(X_val)},)"), lambda X: predict(chosen(), X_train)),
]
WRONG += [   # the statement asks for an integer array
    (E, "a list, not an array", lambda X: list(np.argmax(nb12.forward(chosen(), X)[0], axis=1))),
    (E, "a list, not an array", lambda X: predict(chosen(), X).tolist()),
    (E, "labels not integers", lambda X: nb12.forward(chosen(), X)[0].argmax(-1).astype(float)),
    (E, "labels not integers",
     lambda X: np.array([float(np.argmax(row)) for row in nb12.forward(chosen(), X)[0]])),
]
RIGHT += [
    (E, lambda X: predict(chosen(), X)),
    (E, lambda X: np.argmax(nb12.forward(chosen(), X)[0], axis=1).astype(np.int32)),
    (E, lambda X: np.array([int(np.argmax(row)) for row in nb12.forward(chosen(), X)[0]])),
]


# --- test_report --------------------------------------------------------------------------------
E = "nb12_test_report"


def report(params, X, y, se=lambda p, n: math.sqrt(p * (1 - p) / n), acc=lambda p: p,
           n_of=len):
    p = float(np.mean(predict(params, X) == y))
    return acc(p), se(p, n_of(y))


WRONG += [
    (E, "n − 1", lambda params, X, y: report(params, X, y,
                                             se=lambda p, n: np.sqrt(p * (1 - p) / (n - 1)))),
    (E, "n of the training set", lambda params, X, y: report(params, X, y,
                                                             n_of=lambda y: len(X_train))),
    (E, "n of the validation set", lambda params, X, y: report(params, X, y,
                                                               n_of=lambda y: len(y_val))),
    (E, "n of all the digits",
     lambda params, X, y: report(params, X, y, n_of=lambda y: len(X_train) + len(X_val)
                                 + len(X_test))),
    (E, "SE in percent, accuracy a fraction",
     lambda params, X, y: report(params, X, y, se=lambda p, n: 100 * math.sqrt(p * (1 - p) / n))),
    (E, "both in percent", lambda params, X, y: report(
        params, X, y, acc=lambda p: 100 * p,
        se=lambda p, n: math.sqrt(100 * p * (100 - 100 * p) / n))),
    (E, "accuracy in percent", lambda params, X, y: report(params, X, y,
                                                           acc=lambda p: round(100 * p, 12))),
    (E, "percent inside the formula", lambda params, X, y: report(
        params, X, y, se=lambda p, n: np.sqrt(100 * p * (1 - 100 * p) / n))),
    (E, "no square root", lambda params, X, y: report(params, X, y,
                                                      se=lambda p, n: p * (1 - p) / n)),
    (E, "divided by n, not √n", lambda params, X, y: report(
        params, X, y, se=lambda p, n: math.sqrt(p * (1 - p)) / n)),
    (E, "not divided by n", lambda params, X, y: report(
        params, X, y, se=lambda p, n: float(np.std(predict(params, X) == y)))),
    (E, "SE of the count", lambda params, X, y: report(
        params, X, y, se=lambda p, n: math.sqrt(n * p * (1 - p)))),
    (E, "worst case p = 0.5", lambda params, X, y: report(
        params, X, y, se=lambda p, n: math.sqrt(0.25 / n))),
    (E, "1.96 × SE", lambda params, X, y: report(
        params, X, y, se=lambda p, n: 1.96 * math.sqrt(p * (1 - p) / n))),
    (E, "error rate", lambda params, X, y: report(params, X, y, acc=lambda p: 1 - p)),
    (E, "swapped", lambda params, X, y: report(params, X, y)[::-1]),
    (E, "rounded", lambda params, X, y: tuple(round(v, 3) for v in report(params, X, y))),
    (E, "rounded", lambda params, X, y: (lambda p, se: (p, round(100 * se, 1)))(
        *report(params, X, y))),
    (E, "formatted as text", lambda params, X, y: (lambda p, se: (f"{p:.1%}", f"{se:.1%}"))(
        *report(params, X, y))),
]


def report_from_scores(params, X, y):
    right = (nb12.forward(params, X)[0].argmax(axis=1) == y).astype(float)
    return right.mean(), right.std() / np.sqrt(right.size)


RIGHT += [
    (E, lambda params, X, y: report(params, X, y)),
    (E, report_from_scores),
    (E, lambda params, X, y: np.array(report(params, X, y))),
    (E, lambda params, X, y: report(params, X, y, se=lambda p, n: np.sqrt(p - p * p) / np.sqrt(n))),
]

# --- what the statements ask for besides the numbers (a list; new arrays; an integer array) ----


def minibatches_yield(N, batch_size, rng):
    order = rng.permutation(N)
    for start in range(0, N, batch_size):
        yield order[start:start + batch_size]


def train_on_callers_list(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
    trained, costs = my_train(params, X, Y, epochs, batch_size, lr, seed, l2=l2)
    for i, p in enumerate(trained):
        params[i] = p                    # writes into the caller's list
    return params, costs


def train_in_place(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
    trained, costs = my_train(params, X, Y, epochs, batch_size, lr, seed, l2=l2)
    for p, new in zip(params, trained):
        p[...] = new                     # the caller's arrays overwritten
    return list(params), costs


def save_keep_given(params, path):
    np.savez(path, **dict(zip(names_of(params), params)))
    return params


def save_keep_given_copy_list(params, path):
    np.savez(path, **{n: p for n, p in zip(names_of(params), params)})
    return list(params)


WRONG += [
    ("nb12_minibatches", "a generator, not a list", minibatches_yield),
    ("nb12_minibatches", "a generator, not a list",
     lambda N, batch_size, rng: (b for b in cut(rng.permutation(N), batch_size))),
    ("nb12_train", "the caller's list changed", train_on_callers_list),
    ("nb12_train", "the caller's list changed", train_in_place),
    ("nb12_save_and_reload", "returned params, not the file's", save_keep_given),
    ("nb12_save_and_reload", "returned params, not the file's", save_keep_given_copy_list),
]

# --- more slips of our own, one line each off a learner's version --------------------------------


def fwd_pairs_swapped(params, X):
    y_hat, cache = nb12.forward(params, X)
    return y_hat, [(Z, A) for A, Z in cache]


def bwd_loop(params, cache, Y, slope=lambda Z: Z > 0, order="layers", W_of=lambda l: 2 * l):
    L = len(params) // 2
    P = softmax_rows(cache[-1][1])
    dZ = (P - Y) / len(Y)
    out = {}
    for l in range(L - 1, -1, -1):
        A_in = cache[l][0]
        out[l] = (A_in.T @ dZ, dZ.sum(axis=0))
        if l:
            dZ = dZ @ params[W_of(l)].T * slope(cache[l - 1][1] if slope != "above"
                                                else cache[l][1])
    layers = sorted(out, reverse=(order == "reversed"))
    return [g for l in layers for g in out[l]]


def bwd_above(params, cache, Y):
    L = len(params) // 2
    dZ = (softmax_rows(cache[-1][1]) - Y) / len(Y)
    grads = [None] * (2 * L)
    for l in reversed(range(L)):
        grads[2 * l], grads[2 * l + 1] = cache[l][0].T @ dZ, dZ.sum(axis=0)
        if l > 0:
            dZ = (dZ @ params[2 * l].T) * (cache[l][1] > 0)
    return grads


def sigmoid_slope(Z):
    s = 1 / (1 + np.exp(-Z))
    return s * (1 - s)


def adam_mine(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, out="wmv", eps_on_step=False):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * np.square(dw)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    step = lr * m_hat / np.sqrt(v_hat) + eps if eps_on_step else lr * m_hat / (np.sqrt(v_hat) + eps)
    return (w - step, m, v) if out == "wmv" else (w - step, v, m)


def adam_hat_state(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m_hat = (beta1 * m + (1 - beta1) * dw) / (1 - beta1 ** t)
    v_hat = (beta2 * v + (1 - beta2) * dw * dw) / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


def train_mine(params, X, Y, epochs, batch_size, lr, seed, l2=0.0, t_each_epoch=False,
               fresh_moments=False, rng_seed=lambda s: s, grad_l2=True, cost_over="weights"):
    params = list(params)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    rng, t, costs = np.random.default_rng(rng_seed(seed)), 0, []
    for _ in range(epochs):
        if t_each_epoch:
            t = 0
        total = 0.0
        for idx in nb12.minibatches(len(X), batch_size, rng):
            if fresh_moments:
                m = [np.zeros_like(p) for p in params]
                v = [np.zeros_like(p) for p in params]
            y_hat, cache = nb12.forward(params, X[idx])
            grads = nb12.backward(params, cache, Y[idx])
            arrays = params[0::2] if cost_over == "weights" else params
            cost = -np.mean(np.log(y_hat[Y[idx] == 1])) + l2 / 2 * sum(
                float((a * a).sum()) for a in arrays)
            t += 1
            for i in range(len(params)):
                g = grads[i] + (l2 * params[i] if i % 2 == 0 and grad_l2 else 0)
                params[i], m[i], v[i] = nb12.adam_step(params[i], g, m[i], v[i], t, lr)
            total += cost * len(idx)
        costs.append(total / len(X))
    return params, costs


def mb_fresh_each(N, batch_size, rng):
    return [rng.permutation(N)[:batch_size] if s == 0 else rng.permutation(N)[s:s + batch_size]
            for s in range(0, N, batch_size)]


def save_named(params, path, name_of):
    names = [name_of(i) for i in range(len(params))]
    np.savez(path, **{k: a for k, a in zip(names, params)})
    f = np.load(path)
    out = [f[k] for k in names]
    f.close()
    return out


def save_np_save(params, path):
    with open(path, "wb") as fh:
        np.save(fh, np.array(params, dtype=object), allow_pickle=True)
    return [p.copy() for p in params]


def report_confidence(params, X, y):
    p = float(nb12.forward(params, X)[0].max(axis=1).mean())
    return p, math.sqrt(p * (1 - p) / len(y))


def choose_confidence(configs, X_train, Y_train, X_val, y_val, seed):
    scores = [float(np.max(nb12.forward(fit(c, X_train, Y_train, seed), X_val)[0], axis=1).mean())
              for c in configs]
    return scores.index(max(scores)), scores


WRONG += [
    ("nb12_forward", "cache pairs as (Z, A_in)", fwd_pairs_swapped),
    ("nb12_backward", "ReLU slope of the layer above", bwd_above),
    ("nb12_backward", "sigmoid's slope for the hidden layers", lambda p, c, Y: bwd_loop(
        p, c, Y, slope=sigmoid_slope)),
    ("nb12_backward", "gradients in reverse order", lambda p, c, Y: bwd_loop(
        p, c, Y, order="reversed")),
    ("nb12_backward", "dA with the weights of the layer below", lambda p, c, Y: bwd_loop(
        p, c, Y, W_of=lambda l: 2 * (l - 1))),
    ("nb12_adam_step", "returned (w, v, m)", lambda *a, **k: adam_mine(*a, **k, out="wvm")),
    ("nb12_adam_step", "bias-corrected m̂, v̂ returned as the state", adam_hat_state),
    ("nb12_my_network", "labels counted from 1",
     lambda X: predict(chosen(), X) + 1),
    ("nb12_adam_step", "ε added to the step",
     lambda *a, **k: adam_mine(*a, **k, eps_on_step=True)),
    ("nb12_train", "Adam's t restarted every epoch",
     lambda *a, **k: train_mine(*a, **k, t_each_epoch=True)),
    ("nb12_train", "m and v restarted every batch",
     lambda *a, **k: train_mine(*a, **k, fresh_moments=True)),
    ("nb12_train", "a different seed",
     lambda *a, **k: train_mine(*a, **k, rng_seed=lambda s: s + 1)),
    ("nb12_train", "λ·W not added to the gradients",
     lambda *a, **k: train_mine(*a, **k, grad_l2=False)),
    ("nb12_train", "penalty over the biases too",
     lambda *a, **k: train_mine(*a, **k, cost_over="all")),
    ("nb12_minibatches", "a new permutation for every batch", mb_fresh_each),
    ("nb12_minibatches", "split evenly into N // batch_size batches",
     lambda N, batch_size, rng: np.array_split(rng.permutation(N), N // batch_size or 1)),
    ("nb12_minibatches", "not cut into batches", lambda N, batch_size, rng: [rng.permutation(N)]),
    ("nb12_minibatches", "permutation of batch_size, not N",
     lambda N, batch_size, rng: cut(rng.permutation(batch_size), batch_size)[:len(
         range(0, N, batch_size))] + [np.zeros(0, int)] * (len(range(0, N, batch_size)) - 1)),
    ("nb12_save_and_reload", "lower-case names",
     lambda params, path: save_named(params, path, lambda i: ("w" if i % 2 == 0 else "b")
                                     + str(i // 2 + 1))),
    ("nb12_save_and_reload", "every array named W",
     lambda params, path: save_named(params, path, lambda i: f"W{i + 1}")),
    ("nb12_save_and_reload", "pickled, not np.savez", save_np_save),
    ("nb12_test_report", "mean of the largest probability", report_confidence),
    ("nb12_test_report", "(1 − p) factor missing",
     lambda params, X, y: report(params, X, y, se=lambda p, n: (p / n) ** 0.5)),
    ("nb12_test_report", "p factor missing",
     lambda params, X, y: report(params, X, y, se=lambda p, n: math.sqrt((1 - p) / n))),
    ("nb12_test_report", "p(1 + p) instead of p(1 − p)",
     lambda params, X, y: report(params, X, y, se=lambda p, n: math.sqrt(p * (1 + p) / n))),
    ("nb12_test_report", "p² instead of p(1 − p)",
     lambda params, X, y: report(params, X, y, se=lambda p, n: p / math.sqrt(n))),
    ("nb12_save_and_reload", "layers numbered wrong",
     lambda params, path: save_named(params, path, lambda i: f"W{i // 2 + 1}" if i % 2 == 0
                                     else f"b{i // 2}")),
    ("nb12_save_and_reload", "layers numbered wrong",
     lambda params, path: save_named(params, path, lambda i: ("W" if i % 2 == 0 else "b")
                                     + str(i + 1))),
    ("nb12_save_and_reload", "other names than W1, b1, ...",
     lambda params, path: save_named(params, path, lambda i: ("weight" if i % 2 == 0 else "bias")
                                     + str(i // 2 + 1))),
    ("nb12_forward", "W transposed (A·Wᵀ)", fwd_transposed),

    ("nb12_choose", "mean of the largest probability", choose_confidence),
    ("nb12_my_network", "labels as a column", lambda X: predict(chosen(), X).reshape(-1, 1)),
]
RIGHT += [
    ("nb12_backward", bwd_loop),
    ("nb12_adam_step", adam_mine),
    ("nb12_train", train_mine),
]

# --- written other ways (samples3's families) -------------------------------------------------

def bwd_output_slope(params, cache, Y):
    L = len(cache)
    grads = [None] * len(params)
    Z_last = cache[-1][1]
    E = np.exp(Z_last - Z_last.max(axis=1, keepdims=True))
    dZ = (E / E.sum(axis=1, keepdims=True) - Y) / len(Y) * (Z_last > 0)
    for l in reversed(range(L)):
        A_in, Z = cache[l]
        grads[2 * l], grads[2 * l + 1] = A_in.T @ dZ, dZ.sum(axis=0)
        if l > 0:
            dZ = (dZ @ params[2 * l].T) * (cache[l - 1][1] > 0)
    return grads


def adam_v_raw(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    return w - lr * m / (1 - beta1 ** t) / (v ** 0.5 + eps), m, v


def adam_efficient(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    step = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return w - step * m / (np.sqrt(v) + eps), m, v


def choose_swapped(configs, X_train, Y_train, X_val, y_val, seed):
    scores = val_scores(configs, X_train, Y_train, X_val, y_val, seed)
    return scores, int(np.argmax(scores))


def choose_counts(configs, X_train, Y_train, X_val, y_val, seed):
    scores = [int(np.sum(predict(fit(c, X_train, Y_train, seed), X_val) == y_val))
              for c in configs]
    return int(np.argmax(scores)), scores


def save_by_position(params, path):
    names = [("W" if i % 2 == 0 else "b") + str(i + 1) for i in range(len(params))]
    np.savez(path, **dict(zip(names, params)))
    with np.load(path) as f:
        return [f[n] for n in names]


WRONG += [
    ("nb12_backward", "ReLU slope on the output layer", bwd_output_slope),
    ("nb12_adam_step", "only m bias-corrected", adam_v_raw),
    ("nb12_adam_step", "efficient form with ε unscaled", adam_efficient),
    ("nb12_choose", "the pair swapped", choose_swapped),
    ("nb12_choose", "counts, not fractions", choose_counts),
    ("nb12_save_and_reload", "layers numbered wrong", save_by_position),
]


def save_read_after_close(params, path):
    names = [f"{'W' if i % 2 == 0 else 'b'}{i // 2 + 1}" for i in range(len(params))]
    np.savez(path, **dict(zip(names, params)))
    with np.load(path) as f:
        files = f
    return [files[n] for n in names]


WRONG += [("nb12_save_and_reload", "file read after it was closed", save_read_after_close)]

def adam_written(m_sum=False, v_sum=False, t0=False, hat="mv", after_root=False):
    def adam_step(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 if m_sum else 1 - beta1) * dw
        v = beta2 * v + (1 if v_sum else 1 - beta2) * dw * dw
        k = t - 1 if t0 else t
        m_hat = m / (1 - beta1 ** k) if "m" in hat else m
        v_hat = v / (1 - beta2 ** k) if "v" in hat and not after_root else v
        root = np.sqrt(v_hat) / (1 - beta2 ** k) if after_root else np.sqrt(v_hat)
        return w - lr * m_hat / (root + eps), m, v
    return adam_step


WRONG += [
    ("nb12_adam_step", "(1 − β₁) factor missing in m", adam_written(m_sum=True)),
    ("nb12_adam_step", "(1 − β₂) factor missing in v", adam_written(v_sum=True)),
    ("nb12_adam_step", "bias correction with t − 1", adam_written(t0=True)),
    ("nb12_adam_step", "only m bias-corrected", adam_written(hat="m")),
    ("nb12_adam_step", "only v bias-corrected", adam_written(hat="v")),
    ("nb12_adam_step", "v corrected after the root", adam_written(after_root=True)),
]

def fwd_swapped(params, X):
    y_hat, cache = fwd(params, X)
    return cache, y_hat


def fwd_hidden_cache_only(params, X):
    y_hat, cache = fwd(params, X)
    return y_hat, cache[:-1]


def choose_swapped(configs, X_train, Y_train, X_val, y_val, seed):
    best, scores = nb12.choose(configs, X_train, Y_train, X_val, y_val, seed)
    return list(scores), best


WRONG += [
    ("nb12_forward", "the pair swapped", fwd_swapped),
    ("nb12_forward", "the output layer left out of the cache", fwd_hidden_cache_only),
    ("nb12_adam_step", "only w returned", lambda *a, **k: adam_mine(*a, **k)[0]),
    ("nb12_choose", "the pair swapped", choose_swapped),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT))


def test_catalog_holds_ten_wrong_answers_per_exercise():
    for exercise_id in IDS:
        assert sum(e == exercise_id for e, _, _ in WRONG) >= 10, exercise_id
