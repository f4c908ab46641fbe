"""Learning-rate schedules: the learning rate as a function of the update step.

Every schedule has the same signature ``schedule(t, lr, ...) -> float``, where ``t`` counts the
optimizer's updates **from 0** (the first update is t = 0) and ``lr`` is the base (largest)
learning rate. ``fit(..., schedule=f)`` calls ``f(t)`` before every update and sets the
optimizer's ``lr`` to it; :func:`get_schedule` builds such an ``f`` from a name.

    constant       lr
    step_decay     lr · drop^⌊t / every⌋                       (halve it every 10 steps, say)
    cosine_decay   lr_min + ½(lr − lr_min)(1 + cos(π t / total))  from lr at t = 0 to lr_min at
                   t = total, and lr_min after
    linear_warmup  lr · (t + 1) / warmup for the first ``warmup`` updates, then lr
    warmup_cosine  a linear warm-up, then a cosine decay over the remaining total − warmup steps

The warm-up's first step is lr/warmup, not 0 (a step with lr = 0 would be a wasted update), and
it reaches lr at t = warmup − 1; the cosine then starts from lr at t = warmup.
"""

import functools
import math


def _whole(name, value, minimum):
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"invalid {name}: {value!r} (must be a whole number >= {minimum})")
    return int(value)


def _check_lr(lr, lr_min=0.0):
    if not lr > 0:
        raise ValueError(f"invalid learning rate lr: {lr!r} (must be > 0)")
    if not 0 <= lr_min <= lr:
        raise ValueError(f"invalid lr_min: {lr_min!r} (must be in [0, lr])")


def constant(t, lr):
    """lr at every step."""
    _whole("step t", t, 0)
    _check_lr(lr)
    return float(lr)


def step_decay(t, lr, drop=0.5, every=10):
    """lr · drop^⌊t / every⌋: multiplied by ``drop`` (in (0, 1]) after every ``every`` steps."""
    t, every = _whole("step t", t, 0), _whole("every", every, 1)
    _check_lr(lr)
    if not 0 < drop <= 1:
        raise ValueError(f"invalid drop: {drop!r} (must be in (0, 1])")
    return float(lr * drop ** (t // every))


def cosine_decay(t, lr, total, lr_min=0.0):
    """lr_min + ½(lr − lr_min)(1 + cos(π·t/total)) for t <= total, lr_min after."""
    t, total = _whole("step t", t, 0), _whole("total", total, 1)
    _check_lr(lr, lr_min)
    progress = min(t / total, 1.0)
    return float(lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * progress)))


def linear_warmup(t, lr, warmup):
    """lr·(t + 1)/warmup for t < warmup (lr/warmup first, lr at t = warmup − 1), then lr."""
    t, warmup = _whole("step t", t, 0), _whole("warmup", warmup, 0)
    _check_lr(lr)
    return float(lr * (t + 1) / warmup) if t < warmup else float(lr)


def warmup_cosine(t, lr, warmup, total, lr_min=0.0):
    """A linear warm-up over the first ``warmup`` steps, then a cosine from lr at t = warmup down
    to lr_min at t = total (and lr_min after):

        t < warmup:   lr · (t + 1) / warmup
        t >= warmup:  lr_min + ½(lr − lr_min)(1 + cos(π · min(1, (t − warmup)/(total − warmup))))
    """
    t, warmup = _whole("step t", t, 0), _whole("warmup", warmup, 0)
    total = _whole("total", total, warmup + 1)
    _check_lr(lr, lr_min)
    if t < warmup:
        return float(lr * (t + 1) / warmup)
    progress = min((t - warmup) / (total - warmup), 1.0)
    return float(lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * progress)))


SCHEDULES = {
    "constant": constant,
    "step": step_decay,
    "cosine": cosine_decay,
    "warmup": linear_warmup,
    "warmup_cosine": warmup_cosine,
}


def get_schedule(name, lr, **options):
    """The schedule called ``name`` as a function of the step alone, ``f(t) -> lr``, e.g.
    ``get_schedule("warmup_cosine", lr=1e-2, warmup=50, total=1000)``. Its options are checked
    at once (a ``ValueError`` names the bad one)."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; choose one of: "
                         f"{', '.join(sorted(SCHEDULES))}")
    schedule = functools.partial(SCHEDULES[name], lr=lr, **options)
    try:
        schedule(0)
    except TypeError as exc:
        raise ValueError(f"schedule {name!r}: {exc}") from None
    return schedule


__all__ = ["constant", "step_decay", "cosine_decay", "linear_warmup", "warmup_cosine",
           "SCHEDULES", "get_schedule"]
