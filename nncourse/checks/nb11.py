"""Checks for notebook 11, when training fails: the update ratio, clipping by global norm, a
warm-up + cosine learning-rate schedule, batch normalization (forward, backward, and the layer's
two modes with running statistics) and inverted dropout.

Every reference is nnlib's own code (``nnlib.diagnostics``, ``nnlib.clipping``,
``nnlib.schedules``, ``nnlib.normalization``, ``nnlib.regularization``); the known mistakes are
one-line variants of it. Exercises with several outputs (clipping, batch norm's backward and
its layer) compare each output by name and name the mistake behind the first wrong one.
``warmup_cosine`` is judged over whole curves: its driver (``drivers/nb11.py``) calls the
learner's function at every step of a case.
"""

import math

import numpy as np

from nnlib import clipping, diagnostics, normalization, regularization, schedules
from nncourse.checks.drivers.nb11 import drive_schedule
from nncourse.checks.judging import matches, problem, show, verdict_wrong
from nncourse.checks.registry import Case, EXERCISES, Mistake, exercise, name_errors

NOTEBOOK = "11_when_training_fails"


def _norm(a):
    return float(np.sqrt(np.sum(np.square(np.asarray(a, dtype=np.float64)))))


def single_output_judge(cases, reference, mistakes, rtol, atol):
    """The judge of a one-output exercise: the learner's function against ``reference`` on every
    case of ``cases(rng)`` (``ctx.compare`` names only mistakes that are wrong on the case)."""
    def judge(fn, ctx):
        every = cases(ctx.rng)
        for i, case in enumerate(every):
            got = ctx.call(fn, *case.args, case=case)
            ctx.compare(got, reference(*case.args), case, mistakes, rtol=rtol, atol=atol,
                        wrong_here=True, ahead=ctx.answers(fn, every[i + 1:]))
    return judge


def _judge_named(ctx, case, got, expected, names, mistakes, rtol, atol, compare=None,
                 shape=None):
    """``ctx.compare_named`` in this notebook's wording ("dbeta is wrong (dX, dgamma right)"),
    after the exercise's own ``shape(got)`` test; names the mistake behind the first wrong
    output."""
    why = shape(got) if shape else None
    if why:
        ctx.fail_case(case, problem=why, show_input=True)
    ctx.compare_named(got, expected, case, names, mistakes, rtol=rtol, atol=atol,
                      compare=compare, verdict=verdict_wrong, each=False)


# --- exercise 1: update_ratio ------------------------------------------------------------------

def update_ratio_cases(rng):
    W = rng.normal(0, 0.2, (64, 32))
    b = rng.normal(0, 0.1, 10)
    return [
        Case("the worked example: W_before [[2, -1], [2, 4]], W_after [[2, -1], [2, 4.4]]: "
             "‖ΔW‖ = 0.4, ‖W_before‖ = 5", (np.array([[2.0, -1.0], [2.0, 4.0]]),
                                            np.array([[2.0, -1.0], [2.0, 4.4]]))),
        Case("a (64, 32) weight matrix after a small step (the ratio is about 1e-3)",
             (W, W - 2e-4 * rng.standard_normal(W.shape))),
        Case("a bias vector (10,) after a step", (b, b + 0.05 * rng.standard_normal(10))),
        Case("no change: W_after equals W_before", (W[:5, :3], W[:5, :3].copy())),
        Case("a big step on a (3, 4) matrix (the ratio is above 1)",
             (np.array([[1.0, -2.0, 0.5, 0.0], [0.0, 1.0, 1.0, -1.0], [2.0, 0.0, -0.5, 1.0]]),
              np.array([[3.0, 1.0, -2.5, 4.0], [-3.0, 1.0, 5.0, -1.0], [2.0, -4.0, 1.5, -3.0]]))),
        Case("float32 arrays (16, 8)",
             (W[:16, :8].astype(np.float32),
              (W[:16, :8] + 1e-3 * rng.standard_normal((16, 8))).astype(np.float32)),
             rtol=1e-4),
    ]


def _d(before, after):
    return np.asarray(after, dtype=np.float64) - np.asarray(before, dtype=np.float64)


UPDATE_RATIO_MISTAKES = [
    Mistake("inverted", "you divided ‖W‖ by ‖ΔW‖: the ratio is the step's size relative to the "
            "weights, ‖W_after − W_before‖ / ‖W_before‖ (about 1e-3 when healthy, not 1000).",
            lambda b, a: _norm(b) / _norm(_d(b, a))),
    Mistake("divided by the new weights", "divide by the weights *before* the update, "
            "‖W_before‖: the question is how big the step was compared with where it started.",
            lambda b, a: _norm(_d(b, a)) / _norm(a)),
    Mistake("difference of the norms", "you compared the two sizes, (‖W_after‖ − ‖W_before‖) / "
            "‖W_before‖; a step can change W a lot and keep its norm. Take the norm of the "
            "difference: ‖W_after − W_before‖.",
            lambda b, a: (_norm(a) - _norm(b)) / _norm(b)),
    Mistake("squared norms", "you divided the squared norms (sums of squares); take the square "
            "root of each: ‖A‖ = √(Σ A²).", lambda b, a: _norm(_d(b, a)) ** 2 / _norm(b) ** 2),
    Mistake("not divided", "you returned the step's size ‖W_after − W_before‖ only; divide it by "
            "‖W_before‖ to make it relative.", lambda b, a: _norm(_d(b, a))),
    Mistake("absolute values (L1)", "you added absolute values (or took their means): that is "
            "the L1 size. The ratio uses the Frobenius norm √(Σ A²), np.linalg.norm(A).",
            lambda b, a: float(np.sum(np.abs(_d(b, a))) / np.sum(np.abs(b)))),
    Mistake("ratio per entry, averaged", "you averaged |ΔW|/|W| entry by entry; the ratio "
            "divides two norms over the whole array (one small weight would dominate an "
            "average of ratios).",
            lambda b, a: float(np.mean(np.abs(_d(b, a)) / np.abs(np.asarray(b, np.float64))))),
    Mistake("standard deviations", "you divided standard deviations (np.std), which subtract the "
            "mean first; the ratio divides norms, √(Σ A²), with nothing subtracted.",
            lambda b, a: float(np.std(_d(b, a)) / np.std(np.asarray(b, np.float64)))),
    Mistake("log10", "return the ratio itself; its log10 (−3 for a ratio of 1e-3) is what a plot "
            "of it shows.", lambda b, a: math.log10(_norm(_d(b, a)) / _norm(b))),
    Mistake("percent", "return the ratio as a fraction (0.1), not a percentage (10).",
            lambda b, a: 100 * _norm(_d(b, a)) / _norm(b)),
    Mistake("relative change entry by entry", "you divided entry by entry, ‖ΔW / W‖: the "
            "ratio is one division of two norms, ‖ΔW‖ / ‖W‖ (an entry of W near 0 would blow "
            "the entrywise ratio up).",
            lambda b, a: float(_norm(_d(b, a) / np.asarray(b, np.float64)))),
    Mistake("largest entries", "you divided the largest entries (max |ΔW| / max |W|); use the "
            "norms of the whole arrays.",
            lambda b, a: float(np.max(np.abs(_d(b, a))) / np.max(np.abs(b)))),
    Mistake("spectral norm (ord=2)", "np.linalg.norm(A, 2) of a matrix is its largest singular "
            "value, not √(Σ A²): call np.linalg.norm(A) without the 2 (or with 'fro').",
            lambda b, a: float(np.linalg.norm(np.atleast_2d(_d(b, a)), 2)
                               / np.linalg.norm(np.atleast_2d(np.asarray(b, np.float64)), 2))),
    Mistake("norms per column", "you took one norm per column (axis=0): the ratio is one number "
            "for the whole array, np.linalg.norm(A) with no axis.",
            lambda b, a: np.linalg.norm(np.atleast_2d(_d(b, a)), axis=0)
            / np.linalg.norm(np.atleast_2d(np.asarray(b, np.float64)), axis=0)),
    Mistake("norms per column, averaged", "you took one ratio per column (norms along axis=0) "
            "and averaged them: the ratio is one number for the whole array, "
            "np.linalg.norm(ΔW) / np.linalg.norm(W_before), with no axis.",
            lambda b, a: float(np.mean(
                np.linalg.norm(np.atleast_2d(_d(b, a)), axis=0)
                / np.linalg.norm(np.atleast_2d(np.asarray(b, np.float64)), axis=0)))),
    Mistake("sums, not norms", "you added the entries first (|Σ ΔW| / |Σ W|): positive and "
            "negative entries cancel. A norm squares every entry before adding, √(Σ A²), "
            "np.linalg.norm(A).",
            lambda b, a: float(abs(np.sum(_d(b, a))) / abs(np.sum(np.asarray(b, np.float64))))),
]

exercise(
    id="nb11_update_ratio", name="update_ratio", notebook=NOTEBOOK, points=1,
    verifies="‖W_after − W_before‖ / ‖W_before‖ with Frobenius norms, matrices and vectors, a "
             "float",
    reference=diagnostics.update_ratio, mistakes=UPDATE_RATIO_MISTAKES,
    arg_names=("W_before", "W_after"),
)(single_output_judge(update_ratio_cases, diagnostics.update_ratio, UPDATE_RATIO_MISTAKES,
                      rtol=1e-7, atol=1e-12))


# --- exercise 2: clip_by_global_norm -----------------------------------------------------------

def _worked():
    return [np.array([[2.0, 1.0], [2.0, 0.0]]), np.array([0.0, 4.0])]


def clip_cases(rng):
    net = [rng.normal(0, 3, (64, 32)), rng.normal(0, 3, 32), rng.normal(0, 3, (32, 10)),
           rng.normal(0, 3, 10)]
    return [
        Case("the worked example: dW = [[2, 1], [2, 0]] (norm 3) and db = [0, 4] (norm 4), "
             "global norm 5, max_norm = 1", (_worked(), 1.0)),
        Case("the same gradients, max_norm = 10 (under the cap: unchanged)", (_worked(), 10.0)),
        Case("[3] and [4]: each under max_norm = 4.5, together 5, over it",
             ([np.array([3.0]), np.array([4.0])], 4.5)),
        Case("a network's gradients dW1 (64, 32), db1, dW2 (32, 10), db2, max_norm = 5",
             (net, 5.0)),
        Case("one exploding array among small ones, max_norm = 2",
             ([np.array([[0.1, -0.2], [0.3, 0.0]]), np.array([[250.0, -40.0]]),
               np.array([0.5, 0.5])], 2.0)),
        Case("all-zero gradients (norm 0), max_norm = 1",
             ([np.zeros((3, 2)), np.zeros(2)], 1.0)),
        Case("float32 gradients, max_norm = 0.5 (float32 in, float32 out)",
             ([rng.normal(0, 1, (6, 4)).astype(np.float32), rng.normal(0, 1, 4).astype(np.float32)],
              0.5), rtol=1e-5, atol=1e-7),
    ]


def _clip_with(grads, max_norm, norm_of=None, scale_of=None, each=False, values=False,
               report=None):
    """A clipper with one rule changed (the keywords make the known mistakes)."""
    grads = [np.asarray(g) for g in grads]
    norm = norm_of(grads) if norm_of else clipping.global_norm(grads)
    if values:
        return [np.clip(g, -max_norm, max_norm) for g in grads], norm
    if each:
        return [g * min(1.0, max_norm / _norm(g)) if _norm(g) > 0 else g * 1.0
                for g in grads], norm
    scale = scale_of(norm, max_norm) if scale_of else (max_norm / norm if norm > max_norm
                                                        else 1.0)
    clipped = [g * scale for g in grads]
    return clipped, (report(norm, max_norm) if report else norm)


CLIP_MISTAKES = [
    Mistake("each array clipped separately",
            "you clipped each array to max_norm by its own norm; clipping by the *global* norm "
            "scales every array by the same factor max_norm / ‖g‖, where ‖g‖ = √(Σ over all the "
            "arrays of their squared entries), so the update keeps its direction.",
            lambda g, c: _clip_with(g, c, each=True)),
    Mistake("values clipped", "np.clip cuts each entry to [−max_norm, max_norm]: that changes "
            "the direction. Scale all the arrays by max_norm / ‖g‖ instead (only when ‖g‖ > "
            "max_norm).", lambda g, c: _clip_with(g, c, values=True)),
    Mistake("always rescaled", "you rescaled the gradients even when their norm was under "
            "max_norm (that normalises them to length max_norm); clip only when ‖g‖ > max_norm "
            "and leave them as they are otherwise.",
            lambda g, c: _clip_with(g, c, scale_of=lambda n, m: m / n)),
    Mistake("scale inverted", "you multiplied by ‖g‖ / max_norm, which makes big gradients "
            "bigger; the factor is max_norm / ‖g‖ (below 1 when clipping).",
            lambda g, c: _clip_with(g, c, scale_of=lambda n, m: n / m if n > m else 1.0)),
    Mistake("no square root", "your norm is the sum of squares Σ g²; the norm is its square "
            "root √(Σ g²).", lambda g, c: _clip_with(
                g, c, norm_of=lambda gs: clipping.global_norm(gs) ** 2)),
    Mistake("sum of the arrays' norms", "you added the arrays' norms ‖dW₁‖ + ‖db₁‖ + …; the "
            "global norm is √(‖dW₁‖² + ‖db₁‖² + …): square, add, then one square root.",
            lambda g, c: _clip_with(g, c, norm_of=lambda gs: sum(_norm(x) for x in gs))),
    Mistake("largest array norm", "you used the largest of the arrays' norms; the global norm "
            "counts every array: √(Σ over all arrays of Σ g²).",
            lambda g, c: _clip_with(g, c, norm_of=lambda gs: max(_norm(x) for x in gs))),
    Mistake("norm after clipping", "return the norm *before* clipping (what was measured, e.g. "
            "to log how big the gradients were), not the capped one.",
            lambda g, c: _clip_with(g, c, report=lambda n, m: min(n, m))),
    Mistake("mean of the squares", "you took the root of the *mean* square (an RMS); the norm "
            "adds the squares: √(Σ g²).", lambda g, c: _clip_with(
                g, c, norm_of=lambda gs: float(np.sqrt(np.mean(np.concatenate(
                    [np.ravel(x).astype(np.float64) ** 2 for x in gs])))))),
    Mistake("first array only", "your norm comes from the first array alone; the global norm "
            "counts every array in grads.",
            lambda g, c: _clip_with(g, c, norm_of=lambda gs: _norm(gs[0]))),
    Mistake("max_norm left out of the scale", "you divided by the norm but did not multiply by "
            "max_norm: the clipped gradients then have norm 1. The factor is max_norm / ‖g‖.",
            lambda g, c: _clip_with(g, c, scale_of=lambda n, m: 1 / n if n > m else 1.0)),
    Mistake("pair in the wrong order", "return (clipped, norm): the list of clipped arrays "
            "first, then the norm.",
            lambda g, c: tuple(reversed(clipping.clip_by_global_norm(g, c)))),
    Mistake("returned one flat vector", "return the clipped gradients as a list of arrays with "
            "the shapes they came in, not one concatenated vector.",
            lambda g, c: (lambda cl, n: ([np.concatenate([np.ravel(x) for x in cl])], n))(
                *clipping.clip_by_global_norm(g, c))),
    Mistake("returned one flat vector", "return the clipped gradients as a list of arrays with "
            "the shapes they came in, not one concatenated vector.",
            lambda g, c: (lambda cl, n: (np.concatenate([np.ravel(x) for x in cl]), n))(
                *clipping.clip_by_global_norm(g, c))),
]


def _clipped_problem(got, expected, rtol, atol):
    if not isinstance(got, (list, tuple)):
        return f"expected a list of {len(expected)} arrays, got {show(got)}"
    if len(got) != len(expected):
        return f"expected a list of {len(expected)} arrays (one per gradient), got {len(got)}"
    for k, (g, e) in enumerate(zip(got, expected)):
        why = problem(g, e, rtol, atol)
        if why is not None:
            return f"array {k}: {why}"
    return None


def _clip_shape(got):
    if isinstance(got, (list, tuple)) and got and all(isinstance(g, np.ndarray) for g in got):
        return (f"you returned {len(got)} arrays only; return the pair (clipped, norm): the list "
                "of clipped arrays and the global norm measured before clipping, "
                "`return clipped, norm`.")
    return None


@exercise(id="nb11_clip_by_global_norm", name="clip_by_global_norm", notebook=NOTEBOOK, points=2,
          verifies="one factor max_norm/‖g‖ for every array, only above the cap; shapes and "
                   "dtypes kept; the norm before clipping",
          reference=clipping.clip_by_global_norm, mistakes=CLIP_MISTAKES,
          arg_names=("grads", "max_norm"))
def judge_clip(fn, ctx):
    for case in clip_cases(ctx.rng):
        expected = clipping.clip_by_global_norm(*case.args)
        got = ctx.call(fn, *case.args, case=case)
        _judge_named(ctx, case, got, expected, ("clipped", "norm"), CLIP_MISTAKES, rtol=1e-5,
                     atol=1e-9, compare={"clipped": _clipped_problem}, shape=_clip_shape)


# --- exercise 3: warmup_cosine -----------------------------------------------------------------

def schedule_cases(rng):
    warmup = int(rng.integers(2, 20))
    total = warmup + int(rng.integers(20, 200))
    lr = float(np.round(rng.uniform(0.001, 0.5), 4))
    return [
        Case("lr = 1, warmup = 4, total = 12, lr_min = 0, at t = 0 … 15",
             (list(range(16)), 1.0, 4, 12, 0.0)),
        Case("no warm-up: lr = 0.1, warmup = 0, total = 10, lr_min = 0.01, at t = 0 … 12",
             (list(range(13)), 0.1, 0, 10, 0.01)),
        Case("lr = 3e-3, warmup = 100, total = 1000, lr_min = 1e-5, at t = 0, 1, 50, 98, 99, "
             "100, 101, 550, 999, 1000, 1500",
             ([0, 1, 50, 98, 99, 100, 101, 550, 999, 1000, 1500], 3e-3, 100, 1000, 1e-5)),
        Case("the shortest schedule: lr = 0.5, warmup = 1, total = 2, at t = 0 … 3",
             (list(range(4)), 0.5, 1, 2, 0.0)),
        Case(f"lr = {lr}, warmup = {warmup}, total = {total}, lr_min = {lr / 100:g}, every "
             f"step t = 0 … {total + 9}", (list(range(total + 10)), lr, warmup, total, lr / 100)),
    ]


def _rate(t, lr, warmup, total, lr_min, start=lambda t, W: (t + 1) / W,
          progress=lambda t, W, T: (t - W) / (T - W), clamp=True, half=0.5, one=1.0,
          floor=True, pi=math.pi, multiply=False, on_top=False, sign=1.0, linear=False,
          end=None, ramp_from_min=False):
    """A warm-up + cosine schedule with one rule changed (the keywords make the mistakes)."""
    if end is not None and end[0](t, total):
        return end[1]
    p = progress(t, warmup, total)
    p = min(p, 1.0) if clamp else p
    low = lr_min if floor and not on_top else 0.0
    wave = 2 * (1 - p) if linear else one + sign * math.cos(pi * p)
    cosine = low + half * (lr - low) * wave + (lr_min if on_top else 0.0)
    if multiply:
        return min(1.0, start(t, warmup)) * cosine if warmup else cosine
    if ramp_from_min and t < warmup:
        return lr_min + (lr - lr_min) * start(t, warmup)
    return lr * start(t, warmup) if t < warmup else cosine


def _rule(**changed):
    """The learner-shaped function ``f(t, lr, warmup, total, lr_min)`` of one changed rule."""
    return lambda t, lr, warmup, total, lr_min=0.0: _rate(t, lr, warmup, total, lr_min,
                                                           **changed)


SCHEDULE_MISTAKES = [
    Mistake("warm-up starts at 0", "your warm-up gives lr = 0 at t = 0 (lr·t/warmup), a wasted "
            "update; the course's warm-up is lr·(t + 1)/warmup: lr/warmup at the first step, lr "
            "at t = warmup − 1.", _rule(start=lambda t, W: t / W)),
    Mistake("warm-up one step too long", "your warm-up still runs at t = warmup (t <= warmup), "
            "so that step gets lr·(warmup + 1)/warmup, above the peak; the ramp is for t < "
            "warmup only, and the cosine starts at t = warmup with lr.",
            lambda t, lr, W, T, m=0.0: lr * (t + 1) / W if t <= W and W else
            _rate(t, lr, W, T, m)),
    Mistake("cosine one step early", "your cosine starts one step early, (t − warmup + 1)/"
            "(total − warmup): at t = warmup the rate must still be lr (progress 0).",
            _rule(progress=lambda t, W, T: (t - W + 1) / (T - W))),
    Mistake("cosine ends one step early", "you divided by (total − warmup − 1): the cosine must "
            "reach lr_min exactly at t = total, progress (t − warmup)/(total − warmup).",
            _rule(progress=lambda t, W, T: (t - W) / max(T - W - 1, 1))),
    Mistake("warm-up steps not subtracted", "your cosine's progress is t/total, as if there were "
            "no warm-up; it starts after the warm-up: (t − warmup)/(total − warmup).",
            _rule(progress=lambda t, W, T: t / T)),
    Mistake("progress over total", "the cosine lasts total − warmup steps: divide (t − warmup) "
            "by (total − warmup), not by total.", _rule(progress=lambda t, W, T: (t - W) / T)),
    Mistake("no ½", "you left out the ½: lr_min + ½(lr − lr_min)(1 + cos(π·progress)) starts at "
            "lr, not at 2·lr − lr_min.", _rule(half=1.0)),
    Mistake("cos without the 1 +", "the cosine part is ½(1 + cos(π·progress)), which runs from 1 "
            "to 0; ½·cos(π·progress) alone runs from ½ to −½.", _rule(one=0.0)),
    Mistake("lr_min left out", "your schedule decays to 0 and ignores lr_min: it is lr_min + "
            "½(lr − lr_min)(1 + cos(π·progress)).", _rule(floor=False)),
    Mistake("lr_min added on top", "you added lr_min to ½·lr·(1 + cos(…)), so the peak is lr + "
            "lr_min; scale the cosine by (lr − lr_min), so it runs from lr down to lr_min.",
            _rule(on_top=True)),
    Mistake("no clamp after total", "after t = total the rate must stay at lr_min; your cosine "
            "comes back up (cos is periodic): use min(1, progress).", _rule(clamp=False)),
    Mistake("π missing", "the cosine is cos(π·progress): without π it only falls from cos(0) to "
            "cos(1) and never reaches lr_min.", _rule(pi=1.0)),
    Mistake("warm-up multiplied into the cosine", "you multiplied a warm-up factor into a cosine "
            "computed from t = 0; the course's schedule is two pieces: the linear ramp for t < "
            "warmup, then a cosine that *starts* at t = warmup from lr.",
            _rule(progress=lambda t, W, T: t / T, multiply=True)),
    Mistake("integer division in the warm-up", "(t + 1) // warmup is an integer division: 0 "
            "for every warm-up step but the last. Use /, lr·(t + 1)/warmup.",
            _rule(start=lambda t, W: (t + 1) // W)),
    Mistake("1 − cos", "with 1 − cos(π·progress) the schedule climbs from lr_min to lr; the "
            "cosine part is ½(1 + cos(π·progress)), from 1 down to 0.", _rule(sign=-1.0)),
    Mistake("linear decay", "after the warm-up your rate falls on a straight line; the schedule "
            "follows half a cosine, lr_min + ½(lr − lr_min)(1 + cos(π·progress)) (slow at both "
            "ends, fast in the middle).", _rule(linear=True)),
    Mistake("0 after total", "after total the rate stays at lr_min (the cosine's end, progress "
            "capped at 1), not 0.", _rule(end=(lambda t, T: t >= T, 0.0))),
    Mistake("0 after total", "after total the rate stays at lr_min (the cosine's end, progress "
            "capped at 1), not 0.", _rule(end=(lambda t, T: t > T, 0.0))),
    Mistake("warm-up from lr_min", "the warm-up is lr·(t + 1)/warmup, a ramp from lr/warmup to "
            "lr; lr_min is where the cosine *ends*, not where the warm-up starts.",
            _rule(ramp_from_min=True)),
]


def schedule_curve(ts, lr, warmup, total, lr_min):
    """nnlib's ``schedules.warmup_cosine`` at every step of ``ts``, as an array."""
    return np.array([schedules.warmup_cosine(t, lr, warmup, total, lr_min) for t in ts])


def _replay_curve(m, args):
    ts, *rest = args
    try:
        with np.errstate(all="ignore"):
            return np.array([m.fn(t, *rest) for t in ts], dtype=np.float64)
    except Exception:
        return None


def _as_number(v):
    """The learner's value as a float, or a reason it is not one."""
    if v is None:
        return None, "returned None: did you forget the `return` statement?"
    if isinstance(v, bool) or isinstance(v, (str, dict, list, tuple)):
        return None, f"returned a {type(v).__name__}; return one number, the learning rate at t"
    if isinstance(v, np.ndarray):
        if v.size != 1:
            return None, f"returned an array of shape {v.shape}; return one number for one step t"
        v = v.reshape(())[()]
    try:
        return float(v), None
    except (TypeError, ValueError):
        return None, "returned something that is not a number"


@exercise(id="nb11_warmup_cosine", name="warmup_cosine", notebook=NOTEBOOK, points=2,
          verifies="lr·(t + 1)/warmup, then a cosine from lr at t = warmup to lr_min at t = "
                   "total and after, at every step",
          reference=schedules.warmup_cosine, mistakes=SCHEDULE_MISTAKES,
          arg_names=("t", "lr", "warmup", "total", "lr_min"))
def judge_schedule(fn, ctx):
    for case in schedule_cases(ctx.rng):
        ts, lr, warmup, total, lr_min = case.args
        expected = schedule_curve(*case.args)
        values = ctx.call(fn, *case.args, case=case, driver=drive_schedule, check_mutation=False)
        got = []
        for t, v in zip(ts, values):
            number, why = _as_number(v)
            if why:
                ctx.fail_case(case, f"at t = {t}: your function {why}.")
            got.append(number)
        got = np.array(got)
        bad = ~np.isclose(got, expected, rtol=1e-7, atol=1e-12)
        if not bad.any():
            ctx.pass_case(case)
            continue
        k = int(np.argmax(bad))
        shown = [i for i in range(len(ts)) if bad[i]][:4]
        mistake = next((m for m in SCHEDULE_MISTAKES
                        if matches(got, _replay_curve(m, case.args), 1e-7, 1e-12)), None)
        ctx.fail_case(case, f"{int(bad.sum())} of {len(ts)} steps differ; the first at t = {ts[k]}:",
                      f"expected: {expected[k]:.6g}", f"got:      {got[k]:.6g}",
                      "steps that differ: " + ", ".join(
                          f"t = {ts[i]}: expected {expected[i]:.4g}, got {got[i]:.4g}"
                          for i in shown), mistake=mistake)


# --- exercise 4: batchnorm_forward -------------------------------------------------------------

def bn_forward_cases(rng):
    X = rng.normal(3, 2, (32, 5)) * np.array([1.0, 10.0, 0.1, 1.0, 5.0])
    near_constant = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 6.0], [1.001, 8.0]])
    return [
        Case("the worked example: X [[1, 2], [3, 6]], gamma [2, 0.5], beta [0, 1], eps = 1e-5",
             (np.array([[1.0, 2.0], [3.0, 6.0]]), np.array([2.0, 0.5]), np.array([0.0, 1.0]),
              1e-5)),
        Case("a batch (32, 5) with features of very different means and scales, random gamma "
             "and beta", (X, rng.uniform(0.5, 2, 5), rng.normal(0, 1, 5), 1e-5)),
        Case("eps = 0.1 (large, so that it shows)",
             (rng.normal(0, 1, (6, 3)), np.ones(3), np.zeros(3), 0.1)),
        Case("a feature that hardly varies (1, 1, 1, 1.001), eps = 1e-5",
             (near_constant, np.array([1.0, 1.0]), np.array([0.5, 0.0]), 1e-5)),
        Case("a constant feature (variance 0) next to a varying one",
             (np.array([[2.0, 1.0], [2.0, 2.0], [2.0, 3.0]]), np.array([3.0, 1.0]),
              np.array([-1.0, 0.0]), 1e-5)),
        Case("float32 X, gamma and beta (16, 4): float32 out",
             (rng.normal(0, 1, (16, 4)).astype(np.float32), np.full(4, 1.5, np.float32),
              np.full(4, 0.25, np.float32), 1e-5), rtol=1e-4, atol=1e-5),
        Case("eps left at its default, 1e-5 (called with X, gamma, beta only)",
             (near_constant, np.array([2.0, 1.0]), np.array([0.0, 1.0]))),
    ]


def _bn(X, gamma, beta, eps=1e-5, axis=0, ddof=0, root=True, eps_inside=True, affine=True,
        swap=False, shift_first=False, center=True, scale=True, shift=True, gamma_first=False,
        uncentred_var=False, std_for_var=False):
    """Batch norm's forward with one rule changed (the keywords make the known mistakes)."""
    X = np.asarray(X, dtype=np.float64)
    keep = axis is not None and axis != 0
    mu = X.mean(axis=axis, keepdims=keep)
    var = X.var(axis=axis, ddof=ddof, keepdims=keep)
    if uncentred_var:
        var = (X ** 2).mean(axis=axis, keepdims=keep)
    if std_for_var:
        var = X.std(axis=axis, ddof=ddof, keepdims=keep)
    if root:
        spread = np.sqrt(var + eps) if eps_inside else np.sqrt(var) + eps
    else:
        spread = var + eps
    X_hat = ((X - mu) if center else X) / (spread if scale else 1.0)
    if not affine:
        return X_hat
    if gamma_first:
        return (gamma * X - mu) / spread + beta
    if not shift:
        return gamma * X_hat
    g, b = (beta, gamma) if swap else (gamma, beta)
    return g * (X_hat + b) if shift_first else g * X_hat + b


BN_FORWARD_MISTAKES = [
    Mistake("statistics per sample (axis=1)", "you normalised each *sample* over its features "
            "(axis=1, that is layer normalization); batch norm normalises each *feature* over the "
            "batch: X.mean(axis=0), X.var(axis=0).", lambda *a: _bn(*a, axis=1)),
    Mistake("statistics over the whole batch", "you took one mean and one variance over every "
            "entry (no axis); batch norm has one per feature (column): axis=0.",
            lambda *a: _bn(*a, axis=None)),
    Mistake("unbiased variance (ddof=1)", "you divided by N − 1 (ddof=1, or pandas' default); "
            "batch norm uses the batch's own variance, mean((X − μ)²), divided by N: "
            "X.var(axis=0).", lambda *a: _bn(*a, ddof=1)),
    Mistake("no ε", "you left out ε: divide by √(σ² + ε), not √σ² (a feature whose values are "
            "all equal would give 0/0 = NaN).", lambda X, g, b, e=1e-5: _bn(X, g, b, 0.0)),
    Mistake("ε outside the square root", "ε goes *inside* the square root: √(σ² + ε), not "
            "√σ² + ε.", lambda *a: _bn(*a, eps_inside=False)),
    Mistake("divided by the variance", "divide by the standard deviation √(σ² + ε), not by the "
            "variance σ² + ε.", lambda *a: _bn(*a, root=False)),
    Mistake("γ and β swapped", "γ (gamma) multiplies and β (beta) is added: γ·X̂ + β.",
            lambda *a: _bn(*a, swap=True)),
    Mistake("no γ and β", "you returned X̂ itself; the layer's output is γ·X̂ + β (γ and β are "
            "what training can change).", lambda *a: _bn(*a, affine=False)),
    Mistake("β added before scaling", "scale first, then shift: γ·X̂ + β, not γ·(X̂ + β).",
            lambda *a: _bn(*a, shift_first=True)),
    Mistake("not centred", "subtract the batch mean before dividing: (X − μ)/√(σ² + ε).",
            lambda *a: _bn(*a, center=False)),
    Mistake("not divided by the spread", "after subtracting μ, divide by √(σ² + ε) so each "
            "feature has variance ≈ 1.", lambda *a: _bn(*a, scale=False)),
    Mistake("transposed, not transposed back", "you worked on X.T (one row per feature) and "
            "returned that: transpose the result back, so Y has X's shape (N, D).",
            lambda *a: _bn(*a).T),
    Mistake("no β", "you returned γ·X̂ and left out the shift: the output is γ·X̂ + β.",
            lambda *a: _bn(*a, shift=False)),
    Mistake("γ applied before normalising", "normalise X first, X̂ = (X − μ)/√(σ² + ε), then "
            "scale and shift: γ·X̂ + β (multiplying X by γ first, then subtracting X's μ, mixes "
            "the two).", lambda *a: _bn(*a, gamma_first=True)),
    Mistake("standard deviation where the variance belongs", "you put the standard deviation "
            "σ under the root, √(σ + ε): the root is of the variance, √(σ² + ε), with "
            "σ² = X.var(axis=0) (or take X.std(axis=0) without a second root).",
            lambda *a: _bn(*a, std_for_var=True)),
    Mistake("variance not centred", "σ² is the mean of (X − μ)², not of X²: X.var(axis=0), or "
            "((X − μ)**2).mean(axis=0).", lambda *a: _bn(*a, uncentred_var=True)),
]

exercise(
    id="nb11_batchnorm_forward", name="batchnorm_forward", notebook=NOTEBOOK, points=2,
    verifies="γ·(X − μ)/√(σ² + ε) + β per feature, μ and σ² (÷N) over the batch axis; dtype "
             "kept",
    reference=normalization.batchnorm_forward, mistakes=BN_FORWARD_MISTAKES,
    arg_names=("X", "gamma", "beta", "eps"),
)(single_output_judge(bn_forward_cases, normalization.batchnorm_forward, BN_FORWARD_MISTAKES,
                      rtol=1e-7, atol=1e-9))


# --- exercise 5: batchnorm_backward ------------------------------------------------------------

def bn_backward_cases(rng):
    X = rng.normal(2, 3, (16, 4))
    return [
        Case("three samples, one feature: X [[0], [1], [5]], gamma [2], dout [[1], [2], [-1]]",
             (np.array([[1.0], [2.0], [-1.0]]), np.array([[0.0], [1.0], [5.0]]),
              np.array([2.0]), 1e-5)),
        Case("two samples: X̂ is ±1 whatever X is, so dX ≈ 0",
             (np.array([[1.0, -2.0], [5.0, 3.0]]), np.array([[0.0, 1.0], [4.0, -1.0]]),
              np.array([3.0, 0.5]), 1e-5), atol=1e-6),
        Case("a batch (16, 4), random gamma and dout",
             (rng.standard_normal((16, 4)), X, rng.uniform(0.5, 2, 4), 1e-5)),
        Case("eps = 0.5 (large, so that it shows)",
             (rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), np.ones(3), 0.5)),
        Case("float32 arrays (8, 3)",
             (rng.standard_normal((8, 3)).astype(np.float32),
              rng.normal(1, 2, (8, 3)).astype(np.float32), np.full(3, 1.5, np.float32), 1e-5),
             rtol=1e-4, atol=1e-5),
        Case("eps left at its default, 1e-5 (called with dout, X, gamma only)",
             (rng.standard_normal((4, 2)), np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0],
                                                     [1.001, 3.0]]), np.array([1.0, 2.0]))),
    ]


def _bn_backward(dout, X, gamma, eps=1e-5, ddof=0, constant=False, mean_term=True, var_term=True,
                 with_gamma=True, swap=False, dgamma_from_X=False, means=False, axis=0,
                 sign=1.0, times_n=False, no_eps=False, whole=False, mean_sign=1.0, sums=False,
                 first_over_n=False, dgamma_gamma=False, feat=False, var_sign=1.0,
                 no_inv=False, times_std=False):
    """Batch norm's backward with one rule changed (the keywords make the known mistakes)."""
    dout, X = np.asarray(dout, np.float64), np.asarray(X, np.float64)
    N = X.shape[0]
    mu, var = X.mean(axis=0), X.var(axis=0, ddof=ddof)
    inv = 1 / np.sqrt(var + (0.0 if no_eps else eps))
    X_hat = (X - mu) * inv
    g = gamma if with_gamma else 1.0
    if constant:
        dX = dout * g * inv
    else:
        gd = dout * g                   # the gradient reaching X̂
        inner = gd * (N if times_n else 1) / (N if first_over_n else 1)
        ax = None if whole else (1 if feat else 0)
        red = (lambda a: a.sum(axis=ax, keepdims=True)) if times_n or sums \
            else (lambda a: a.mean(axis=ax, keepdims=True))
        if mean_term:
            inner = inner - sign * mean_sign * red(gd)
        if var_term:
            inner = inner - sign * var_sign * X_hat * red(gd * X_hat)
        dX = inner if no_inv else inner / inv if times_std else inv * inner
    reduce = (lambda a: a.mean(axis=axis)) if means else (lambda a: a.sum(axis=axis))
    dbeta = reduce(dout)
    dgamma = reduce(dout * (X if dgamma_from_X else X_hat)) * (gamma if dgamma_gamma else 1.0)
    return (dX, dbeta, dgamma) if swap else (dX, dgamma, dbeta)


def _bn_staged(dout, X, gamma, eps=1e-5, power=-1.5, two=2.0):
    """The backward pass step by step through the forward's graph (CS231n's way), with one
    step changed."""
    N = X.shape[0]
    mu, var = X.mean(axis=0), X.var(axis=0)
    xmu, ivar = X - mu, 1 / np.sqrt(var + eps)
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xmu, axis=0) * -0.5 * (var + eps) ** power
    dmu = np.sum(-dxhat * ivar, axis=0) + dvar * np.mean(-2 * xmu, axis=0)
    dX = dxhat * ivar + dvar * two * xmu / N + dmu / N
    return dX, np.sum(dout * xmu * ivar, axis=0), dout.sum(axis=0)


BN_BACKWARD_MISTAKES = [
    Mistake("multiplied by σ instead of divided", "the bracket is multiplied by the standard "
            "deviation √(σ² + ε); it is divided by it: dX = (1/√(σ² + ε)) · (g − mean(g) − "
            "X̂·mean(g·X̂)), as X̂ = (X − μ)/√(σ² + ε) divides.",
            lambda *a: _bn_backward(*a, times_std=True)),
    Mistake("means over the whole array", "the means in dX's bracket are per feature, over the "
            "batch (axis=0): mean(g, axis=0) and mean(g·X̂, axis=0), not one mean of every "
            "entry.", lambda *a: _bn_backward(*a, whole=True)),
    Mistake("mean(dout) added, not subtracted", "the term from μ is subtracted: dX = "
            "γ/√(σ² + ε)·(dout − mean(dout) − X̂·mean(dout·X̂)); you added mean(dout).",
            lambda *a: _bn_backward(*a, mean_sign=-1.0)),
    Mistake("sums instead of means in dX", "inside dX's bracket the two reductions are means "
            "over the batch (÷N); with sums they are N times too large (or keep the sums and "
            "multiply dout by N: (1/N)·(N·dout − Σ dout − X̂·Σ dout·X̂)).",
            lambda *a: _bn_backward(*a, sums=True)),
    Mistake("the N on dout missing", "in the compact form (1/N)·γ/√(σ² + ε)·(N·dout − Σ dout − "
            "X̂·Σ dout·X̂) the first term is N·dout: with dout alone it is N times too small.",
            lambda *a: _bn_backward(*a, first_over_n=True)),
    Mistake("dgamma times γ", "dgamma = Σ dout·X̂ over the batch: γ multiplies X̂ in the "
            "forward, so its gradient has no γ in it (γ goes into dX).",
            lambda *a: _bn_backward(*a, dgamma_gamma=True)),
    Mistake("μ and σ treated as constants", "dX = dout·γ/√(σ² + ε) treats the batch's μ and σ² as "
            "constants, but every sample moves them: subtract the mean of dout and the mean of "
            "dout·X̂ times X̂, dX = γ/√(σ² + ε)·(dout − mean(dout) − X̂·mean(dout·X̂)).",
            lambda *a: _bn_backward(*a, constant=True)),
    Mistake("means over the features (axis=1)", "the means in dX's bracket are per feature, "
            "over the batch (axis=0): mean(g, axis=0) and mean(g·X̂, axis=0); axis=1 averages "
            "each sample's features instead.", lambda *a: _bn_backward(*a, feat=True)),
    Mistake("σ² term added, not subtracted", "the term from σ² is subtracted: dX = "
            "γ/√(σ² + ε)·(dout − mean(dout) − X̂·mean(dout·X̂)); you added X̂·mean(dout·X̂).",
            lambda *a: _bn_backward(*a, var_sign=-1.0)),
    Mistake("1/√(σ² + ε) left out of dX", "X̂ = (X − μ)/√(σ² + ε), so dX carries the factor "
            "1/√(σ² + ε) in front of the bracket: γ/√(σ² + ε)·(dout − mean(dout) − "
            "X̂·mean(dout·X̂)).", lambda *a: _bn_backward(*a, no_inv=True)),
    Mistake("mean term missing", "your dX misses the term from μ: subtract mean(dout) (over the "
            "batch, axis 0) inside the bracket.", lambda *a: _bn_backward(*a, mean_term=False)),
    Mistake("variance term missing", "your dX misses the term from σ²: subtract "
            "X̂·mean(dout·X̂) inside the bracket.", lambda *a: _bn_backward(*a, var_term=False)),
    Mistake("γ left out of dX", "Y = γ·X̂ + β, so the gradient reaching X̂ is dout·γ: multiply dX "
            "by gamma.", lambda *a: _bn_backward(*a, with_gamma=False)),
    Mistake("dgamma and dbeta swapped", "dgamma = Σ dout·X̂ and dbeta = Σ dout, returned in the "
            "order (dX, dgamma, dbeta).", lambda *a: _bn_backward(*a, swap=True)),
    Mistake("dgamma from X, not X̂", "γ multiplies the *normalised* X̂, so dgamma = Σ dout·X̂, not "
            "Σ dout·X.", lambda *a: _bn_backward(*a, dgamma_from_X=True)),
    Mistake("means instead of sums", "dgamma and dbeta add the batch's contributions up (Σ over "
            "axis 0, like db in a Dense layer); the mean is 1/N of that.",
            lambda *a: _bn_backward(*a, means=True)),
    Mistake("sums over the features (axis=1)", "dgamma and dbeta have one entry per feature, "
            "shape (D,): sum over the batch, axis=0.", lambda *a: _bn_backward(*a, axis=1)),
    Mistake("unbiased variance (ddof=1)", "the forward pass used the ÷N variance, so the backward "
            "must too: X.var(axis=0), not ddof=1.", lambda *a: _bn_backward(*a, ddof=1)),
    Mistake("signs of the correction terms flipped", "the two terms are *subtracted*: "
            "dout − mean(dout) − X̂·mean(dout·X̂).", lambda *a: _bn_backward(*a, sign=-1.0)),
    Mistake("sums instead of means in dX", "with sums (N·dout − Σdout − X̂·Σ dout·X̂) the bracket "
            "must be divided by N; you left out the 1/N.",
            lambda *a: _bn_backward(*a, times_n=True)),
    Mistake("no ε", "use the same √(σ² + ε) as the forward pass, ε included.",
            lambda *a: _bn_backward(*a, no_eps=True)),
    Mistake("∂σ² with the power −½", "∂/∂σ² of (σ² + ε)^(−½) is −½·(σ² + ε)^(−3/2): the power "
            "goes down by one, to −3/2. (In the compact form the same slip is X − μ where X̂ "
            "belongs: the σ² term is X̂·mean(dout·γ·X̂), normalised both times.)",
            lambda *a: _bn_staged(*a, power=-0.5)),
    Mistake("the 2 of ∂σ²/∂X left out", "σ² = mean((X − μ)²), so ∂σ²/∂X = 2(X − μ)/N: keep the "
            "2.", lambda *a: _bn_staged(*a, two=1.0)),
]

BN_NAMES = ("dX", "dgamma", "dbeta")


@exercise(id="nb11_batchnorm_backward", name="batchnorm_backward", notebook=NOTEBOOK, points=3,
          verifies="dX through the batch's μ and σ², dgamma = Σ dout·X̂, dbeta = Σ dout, "
                   "shapes (N, D), (D,), (D,)",
          reference=normalization.batchnorm_backward, mistakes=BN_BACKWARD_MISTAKES,
          arg_names=("dout", "X", "gamma", "eps"))
def judge_bn_backward(fn, ctx):
    for case in bn_backward_cases(ctx.rng):
        expected = normalization.batchnorm_backward(*case.args)
        got = ctx.call(fn, *case.args, case=case)
        _judge_named(ctx, case, got, expected, BN_NAMES, BN_BACKWARD_MISTAKES, rtol=1e-6,
                     atol=1e-9)


# --- exercise 6: batchnorm (training and inference, running statistics) ------------------------

def bn_layer_cases(rng):
    X = rng.normal(1, 2, (20, 3))
    rm, rv = rng.normal(0, 1, 3), rng.uniform(0.5, 2, 3)
    g, b = rng.uniform(0.5, 2, 3), rng.normal(0, 1, 3)
    X2 = np.array([[1.0, 2.0], [3.0, 6.0]])
    return [
        Case("training, the worked example: X [[1, 2], [3, 6]], gamma 1, beta 0, running mean 0 "
             "and variance 1, momentum 0.9",
             (X2, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), True, 0.9, 1e-5)),
        Case("inference with those running statistics: mean [0.2, 0.4], variance [1, 1.3]",
             (X2, np.ones(2), np.zeros(2), np.array([0.2, 0.4]), np.array([1.0, 1.3]), False,
              0.9, 1e-5)),
        Case("training on a batch (20, 3), random gamma, beta and running statistics, momentum "
             "0.8", (X, g, b, rm, rv, True, 0.8, 1e-5)),
        Case("inference on the same batch", (X, g, b, rm, rv, False, 0.8, 1e-5)),
        Case("inference on one sample (1, 3)", (X[:1], g, b, rm, rv, False, 0.8, 1e-5)),
        Case("training with momentum 0: the running statistics become the batch's",
             (X[:6], g, b, rm, rv, True, 0.0, 1e-5)),
        Case("inference with eps = 0.5 (large, so that it shows)",
             (X[:4], g, b, rm, np.full(3, 0.01), False, 0.9, 0.5)),
        Case("training, with momentum and eps left at their defaults (0.9 and 1e-5)",
             (X[:8], g, b, rm, np.full(3, 1e-4), True)),
    ]


def _layer(X, gamma, beta, rm, rv, training, momentum=0.9, eps=1e-5, update_in=(True,),
           batch_stats_in=(True,), swap_momentum=False, ddof=0, store_std=False, replace=False,
           eps_at_inference=True, update_var=True, root_at_inference=True, fresh=False,
           affine_at_inference=True, swap_out=False, uncentred=False, per_sample=False,
           unbiased_Y=False):
    """The layer's forward with one rule changed (the keywords make the known mistakes)."""
    X = np.asarray(X, np.float64)
    mu, var = X.mean(axis=0), X.var(axis=0)
    if training and (fresh or uncentred or per_sample or swap_out):
        if per_sample:
            mu_s, var_s = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)
            Y = gamma * (X - mu_s) / np.sqrt(var_s + eps) + beta
            mu, var = mu_s.mean(), var_s.mean()
        batch_var = (X ** 2).mean(axis=0) if uncentred else var
        rm, rv = momentum * rm + (1 - momentum) * mu, momentum * rv + (1 - momentum) * batch_var
        if fresh:
            Y = gamma * (X - rm) / np.sqrt(rv + eps) + beta
        elif not per_sample:
            Y = normalization.batchnorm_forward(X, gamma, beta, eps)
        return (Y, rv, rm) if swap_out else (Y, rm, rv)
    if not training and not affine_at_inference:
        return (X - rm) / np.sqrt(rv + eps), rm, rv
    if not training and swap_out:
        return gamma * (X - rm) / np.sqrt(rv + eps) + beta, rv, rm
    if training and unbiased_Y:
        Y = gamma * (X - mu) / np.sqrt(X.var(axis=0, ddof=1) + eps) + beta
    elif training in batch_stats_in:
        Y = normalization.batchnorm_forward(X, gamma, beta, eps)
    else:
        spread = rv + (eps if eps_at_inference else 0.0)
        Y = gamma * (X - rm) / (np.sqrt(spread) if root_at_inference else spread) + beta
    if training in update_in:
        batch_var = X.var(axis=0, ddof=ddof) if ddof else var
        batch_var = np.sqrt(batch_var) if store_std else batch_var
        m = 1 - momentum if swap_momentum else momentum
        if replace:
            rm, rv = mu, batch_var
        else:
            rm = m * rm + (1 - m) * mu
            rv = m * rv + (1 - m) * batch_var if update_var else rv
    return Y, rm, rv


BN_LAYER_MISTAKES = [
    Mistake("unbiased variance (ddof=1)", "you divided by N − 1 (ddof=1, PyTorch's unbiased "
            "estimate) for the variance you normalise with and store; batch norm normalises "
            "with the batch's ÷N variance, X.var(axis=0), and this layer stores that same one.",
            lambda *a: _layer(*a, ddof=1, unbiased_Y=True)),
    Mistake("normalised with the updated running statistics", "in training, normalise with the "
            "batch's own μ and σ² (batchnorm_forward); the running averages you update are for "
            "inference only, not for this batch.", lambda *a: _layer(*a, fresh=True)),
    Mistake("γ and β left out at inference", "at inference the output is still γ·(X − "
            "running_mean)/√(running_var + ε) + β: only the statistics change, not the scale and "
            "shift.", lambda *a: _layer(*a, affine_at_inference=False)),
    Mistake("running statistics swapped", "return (Y, running_mean, running_var), in that order: "
            "the mean first, then the variance.", lambda *a: _layer(*a, swap_out=True)),
    Mistake("running variance not centred", "the running variance averages the batch's variance "
            "mean((X − μ)²) = X.var(axis=0), not mean(X²).", lambda *a: _layer(*a, uncentred=True)),
    Mistake("statistics per sample (axis=1)", "batch norm's statistics are per *feature*, over "
            "the batch (axis=0); axis=1 normalises each sample over its features (layer norm).",
            lambda *a: _layer(*a, per_sample=True)),
    Mistake("running statistics updated at inference", "at inference the running statistics "
            "must not change: predicting the validation set would otherwise change the network. "
            "Update them only when training is True.",
            lambda *a: _layer(*a, update_in=(True, False))),
    Mistake("batch statistics at inference", "at inference, normalise with the *running* mean "
            "and variance: a prediction must not depend on the other samples in the batch (and "
            "one sample has no variance).", lambda *a: _layer(*a, batch_stats_in=(True, False))),
    Mistake("running statistics in training", "while training, normalise with the batch's own "
            "mean and variance (batchnorm_forward); the running ones are only for inference.",
            lambda *a: _layer(*a, batch_stats_in=())),
    Mistake("modes swapped", "your two modes are the wrong way round: training uses the batch's "
            "statistics and updates the running ones; inference uses the running ones.",
            lambda *a: _layer(*a, batch_stats_in=(False,), update_in=(False,))),
    Mistake("momentum on the wrong side", "the running average keeps `momentum` of the old value: "
            "momentum·running + (1 − momentum)·batch (PyTorch's momentum=0.1 counts the other "
            "way round: it is the weight of the new batch).",
            lambda *a: _layer(*a, swap_momentum=True)),
    Mistake("unbiased variance in the running average", "you stored the ÷(N − 1) variance (as "
            "PyTorch does); here the running variance averages the same ÷N variance the batch was "
            "normalised with: X.var(axis=0).", lambda *a: _layer(*a, ddof=1)),
    Mistake("running standard deviation", "keep a running *variance* (σ²), not a running standard "
            "deviation: inference divides by √(running_var + ε).",
            lambda *a: _layer(*a, store_std=True)),
    Mistake("running statistics replaced", "you replaced the running statistics by the batch's; "
            "average them: momentum·running + (1 − momentum)·batch.",
            lambda *a: _layer(*a, replace=True)),
    Mistake("running statistics never updated", "in training, update the running mean and "
            "variance: momentum·running + (1 − momentum)·batch.",
            lambda *a: _layer(*a, update_in=())),
    Mistake("running variance not updated", "you updated the running mean but not the running "
            "variance; both are averaged the same way.", lambda *a: _layer(*a, update_var=False)),
    Mistake("no ε at inference", "at inference divide by √(running_var + ε), with the same ε as "
            "in training.", lambda *a: _layer(*a, eps_at_inference=False)),
    Mistake("running variance not square-rooted", "at inference divide by the running *standard "
            "deviation* √(running_var + ε), not by the variance itself.",
            lambda *a: _layer(*a, root_at_inference=False)),
]

LAYER_NAMES = ("Y", "running_mean", "running_var")


@exercise(id="nb11_batchnorm", name="batchnorm", notebook=NOTEBOOK, points=2,
          verifies="training: the batch's statistics, running averages updated with momentum; "
                   "inference: the running statistics, unchanged; inputs not changed",
          reference=normalization.batchnorm, mistakes=BN_LAYER_MISTAKES,
          arg_names=("X", "gamma", "beta", "running_mean", "running_var", "training",
                     "momentum", "eps"))
def judge_bn_layer(fn, ctx):
    for case in bn_layer_cases(ctx.rng):
        expected = normalization.batchnorm(*case.args)
        got = ctx.call(fn, *case.args, case=case)
        if isinstance(got, np.ndarray) and got.shape == np.shape(case.args[0]):
            ctx.fail_case(case, problem="returned only Y", show_input=True, mistake=ONLY_Y)
        _judge_named(ctx, case, got, expected, LAYER_NAMES, BN_LAYER_MISTAKES, rtol=1e-7,
                     atol=1e-10)


ONLY_Y = Mistake("only Y returned", "return the tuple (Y, running_mean, running_var) in both "
                 "branches: at inference the running statistics come back unchanged, but they "
                 "still come back (the caller keeps what you return).", None)


# --- exercise 7: dropout_forward ---------------------------------------------------------------

def dropout_cases(rng):
    X = rng.normal(0, 1, (8, 5))
    keep = rng.random((8, 5)) >= 0.3
    X32 = rng.normal(0, 1, (4, 6)).astype(np.float32)
    keep32 = rng.random((4, 6)) >= 0.5
    X_hand = np.array([[1.0, 2.0], [3.0, 4.0]])
    keep_hand = np.array([[True, False], [True, True]])
    return [
        Case("the worked example: X [[1, 2], [3, 4]], keep [[T, F], [T, T]], p = 0.5, training",
             (X_hand, 0.5, keep_hand, True)),
        Case("the same, p = 0.2", (X_hand, 0.2, keep_hand, True)),
        Case("a batch (8, 5), p = 0.3, training", (X, 0.3, keep, True)),
        Case("inference: p = 0.3 and a mask are given, but dropout does nothing",
             (X, 0.3, keep, False)),
        Case("p = 0 (nothing dropped), training", (X[:3], 0.0, np.ones((3, 5), bool), True)),
        Case("float32 X, p = 0.5, training (float32 in, float32 out)", (X32, 0.5, keep32, True),
             rtol=1e-6),
        Case("float32 X at inference", (X32, 0.5, keep32, False)),
    ]


def _drop(X, p, keep, training, scale=lambda p: 1 / (1 - p), invert=False, at_inference=None,
          use_mask=True, minus_p=False):
    """Dropout with one rule changed (the keywords make the known mistakes)."""
    mask = ~np.asarray(keep) if invert else np.asarray(keep)
    if training and minus_p:
        return X * mask / 1 - p
    if training:
        return (X * mask if use_mask else X) * scale(p)
    return X if at_inference is None else at_inference(X, p, mask)


DROPOUT_MISTAKES = [
    Mistake("brackets missing around 1 − p", "X * keep / 1 - p divides by 1 and then subtracts "
            "p (/ binds before −): write X * keep / (1 - p).",
            lambda X, p, keep, training: _drop(X, p, keep, training, minus_p=True)),
    Mistake("no 1/(1 − p) scaling", "you dropped units but did not scale the kept ones: inverted "
            "dropout divides them by (1 − p), so that each output keeps its expected value and "
            "inference needs no change.", lambda *a: _drop(*a, scale=lambda p: 1.0)),
    Mistake("scaled by 1/p", "divide by the probability of *keeping* a unit, 1 − p; p is the "
            "probability of dropping it.", lambda *a: _drop(*a, scale=lambda p: 1 / p)),
    Mistake("multiplied by (1 − p)", "inverted dropout *divides* the kept outputs by (1 − p) "
            "while training (multiplying by 1 − p at inference is the old, non-inverted kind).",
            lambda *a: _drop(*a, scale=lambda p: 1 - p)),
    Mistake("mask inverted", "keep is True where a unit is *kept*: multiply by keep, not by its "
            "opposite.", lambda *a: _drop(*a, invert=True)),
    Mistake("mask ignored", "in training, multiply by the mask keep (0 for dropped units), then "
            "divide by (1 − p).", lambda *a: _drop(*a, use_mask=False)),
    Mistake("dropout at inference", "at inference (training=False) dropout does nothing: return "
            "X as it is, with no mask and no scaling.",
            lambda *a: _drop(*a, at_inference=lambda X, p, m: X * m / (1 - p))),
    Mistake("mask applied at inference", "at inference no unit is dropped: return X unchanged.",
            lambda *a: _drop(*a, at_inference=lambda X, p, m: X * m)),
    Mistake("scaled at inference (non-inverted dropout)", "multiplying by (1 − p) at inference is "
            "the original, non-inverted dropout; with inverted dropout the scaling happens in "
            "training, and inference returns X unchanged.",
            lambda *a: _drop(*a, at_inference=lambda X, p, m: X * (1 - p))),
    Mistake("divided at inference", "at inference return X unchanged: the 1/(1 − p) belongs to "
            "training only.", lambda *a: _drop(*a, at_inference=lambda X, p, m: X / (1 - p))),
    Mistake("returned the mask", "return the layer's output X·keep/(1 − p), not the mask.",
            lambda X, p, keep, training: (np.asarray(keep) / (1 - p)) if training else X),
    Mistake("dropped units not zeroed", "np.where(keep, X / (1 − p), X) scales the kept units "
            "but leaves the dropped ones as they were: a dropped unit outputs 0, "
            "np.where(keep, X / (1 - p), 0) or X * keep / (1 - p).",
            lambda X, p, keep, training: np.where(keep, X / (1 - p), X) if training else X),
    Mistake("training and inference swapped", "dropout works while training (training=True: "
            "X·keep/(1 − p)) and does nothing at inference (training=False: X unchanged); your "
            "branches are the other way round (e.g. `if not training:`).",
            lambda X, p, keep, training: X if training else X * keep / (1 - p)),
]

OWN_MASK = Mistake(
    "a mask of its own", "every output is 0 or X/(1 − p), but not where `keep` says: you drew "
    "a random mask yourself. Use the mask you are given, X * keep / (1 - p), so that the "
    "backward pass (and the check) can use the same units.", None)


def _judge_dropout(fn, ctx):
    """The single-output judge, after looking for a mask of the learner's own in training."""
    for case in dropout_cases(ctx.rng):
        X, p, keep, training = case.args
        got = ctx.call(fn, *case.args, case=case)
        if training and isinstance(got, np.ndarray) and got.shape == np.shape(X):
            scaled = np.asarray(X, np.float64) / (1 - p)
            dropped = np.isclose(got, 0.0, atol=1e-12) & ~np.isclose(scaled, 0.0)
            kept = np.isclose(got, scaled, rtol=1e-6, atol=1e-12)
            mask = np.asarray(keep, bool)
            own = np.all(dropped | kept) and not kept.all() and not dropped.all() and not any(
                np.array_equal(kept, m) for m in (mask, ~mask))   # (else: known mistakes)
            for _ in range(3 if not own and not np.allclose(
                    got, regularization.dropout_forward(*case.args)) else 0):
                again = ctx.call(fn, *case.args, case=case)    # a mask drawn at random anew?
                own = own or isinstance(again, np.ndarray) and again.shape == got.shape and \
                    not np.array_equal(again, got, equal_nan=True)
            if own:
                ctx.fail_case(case, expected=regularization.dropout_forward(*case.args),
                              got=got, problem="the zeros are not where keep is False",
                              mistake=OWN_MASK)
        ctx.compare(got, regularization.dropout_forward(*case.args), case, DROPOUT_MISTAKES,
                    rtol=1e-12, atol=1e-14, wrong_here=True)


exercise(
    id="nb11_dropout_forward", name="dropout_forward", notebook=NOTEBOOK, points=1,
    verifies="training: X·keep/(1 − p); inference: X unchanged; shape and dtype kept",
    reference=regularization.dropout_forward, mistakes=DROPOUT_MISTAKES,
    arg_names=("X", "p", "keep", "training"),
)(_judge_dropout)

# nnlib code that also *is* an answer (the layers that call these functions): a learner's
# function that calls it is flagged by the grader as using the course's answer.
for _id, _names in {"nb11_batchnorm": ("nnlib.normalization.BatchNorm",),
                    "nb11_dropout_forward": ("nnlib.regularization.Dropout",),
                    "nb11_clip_by_global_norm": ("nnlib.clipping.clip_gradients",),
                    "nb11_warmup_cosine": ("nnlib.schedules.get_schedule",)}.items():
    EXERCISES[_id].implemented_by += _names


name_errors("nb11_warmup_cosine", {"division by zero": Mistake(
    "the warm-up computed when warmup = 0",
    "with warmup = 0 there is no warm-up, so (t + 1) / warmup divides by zero: compute it only "
    "inside `if t < warmup:` (never true then).", None)})
