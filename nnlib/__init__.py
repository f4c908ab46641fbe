"""nnlib: a small, readable neural-network library in numpy, built alongside the nnlib course.

The maths lives in small modules, each readable in a few minutes:

    activations   sigmoid, relu, tanh, softmax ... and their derivatives
    losses        mse, rmse, ssr, cross-entropies: per-sample losses, batch costs, gradients
    initializers  zeros, constant, normal, uniform, xavier, he
    layers        Dense and Activation layers: forward and backward side by side
    normalization batch normalization: forward, backward, running statistics, the BatchNorm layer
    network       Network: a stack of layers
    optimizers    SGD, Momentum, Adagrad, RMSprop, Adam, Adadelta: one contract for all
    clipping      gradient clipping by global norm, for every optimizer
    schedules     learning-rate schedules: step, cosine, linear warm-up
    regularization  the L2 penalty and its gradient; inverted dropout and the Dropout layer
    objective     what training minimises (cost + penalty) and its gradient, by backprop
    train         fit(): epochs, mini-batches, history (clipping and schedules as options)
    callbacks     ProgressBar, LivePlot, EarlyStopping: code fit runs after every epoch
    metrics       the label rule, accuracy, confusion matrix
    diagnostics   dead and saturated units, per-layer gradient statistics, update ratios
    gradcheck     finite-difference gradient checks
    autograd      a scalar Value that records its graph, and backprop over it (notebook 10)
    data          bundled, offline datasets (XOR, spirals, moons, digits, ...)
    features      hand-made feature vectors (local binary patterns)
    examples      the course's worked-example networks
    plots         the course's figures, one module per family

The course's own tooling (exercise checks, notebook generation, grading) is kept apart in
``nncourse``.
"""

from . import (activations, autograd, callbacks, clipping, data, diagnostics, examples,
               features, gradcheck, initializers, layers, losses, metrics, network, normalization,
               objective, optimizers, regularization, schedules, train)
from .layers import Activation, Dense, Parameter, Softmax
from .network import Network
from .normalization import BatchNorm
from .regularization import Dropout
from .metrics import accuracy
from .optimizers import SGD, Adadelta, Adagrad, Adam, Momentum, RMSprop
from .train import fit

__version__ = "0.1.0"

__all__ = [
    "activations", "autograd", "callbacks", "clipping", "data", "diagnostics", "examples",
    "features", "gradcheck", "initializers", "layers", "losses", "metrics", "network",
    "normalization",
    "objective", "optimizers", "regularization", "schedules", "train", "Activation", "Dense",
    "Parameter", "Softmax", "BatchNorm", "Dropout", "Network", "SGD", "Momentum", "Adagrad",
    "RMSprop", "Adam", "Adadelta", "accuracy", "fit",
]
