"""Checks for notebook 09, generalization: the L2 penalty and its gradient, the early-stopping
rule over a list of validation costs, and the standard error of a test accuracy.

The references are nnlib's (``nnlib.regularization``) or, for the early-stopping rule, nnlib's
``callbacks.EarlyStopping`` replayed on the list of costs (``early_stopping_reference``).
"""

import numpy as np

from nnlib import regularization
from nnlib.callbacks import EarlyStopping
from nncourse.checks.registry import Case, Mistake, exercise, function_exercise

NOTEBOOK = "09_generalization"


# --- l2_penalty -------------------------------------------------------------------------------

def penalty_cases(rng):
    W1 = np.array([[1.0, -2.0], [0.5, 0.0]])
    W2 = np.array([[3.0], [-1.0]])
    return [
        Case("one weight matrix [[1, -2], [0.5, 0]], lam = 0.1", ([W1], 0.1)),
        Case("two weight matrices (2, 2) and (2, 1), lam = 0.01", ([W1, W2], 0.01)),
        Case("lam = 0: no penalty", ([W1, W2], 0.0)),
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
        Mistake("no ½",
                "twice the expected penalty: the course's L2 penalty is (λ/2)·Σ‖W‖² (the ½ makes "
                "its gradient simply λ·W).",
                lambda ws, lam: float(lam * sum(np.sum(W ** 2) for W in ws))),
        Mistake("norm not squared",
                "you added the norms ‖W‖ = √(Σ w²); the penalty adds their squares, the plain "
                "sums of squared weights np.sum(W ** 2).",
                lambda ws, lam: float(lam / 2 * sum(np.sqrt(np.sum(W ** 2)) for W in ws))),
        Mistake("mean of the squares",
                "you averaged the squared weights (np.mean); the penalty *sums* them, so that "
                "every weight counts, however many there are.",
                lambda ws, lam: float(lam / 2 * sum(np.mean(W ** 2) for W in ws))),
        Mistake("first matrix only",
                "only the first weight matrix was penalised: sum over every array in weights.",
                lambda ws, lam: float(lam / 2 * np.sum(ws[0] ** 2))),
        Mistake("absolute values (L1)",
                "you summed |w|: that is the L1 penalty. L2 sums the squares w².",
                lambda ws, lam: float(lam / 2 * sum(np.sum(np.abs(W)) for W in ws))),
        Mistake("λ left out",
                "the strength λ (lam) multiplies the penalty: (lam / 2) · Σ‖W‖².",
                lambda ws, lam: float(0.5 * sum(np.sum(W ** 2) for W in ws))),
    ],
)


# --- l2_gradient ------------------------------------------------------------------------------

def gradient_cases(rng):
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    return [
        Case("W = [[1, -2], [0.5, 0]], lam = 0.1", (W, 0.1)),
        Case("a random (4, 3) W, lam = 0.01", (rng.normal(0, 1, (4, 3)), 0.01)),
        Case("lam = 0: no gradient", (rng.normal(0, 1, (2, 5)), 0.0)),
        Case("a float32 (6, 2) W, lam = 0.5 (float32 in, float32 out)",
             (rng.normal(0, 1, (6, 2)).astype(np.float32), 0.5), rtol=1e-6),
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
        Mistake("squared", "you returned λ·W², the penalty's shape, not its slope: the derivative "
                "of (λ/2)·w² is λ·w.", lambda W, lam: lam * W ** 2),
        Mistake("sign flipped", "the gradient points *up* the penalty, towards larger weights: it "
                "is +λ·W (the optimizer subtracts it).", lambda W, lam: -lam * W),
        Mistake("sign(W) (L1)", "λ·sign(W) is the L1 penalty's gradient; L2's is λ·W, "
                "proportional to each weight.", lambda W, lam: lam * np.sign(W)),
    ],
)


# --- the early-stopping rule ------------------------------------------------------------------

def early_stopping_reference(val_costs, patience):
    """``(best_epoch, stop_epoch)`` for a list of validation costs (epochs counted from 1):
    nnlib's ``EarlyStopping(patience)`` fed the costs one epoch at a time. ``stop_epoch`` is
    the epoch after which training stops, or None if it would run to the end."""
    stop = EarlyStopping(patience=patience, restore_best=False)
    history = {"val_cost": []}
    for epoch, cost in enumerate(val_costs, start=1):
        history["val_cost"].append(float(cost))
        if stop(epoch, history):
            break
    return stop.best_epoch, stop.stopped_epoch


def _rule(val_costs, patience, zero_based=False, first_rise=False, compare_previous=False,
          strict=False):
    best, best_epoch, previous = None, None, None
    for epoch, cost in enumerate(val_costs, start=1):
        improved = cost < (previous if compare_previous and previous is not None else
                           best if best is not None else np.inf)
        if improved or best is None:
            if best is None or cost < best:
                best = cost
            best_epoch = epoch
        elif first_rise:
            return (best_epoch - zero_based, epoch - zero_based)
        elif (epoch - best_epoch > patience) if strict else (epoch - best_epoch >= patience):
            return (best_epoch - zero_based, epoch - zero_based)
        previous = cost
    return (best_epoch - zero_based, None)


def stopping_cases(rng):
    noisy = list(np.round(1 / np.arange(1, 31) + 0.01 * np.arange(30)
                          + rng.normal(0, 0.01, 30), 4))
    return [
        Case("costs fall, then rise from epoch 4: [0.9, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8], "
             "patience 2", ([0.9, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8], 2), expected=(3, 5)),
        Case("a dip and a new best: [1.0, 0.8, 0.85, 0.7, 0.75, 0.8, 0.9, 0.95], patience 2",
             ([1.0, 0.8, 0.85, 0.7, 0.75, 0.8, 0.9, 0.95], 2), expected=(4, 6)),
        Case("a rise below the best: [1.0, 0.6, 0.8, 0.7, 0.9, 0.95], patience 3 (0.7 is lower "
             "than 0.8 but not than the best 0.6)", ([1.0, 0.6, 0.8, 0.7, 0.9, 0.95], 3),
             expected=(2, 5)),
        Case("the cost keeps falling: [1.0, 0.9, 0.8, 0.7], patience 2 (never stops)",
             ([1.0, 0.9, 0.8, 0.7], 2), expected=(4, None)),
        Case("patience 1: [0.5, 0.4, 0.45, 0.3]", ([0.5, 0.4, 0.45, 0.3], 1), expected=(2, 3)),
        Case("30 noisy costs that fall then rise, patience 5", (noisy, 5)),
    ]


STOPPING_MISTAKES = [
    Mistake("epochs from 0",
            "your epochs are counted from 0: the course (and nnlib's history) counts epochs "
            "from 1, so the first cost in the list is epoch 1.",
            lambda c, p: _rule(c, p, zero_based=True)),
    Mistake("stopped at the first rise",
            "you stopped as soon as the cost rose once: patience is how many epochs without a "
            "new best to wait before stopping.", lambda c, p: _rule(c, p, first_rise=True)),
    Mistake("compared with the previous epoch",
            "an epoch counts as an improvement only if its cost is below the *best* cost so "
            "far, not just below the previous epoch's.",
            lambda c, p: _rule(c, p, compare_previous=True)),
    Mistake("one epoch too late",
            "you waited one epoch too many: stop at the epoch where epoch − best_epoch reaches "
            "patience (>=, not >).", lambda c, p: _rule(c, p, strict=True)),
    Mistake("best epoch is the last one",
            "the best epoch is the one with the lowest cost so far, not the epoch training "
            "stopped at.", lambda c, p: (lambda r: (r[1] or len(c), r[1]))(
                early_stopping_reference(c, p))),
]


def _pair_problem(got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "return the pair (best_epoch, stop_epoch), e.g. `return best_epoch, epoch`"
    for name, v in zip(("best_epoch", "stop_epoch"), got):
        if not (v is None and name == "stop_epoch") and not isinstance(v, (int, np.integer)):
            return f"{name} should be a whole number (an epoch){' or None' * (name == 'stop_epoch')}, got {v!r}"
    return None


@exercise(id="nb09_early_stopping", name="early_stopping_epochs", notebook=NOTEBOOK, points=2,
          verifies="best epoch and stop epoch (from 1; None when it never stops), as nnlib's "
                   "EarlyStopping decides",
          reference=early_stopping_reference, mistakes=STOPPING_MISTAKES,
          arg_names=("val_costs", "patience"))
def judge_early_stopping(fn, ctx):
    for case in stopping_cases(ctx.rng):
        expected = early_stopping_reference(*case.args)
        got = ctx.call(fn, *case.args, case=case)
        ctx.cases_total += 1
        why = _pair_problem(got)
        if why is None and tuple(got) == tuple(expected):
            ctx.cases_passed += 1
            continue
        lines = [f"✘ {ctx.name} — case {ctx.cases_total}: {case.description}",
                 f"  expected: (best_epoch, stop_epoch) = {expected}",
                 f"  got:      {got!r}"[:200]]
        if why:
            lines.append(f"  problem:  {why}")
        mistake = next((m for m in STOPPING_MISTAKES if why is None and
                        tuple(m.fn(*case.args)) == tuple(got)), None)
        if mistake:
            lines.append(f"  likely mistake: {mistake.hint}")
        ctx.fail("\n".join(lines), mistake=mistake)


# --- standard error ---------------------------------------------------------------------------

def standard_error(accuracy, n):
    """√(a(1 − a)/n): the standard error of an accuracy a measured on n samples."""
    return float(np.sqrt(accuracy * (1 - accuracy) / n))


function_exercise(
    id="nb09_standard_error", name="standard_error", notebook=NOTEBOOK, points=1,
    verifies="√(a(1 − a)/n) for several accuracies and test-set sizes",
    reference=standard_error, arg_names=("accuracy", "n"), rtol=1e-9, atol=1e-12,
    cases=lambda rng: [Case("accuracy 0.964 on 450 digits", (0.964, 450)),
                       Case("accuracy 0.5 on 100 samples", (0.5, 100)),
                       Case("accuracy 0.99 on 10 000 samples", (0.99, 10_000)),
                       Case("accuracy 1.0 on 50 samples (no error seen)", (1.0, 50)),
                       Case("a random accuracy on a random size",
                            (float(np.round(rng.uniform(0.6, 0.99), 3)),
                             int(rng.integers(50, 5000))))],
    mistakes=[
        Mistake("no square root",
                "you returned the variance a(1 − a)/n; the standard error is its square root.",
                lambda a, n: a * (1 - a) / n),
        Mistake("n outside the root",
                "divide inside the square root: √(a(1 − a)/n), so the error shrinks like 1/√n.",
                lambda a, n: float(np.sqrt(a * (1 - a)) / n)),
        Mistake("a instead of a(1 − a)",
                "the variance of one right-or-wrong answer is a(1 − a), not a.",
                lambda a, n: float(np.sqrt(a / n))),
        Mistake("in percent",
                "return a fraction (0.0088), like the accuracy itself, not a percentage.",
                lambda a, n: float(100 * np.sqrt(a * (1 - a) / n))),
        Mistake("standard deviation of the count",
                "√(n·a(1 − a)) is the spread of the *number* of right answers; the accuracy is "
                "that number divided by n, so its standard error is √(a(1 − a)/n).",
                lambda a, n: float(np.sqrt(n * a * (1 - a)))),
    ],
)
