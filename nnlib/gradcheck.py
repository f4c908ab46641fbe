"""Gradient checking: trust a backward pass only after comparing it with finite differences.

The centered difference  (f(x + h) − f(x − h)) / 2h  approximates ∂f/∂x with error O(h²),
one entry of x at a time. It is slow (two evaluations per entry) but almost impossible to get
wrong, so it is the reference a hand-written backward pass is measured against.

    rel_error(a, b) = ‖a − b‖ / (‖a‖ + ‖b‖)        (≈1e-7 or less: agreement)

measured over a whole array (so one tiny entry's noise does not dominate).

As in CS231n's ``gradient_check.py``, there is a version for a scalar function and one for an
array function given its upstream gradient; :func:`check_network` checks every parameter of a
network and names the one that disagrees most.
"""

import numpy as np

from .objective import backprop, objective


def rel_error(a, b):
    """Relative difference ‖a − b‖ / (‖a‖ + ‖b‖) of two arrays (0 when both are zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


def numerical_gradient(f, x, h=1e-5):
    """∂f/∂x for a scalar function ``f()`` of the array ``x`` (changed in place, then restored).

    ``f`` takes no argument: it reads ``x`` itself, so it can be a network's cost.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = float(f())
        x[i] = old - h
        f_minus = float(f())
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """∂(Σ f(x) ⊙ dout)/∂x for an array function ``f()`` with upstream gradient ``dout``."""
    return numerical_gradient(lambda: np.sum(f() * dout), x, h)


def check_layer(layer, X, dout=None, rng=None, h=1e-5):
    """Compare a layer's backward with finite differences at input X (float64).

    Returns ``{name: rel_error}`` for ``"dX"`` and each parameter (``"dW"``, ``"db"``).
    """
    rng = np.random.default_rng(0) if rng is None else rng
    X = np.array(X, dtype=np.float64)
    out = layer.forward(X)
    dout = rng.standard_normal(out.shape) if dout is None else dout
    layer.zero_grad()
    layer.forward(X)
    dX = layer.backward(dout)
    errors = {"dX": rel_error(dX, numerical_gradient_array(lambda: layer.forward(X), X, dout, h))}
    for p in layer.parameters():
        num = numerical_gradient_array(lambda: layer.forward(X), p.value, dout, h)
        errors["d" + p.name] = rel_error(p.grad, num)
    return errors


class GradientReport:
    """The result of :func:`check_network`: one row per parameter array."""

    def __init__(self, rows, tolerance):
        self.rows = rows  # dicts: name, rel_error, index, analytic, numeric
        self.tolerance = tolerance

    @property
    def worst(self):
        return max(self.rows, key=lambda r: r["rel_error"])

    @property
    def ok(self):
        return all(r["rel_error"] <= self.tolerance for r in self.rows)

    def __str__(self):
        lines = [f"{'parameter':<14}{'rel. error':>12}  verdict"]
        for r in self.rows:
            verdict = "ok" if r["rel_error"] <= self.tolerance else (
                f"OFF at index {r['index']}: backward {r['analytic']:.6g}, "
                f"numerical {r['numeric']:.6g}")
            lines.append(f"{r['name']:<14}{r['rel_error']:>12.2e}  {verdict}")
        w = self.worst
        lines.append(f"worst: {w['name']} (rel. error {w['rel_error']:.2e})")
        return "\n".join(lines)

    __repr__ = __str__


def check_network(network, X, y, cost="mse", l2=0.0, h=1e-5, tolerance=1e-7):
    """Check every parameter gradient of ``network`` on (X, y) against finite differences of
    the training objective (the cost, plus the L2 penalty when ``l2`` > 0), the same
    :func:`nnlib.objective.backprop` that :func:`nnlib.fit` trains with.

    Runs in float64 (copy the network's parameters to float64 first if they are float32).
    Returns a :class:`GradientReport`; ``report.worst`` names the parameter array that disagrees
    most, with the index of its worst entry.
    """
    network.zero_grad()
    backprop(network, X, y, cost, l2)
    rows = []
    for name, p in network.named_parameters():
        numeric = numerical_gradient(lambda: objective(network, X, y, cost, l2), p.value, h)
        index = np.unravel_index(int(np.argmax(np.abs(p.grad - numeric))), numeric.shape)
        rows.append({
            "name": name,
            "rel_error": rel_error(p.grad, numeric),
            "index": tuple(int(i) for i in index),
            "analytic": float(p.grad[index]),
            "numeric": float(numeric[index]),
        })
    return GradientReport(rows, tolerance)
