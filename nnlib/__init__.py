"""nnlib: a small, readable neural-network library in numpy, built alongside the nnlib course.

The maths lives in small modules, each readable in a few minutes:

    activations   sigmoid, relu, tanh, softmax ... and their derivatives
    losses        mse, rmse, ssr, cross-entropies: per-sample losses, batch costs, gradients
    initializers  zeros, constant, normal, uniform, xavier, he
    layers        Dense and Activation layers: forward and backward side by side
    network       Network: a stack of layers
    optimizers    SGD, Momentum, Adagrad, RMSprop, Adam, Adadelta: one contract for all
    train         fit(): epochs, mini-batches, history, callbacks
    metrics       accuracy, confusion matrix
    diagnostics   dead units, per-layer gradient norms, activation statistics
    gradcheck     finite-difference gradient checks
    data          bundled, offline datasets (XOR, spirals, moons, digits, ...)
    features      hand-made feature vectors (local binary patterns)
    examples      the course's worked-example networks
    plots         the course's figures

The course's own tooling (exercise checks, notebook generation, grading) is kept apart in
``nncourse``.
"""

from . import (activations, data, diagnostics, examples, features, gradcheck, initializers,
               layers, losses, metrics, network, optimizers, train)
from .layers import Activation, Dense, Parameter, Softmax
from .network import Network
from .optimizers import SGD, Adadelta, Adagrad, Adam, Momentum, RMSprop
from .train import accuracy, fit

__version__ = "0.1.0"

__all__ = [
    "activations", "data", "diagnostics", "examples", "features", "gradcheck", "metrics", "initializers", "layers", "losses", "network", "optimizers",
    "train", "Activation", "Dense", "Parameter", "Softmax", "Network", "SGD", "Momentum",
    "Adagrad", "RMSprop", "Adam", "Adadelta", "accuracy", "fit",
]
