"""Notebook 08's mistake catalog: realistic wrong answers, each rejected and named with its true
cause; correct answers written other ways, each accepted; every known mistake named as itself."""

import numpy as np

from nnlib import losses

from .catalog import catalog_tests, check_wrong, says  # noqa: F401

IDS = ["nb08_accuracy", "nb08_confusion_matrix", "nb08_train_step"]

E = "nb08_accuracy"
WRONG = [
    (E, "argmax over the batch axis", lambda y, y_hat: float(np.mean(y_hat.argmax(axis=0) == y))),
    (E, "probabilities compared with labels", lambda y, y_hat: float(np.mean(y_hat == y))),
    (E, "count, not fraction", lambda y, y_hat: int(np.sum(y_hat.argmax(axis=1) == y))),
    (E, "error rate", lambda y, y_hat: float(np.mean(y_hat.argmax(axis=1) != y))),
    (E, "percentage", lambda y, y_hat: 100 * float(np.mean(y_hat.argmax(axis=1) == y))),
    (E, "probabilities compared with labels",
     lambda y, y_hat: float(np.mean(y_hat.max(axis=1) == y))),
    (E, "percentage", lambda y, y_hat: np.mean(np.argmax(y_hat, axis=1) == y) * 100),
    (E, "per-sample True/False returned", lambda y, y_hat: y_hat.argmax(axis=1) == y),
    (E, "divided by the number of classes",
     lambda y, y_hat: float(np.sum(y_hat.argmax(axis=1) == y) / y_hat.shape[1])),
    # one flat index for the whole array (once told it compared probabilities with labels)
    (E, "argmax without an axis", lambda y, y_hat: float(np.mean(np.argmax(y_hat) == y))),
    (E, "argmax without an axis", lambda y, y_hat: (y_hat.argmax() == y).mean()),
]
RIGHT = [
    (E, lambda y, y_hat: float(np.mean(y_hat.argmax(axis=1) == y))),
    (E, lambda y, y_hat: sum(int(np.argmax(p) == t) for p, t in zip(y_hat, y)) / len(y)),
    (E, lambda y, y_hat: np.count_nonzero(np.argmax(y_hat, -1) == y) / y.shape[0]),
]

E = "nb08_confusion_matrix"


def _loop(y, y_pred, K, assign=False, dtype=int):
    C = np.zeros((K, K), dtype=dtype)
    for t, p in zip(y, y_pred):
        C[t, p] = 1 if assign else C[t, p] + 1
    return C


def _fancy(y, y_pred, K):
    C = np.zeros((K, K), dtype=int)
    C[y, y_pred] += 1
    return C


WRONG += [
    (E, "histogram2d bins from the labels seen",
     lambda y, y_pred, K: np.histogram2d(y, y_pred, bins=K)[0]),
    (E, "histogram2d bins from the labels seen",
     lambda y, y_pred, K: np.histogram2d(y, y_pred, bins=K)[0].astype(int)),
]
RIGHT += [
    (E, lambda y, y_pred, K: np.histogram2d(y, y_pred, bins=K,
                                            range=[[0, K], [0, K]])[0].astype(np.int64)),
]
WRONG += [
    (E, "transposed", lambda y, y_pred, K: _loop(y, y_pred, K).T),
    (E, "size from the labels seen",
     lambda y, y_pred, K: _loop(y, y_pred, max(y.max(), y_pred.max()) + 1)),
    (E, "only 0/1 entries", lambda y, y_pred, K: _loop(y, y_pred, K, assign=True)),
    (E, "only 0/1 entries", _fancy),
    (E, "fractions per row",
     lambda y, y_pred, K: _loop(y, y_pred, K) / _loop(y, y_pred, K).sum(axis=1, keepdims=True)),
    (E, "float counts", lambda y, y_pred, K: _loop(y, y_pred, K, dtype=float)),
    (E, "float counts", lambda y, y_pred, K: np.histogram2d(y, y_pred, bins=K,
                                                           range=[[0, K], [0, K]])[0]),
    (E, "fractions of all samples", lambda y, y_pred, K: _loop(y, y_pred, K) / len(y)),
    (E, "off by one (K + 1 classes)", lambda y, y_pred, K: _loop(y, y_pred, K + 1)),
]
RIGHT += [
    (E, lambda y, y_pred, K: _loop(y, y_pred, K)),
    (E, lambda y, y_pred, K: np.bincount(y * K + y_pred, minlength=K * K).reshape(K, K)),
    (E, lambda y, y_pred, K: (lambda C: (np.add.at(C, (y, y_pred), 1), C)[1])(
        np.zeros((K, K), dtype=np.int32))),
    (E, lambda y, y_pred, K: np.array([[np.sum((y == i) & (y_pred == j)) for j in range(K)]
                                       for i in range(K)])),
]

E = "nb08_train_step"


def ts(zero=True, step=True, start=-1, fused=True, from_probs=False, after=False, mse=False,
       order="zbs", manual=False, ret_tuple=False):
    def train_step(network, optimizer, X, y):
        y_hat = network.forward(X)
        logits = network.layers[-1].Z
        if from_probs:
            dout = losses.softmax_cross_entropy_grad(y, y_hat)
        elif fused:
            dout = losses.softmax_cross_entropy_grad(y, logits)
        else:
            dout = losses.categorical_cross_entropy_grad(y, y_hat)
        if order == "sb":
            optimizer.step()
        if zero:
            optimizer.zero_grad()
        if start is None:
            network.backward(dout)
        else:
            network.backward(dout, start=start)
        if order == "zbs" and step:
            if manual:
                for p in network.parameters():
                    p.value -= optimizer.lr * p.grad
            else:
                optimizer.step()
        if after:
            y_hat = network.forward(X)
        cost = losses.mse(y, y_hat) if mse else losses.categorical_cross_entropy(y, y_hat)
        return (cost, y_hat) if ret_tuple else cost
    return train_step


def ts_swapped(cost=False, grad=False):
    def train_step(network, optimizer, X, y):
        out = network.forward(X)
        Z = network.layers[-1].Z
        value = losses.categorical_cross_entropy(*((out, y) if cost else (y, out)))
        optimizer.zero_grad()
        network.backward(losses.softmax_cross_entropy_grad(*((Z, y) if grad else (y, Z))),
                         start=-1)
        optimizer.step()
        return float(value)
    return train_step


def ts_by_hand(grad, summed=False):
    def train_step(network, optimizer, X, y):
        P = network.forward(X)
        optimizer.zero_grad()
        network.backward(grad(P, y), start=-1)
        optimizer.step()
        cost = -np.sum(y * np.log(np.clip(P, 1e-12, 1)))
        return float(cost if summed else cost / len(y))
    return train_step


def ts_zero_first(network, optimizer, X, y):
    optimizer.zero_grad()
    probs = network.forward(X)
    network.backward(losses.categorical_cross_entropy_grad(y, probs))
    optimizer.step()
    return float(losses.categorical_cross_entropy(y, probs))


WRONG += [
    (E, "cost after the update", ts(after=True)),
    (E, "MSE returned", ts(mse=True)),
    (E, "no zero_grad", ts(zero=False)),
    (E, "parameters never move", ts(step=False)),
    (E, "step before backward", ts(order="sb")),
    (E, "fused gradient sent through the softmax", ts(start=None)),
    (E, "fused gradient from the probabilities", ts(from_probs=True)),
    (E, "softmax skipped", ts(fused=False)),
    (E, "SGD by hand", ts(manual=True)),
    (E, "a tuple returned, not the cost", ts(ret_tuple=True)),
    (E, "fused gradient without the 1/N", ts_by_hand(lambda P, y: P - y)),
    (E, "cost's arguments swapped", ts_swapped(cost=True)),
    (E, "fused gradient's arguments swapped", ts_swapped(grad=True)),
    (E, "fused gradient divided by N·K", ts_by_hand(lambda P, y: (P - y) / np.prod(y.shape))),
    (E, "gradient sign flipped", ts_by_hand(lambda P, y: (y - P) / y.shape[0])),
    (E, "cost summed over the batch", ts_by_hand(lambda P, y: (P - y) / len(y), summed=True)),
]
RIGHT += [
    (E, ts()),
    (E, ts(fused=False, start=None)),
    (E, ts_zero_first),
    (E, ts_by_hand(lambda P, y: (P - y) / len(y))),
]


# --- general slips (written for this catalog, not from the held-out samples) ----------------------

def _accuracy_tie_is_right(y, y_hat):
    return float(np.mean([row[label] == row.max() for row, label in zip(y_hat, y)]))


def _confusion_diagonal(y, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(y, y_pred):
        if t == p:
            C[t, t] += 1
    return C


def _confusion_or(y, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for i in range(n_classes):
        for j in range(n_classes):
            C[i, j] = np.count_nonzero((y == i) | (y_pred == j))
    return C


WRONG += [
    ("nb08_accuracy", "a tie counted as right", _accuracy_tie_is_right),
    ("nb08_accuracy", "floor division //",
     lambda y, y_hat: np.count_nonzero(y_hat.argmax(1) == y) // y.shape[0]),
    ("nb08_accuracy", "argmin instead of argmax",
     lambda y, y_hat: float((np.argmin(y_hat, axis=1) == y).mean())),
    ("nb08_accuracy", "the last of a tie",
     lambda y, y_hat: float(np.mean(y_hat.shape[1] - 1 - np.argmax(y_hat[:, ::-1], axis=1) == y))),
    ("nb08_confusion_matrix", "only the diagonal", _confusion_diagonal),
    ("nb08_confusion_matrix", "| instead of &", _confusion_or),
]

# --- written other ways (samples3's families) -------------------------------------------------

def _confusion_loop(y, y_pred, n_classes, start=0, stop=0):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for i in range(start, len(y) - stop):
        C[y[i], y_pred[i]] += 1
    return C


def _step_unscaled(network, optimizer, X, y):
    y_hat = network.forward(X)
    cost = losses.categorical_cross_entropy(y, y_hat)
    optimizer.zero_grad()
    network.backward(y_hat - y, start=-1)
    optimizer.step()
    return cost


def _step_pair(network, optimizer, X, y):
    y_hat = network.forward(X)
    cost = losses.categorical_cross_entropy(y, y_hat)
    optimizer.zero_grad()
    network.backward(losses.softmax_cross_entropy_grad(y, network.layers[-1].Z), start=-1)
    optimizer.step()
    return cost, y_hat


WRONG += [
    ("nb08_confusion_matrix", "a sample left out", lambda y, p, K: _confusion_loop(y, p, K, stop=1)),
    ("nb08_confusion_matrix", "a sample left out", lambda y, p, K: _confusion_loop(y, p, K, start=1)),
    ("nb08_confusion_matrix", "np.bincount without minlength",
     lambda y, p, K: np.bincount(np.asarray(y) * K + np.asarray(p)).reshape(-1, K)),
    ("nb08_train_step", "fused gradient without the 1/N", _step_unscaled),
    ("nb08_train_step", "a tuple returned, not the cost", _step_pair),
]


def _confusion_bincount(y, y_pred, n_classes):
    return np.bincount(np.asarray(y) * n_classes + np.asarray(y_pred)).reshape(n_classes, n_classes)


WRONG += [
    ("nb08_accuracy", "y read as one-hot",
     lambda y, y_hat: float(np.mean(y_hat.argmax(axis=1) == y.argmax(axis=1)))),
    ("nb08_confusion_matrix", "np.bincount without minlength", _confusion_bincount),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT, unnamed_messages=False))
