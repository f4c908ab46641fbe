"""``fit`` trains bit for bit as it did before it was made faster.

The notebooks' stored outputs (validated exactly by nbval) come from nnlib's training, so a
speed-up of ``fit``, the layers, the costs or the optimizers must not change a single bit of a
float64 result. Each case below trains a small seeded network with a different set of options;
``tests/data/fit_reference.npz`` holds the history and the final parameters that the
implementation before the speed-up (main at e0920e2) computed for it, and every value must match
exactly (``==``, not a tolerance).

The reference was computed under the course's kernel environment (``make -n test`` shows it:
one BLAS thread, ``OPENBLAS_CORETYPE=SkylakeX``), as the stored notebook outputs were: the BLAS
kernels decide the last bits of a matrix product, so run this test in that environment.
Regenerate the file (only when a change of results is intended) with
``python tests/test_fit_bit_identity.py``.
"""

from pathlib import Path

import numpy as np
import pytest

import nnlib
from nnlib import Dense, Activation, Network, fit
from nnlib.normalization import BatchNorm
from nnlib.regularization import Dropout
from nnlib.schedules import get_schedule

REFERENCE = Path(__file__).parent / "data" / "fit_reference.npz"


def _data(n, d, k, seed, kind="classes", dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(dtype)
    scores = X @ rng.standard_normal((d, k)).astype(dtype)
    if kind == "classes":
        return X, nnlib.data.one_hot(scores.argmax(axis=1), k, dtype=dtype)
    if kind == "binary":
        return X, (scores[:, :1] > 0).astype(dtype)
    return X, np.tanh(scores)   # regression targets


def _case_softmax_sgd(dtype=np.float64):
    X, y = _data(50, 6, 4, 0, dtype=dtype)
    net = Network.from_sizes([6, 16, 12, 4], activation="relu", output="softmax",
                             rng=np.random.default_rng(1), dtype=dtype)
    history = fit(net, X[:40], y[:40], cost="categorical_cross_entropy", optimizer="sgd",
                  lr=0.2, epochs=4, batch_size=8, rng=np.random.default_rng(2),
                  validation=(X[40:], y[40:]), metrics=("accuracy",), l2=1e-3, clip=0.5,
                  schedule=get_schedule("cosine", lr=0.2, total=15))
    return net, history


def _case_sigmoid_momentum():
    X, y = _data(37, 5, 1, 3, kind="binary")
    net = Network.from_sizes([5, 7, 1], activation="tanh", output="sigmoid",
                             rng=np.random.default_rng(4))
    history = fit(net, X, y, cost="binary_cross_entropy", optimizer="momentum", lr=0.3,
                  beta=0.8, epochs=5, batch_size=6, rng=np.random.default_rng(5),
                  metrics=("accuracy",), l2=0.01, schedule=get_schedule("step", lr=0.3, every=7))
    return net, history


def _case_regression_adam():
    X, y = _data(30, 3, 2, 6, kind="regression")
    net = Network.from_sizes([3, 9, 2], activation="sigmoid", rng=np.random.default_rng(7))
    history = fit(net, X[:24], y[:24], cost="mse", optimizer="adam", lr=0.05, epochs=6,
                  validation=(X[24:], y[24:]))
    return net, history


def _case_batchnorm_dropout_rmsprop():
    X, y = _data(45, 4, 3, 8)
    rng = np.random.default_rng(9)
    net = Network([Dense(4, 10, rng=rng, input_grad=False), BatchNorm(10),
                   Activation("leaky_relu"), Dropout(0.25, rng=np.random.default_rng(10)),
                   Dense(10, 3, rng=rng), Activation("softmax")])
    history = fit(net, X, y, cost="categorical_cross_entropy", optimizer="rmsprop", lr=0.01,
                  epochs=4, batch_size=10, rng=np.random.default_rng(11), metrics=("accuracy",),
                  validation=(X[:9], y[:9]), clip=2.0)
    return net, history


def _case_ssr_adagrad():
    X, y = _data(20, 3, 1, 12, kind="regression")
    net = Network.from_sizes([3, 5, 1], activation="relu", rng=np.random.default_rng(13))
    history = fit(net, X, y, cost="ssr", optimizer="adagrad", lr=0.05, epochs=5, batch_size=7,
                  rng=np.random.default_rng(14), l2=0.1)
    return net, history


def _case_softmax_mse_adadelta():
    """Softmax output with a cost other than cross-entropy: backward goes through the softmax."""
    X, y = _data(24, 4, 3, 15)
    net = Network.from_sizes([4, 6, 3], activation="tanh", output="softmax",
                             rng=np.random.default_rng(16))
    history = fit(net, X, y, cost="mse", optimizer="adadelta", epochs=3, batch_size=5,
                  rng=np.random.default_rng(17), metrics=("accuracy",))
    return net, history


def _case_rmse_sgd_built():
    X, y = _data(16, 2, 2, 18, kind="regression")
    net = Network.from_sizes([2, 4, 2], activation="relu", rng=np.random.default_rng(19))
    opt = nnlib.SGD(net.parameters(), lr=0.1)
    history = fit(net, X, y, cost="rmse", optimizer=opt, epochs=4, batch_size=1,
                  rng=np.random.default_rng(20))
    return net, history


CASES = {
    "softmax_sgd": _case_softmax_sgd,
    "softmax_sgd_float32": lambda: _case_softmax_sgd(np.float32),
    "sigmoid_momentum": _case_sigmoid_momentum,
    "regression_adam": _case_regression_adam,
    "batchnorm_dropout_rmsprop": _case_batchnorm_dropout_rmsprop,
    "ssr_adagrad": _case_ssr_adagrad,
    "softmax_mse_adadelta": _case_softmax_mse_adadelta,
    "rmse_sgd_built": _case_rmse_sgd_built,
}


def outcome(name):
    """``{key: array}``: every history list and every parameter after training (and batch
    norm's running statistics), under keys ``name/...``."""
    net, history = CASES[name]()
    out = {f"{name}/history/{k}": np.array(v, dtype=np.float64) for k, v in history.items()}
    for label, p in net.named_parameters():
        out[f"{name}/{label}"] = p.value.copy()
    for i, layer in enumerate(net.layers):
        if isinstance(layer, BatchNorm):
            out[f"{name}/layer {i} running_mean"] = layer.running_mean.copy()
            out[f"{name}/layer {i} running_var"] = layer.running_var.copy()
    return out


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE) as stored:
        return dict(stored)


@pytest.mark.parametrize("name", CASES)
def test_fit_reproduces_the_previous_implementation_bit_for_bit(name, reference):
    got = outcome(name)
    expected = {k: v for k, v in reference.items() if k.startswith(f"{name}/")}
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        assert got[key].dtype == value.dtype, key
        assert got[key].shape == value.shape, key
        differ = np.flatnonzero(got[key].view(np.uint8) != value.view(np.uint8))
        assert differ.size == 0, (
            f"{key}: not bit-identical to the reference (first differing values: "
            f"{got[key].ravel()[:4]} against {value.ravel()[:4]})")


if __name__ == "__main__":
    REFERENCE.parent.mkdir(exist_ok=True)
    values = {}
    for case in CASES:
        values.update(outcome(case))
    np.savez(REFERENCE, **values)
    print(f"wrote {len(values)} arrays to {REFERENCE}")
