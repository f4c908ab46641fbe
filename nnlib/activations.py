"""Activation functions and their derivatives.

Every activation maps the pre-activation ``Z`` (the neuron's net value, shape ``(N, M)``)
to the activated value ``A`` of the same shape. One convention for the whole course:

    **a derivative takes the pre-activation Z**, never the output A.

So ``sigmoid_derivative(Z)`` is dσ/dZ evaluated at Z. (Feeding it A instead is the classic
bug this convention rules out.)

One signature for going backward through any activation, softmax included:

    name_backward(Z, dout) -> dZ         ∂cost/∂Z from ∂cost/∂A = dout, shapes (N, M)

For an elementwise activation that is ``dout * name_derivative(Z)``. Softmax mixes a row's
entries, so it has no elementwise derivative: ``softmax_backward`` multiplies by its Jacobian
(``softmax_jacobian``) without building it. :func:`get_activation` returns
``(name, name_backward)``, which is all an :class:`~nnlib.layers.Activation` layer needs.

All functions keep the input's dtype (float32 in, float32 out) and never overflow.
Look one up by name with :func:`get_activation`.
"""

import numpy as np


def as_float(Z):
    """Z as a floating-point array: float arrays pass through unchanged (float32 stays
    float32); integers and Python lists become float64."""
    Z = np.asarray(Z)
    return Z if Z.dtype.kind == "f" else Z.astype(np.float64)   # kind "f": a float dtype


def sigmoid(Z):
    """σ(Z) = 1 / (1 + exp(-Z)), computed without overflow for any Z.

    For Z >= 0 use 1 / (1 + exp(-Z)); for Z < 0 use exp(Z) / (1 + exp(Z)).
    Either way the exponent is never positive, so exp never overflows.
    """
    Z = as_float(Z)
    E = np.exp(-np.abs(Z))  # in (0, 1]
    return np.where(Z >= 0, 1 / (1 + E), E / (1 + E))


def sigmoid_derivative(Z):
    """dσ/dZ = σ(Z)(1 − σ(Z)), from the pre-activation Z."""
    S = sigmoid(Z)
    return S * (1 - S)


def relu(Z):
    """ReLU(Z) = max(0, Z)."""
    return np.maximum(as_float(Z), 0)


def relu_derivative(Z):
    """1 where Z > 0, else 0 (we take the derivative at exactly 0 to be 0)."""
    Z = as_float(Z)
    return (Z > 0).astype(Z.dtype)


def leaky_relu(Z, alpha=0.01):
    """Z where Z > 0, else alpha·Z."""
    Z = as_float(Z)
    return np.where(Z > 0, Z, Z * Z.dtype.type(alpha))


def leaky_relu_derivative(Z, alpha=0.01):
    """1 where Z > 0, else alpha."""
    Z = as_float(Z)
    return np.where(Z > 0, Z.dtype.type(1), Z.dtype.type(alpha))


def tanh(Z):
    """tanh(Z), in (−1, 1)."""
    return np.tanh(as_float(Z))


def tanh_derivative(Z):
    """1 − tanh(Z)²."""
    T = np.tanh(as_float(Z))
    return 1 - T * T


def identity(Z):
    """Z unchanged (the output of a regression network)."""
    return as_float(Z)


def identity_derivative(Z):
    """1 everywhere."""
    return np.ones_like(as_float(Z))


def step(Z):
    """The perceptron's step: 1 where Z >= 0, else 0. Its derivative is 0 almost everywhere,
    which is why gradient descent cannot train it."""
    Z = as_float(Z)
    return (Z >= 0).astype(Z.dtype)


def step_derivative(Z):
    """0 everywhere (undefined at 0): no gradient flows through a step."""
    return np.zeros_like(as_float(Z))


def softmax(Z):
    """Row-wise softmax of logits ``Z`` (N, K): each row becomes probabilities summing to 1.

    Subtracting each row's maximum first leaves the result unchanged (it cancels in the ratio)
    and keeps every exponent <= 0, so logits like 1e4 do not overflow.
    """
    Z = as_float(Z)
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    E /= E.sum(axis=-1, keepdims=True)   # in place: E is a new array of our own
    return E


def softmax_jacobian(Z):
    """The full Jacobian of softmax for each row: (N, K) -> (N, K, K),
    J[n, i, j] = ∂softmax_i / ∂Z_j = s_i (δ_ij − s_j)."""
    S = softmax(Z)
    return S[:, :, None] * (np.eye(S.shape[1], dtype=S.dtype) - S[:, None, :])


def softmax_backward(Z, dout):
    """Gradient through softmax without building the Jacobian.

    dZ[n] = J[n]ᵀ · dout[n] = s ⊙ (dout − Σ_j dout_j s_j), shapes (N, K).
    """
    S = softmax(Z)
    return S * (dout - (dout * S).sum(axis=-1, keepdims=True))


def _elementwise_backward(derivative):
    """``backward(Z, dout) = dout ⊙ derivative(Z)``: the chain rule through an elementwise
    activation, in the one backward signature."""
    def backward(Z, dout):
        return dout * derivative(Z)
    backward.__name__ = derivative.__name__.replace("_derivative", "_backward")
    backward.__doc__ = f"dout ⊙ {derivative.__name__}(Z): ∂cost/∂Z from ∂cost/∂A = dout."
    return backward


sigmoid_backward = _elementwise_backward(sigmoid_derivative)
relu_backward = _elementwise_backward(relu_derivative)
leaky_relu_backward = _elementwise_backward(leaky_relu_derivative)
tanh_backward = _elementwise_backward(tanh_derivative)
identity_backward = _elementwise_backward(identity_derivative)
step_backward = _elementwise_backward(step_derivative)

# Name tables, in the manner of scikit-learn's neural_network/_base.py.
ACTIVATIONS = {
    "sigmoid": sigmoid,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "tanh": tanh,
    "identity": identity,
    "step": step,
    "softmax": softmax,
}

BACKWARDS = {
    "sigmoid": sigmoid_backward,
    "relu": relu_backward,
    "leaky_relu": leaky_relu_backward,
    "tanh": tanh_backward,
    "identity": identity_backward,
    "step": step_backward,
    "softmax": softmax_backward,
}


def get_activation(name):
    """Return ``(activation, backward)`` for a name such as ``"relu"``: ``activation(Z)`` and
    ``backward(Z, dout)``, the same signature for every name.

    Raises ``ValueError`` listing the valid names for an unknown one.
    """
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; choose one of: {', '.join(sorted(ACTIVATIONS))}"
        )
    return ACTIVATIONS[name], BACKWARDS[name]
