"""Drivers for notebook 08, the digits capstone."""

import numpy as np

from nnlib.network import Network
from nnlib.optimizers import OPTIMIZERS


def setup(sizes, optimizer, lr, dtype, seed):
    """The case's network (ReLU hidden layers, softmax output) and optimizer."""
    network = Network.from_sizes(sizes, activation="relu", output="softmax",
                                 rng=np.random.default_rng(seed), dtype=np.dtype(dtype))
    return network, OPTIMIZERS[optimizer](network.parameters(), lr=lr)


def drive_train_step(fn, sizes, optimizer, lr, dtype, seed, batches):
    """Two steps of the learner's ``train_step`` on a network and optimizer built from the
    case's recipe; per step the cost it returned, every parameter after it, and which of X, y
    it changed in place."""
    network, optimizer = setup(sizes, optimizer, lr, dtype, seed)
    steps = []
    for X, y in batches:
        X_before, y_before = X.copy(), y.copy()
        cost = fn(network, optimizer, X, y)
        steps.append({"cost": cost,
                      "parameters": [[name, p.value.copy()]
                                     for name, p in network.named_parameters()],
                      "changed": [name for name, before, now in
                                  (("X", X_before, X), ("y", y_before, y))
                                  if not np.array_equal(before, now)]})
    return steps
