"""Notebook 09's mistake catalog: realistic wrong answers, written as a learner would write them
from the statements (loops, other numpy calls), each rejected and named with its true cause;
correct answers written other ways, each accepted; every known mistake named as itself."""

import math

import numpy as np

from .catalog import catalog_tests, says

IDS = ["nb09_l2_penalty", "nb09_l2_gradient", "nb09_early_stopping", "nb09_standard_error"]


# --- l2_penalty -------------------------------------------------------------------------------

def penalty_loop(weights, lam, half=0.5, square=True, overwrite=False, early_return=False):
    total = 0.0
    for W in weights:
        s = float(np.sum(W.astype(np.float64) ** 2)) if square else float(np.sum(np.abs(W)))
        total = s if overwrite else total + s
        if early_return:
            return half * lam * total
    return half * lam * total


def penalty_in_place(weights, lam):
    total = 0.0
    for W in weights:
        W **= 2
        total += W.sum()
    return float(lam / 2 * total)


E = "nb09_l2_penalty"
WRONG = [
    (E, "no ½", lambda weights, lam: penalty_loop(weights, lam, half=1.0)),
    (E, "no ½", lambda weights, lam: lam * sum(np.sum(W ** 2) for W in weights)),
    (E, "norm not squared",
     lambda weights, lam: float(lam / 2 * sum(np.linalg.norm(W) for W in weights))),
    (E, "norm of all the weights, not squared",
     lambda weights, lam: float(lam / 2 * np.linalg.norm(
         np.concatenate([W.ravel() for W in weights])))),
    (E, "square of the sum",
     lambda weights, lam: float(lam / 2 * sum(W.sum() ** 2 for W in weights))),
    (E, "mean of the squares",
     lambda weights, lam: float(lam / 2 * sum(np.mean(np.square(W)) for W in weights))),
    (E, "divided by the number of weights",
     lambda weights, lam: float(lam / (2 * sum(W.size for W in weights))
                                * sum((W ** 2).sum() for W in weights))),
    (E, "averaged over the matrices",
     lambda weights, lam: float(lam / 2 * np.mean([np.sum(W ** 2) for W in weights]))),
    (E, "first matrix only", lambda weights, lam: penalty_loop(weights, lam, early_return=True)),
    (E, "last matrix only", lambda weights, lam: penalty_loop(weights, lam, overwrite=True)),
    (E, "absolute values (L1)", lambda weights, lam: penalty_loop(weights, lam, square=False)),
    (E, "spectral norm",
     lambda weights, lam: float(lam / 2 * sum(np.linalg.norm(W, 2) ** 2 for W in weights))),
    (E, "matrix product instead of the squares",
     lambda weights, lam: float(lam / 2 * sum(np.sum(W.T @ W) for W in weights))),
    (E, "matrix product instead of the squares",
     lambda weights, lam: lam / 2 * sum((W @ W.T).sum() for W in weights)),
    (E, "floor division (//)", lambda weights, lam: lam // 2 * sum(np.sum(W ** 2) for W in weights)),
    (E, "divided by 2λ", lambda weights, lam: sum(np.sum(W ** 2) for W in weights) / (2 * lam)),
    (E, "λ squared", lambda weights, lam: lam * lam / 2 * sum(np.sum(W ** 2) for W in weights)),
    (E, "λ left out", lambda weights, lam: 0.5 * sum(float(np.sum(W * W)) for W in weights)),
    (E, says("changed its input `weights` in place"), penalty_in_place),
    (E, says("returned a list; expected a single number"),
     lambda weights, lam: [float(lam / 2 * np.sum(W ** 2)) for W in weights]),
    (E, says("returned None"), lambda weights, lam: print(lam / 2 * sum(np.sum(W ** 2)
                                                                        for W in weights))),
    (E, "the list of matrices made into one array",
     lambda weights, lam: float(lam / 2 * np.sum(np.concatenate([W.ravel() for W in weights])
                                                 ** 2))),
]
RIGHT = [
    (E, penalty_loop),
    (E, lambda weights, lam: lam * sum(float((W * W).sum()) for W in weights) / 2),
    (E, lambda weights, lam: 0.5 * lam * sum(np.linalg.norm(W) ** 2 for W in weights)),
    (E, lambda weights, lam: float(lam / 2 * np.sum(np.concatenate([W.ravel() for W in weights]
                                                                   + [np.zeros(0)]) ** 2))),
    (E, lambda weights, lam: lam / 2 * sum(np.vdot(W, W) for W in weights)),
    (E, lambda weights, lam: float(lam / 2 * sum(np.einsum("ij,ij->", W, W) for W in weights))),
    (E, lambda weights, lam: lam / 2 * sum(np.trace(W.T @ W) for W in weights)),
]


# --- l2_gradient ------------------------------------------------------------------------------

def gradient_in_place(W, lam):
    W *= lam
    return W


E = "nb09_l2_gradient"
WRONG += [
    (E, "2λW", lambda W, lam: 2 * lam * W),
    (E, "λW/2", lambda W, lam: lam / 2 * W),
    (E, "squared", lambda W, lam: lam * W ** 2),
    (E, "squared", lambda W, lam: lam * np.square(W)),
    (E, "squared", lambda W, lam: 0.5 * lam * W * W),
    (E, "W added to the gradient", lambda W, lam: W + W * lam),
    (E, "the penalty, not its gradient", lambda W, lam: lam / 2 * np.sum(W ** 2)),
    (E, "summed to one number", lambda W, lam: lam * W.sum()),
    (E, "sign flipped", lambda W, lam: -lam * W),
    (E, "the update, not the gradient", lambda W, lam: W - lam * W),
    (E, "λ left out", lambda W, lam: W),
    (E, "λ alone", lambda W, lam: lam * np.ones_like(W)),
    (E, "sign(W) (L1)", lambda W, lam: lam * np.sign(W)),
    (E, "divided by the norm", lambda W, lam: lam * W / np.linalg.norm(W)),
    (E, "divided by the number of weights", lambda W, lam: lam * W / W.size),
    (E, "transposed", lambda W, lam: (lam * W).T),
    (E, says("changed its input `W` in place"), gradient_in_place),
    (E, "float64 result for float32 inputs",
     lambda W, lam: lam * W.astype(np.float64)),
    (E, "float64 result for float32 inputs",
     lambda W, lam: np.array(lam * W, dtype=float)),
]
RIGHT += [
    (E, lambda W, lam: lam * W),
    (E, lambda W, lam: W * W.dtype.type(lam)),
    (E, lambda W, lam: (lam * W).astype(W.dtype)),
    (E, lambda W, lam: np.multiply(W, lam, dtype=W.dtype)),
    (E, lambda W, lam: np.array([[lam * w for w in row] for row in W], dtype=W.dtype)),
]


# --- early_stopping_epochs --------------------------------------------------------------------

def stopping(val_costs, patience, better="<", start=1, reset_on="best", reset_to=0,
             reach=">=", best_index=False):
    """A learner's loop with a counter, as the hint suggests, written one of several ways."""
    best, best_epoch, waited, previous = None, None, 0, None
    for epoch, cost in enumerate(val_costs, start=start):
        new = best is None or {"<": cost < best, "<=": cost <= best, ">": cost > best,
                               "prev": previous is not None and cost < previous}[better]
        if new:
            best, best_epoch = cost, epoch
            if reset_on in ("best", "fall"):
                waited = reset_to
        else:
            waited += 1
            if reset_on == "fall" and cost < previous:
                waited = 0
            if (waited >= patience) if reach == ">=" else (waited > patience):
                return best_epoch - best_index, epoch
        previous = cost
    return best_epoch - best_index, None


def stop_first_rise(val_costs, patience):
    best_epoch = 1
    for epoch in range(2, len(val_costs) + 1):
        if val_costs[epoch - 1] > val_costs[epoch - 2]:
            return best_epoch, epoch
        best_epoch = epoch
    return best_epoch, None


def stop_with_argmin(val_costs, patience, plus=1, end=None, whole=False, swap=False):
    for epoch in range(1, len(val_costs) + 1):
        best_epoch = int(np.argmin(val_costs[:epoch])) + plus
        if epoch - best_epoch >= patience:
            if whole:
                best_epoch = int(np.argmin(val_costs)) + 1
            return (epoch, best_epoch) if swap else (best_epoch, epoch)
    best_epoch = int(np.argmin(val_costs)) + 1
    return best_epoch, {None: None, "last": len(val_costs),
                        "beyond": best_epoch + patience}[end]


def stop_best_is_last(val_costs, patience):
    best, best_epoch = math.inf, 0
    for epoch, cost in enumerate(val_costs, start=1):
        if cost < best:
            best, best_epoch = cost, epoch
        elif epoch - best_epoch >= patience:
            return epoch, epoch
    return best_epoch, None


def stop_sorting_in_place(val_costs, patience):
    best_epoch, stop = stop_with_argmin(list(val_costs), patience)
    val_costs.sort()
    return best_epoch, stop


def stop_checked_first(val_costs, patience):
    best, best_epoch = math.inf, 1
    for epoch, cost in enumerate(val_costs, start=1):
        if epoch - best_epoch >= patience:
            return best_epoch, epoch
        if cost < best:
            best, best_epoch = cost, epoch
    return best_epoch, None


def stop_best_from_zero(val_costs, patience):
    best, best_epoch, waited = 0, 1, 0
    for epoch, cost in enumerate(val_costs, start=1):
        if cost < best:
            best, best_epoch, waited = cost, epoch, 0
        elif epoch > 1:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, None


def stop_waiting_from_one(val_costs, patience):
    best, best_epoch, waited = math.inf, 0, 0
    for epoch, cost in enumerate(val_costs, start=1):
        if cost < best:
            best, best_epoch, waited = cost, epoch, 1
        else:
            waited += 1
            if waited >= patience:
                return best_epoch, epoch
    return best_epoch, None


E = "nb09_early_stopping"
WRONG += [
    (E, "a tie counted as a new best", lambda c, p: stopping(c, p, better="<=")),
    (E, "epochs from 0", lambda c, p: stopping(c, p, start=0)),
    (E, "epochs from 0", lambda c, p: stop_with_argmin(c, p, plus=0)),
    (E, "best epoch counted from 0", lambda c, p: stopping(c, p, best_index=True)),
    (E, "stopped at the first rise", stop_first_rise),
    (E, "compared with the previous epoch", lambda c, p: stopping(c, p, better="prev")),
    (E, "waiting reset when the cost falls", lambda c, p: stopping(c, p, reset_on="fall")),
    (E, "waiting not reset at a new best", lambda c, p: stopping(c, p, reset_on="never")),
    (E, "one epoch too late", lambda c, p: stopping(c, p, reach=">")),
    (E, "one epoch too early", stop_waiting_from_one),
    (E, "the stop checked before the new best", stop_checked_first),
    (E, "best cost started at 0", stop_best_from_zero),
    (E, "highest cost taken as the best", lambda c, p: stopping(c, p, better=">")),
    (E, "best of the whole list", lambda c, p: stop_with_argmin(c, p, whole=True)),
    (E, "best epoch is the last one", stop_best_is_last),
    (E, "pair in the wrong order", lambda c, p: stop_with_argmin(c, p, swap=True)),
    (E, "the last epoch instead of None", lambda c, p: stop_with_argmin(c, p, end="last")),
    (E, "a stop after the end of the list", lambda c, p: stop_with_argmin(c, p, end="beyond")),
    (E, says("changed its input `val_costs` in place"), stop_sorting_in_place),
    (E, says("return the pair (best_epoch, stop_epoch)"),
     lambda c, p: stop_with_argmin(c, p)[1]),
    (E, says("best_epoch should be a whole number"),
     lambda c, p: (float(stop_with_argmin(c, p)[0]), stop_with_argmin(c, p)[1])),
]


def stop_while(val_costs, patience):
    epoch, best_epoch = 1, 1
    while epoch < len(val_costs):
        epoch += 1
        if val_costs[epoch - 1] < val_costs[best_epoch - 1]:
            best_epoch = epoch
        elif epoch - best_epoch == patience:
            return best_epoch, epoch
    return best_epoch, None


def stop_running_min(val_costs, patience):
    lowest = np.minimum.accumulate(np.asarray(val_costs))
    new_best = np.r_[True, lowest[1:] < lowest[:-1]]
    best_epoch = np.maximum.accumulate(np.where(new_best, np.arange(1, len(lowest) + 1), 0))
    waited = np.arange(1, len(lowest) + 1) - best_epoch
    stops = np.flatnonzero(waited >= patience)
    if len(stops) == 0:
        return int(best_epoch[-1]), None
    return int(best_epoch[stops[0]]), int(stops[0]) + 1


RIGHT += [
    (E, stopping),
    (E, stop_with_argmin),
    (E, stop_while),
    (E, stop_running_min),
    (E, lambda c, p: list(stopping(c, p))),
]


# --- standard_error ---------------------------------------------------------------------------

def simulated_std(accuracy, n):
    right = round(accuracy * n)
    outcomes = np.array([1.0] * right + [0.0] * (n - right))
    return float(outcomes.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0


E = "nb09_standard_error"
WRONG += [
    (E, "no square root", lambda accuracy, n: accuracy * (1 - accuracy) / n),
    (E, "n outside the root", lambda accuracy, n: float(np.sqrt(accuracy * (1 - accuracy)) / n)),
    (E, "n left out", lambda accuracy, n: math.sqrt(accuracy * (1 - accuracy))),
    (E, "n − 1 instead of n",
     lambda accuracy, n: math.sqrt(accuracy * (1 - accuracy) / (n - 1)) if n > 1 else 0.0),
    (E, "a instead of a(1 − a)", lambda accuracy, n: float(np.sqrt(accuracy / n))),
    (E, "1 − a instead of a(1 − a)", lambda accuracy, n: math.sqrt((1 - accuracy) / n)),
    (E, "a² instead of a(1 − a)", lambda accuracy, n: math.sqrt(accuracy ** 2 / n)),
    (E, "in percent", lambda accuracy, n: 100 * math.sqrt(accuracy * (1 - accuracy) / n)),
    (E, "a 95% interval, not the standard error",
     lambda accuracy, n: 1.96 * math.sqrt(accuracy * (1 - accuracy) / n)),
    (E, "a 95% interval, not the standard error",
     lambda accuracy, n: 2 * math.sqrt(accuracy * (1 - accuracy) / n)),
    (E, "standard deviation of the count",
     lambda accuracy, n: math.sqrt(n * accuracy * (1 - accuracy))),
    (E, "rounded", lambda accuracy, n: round(math.sqrt(accuracy * (1 - accuracy) / n), 4)),
    (E, "accuracy divided by 100",
     lambda accuracy, n: math.sqrt(accuracy / 100 * (1 - accuracy / 100) / n)),
    (E, "brackets missing", lambda accuracy, n: math.sqrt(accuracy * 1 - accuracy / n)),
    (E, "floor division (//)", lambda accuracy, n: np.sqrt(accuracy * (1 - accuracy) // n)),
    (E, "outcomes simulated from a rounded count", simulated_std),
    (E, "rounded", lambda accuracy, n: float(np.round(np.sqrt(accuracy * (1 - accuracy) / n), 3))),
    (E, says("returned a str; expected a number"),
     lambda accuracy, n: f"{math.sqrt(accuracy * (1 - accuracy) / n):.4f}"),
    (E, says("returned a tuple; expected a single number"),
     lambda accuracy, n: (accuracy, math.sqrt(accuracy * (1 - accuracy) / n))),
]
RIGHT += [
    (E, lambda accuracy, n: math.sqrt(accuracy * (1 - accuracy) / n)),
    (E, lambda accuracy, n: (accuracy - accuracy * accuracy) ** 0.5 / n ** 0.5),
    (E, lambda accuracy, n: np.sqrt(accuracy * (1 - accuracy) / n)),
    (E, lambda accuracy, n: math.sqrt(accuracy) * math.sqrt(1 - accuracy) / math.sqrt(n)),
    (E, lambda accuracy, n: math.sqrt(accuracy * (1 - accuracy) * (1 / n))),
]

# --- written other ways (samples3's families) -------------------------------------------------

def _penalty_stacked(weights, lam):
    if not weights:
        return 0.0
    return float(lam / 2 * np.sum(np.array(weights) ** 2))


WRONG += [
    ("nb09_l2_penalty", "one penalty per matrix",
     lambda weights, lam: lam / 2 * np.array([np.sum(W ** 2) for W in weights])),
    ("nb09_l2_penalty", "one penalty per matrix",
     lambda weights, lam: np.array([lam / 2 * float((W * W).sum()) for W in weights])),
    ("nb09_l2_penalty", "the list of matrices made into one array", _penalty_stacked),
    ("nb09_l2_gradient", "float64 result for float32 inputs",
     lambda W, lam: lam * np.asarray(W, dtype=float)),
]


WRONG += [("nb09_l2_penalty", "the list of matrices made into one array",
           lambda weights, lam: lam / 2 * float(np.sum(np.square(weights))))]

WRONG += [("nb09_l2_penalty", "one penalty per matrix",
           lambda weights, lam: lam / 2 * np.array([(W ** 2).sum() for W in weights]))]

def se_interval(accuracy, n):
    se = (accuracy * (1 - accuracy) / n) ** 0.5
    return accuracy - se, accuracy + se


WRONG += [
    ("nb09_standard_error", "the interval returned", se_interval),
    ("nb09_standard_error", "formatted as text",
     lambda accuracy, n: "{:.1%}".format(np.sqrt(accuracy * (1 - accuracy) / n))),
]

globals().update(catalog_tests(IDS, WRONG, RIGHT))
