"""A sequential network: layers applied one after another.

The network knows only forward, backward and its parameters; training (epochs, batches,
optimizer steps, history) lives apart, in :mod:`nnlib.train`.

    forward:   X -> layer 1 -> layer 2 -> ... -> y_hat
    backward:  dX <- layer 1 <- layer 2 <- ... <- dout = ∂cost/∂y_hat
"""

import numpy as np

from .layers import Activation, Dense


class Network:
    """A stack of layers, e.g. ``Network([Dense(2, 4, rng=rng), Activation("relu"), ...])``."""

    def __init__(self, layers):
        self.layers = list(layers)

    @classmethod
    def from_sizes(cls, sizes, activation="relu", output="identity", init=None, rng=None,
                   dtype=np.float64):
        """A fully connected network from layer sizes, e.g. ``[5, 8, 8, 2]``.

        Hidden layers use ``activation``; the last layer uses ``output`` (``"identity"`` for
        regression, ``"softmax"`` or ``"sigmoid"`` for classification). ``init`` defaults to
        He for ReLU-like activations and Xavier otherwise. The first layer's input is the data,
        so it is built with ``input_grad=False``: backward skips the data's gradient.
        """
        if len(sizes) < 2:
            raise ValueError(f"need at least an input and an output size, got {sizes}")
        if init is None:
            init = "he" if activation in ("relu", "leaky_relu") else "xavier"
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Dense(n_in, n_out, init=init, rng=rng, dtype=dtype, input_grad=i > 0))
            is_last = i == len(sizes) - 2
            name = output if is_last else activation
            if name != "identity" or not is_last:
                layers.append(Activation(name))
        return cls(layers)

    def forward(self, X, training=True):
        """X: (N, D) -> y_hat: (N, K), remembering what backward needs. ``training`` goes to
        every layer (False: as for predictions; see :mod:`nnlib.layers`)."""
        for layer in self.layers:
            X = layer.forward(X, training)
        return X

    __call__ = forward

    def backward(self, dout, start=None):
        """dout = ∂cost/∂y_hat: (N, K). Adds every parameter's gradient; returns ∂cost/∂X (None
        when the first layer skips it, as :meth:`from_sizes` networks' first layer does).

        ``start`` skips the last layers: ``backward(dZ, start=-1)`` begins below the last
        layer (used when the cost's gradient was taken with respect to that layer's input, as
        in the fused softmax + cross-entropy gradient).
        """
        layers = self.layers if start is None else self.layers[:start]
        for layer in reversed(layers):
            dout = layer.backward(dout)
        return dout

    def predict(self, X):
        """The network's output for X: (N, D) -> (N, K), in inference mode
        (``training=False``: no dropout, batch norm with its running statistics)."""
        return self.forward(X, training=False)

    def parameters(self):
        """Every trainable Parameter, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self):
        """``[(name, Parameter)]`` with names like ``"layer 2 W"`` (layers counted from 1 among
        the layers that have parameters) for reports such as gradient checks."""
        named, k = [], 0
        for layer in self.layers:
            params = layer.parameters()
            if params:
                k += 1
            for p in params:
                named.append((f"layer {k} {p.name}", p))
        return named

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    @property
    def dense_layers(self):
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    @property
    def output_activation(self):
        last = self.layers[-1] if self.layers else None
        return last.name if isinstance(last, Activation) else "identity"

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        n = sum(p.value.size for p in self.parameters())
        return f"Network([\n  {inner}\n])  # {n} parameters"
