"""Checks for notebook 09, generalization: the L2 penalty and its gradient, the early-stopping
rule over a list of validation costs, and the standard error of a test accuracy.

The references are nnlib's: ``regularization.l2_penalty`` and ``l2_gradient``,
``callbacks.early_stopping_epochs`` (nnlib's ``EarlyStopping`` replayed on the list of costs)
and ``metrics.standard_error``. Each known mistake is a one-line variant of the reference (or
of ``_stopping``, the rule written with the choices a learner gets wrong as keywords).
"""

import math

import numpy as np

from nnlib import callbacks, metrics, regularization
from nncourse.checks.judging import Stop, replay
from nncourse.checks import registry
from nncourse.checks.registry import Case, Mistake, exercise, function_exercise, name_errors

NOTEBOOK = "09_generalization"

# the names notebooks written before these moved into nnlib still use (course.<name>)
early_stopping_reference = callbacks.early_stopping_epochs
standard_error = metrics.standard_error


def explaining_every_case(ctx, fn, cases, k, answers, found, same, right):
    """Of the mistakes ``found`` behind the wrong answer to case ``k``, the one to name: not one
    that a case the learner got right contradicts, and of several, the one that gives the
    learner's answer on the most cases (those not yet run are run now; an answer that raised
    is left out), so that a mistake is not named by a case that cannot tell it from another.
    ``answers``: case index -> the learner's answer; ``same(j, got, mistake_output)`` on case
    j; ``right(j, got)``: the answer to case j is right."""
    def gives(m, j, a):
        return same(j, a, replay(m, cases[j].args))
    found = [m for m in found if all(gives(m, j, a) for j, a in answers.items() if right(j, a))]
    if len(found) > 1:
        for j in range(k + 1, len(cases)):
            try:
                answers[j] = ctx.call(fn, *cases[j].args, case=cases[j])
            except Stop:
                pass
        found.sort(key=lambda m: -sum(gives(m, j, a) for j, a in answers.items()))
    return found[0] if found else None


def _sq(W):
    return np.sum(np.asarray(W, dtype=np.float64) ** 2)


# --- l2_penalty -------------------------------------------------------------------------------

def penalty_cases(rng):
    W1 = np.array([[1.0, -2.0], [0.5, 0.0]])
    W2 = np.array([[3.0], [-1.0]])
    return [
        Case("the worked example: one weight matrix [[1, -2], [0.5, 0]], lam = 0.1",
             ([W1], 0.1)),
        Case("two weight matrices (2, 2) and (2, 1), lam = 0.01", ([W1, W2], 0.01)),
        Case("lam = 0: no penalty", ([W1, W2], 0.0)),
        Case("no weight matrices at all (an empty list): no penalty", ([], 0.1)),
        Case("three random matrices (64, 32), (32, 16), (16, 10), lam = 0.003",
             ([rng.normal(0, 0.2, s) for s in ((64, 32), (32, 16), (16, 10))], 0.003)),
        Case("float32 weights (5, 3) and (3, 2), lam = 0.5",
             ([rng.normal(0, 1, (5, 3)).astype(np.float32),
               rng.normal(0, 1, (3, 2)).astype(np.float32)], 0.5), rtol=1e-5),
    ]


function_exercise(
    id="nb09_l2_penalty", name="l2_penalty", notebook=NOTEBOOK, points=1,
    verifies="(λ/2)·Σ‖W‖² over every weight matrix, a float",
    reference=regularization.l2_penalty, cases=penalty_cases, arg_names=("weights", "lam"),
    rtol=1e-9, atol=1e-12,
    mistakes=[
        Mistake("one penalty per matrix",
                "you returned one penalty per matrix (a list or array): the penalty is one "
                "number, their sum, (λ/2)·Σ‖W‖² over every matrix.",
                lambda weights, lam: np.array([lam / 2 * np.sum(np.square(W)) for W in weights])),
        Mistake("no ½",
                "twice the expected penalty: the course's L2 penalty is (λ/2)·Σ‖W‖² (the ½ makes "
                "its gradient simply λ·W).",
                lambda ws, lam: float(lam * sum(_sq(W) for W in ws))),
        Mistake("norm not squared",
                "you added the norms ‖W‖ = √(Σ w²); the penalty adds their squares, the plain "
                "sums of squared weights np.sum(W ** 2).",
                lambda ws, lam: float(lam / 2 * sum(np.sqrt(_sq(W)) for W in ws))),
        Mistake("norm of all the weights, not squared",
                "you took the norm of all the weights together, √(Σ w²); the penalty adds the "
                "squares themselves, Σ w², without a square root.",
                lambda ws, lam: float(lam / 2 * np.sqrt(sum(_sq(W) for W in ws)))),
        Mistake("square of the sum",
                "you squared the sum of the weights, (Σ w)²; the penalty sums the squares, Σ w² "
                "(np.sum(W ** 2)), so that negative weights count too.",
                lambda ws, lam: float(lam / 2 * sum(np.sum(W, dtype=np.float64) ** 2
                                                    for W in ws))),
        Mistake("mean of the squares",
                "you averaged the squared weights (np.mean); the penalty *sums* them, so that "
                "every weight counts, however many there are.",
                lambda ws, lam: float(lam / 2 * sum(np.mean(np.asarray(W, np.float64) ** 2)
                                                    for W in ws))),
        Mistake("divided by the number of weights",
                "you divided by how many weights there are: the course's penalty is "
                "(λ/2)·Σ‖W‖², a plain sum (some texts divide by the number of *samples*; not "
                "here).", lambda ws, lam: float(lam / 2 * sum(_sq(W) for W in ws)
                                                  / sum(np.size(W) for W in ws))),
        Mistake("averaged over the matrices",
                "you divided by the number of weight matrices: add the penalties of all the "
                "matrices, don't average them.",
                lambda ws, lam: float(lam / 2 * sum(_sq(W) for W in ws) / len(ws))),
        Mistake("one penalty per matrix",
                "you returned one penalty per weight matrix (an array): the penalty is one "
                "number, their sum, (λ/2)·Σ_l ‖W_l‖²: add them up (sum(...) or a running total).",
                lambda ws, lam: lam / 2 * np.array([_sq(W) for W in ws])),
        Mistake("first matrix only",
                "only the first weight matrix was penalised: sum over every array in weights "
                "(a `return` inside the loop ends it after the first one).",
                lambda ws, lam: float(lam / 2 * _sq(ws[0]))),
        Mistake("last matrix only",
                "only the last weight matrix was penalised: add each matrix's sum of squares "
                "to a total (total += ...), don't overwrite it.",
                lambda ws, lam: float(lam / 2 * _sq(ws[-1]))),
        Mistake("absolute values (L1)",
                "you summed |w|: that is the L1 penalty. L2 sums the squares w².",
                lambda ws, lam: float(lam / 2 * sum(np.sum(np.abs(W), dtype=np.float64)
                                                    for W in ws))),
        Mistake("spectral norm",
                "np.linalg.norm(W, 2) of a matrix is its largest singular value, not "
                "√(Σ w²): use np.sum(W ** 2) (or np.linalg.norm(W) ** 2, the Frobenius norm).",
                lambda ws, lam: float(lam / 2 * sum(np.linalg.norm(np.asarray(W, np.float64), 2)
                                                    ** 2 for W in ws))),
    ] + [Mistake("matrix product instead of the squares",
                 "you summed every entry of a matrix product (W @ W.T or W.T @ W); ‖W‖² is only "
                 "its diagonal (its trace): square each weight, Σ w² = np.sum(W ** 2).",
                 lambda ws, lam, t=t: float(lam / 2 * sum(
                     np.sum(t(np.asarray(W, np.float64))) for W in ws)))
         for t in (lambda W: W.T @ W, lambda W: W @ W.T)] + [
        Mistake("floor division (//)",
                "`lam // 2` is floor division: 0 for every λ below 2. Write lam / 2.",
                lambda ws, lam: float(lam // 2 * sum(_sq(W) for W in ws))),
        Mistake("divided by 2λ",
                "you divided by 2λ: the penalty *multiplies* by λ/2, lam / 2 * total (or "
                "0.5 * lam * total; total / 2 * lam is the same, total / (2 * lam) is not).",
                lambda ws, lam: float(sum(_sq(W) for W in ws) / (2 * lam))),
        Mistake("λ squared",
                "λ came in twice (multiplying the weights by λ before squaring them squares λ "
                "too): the penalty is (λ/2)·Σ w², λ to the first power.",
                lambda ws, lam: float(lam ** 2 / 2 * sum(_sq(W) for W in ws))),
        Mistake("λ left out",
                "the strength λ (lam) multiplies the penalty: (lam / 2) · Σ‖W‖².",
                lambda ws, lam: float(0.5 * sum(_sq(W) for W in ws))),
    ],
)


SQUARED = ("you returned λ·W² (or (λ/2)·W²), the penalty of each weight, not its slope: the "
           "derivative of (λ/2)·w² is λ·w.")


# --- l2_gradient ------------------------------------------------------------------------------

def gradient_cases(rng):
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    return [
        Case("the worked example: W = [[1, -2], [0.5, 0]], lam = 0.1", (W, 0.1)),
        Case("a random (4, 3) W, lam = 0.01", (rng.normal(0, 1, (4, 3)), 0.01)),
        Case("lam = 0: no gradient", (rng.normal(0, 1, (2, 5)), 0.0)),
        Case("a float32 (6, 2) W, lam = 0.3 (float32 in, float32 out)",
             (rng.normal(0, 1, (6, 2)).astype(np.float32), 0.3), rtol=1e-6),
    ]


function_exercise(
    id="nb09_l2_gradient", name="l2_gradient", notebook=NOTEBOOK, points=1,
    verifies="λ·W, W's shape and dtype",
    reference=regularization.l2_gradient, cases=gradient_cases, arg_names=("W", "lam"),
    rtol=1e-12, atol=1e-15,
    mistakes=[
        Mistake("2λW", "twice too big: the ½ in (λ/2)‖W‖² cancels the 2 of d(w²)/dw = 2w, so the "
                "gradient is λ·W.", lambda W, lam: 2 * lam * W),
        Mistake("λW/2", "half too small: d/dw of (λ/2)·w² is (λ/2)·2w = λ·w.",
                lambda W, lam: lam / 2 * W),
        Mistake("squared", SQUARED, lambda W, lam: lam * W ** 2),
        Mistake("squared", SQUARED, lambda W, lam: lam / 2 * W ** 2),
        Mistake("W added to the gradient",
                "you returned W + λ·W: the exercise asks only for the penalty's gradient, λ·W "
                "(fit adds it to each layer's dW; W itself is not dW).",
                lambda W, lam: W + lam * W),
        Mistake("the penalty, not its gradient",
                "you returned the penalty (λ/2)·‖W‖², one number; its gradient is an array of "
                "W's shape, λ·W, one slope per weight.",
                lambda W, lam: float(lam / 2 * _sq(W))),
        Mistake("summed to one number",
                "you summed the gradient into one number: return λ·W itself, an array of W's "
                "shape (one slope per weight).", lambda W, lam: float(lam * np.sum(W))),
        Mistake("sign flipped", "the gradient points *up* the penalty, towards larger weights: it "
                "is +λ·W (the optimizer subtracts it).", lambda W, lam: -lam * W),
        Mistake("the update, not the gradient",
                "you returned W − λ·W, a step of weight decay: the gradient is λ·W alone (the "
                "optimizer does the subtracting).", lambda W, lam: W - lam * W),
        Mistake("λ left out", "the gradient of (λ/2)‖W‖² is λ·W: multiply by lam.",
                lambda W, lam: W.copy()),
        Mistake("λ alone", "every entry is λ: the slope of (λ/2)·w² is λ·w, so multiply λ by "
                "each weight.", lambda W, lam: np.full_like(W, lam)),
        Mistake("sign(W) (L1)", "λ·sign(W) is the L1 penalty's gradient; L2's is λ·W, "
                "proportional to each weight.", lambda W, lam: lam * np.sign(W)),
        Mistake("divided by the norm",
                "λ·W/‖W‖ is the slope of λ‖W‖, the norm itself; the penalty squares the norm, "
                "and the slope of (λ/2)‖W‖² is λ·W.",
                lambda W, lam: lam * W / np.sqrt(_sq(W))),
        Mistake("divided by the number of weights",
                "you divided by W.size: the penalty is a plain sum, so each weight's slope is "
                "λ·w, whatever the number of weights.", lambda W, lam: lam * W / W.size),
        Mistake("transposed", "the gradient has W's own layout: λ·W, not its transpose.",
                lambda W, lam: lam * W.T),
    ],
)


# --- the early-stopping rule ------------------------------------------------------------------

def _stopping(val_costs, patience, new_best=lambda cost, best, previous: cost < best, reset=True,
              wait=0, first_rise=False, reset_on_fall=False, check_first=False, best0=None):
    """The rule of the statement, with the choices a learner gets wrong as keywords (each known
    mistake changes one); unchanged, it is nnlib's EarlyStopping (a test keeps them equal)."""
    best, previous = best0, None
    best_epoch, waited = (None, 0) if best0 is None else (1, -1)    # best0: epoch 1 is "best"
    for epoch, cost in enumerate(val_costs, start=1):
        if check_first and best_epoch is not None and epoch - best_epoch >= patience:
            return best_epoch, epoch
        if best is None or new_best(cost, best, previous):
            best, best_epoch = cost, epoch
            waited = 0 if reset else waited
            previous = cost
            continue
        waited = 0 if reset_on_fall and cost < previous else waited + 1
        if first_rise or waited >= patience + wait:
            return best_epoch, epoch
        previous = cost
    return best_epoch, None


def _after(transform):
    """The reference's pair, then ``transform(val_costs, patience, best, stop)``."""
    return lambda c, p: transform(c, p, *callbacks.early_stopping_epochs(c, p))


def stopping_cases(rng):
    noisy = [float(v) for v in np.round(1 / np.arange(1, 31) + 0.01 * np.arange(30)
                                        + rng.normal(0, 0.01, 30), 4)]
    return [
        Case("the worked example: [0.9, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8], patience 2",
             ([0.9, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8], 2), expected=(3, 5)),
        Case("a dip and a new best: [1.0, 0.8, 0.85, 0.7, 0.75, 0.8, 0.9, 0.95], patience 2",
             ([1.0, 0.8, 0.85, 0.7, 0.75, 0.8, 0.9, 0.95], 2), expected=(4, 6)),
        Case("a rise below the best: [1.0, 0.6, 0.8, 0.7, 0.9, 0.95], patience 3 (0.7 is lower "
             "than 0.8 but not than the best 0.6)", ([1.0, 0.6, 0.8, 0.7, 0.9, 0.95], 3),
             expected=(2, 5)),
        Case("a tie: [1.0, 0.5, 0.7, 0.5, 0.8, 0.9], patience 2 (epoch 4 equals the best 0.5, "
             "which is not below it: no new best)", ([1.0, 0.5, 0.7, 0.5, 0.8, 0.9], 2),
             expected=(2, 4)),
        Case("the cost keeps falling: [1.0, 0.9, 0.8, 0.7], patience 2 (never stops)",
             ([1.0, 0.9, 0.8, 0.7], 2), expected=(4, None)),
        Case("patience 1: [0.5, 0.4, 0.45, 0.3] (the lower 0.3 comes after the stop)",
             ([0.5, 0.4, 0.45, 0.3], 1), expected=(2, 3)),
        Case("a flat curve: [0.5, 0.5, 0.5, 0.5, 0.5], patience 3",
             ([0.5, 0.5, 0.5, 0.5, 0.5], 3), expected=(1, 4)),
        Case("the list ends before the patience runs out: [0.8, 0.7, 0.75, 0.72], patience 3",
             ([0.8, 0.7, 0.75, 0.72], 3), expected=(2, None)),
        Case("the cost rises first: [0.5, 0.7, 0.4, 0.45, 0.5], patience 2",
             ([0.5, 0.7, 0.4, 0.45, 0.5], 2), expected=(3, 5)),
        Case("30 noisy costs that fall then rise, patience 5", (noisy, 5)),
    ]


STOPPING_MISTAKES = [
    Mistake("a tie counted as a new best",
            "an epoch whose cost only equals the lowest so far is no new best: the cost must be "
            "*below* it (cost < best, not <=).",
            lambda c, p: _stopping(c, p, new_best=lambda cost, best, prev: cost <= best)),
    Mistake("epochs from 0",
            "your epochs are counted from 0, as list indices are (enumerate without start=1, "
            "or np.argmin's index): the course (and nnlib's history) counts epochs from 1, so "
            "the first cost in the list is epoch 1.",
            _after(lambda c, p, b, s: (b - 1, s - 1 if s else s))),
    Mistake("best epoch counted from 0",
            "your best epoch is counted from 0 (a list index, as np.argmin gives), your stop "
            "epoch from 1: count both from 1.", _after(lambda c, p, b, s: (b - 1, s))),
    Mistake("stopped at the first rise",
            "you stopped as soon as the cost rose once: patience is how many epochs without a "
            "new best to wait before stopping.", lambda c, p: _stopping(c, p, first_rise=True)),
    Mistake("compared with the previous epoch",
            "an epoch counts as an improvement only if its cost is below the *best* cost so "
            "far, not just below the previous epoch's.",
            lambda c, p: _stopping(c, p, new_best=lambda cost, best, prev: cost < prev)),
    Mistake("waiting reset when the cost falls",
            "you started waiting afresh whenever the cost fell from one epoch to the next; "
            "patience counts the epochs since the *best* epoch, falls that are no new best "
            "included.", lambda c, p: _stopping(c, p, reset_on_fall=True)),
    Mistake("waiting not reset at a new best",
            "your count of epochs without improvement went on from where it was after a new "
            "best: it starts again from 0 at each new best (or use epoch − best_epoch).",
            lambda c, p: _stopping(c, p, reset=False)),
    Mistake("one epoch too late",
            "your stop epoch is one too late: it is the epoch *after which* training stops, the "
            "first where epoch − best_epoch reaches patience (>=, not >; epoch, not epoch + 1).",
            lambda c, p: _stopping(c, p, wait=1)),
    Mistake("the stop checked before the new best",
            "you checked for the stop before looking at the epoch's cost: an epoch that brings "
            "a new best never stops training. First update the best, then check "
            "epoch − best_epoch >= patience on the epochs that are no new best.",
            lambda c, p: _stopping(c, p, check_first=True)),
    Mistake("best cost started at 0",
            "your best cost started at 0, which no cost is below, so no epoch became a new "
            "best: start with the first epoch's cost (or float('inf')).",
            lambda c, p: _stopping(c, p, best0=0.0)),
    Mistake("one epoch too early",
            "you stopped one epoch early: stop when epoch − best_epoch reaches patience, e.g. "
            "epoch 5 for a best at epoch 3 and patience 2.",
            lambda c, p: _stopping(c, p, wait=-1)),
    Mistake("highest cost taken as the best",
            "a lower cost is better: the best epoch is the one with the *lowest* validation "
            "cost so far (cost < best).",
            lambda c, p: _stopping(c, p, new_best=lambda cost, best, prev: cost > best)),
    Mistake("best of the whole list",
            "your best epoch is the lowest cost of the whole list, found after the stop: "
            "training has stopped by then, so the best epoch is the lowest cost *up to* the "
            "stop.", _after(lambda c, p, b, s: (int(np.argmin(c)) + 1, s))),
    Mistake("best epoch is the last one",
            "the best epoch is the one with the lowest cost so far, not the epoch training "
            "stopped at.", _after(lambda c, p, b, s: (s or len(c), s))),
    Mistake("pair in the wrong order",
            "return (best_epoch, stop_epoch), the best epoch first.",
            _after(lambda c, p, b, s: (s, b))),
    Mistake("the last epoch instead of None",
            "when the rule never stops within the list, stop_epoch is None, not the last "
            "epoch: training ran to the end without an early stop.",
            _after(lambda c, p, b, s: (b, s or len(c)))),
    Mistake("a stop after the end of the list",
            "best_epoch + patience is where training *would* stop; when that is past the "
            "last epoch, the rule never stops within the list: stop_epoch is None.",
            _after(lambda c, p, b, s: (b, s or b + p))),
]


def _pair_problem(got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return the pair (best_epoch, stop_epoch), e.g. `return best_epoch, epoch`"
    for name, v in zip(("best_epoch", "stop_epoch"), got):
        if not (v is None and name == "stop_epoch") and (
                isinstance(v, bool) or not isinstance(v, (int, np.integer))):
            return f"{name} should be a whole number (an epoch)" \
                   f"{' or None' * (name == 'stop_epoch')}, got {v!r}"[:200]
    return None


def _same_pair(a, b):
    return a is not None and b is not None and _pair_problem(a) is None and \
        tuple(a) == tuple(b)


@exercise(id="nb09_early_stopping", name="early_stopping_epochs", notebook=NOTEBOOK, points=2,
          verifies="best epoch and stop epoch (from 1; None when it never stops; a tie is no "
                   "new best), as nnlib's EarlyStopping decides",
          reference=callbacks.early_stopping_epochs, mistakes=STOPPING_MISTAKES,
          arg_names=("val_costs", "patience"))
def judge_early_stopping(fn, ctx):
    cases = stopping_cases(ctx.rng)
    answers = {}
    for k, case in enumerate(cases):
        expected = callbacks.early_stopping_epochs(*case.args)
        got = answers[k] = ctx.call(fn, *case.args, case=case)
        why = _pair_problem(got)
        if why is None and tuple(got) == tuple(expected):
            ctx.pass_case(case)
            continue
        found = [m for m in STOPPING_MISTAKES if _same_pair(got, m.fn(*case.args))] \
            if why is None else []
        mistake = explaining_every_case(
            ctx, fn, cases, k, answers, found, lambda j, a, b: _same_pair(a, b),
            lambda j, a: _same_pair(a, callbacks.early_stopping_epochs(*cases[j].args)))
        ctx.fail_case(case, f"expected: (best_epoch, stop_epoch) = {expected}",
                      f"got:      {got!r}"[:200], *([f"problem:  {why}"] if why else []),
                      mistake=mistake)


# --- standard error ---------------------------------------------------------------------------

def _se(accuracy, n, variance=lambda a: a * (1 - a), count=lambda n: n, root=True, scale=1.0):
    """√(a(1 − a)/n) with the choices a learner gets wrong as keywords."""
    v = variance(accuracy) / count(n)
    return float(scale * (np.sqrt(v) if root else v))


def _simulated(a, n, ddof):
    outcomes = np.r_[np.ones(int(round(a * n))), np.zeros(n - int(round(a * n)))]
    return float(np.std(outcomes, ddof=ddof) / np.sqrt(n)) if n > ddof else float("nan")


function_exercise(
    id="nb09_standard_error", name="standard_error", notebook=NOTEBOOK, points=1,
    verifies="√(a(1 − a)/n) for several accuracies and test-set sizes",
    reference=metrics.standard_error, arg_names=("accuracy", "n"), rtol=1e-9, atol=1e-12,
    cases=lambda rng: [Case("the worked example: accuracy 0.964 on 450 digits", (0.964, 450)),
                       Case("accuracy 0.5 on 100 samples", (0.5, 100)),
                       Case("accuracy 0.99 on 10 000 samples", (0.99, 10_000)),
                       Case("accuracy 1.0 on 50 samples (no error seen)", (1.0, 50)),
                       Case("accuracy 0.8 on 1 sample", (0.8, 1)),
                       Case("a random accuracy on a random size",
                            (float(np.round(rng.uniform(0.6, 0.99), 3)),
                             int(rng.integers(50, 5000))))],
    mistakes=[
        Mistake("the interval returned", "you returned the interval (a − SE, a + SE): "
                "standard_error returns the standard error itself, one number, √(a(1 − a)/n).",
                lambda a, n: (a - math.sqrt(a * (1 - a) / n), a + math.sqrt(a * (1 - a) / n))),
        Mistake("formatted as text", "return the number itself, a float such as 0.0088; "
                "format it only where you print it (f\"{se:.1%}\").",
                lambda a, n: f"{math.sqrt(a * (1 - a) / n):.1%}"),
        Mistake("no square root",
                "you returned the variance a(1 − a)/n; the standard error is its square root.",
                lambda a, n: _se(a, n, root=False)),
        Mistake("n outside the root",
                "divide inside the square root: √(a(1 − a)/n), so the error shrinks like 1/√n.",
                lambda a, n: _se(a, n, count=lambda n: n * n)),
        Mistake("n left out",
                "√(a(1 − a)) is the spread of *one* right-or-wrong answer; the accuracy averages "
                "n of them, so divide by n inside the root: √(a(1 − a)/n).",
                lambda a, n: _se(a, n, count=lambda n: 1)),
        Mistake("n − 1 instead of n",
                "the formula divides by n, the number of test samples: √(a(1 − a)/n) (n − 1 is "
                "for a variance estimated from a sample's own mean).",
                lambda a, n: _se(a, n, count=lambda n: n - 1) if n > 1 else float("nan")),
        Mistake("a instead of a(1 − a)",
                "the variance of one right-or-wrong answer is a(1 − a), not a.",
                lambda a, n: _se(a, n, variance=lambda a: a)),
        Mistake("1 − a instead of a(1 − a)",
                "the variance of one right-or-wrong answer is a(1 − a), the error rate times "
                "the accuracy, not the error rate 1 − a alone.",
                lambda a, n: _se(a, n, variance=lambda a: 1 - a)),
        Mistake("a² instead of a(1 − a)",
                "the variance of one right-or-wrong answer is a(1 − a) (= a − a²), not a².",
                lambda a, n: _se(a, n, variance=lambda a: a * a)),
        Mistake("accuracy divided by 100",
                "the accuracy is already a fraction (0.964), not a percentage: use it as it "
                "is, √(a(1 − a)/n).", lambda a, n: _se(a / 100, n)),
        Mistake("brackets missing",
                "a * 1 - a / n is a − a/n: * and / bind tighter than -, so write "
                "a * (1 - a) / n.", lambda a, n: float(np.sqrt(a * 1 - a / n))),
        Mistake("floor division (//)",
                "`// n` is floor division: 0 for a fraction divided by n. Write / n.",
                lambda a, n: float(np.sqrt(a * (1 - a) // n))),
        Mistake("outcomes simulated from a rounded count",
                "you rebuilt the 0/1 outcomes from round(a·n) right answers and took their "
                "spread: the rounding changes the accuracy (and np.std(..., ddof=1) divides by "
                "n − 1). Use the formula on the accuracy you were given: √(a(1 − a)/n).",
                lambda a, n: _simulated(a, n, 1)),
        Mistake("outcomes simulated from a rounded count",
                "you rebuilt the 0/1 outcomes from round(a·n) right answers and took their "
                "spread: the rounding changes the accuracy (and np.std(..., ddof=1) divides by "
                "n − 1). Use the formula on the accuracy you were given: √(a(1 − a)/n).",
                lambda a, n: _simulated(a, n, 0)),
        Mistake("in percent",
                "return a fraction (0.0088), like the accuracy itself, not a percentage.",
                lambda a, n: _se(a, n, scale=100.0)),
        Mistake("a 95% interval, not the standard error",
                "1.96 (or 2) standard errors is the half-width of a 95% interval; the exercise "
                "asks for the standard error itself, √(a(1 − a)/n).",
                lambda a, n: _se(a, n, scale=1.96)),
        Mistake("a 95% interval, not the standard error",
                "1.96 (or 2) standard errors is the half-width of a 95% interval; the exercise "
                "asks for the standard error itself, √(a(1 − a)/n).",
                lambda a, n: _se(a, n, scale=2.0)),
        Mistake("standard deviation of the count",
                "√(n·a(1 − a)) is the spread of the *number* of right answers; the accuracy is "
                "that number divided by n, so its standard error is √(a(1 − a)/n).",
                lambda a, n: _se(a, n, count=lambda n: 1 / n)),
    ] + [Mistake("rounded", "return the number itself, not rounded: rounding is for printing.",
                 lambda a, n, d=d: round(_se(a, n), d)) for d in (2, 3, 4)],
)


# Code that also *is* an answer (the course's earlier names for nnlib's versions, and the
# callback the rule is): a learner's function that calls it is flagged by the grader.
for _id, _names in {"nb09_early_stopping": ("nncourse.checks.nb09.early_stopping_reference",
                                            "nnlib.callbacks.EarlyStopping"),
                    "nb09_standard_error": ("nncourse.checks.nb09.standard_error",)}.items():
    registry.EXERCISES[_id].implemented_by += _names


STACKED = Mistake(
    "the list of matrices made into one array",
    "weights is a list of matrices of different shapes: numpy cannot stack it into one array "
    "(np.sum(weights), np.array(weights)), and np.concatenate has nothing to join in an "
    "empty list. Loop over the list: sum(np.sum(W ** 2) for W in weights).", None)
name_errors("nb09_l2_penalty", {"inhomogeneous shape": STACKED,
                                "need at least one array to concatenate": STACKED})
