"""Training, kept apart from the model (as CS231n's ``Solver``).

:func:`fit` runs the loop every notebook builds up to:

    for each epoch:
        shuffle the samples (seeded)
        for each mini-batch (X_b, y_b):
            optimizer.lr = schedule(t)              only with a schedule; t counts updates from 0
            optimizer.zero_grad()
            backprop(network, X_b, y_b)             forward (training=True), cost gradient,
                                                    backward (+ L2)
            clip_gradients(params, clip)            only with clip: cap the gradients' global norm
            optimizer.step()
        record the epoch's cost (and accuracy / validation cost) in the history
        call each callback(epoch, history); stop if one returns True

The objective and its gradient live in :mod:`nnlib.objective`, callbacks in
:mod:`nnlib.callbacks`, accuracy in :mod:`nnlib.metrics`, clipping in :mod:`nnlib.clipping`,
learning-rate schedules in :mod:`nnlib.schedules`. Costs measured after training (validation)
use ``network.predict``: inference mode (no dropout, batch norm's running statistics).
"""

import numpy as np

from .clipping import clip_gradients
from .losses import get_cost
from .metrics import accuracy
from .objective import backprop, cost_gradient
from .optimizers import Optimizer, get_optimizer


def minibatches(N, batch_size, rng):
    """Yield index arrays that cover range(N) once, in an order shuffled by ``rng``
    (in order when ``rng`` is None). The last batch may be smaller."""
    order = rng.permutation(N) if rng is not None else np.arange(N)
    for start in range(0, N, batch_size):
        yield order[start:start + batch_size]


def train_step(network, optimizer, X, y, cost="mse", l2=0.0, clip=None):
    """One forward pass, backward pass and update on the batch (X, y); with ``clip``, the
    gradients' global norm is capped at ``clip`` before the update.

    Returns ``(cost, y_hat)``: the batch's cost (plus the L2 penalty when ``l2`` > 0) and the
    prediction it was computed from, both from before the update.
    """
    optimizer.zero_grad()
    value, y_hat = backprop(network, X, y, cost, l2)
    if clip is not None:
        clip_gradients(optimizer.params, clip)
    optimizer.step()
    return value, y_hat


def evaluate(network, X, y, cost="mse", with_accuracy=False):
    """Cost (and accuracy) of the network on (X, y), without training (and without any L2
    penalty: it measures the predictions only)."""
    y_hat = network.predict(X)
    result = {"cost": float(get_cost(cost)[0](y, y_hat))}
    if with_accuracy:
        result["accuracy"] = accuracy(y, y_hat)
    return result


def fit(network, X, y, cost="mse", optimizer="sgd", epochs=10, batch_size=None, rng=None,
        validation=None, metrics=(), callbacks=(), l2=0.0, clip=None, schedule=None,
        **optimizer_options):
    """Train ``network`` on ``X`` (N, D), ``y`` (N, K) and return the history.

    cost:       a name from :data:`nnlib.losses.COSTS`.
    optimizer:  a name from :data:`nnlib.optimizers.OPTIMIZERS` (its options, such as ``lr``,
                passed as keywords) or an :class:`~nnlib.optimizers.Optimizer` already built.
    batch_size: samples per update; None means the whole set (batch gradient descent),
                1 means stochastic gradient descent.
    rng:        a seeded Generator to shuffle with each epoch (None: no shuffling).
    validation: optional ``(X_val, y_val)`` evaluated after every epoch.
    metrics:    ``("accuracy",)`` to also record accuracy.
    callbacks:  called ``callback(epoch, history)`` after every epoch; training stops after
                the epoch in which one returns True (or any true value; None carries on).
                A callback object may also have ``on_train_begin(network)`` and
                ``on_train_end(network)``, called once before the first epoch and after the
                last (see :mod:`nnlib.callbacks`).
    l2:         L2 strength λ >= 0: every batch's cost gets (λ/2) Σ ‖W‖² over the Dense
                layers' weights (never the biases), and their gradients λ·W.
    clip:       None, or the largest global norm of the gradients: before each update, all
                gradients are scaled down together when their norm is above it
                (:func:`nnlib.clipping.clip_gradients`).
    schedule:   None, or a function ``schedule(t) -> lr`` called before update t (counted from
                0 across epochs), e.g. ``nnlib.schedules.get_schedule("cosine", lr=0.1,
                total=...)``; the optimizer's lr is set to what it returns.

    Returns a dict of lists, one entry per epoch run: ``cost`` (mean over the epoch's batches,
    as measured during training, penalty included), and ``accuracy``, ``val_cost``,
    ``val_accuracy`` when asked for (validation costs carry no penalty).
    """
    optimizer = _build_optimizer(network, optimizer, optimizer_options)
    batch_size = len(X) if batch_size is None else batch_size
    _check_options(epochs, batch_size, l2, clip, schedule)
    with_accuracy = "accuracy" in metrics
    history = _empty_history(with_accuracy, validation is not None)

    _notify(callbacks, "on_train_begin", network)
    t = 0   # updates so far
    for epoch in range(1, epochs + 1):
        # train: one pass over the shuffled samples, recording what training measured
        epoch_cost, epoch_accuracy, t = train_epoch(network, optimizer, X, y, batch_size, rng,
                                                    cost, l2, clip, schedule, t, with_accuracy)
        history["cost"].append(epoch_cost)
        if with_accuracy:
            history["accuracy"].append(epoch_accuracy)
        # validate: the network as it is after the epoch, in inference mode
        if validation is not None:
            result = evaluate(network, *validation, cost=cost, with_accuracy=with_accuracy)
            history["val_cost"].append(result["cost"])
            if with_accuracy:
                history["val_accuracy"].append(result["accuracy"])
        # callbacks: every one, each epoch; stop when any asks to
        if any([callback(epoch, history) for callback in callbacks]):
            break
    _notify(callbacks, "on_train_end", network)
    return history


def train_epoch(network, optimizer, X, y, batch_size, rng, cost="mse", l2=0.0, clip=None,
                schedule=None, t=0, with_accuracy=False):
    """One epoch of :func:`fit`: a :func:`train_step` on every mini-batch, ``t`` counting updates
    (for the schedule). Returns ``(cost, accuracy, t)``: the epoch's cost as measured during
    training (mean over the samples, or the sum for SSR, a sum itself), its accuracy (None
    unless ``with_accuracy``) and the updated ``t``."""
    weight_by_size = cost != "ssr"   # SSR is a sum, so an epoch's SSR adds the batches' up
    total, correct = 0.0, 0.0
    X, y = np.asarray(X), np.asarray(y)   # arrays stay as they are (no copy)
    for idx in minibatches(len(X), batch_size, rng):
        X_b, y_b = X.take(idx, axis=0), y.take(idx, axis=0)   # X[idx], y[idx], copied faster
        if schedule is not None:
            optimizer.lr = schedule(t)
        batch_cost, y_hat = train_step(network, optimizer, X_b, y_b, cost, l2, clip)
        t += 1
        total += batch_cost * (len(idx) if weight_by_size else 1)
        if with_accuracy:
            correct += accuracy(y_b, y_hat) * len(idx)
    epoch_cost = total / len(X) if weight_by_size else total
    return epoch_cost, (correct / len(X) if with_accuracy else None), t


def _build_optimizer(network, optimizer, options):
    if not isinstance(optimizer, Optimizer):
        return get_optimizer(optimizer, network.parameters(), **options)
    if options:
        raise ValueError("optimizer options given, but the optimizer is already built")
    return optimizer


def _check_options(epochs, batch_size, l2, clip, schedule):
    if epochs < 0:
        raise ValueError(f"invalid epochs: {epochs!r} (must be >= 0)")
    if not l2 >= 0:
        raise ValueError(f"invalid l2: {l2!r} (must be >= 0)")
    if clip is not None and not clip > 0:
        raise ValueError(f"invalid clip: {clip!r} (must be > 0, or None for no clipping)")
    if schedule is not None and not callable(schedule):
        raise ValueError(f"invalid schedule: {schedule!r} (must be a function of the step t)")
    if batch_size < 1:
        raise ValueError(f"invalid batch_size: {batch_size!r} (must be >= 1)")


def _empty_history(with_accuracy, with_validation):
    keys = ["cost", "accuracy"] if with_accuracy else ["cost"]
    if with_validation:
        keys += [f"val_{key}" for key in keys]
    return {key: [] for key in keys}


def _notify(callbacks, event, network):
    """Call ``callback.on_train_begin(network)`` (or ``on_train_end``) on the callbacks that
    have it."""
    for callback in callbacks:
        if hasattr(callback, event):
            getattr(callback, event)(network)


__all__ = ["fit", "train_epoch", "train_step", "evaluate", "minibatches", "accuracy",
           "cost_gradient"]
