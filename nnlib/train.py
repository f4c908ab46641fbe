"""Training, kept apart from the model (as CS231n's ``Solver``).

:func:`fit` runs the loop every notebook builds up to:

    for each epoch:
        shuffle the samples (seeded)
        for each mini-batch (X_b, y_b):
            y_hat = network.forward(X_b)            forward
            dout  = ∂cost/∂y_hat                    cost gradient
            optimizer.zero_grad(); network.backward(dout); optimizer.step()
        record the epoch's cost (and accuracy / validation cost) in the history
        call each callback(epoch, history)

Callbacks are plain functions ``callback(epoch, history)``; :mod:`nnlib.plots` provides a
progress display and a live loss plot built on this hook.
"""

import numpy as np

from .losses import get_cost, softmax_cross_entropy_grad
from .optimizers import Optimizer, get_optimizer


def accuracy(y, y_hat):
    """Fraction of samples classified correctly.

    ``y``: class labels (N,) or one-hot rows (N, K). ``y_hat``: predicted probabilities or
    scores (N, K) (the class is the row's argmax), or (N,)/(N, 1) probabilities of class 1
    (thresholded at 0.5), or predicted labels (N,).
    """
    y, y_hat = np.asarray(y), np.asarray(y_hat)
    labels = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y))
    if y_hat.ndim == 2 and y_hat.shape[1] > 1:
        predicted = y_hat.argmax(axis=1)
    elif np.issubdtype(y_hat.dtype, np.floating) and set(np.unique(labels)) <= {0, 1}:
        predicted = (y_hat.reshape(len(y_hat)) >= 0.5).astype(int)
    else:
        predicted = y_hat.reshape(len(y_hat))
    return float(np.mean(predicted == labels))


def minibatches(N, batch_size, rng):
    """Yield index arrays that cover range(N) once, in an order shuffled by ``rng``
    (in order when ``rng`` is None). The last batch may be smaller."""
    order = rng.permutation(N) if rng is not None else np.arange(N)
    for start in range(0, N, batch_size):
        yield order[start:start + batch_size]


def cost_gradient(network, cost_name, y, y_hat):
    """``(dout, start)`` for ``network.backward``.

    Softmax followed by categorical cross-entropy uses the fused gradient (softmax(Z) − y)/N
    with respect to the softmax's input, skipping the softmax layer: it is exact and never
    divides by a probability.
    """
    if cost_name == "categorical_cross_entropy" and network.output_activation == "softmax":
        return softmax_cross_entropy_grad(y, network.layers[-1].Z, P=y_hat), -1
    return get_cost(cost_name)[1](y, y_hat), None


def train_step(network, optimizer, X, y, cost="mse"):
    """One forward pass, backward pass and update on the batch (X, y).

    Returns ``(cost, y_hat)``: the batch's cost and the prediction it was computed from
    (both from before the update).
    """
    y_hat = network.forward(X)
    dout, start = cost_gradient(network, cost, y, y_hat)
    optimizer.zero_grad()
    network.backward(dout, start=start, input_grad=False)
    optimizer.step()
    return get_cost(cost)[0](y, y_hat), y_hat


def evaluate(network, X, y, cost="mse", with_accuracy=False):
    """Cost (and accuracy) of the network on (X, y), without training."""
    y_hat = network.predict(X)
    result = {"cost": float(get_cost(cost)[0](y, y_hat))}
    if with_accuracy:
        result["accuracy"] = accuracy(y, y_hat)
    return result


def fit(network, X, y, cost="mse", optimizer="sgd", epochs=10, batch_size=None, rng=None,
        validation=None, metrics=(), callbacks=(), **optimizer_options):
    """Train ``network`` on ``X`` (N, D), ``y`` (N, K) and return the history.

    cost:       a name from :data:`nnlib.losses.COSTS`.
    optimizer:  a name from :data:`nnlib.optimizers.OPTIMIZERS` (its options, such as ``lr``,
                passed as keywords) or an :class:`~nnlib.optimizers.Optimizer` already built.
    batch_size: samples per update; None means the whole set (batch gradient descent),
                1 means stochastic gradient descent.
    rng:        a seeded Generator to shuffle with each epoch (None: no shuffling).
    validation: optional ``(X_val, y_val)`` evaluated after every epoch.
    metrics:    ``("accuracy",)`` to also record accuracy.
    callbacks:  functions ``callback(epoch, history)`` called after every epoch.

    Returns a dict of lists, one entry per epoch: ``cost`` (mean over the epoch's batches, as
    measured during training), and ``accuracy``, ``val_cost``, ``val_accuracy`` when asked for.
    """
    if not isinstance(optimizer, Optimizer):
        optimizer = get_optimizer(optimizer, network.parameters(), **optimizer_options)
    elif optimizer_options:
        raise ValueError("optimizer options given, but the optimizer is already built")
    if epochs < 0:
        raise ValueError(f"invalid epochs: {epochs!r} (must be >= 0)")
    N = len(X)
    batch_size = N if batch_size is None else batch_size
    if batch_size < 1:
        raise ValueError(f"invalid batch_size: {batch_size!r} (must be >= 1)")
    with_accuracy = "accuracy" in metrics
    history = {"cost": []}
    if with_accuracy:
        history["accuracy"] = []
    if validation is not None:
        history["val_cost"] = []
        if with_accuracy:
            history["val_accuracy"] = []

    for epoch in range(1, epochs + 1):
        total, correct = 0.0, 0.0
        for idx in minibatches(N, batch_size, rng):
            batch_cost, y_hat = train_step(network, optimizer, X[idx], y[idx], cost)
            # SSR is a sum, so an epoch's SSR adds the batches' up; mean costs are weighted.
            total += float(batch_cost) * (1 if cost == "ssr" else len(idx))
            if with_accuracy:
                correct += accuracy(y[idx], y_hat) * len(idx)
        history["cost"].append(total if cost == "ssr" else total / N)
        if with_accuracy:
            history["accuracy"].append(correct / N)
        if validation is not None:
            result = evaluate(network, *validation, cost=cost, with_accuracy=with_accuracy)
            history["val_cost"].append(result["cost"])
            if with_accuracy:
                history["val_accuracy"].append(result["accuracy"])
        for callback in callbacks:
            callback(epoch, history)
    return history
