"""The objective training minimises, and its gradient: shared by :mod:`nnlib.train` (which
descends it) and :mod:`nnlib.gradcheck` (which checks its gradient), so neither imports the other.

    objective = cost(y, network(X))  +  (λ/2) Σ ‖W‖²            (the penalty only when l2 = λ > 0)

:func:`backprop` runs one forward and one backward pass and leaves ∂objective/∂p in every
parameter's ``grad``; :func:`cost_gradient` is the ``dout`` that starts the backward pass.
"""

from .losses import get_cost, softmax_cross_entropy_grad
from .regularization import l2_gradient, l2_penalty


def cost_gradient(network, cost, y, y_hat):
    """``(dout, start)`` for ``network.backward``: ∂cost/∂y_hat and ``start=None``.

    Softmax followed by categorical cross-entropy uses the fused gradient (softmax(Z) − y)/N
    with respect to the softmax's input instead, with ``start=-1`` to skip the softmax layer:
    it is exact and never divides by a probability.
    """
    if cost == "categorical_cross_entropy" and network.output_activation == "softmax":
        return softmax_cross_entropy_grad(y, network.layers[-1].Z, P=y_hat), -1
    return get_cost(cost)[1](y, y_hat), None


def objective(network, X, y, cost="mse", l2=0.0):
    """The value of the objective at the network's current weights, as a float."""
    value = float(get_cost(cost)[0](y, network.forward(X)))
    return value + l2_penalty([layer.W.value for layer in network.dense_layers], l2)


def backprop(network, X, y, cost="mse", l2=0.0):
    """Forward and backward on (X, y): **adds** ∂objective/∂p into every parameter's ``grad``
    (call ``zero_grad()`` first). The L2 gradient λ·W goes to every Dense layer's weights,
    never to biases.

    Returns ``(value, y_hat)``: the objective and the prediction it was computed from.
    """
    y_hat = network.forward(X, training=True)
    dout, start = cost_gradient(network, cost, y, y_hat)
    network.backward(dout, start=start)
    value = float(get_cost(cost)[0](y, y_hat))
    if l2:
        weights = [layer.W for layer in network.dense_layers]
        for W in weights:
            W.add_grad(l2_gradient(W.value, l2))
        value += l2_penalty([W.value for W in weights], l2)
    return value, y_hat
