"""Optimizers: how a parameter moves, given its gradient.

One contract for all, in the manner of PyTorch:

    opt = Adam(network.parameters(), lr=1e-3)
    opt.zero_grad(); network.backward(dout); opt.step()

``step()`` calls ``update(w, dw, state)`` once per parameter, where ``w`` is the parameter's
array (changed **in place**), ``dw`` its gradient, and ``state`` a dict this optimizer keeps for
that parameter alone (velocities, running averages, step counts). Each update rule below is a
few lines: it is the formula, written in numpy. In-place updates keep float32 as float32.

Invalid hyperparameters raise ``ValueError`` saying which and why.
"""

import numpy as np

from .layers import Parameter


def _positive(name, value):
    if not value > 0:
        raise ValueError(f"invalid {name}: {value!r} (must be > 0)")


def _fraction(name, value):
    if not 0 <= value < 1:
        raise ValueError(f"invalid {name}: {value!r} (must be in [0, 1))")


class Optimizer:
    """Base class. ``params``: Parameters (or plain float arrays, wrapped for you)."""

    def __init__(self, params, lr):
        _positive("learning rate lr", lr)
        self.params = [p if isinstance(p, Parameter) else Parameter(p, "w") for p in params]
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        self.lr = lr
        self.state = {p: {} for p in self.params}

    def step(self):
        """Apply one update to every parameter, using the gradients in ``p.grad``."""
        for p in self.params:
            self.update(p.value, p.grad, self.state[p])

    def zero_grad(self):
        """Set every parameter's gradient to 0 (backward adds into it)."""
        for p in self.params:
            p.zero_grad()

    def update(self, w, dw, state):
        raise NotImplementedError

    def __repr__(self):
        hyper = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k not in ("params", "state"))
        return f"{type(self).__name__}({hyper})"


class SGD(Optimizer):
    """Gradient descent: w ← w − lr·dw."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    def update(self, w, dw, state):
        w -= self.lr * dw


class Momentum(Optimizer):
    """Gradient descent with momentum: v ← β·v + dw;  w ← w − lr·v.

    v is a running sum of past gradients, so steps build up speed along directions where the
    gradient keeps its sign and cancel out where it oscillates.
    """

    def __init__(self, params, lr=0.01, beta=0.9):
        super().__init__(params, lr)
        _fraction("momentum beta", beta)
        self.beta = beta

    def update(self, w, dw, state):
        if "v" not in state:
            state["v"] = np.zeros_like(w)
        v = state["v"]
        v *= self.beta
        v += dw
        w -= self.lr * v


class Adagrad(Optimizer):
    """Adagrad: G ← G + dw²;  w ← w − lr·dw / (√G + ε).

    Each weight's step shrinks with the sum of its own squared gradients.
    """

    def __init__(self, params, lr=0.01, eps=1e-8):
        super().__init__(params, lr)
        _positive("epsilon eps", eps)
        self.eps = eps

    def update(self, w, dw, state):
        if "G" not in state:
            state["G"] = np.zeros_like(w)
        G = state["G"]
        G += dw * dw
        w -= self.lr * dw / (np.sqrt(G) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: s ← ρ·s + (1 − ρ)·dw²;  w ← w − lr·dw / (√s + ε).

    Like Adagrad, but a running *average* of squared gradients, so steps do not die out.
    """

    def __init__(self, params, lr=0.001, rho=0.9, eps=1e-8):
        super().__init__(params, lr)
        _fraction("decay rate rho", rho)
        _positive("epsilon eps", eps)
        self.rho, self.eps = rho, eps

    def update(self, w, dw, state):
        if "s" not in state:
            state["s"] = np.zeros_like(w)
        s = state["s"]
        s *= self.rho
        s += (1 - self.rho) * dw * dw
        w -= self.lr * dw / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    """Adam: momentum (m) and RMSprop (v) together, with bias correction.

        t ← t + 1
        m ← β₁·m + (1 − β₁)·dw          v ← β₂·v + (1 − β₂)·dw²
        m̂ = m / (1 − β₁ᵗ)               v̂ = v / (1 − β₂ᵗ)
        w ← w − lr·m̂ / (√v̂ + ε)

    m and v start at 0, so early averages are too small; dividing by (1 − βᵗ) corrects that.
    """

    def __init__(self, params, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(params, lr)
        _fraction("beta1", beta1)
        _fraction("beta2", beta2)
        _positive("epsilon eps", eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, w, dw, state):
        if "t" not in state:
            state.update(t=0, m=np.zeros_like(w), v=np.zeros_like(w))
        state["t"] += 1
        t, m, v = state["t"], state["m"], state["v"]
        m *= self.beta1
        m += (1 - self.beta1) * dw
        v *= self.beta2
        v += (1 - self.beta2) * dw * dw
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class Adadelta(Optimizer):
    """Adadelta: RMSprop whose step size comes from the running size of past steps.

        g² avg:  Eg ← ρ·Eg + (1 − ρ)·dw²
        step:    Δw = −√(Ex + ε) / √(Eg + ε) · dw
        Δw² avg: Ex ← ρ·Ex + (1 − ρ)·Δw²
        w ← w + lr·Δw        (lr = 1.0 in the original paper)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6):
        super().__init__(params, lr)
        _fraction("decay rate rho", rho)
        _positive("epsilon eps", eps)
        self.rho, self.eps = rho, eps

    def update(self, w, dw, state):
        if "Eg" not in state:
            state.update(Eg=np.zeros_like(w), Ex=np.zeros_like(w))
        Eg, Ex = state["Eg"], state["Ex"]
        Eg *= self.rho
        Eg += (1 - self.rho) * dw * dw
        delta = -np.sqrt(Ex + self.eps) / np.sqrt(Eg + self.eps) * dw
        Ex *= self.rho
        Ex += (1 - self.rho) * delta * delta
        w += self.lr * delta


OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adadelta": Adadelta,
}


def get_optimizer(name, params, **hyperparameters):
    """Build the optimizer called ``name`` (e.g. ``"adam"``) over ``params``."""
    if name not in OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}"
        )
    return OPTIMIZERS[name](params, **hyperparameters)
