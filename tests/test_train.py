"""Training sanity: the whole library learns real tasks, deterministically."""

import time

import numpy as np
import pytest

from nnlib import Network, fit
from nnlib.losses import get_cost
from nnlib.train import accuracy, evaluate, minibatches


def xor_data():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return X, np.array([[0], [1], [1], [0]], dtype=float)


def test_xor_reaches_full_accuracy():
    X, y = xor_data()
    net = Network.from_sizes([2, 8, 1], activation="tanh", output="sigmoid",
                             rng=np.random.default_rng(0))
    history = fit(net, X, y, cost="binary_cross_entropy", optimizer="adam", lr=0.05,
                  epochs=300, metrics=("accuracy",))
    assert accuracy(y, net.predict(X)) == 1.0
    assert history["cost"][-1] < 0.05 < history["cost"][0]


def test_training_is_deterministic():
    X, y = xor_data()
    runs = []
    for _ in range(2):
        net = Network.from_sizes([2, 4, 1], activation="relu", output="sigmoid",
                                 rng=np.random.default_rng(3))
        runs.append(fit(net, X, y, cost="mse", optimizer="momentum", lr=0.1, epochs=20,
                        batch_size=2, rng=np.random.default_rng(4))["cost"])
    assert runs[0] == runs[1]


def test_fit_takes_lists_as_it_takes_arrays():
    X, y = xor_data()
    histories = []
    for data in ((X, y), (X.tolist(), y.tolist())):
        net = Network.from_sizes([2, 4, 1], activation="relu", output="sigmoid",
                                 rng=np.random.default_rng(3))
        histories.append(fit(net, *data, cost="mse", epochs=3, batch_size=3,
                             rng=np.random.default_rng(4))["cost"])
    assert histories[0] == histories[1]


def test_minibatches_cover_every_sample_once():
    batches = list(minibatches(10, 3, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches)) == list(range(10))


def test_minibatches_shuffle_with_the_rng_and_fit_uses_it():
    """The order is rng.permutation(N): shuffled, new every epoch, the same for the same seed;
    in order only without an rng. Training on shuffled batches differs from unshuffled."""
    rng = np.random.default_rng(5)
    epochs = [np.concatenate(list(minibatches(20, 4, rng))) for _ in range(2)]
    expected = np.random.default_rng(5)
    for order in epochs:
        np.testing.assert_array_equal(order, expected.permutation(20))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[0], np.arange(20))
    np.testing.assert_array_equal(np.concatenate(list(minibatches(20, 4, None))), np.arange(20))

    X, y = xor_data()
    costs = []
    for rng in (None, np.random.default_rng(4), np.random.default_rng(4)):
        net = Network.from_sizes([2, 4, 1], activation="tanh", output="sigmoid",
                                 rng=np.random.default_rng(3))
        costs.append(fit(net, X, y, lr=0.5, epochs=5, batch_size=1, rng=rng)["cost"])
    assert costs[1] == costs[2] and costs[0] != costs[1]


def test_epoch_cost_is_the_sum_of_batch_ssrs_and_the_weighted_mean_of_the_others():
    """With a learning rate too small to move the weights, an epoch's cost is the cost of the
    whole set: SSR adds the 3 batches' sums up (averaging them would give a third of it),
    MSE and cross-entropy weight each batch's mean by its size (batches of 4, 4 and 2)."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), rng.random((10, 2))
    for cost in ("ssr", "mse", "binary_cross_entropy"):
        net = Network.from_sizes([3, 4, 2], output="sigmoid", rng=np.random.default_rng(1))
        whole = get_cost(cost)[0](y, net.predict(X))
        history = fit(net, X, y, cost=cost, lr=1e-12, epochs=1, batch_size=4,
                      rng=np.random.default_rng(2))
        assert history["cost"][0] == pytest.approx(whole, rel=1e-9), cost


def test_history_keys_and_callbacks():
    X, y = xor_data()
    seen = []
    net = Network.from_sizes([2, 3, 1], output="sigmoid", rng=np.random.default_rng(0))
    history = fit(net, X, y, cost="binary_cross_entropy", epochs=4, validation=(X, y),
                  metrics=("accuracy",), callbacks=[lambda e, h: seen.append((e, len(h["cost"])))])
    assert set(history) == {"cost", "accuracy", "val_cost", "val_accuracy"}
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]


def test_fit_rejects_bad_arguments():
    X, y = xor_data()
    net = Network.from_sizes([2, 3, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="batch_size"):
        fit(net, X, y, batch_size=0)
    with pytest.raises(ValueError, match="learning rate"):
        fit(net, X, y, lr=-1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        fit(net, X, y, optimizer="newton")


def test_float32_training_stays_float32():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 5)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 64)]
    net = Network.from_sizes([5, 16, 3], output="softmax", rng=rng, dtype=np.float32)
    fit(net, X, y, cost="categorical_cross_entropy", optimizer="adam", lr=1e-2, epochs=3,
        batch_size=16, rng=rng)
    assert all(p.value.dtype == np.float32 for p in net.parameters())
    assert net.forward(X).dtype == np.float32


def test_digits_reach_95_percent_quickly():
    from nnlib.data import load_digits, one_hot, train_test_split

    images, labels = load_digits()
    X = images.reshape(len(images), -1) / 16.0
    X_train, X_test, y_train, y_test = train_test_split(X, labels, test_size=0.25, rng=0)
    net = Network.from_sizes([64, 64, 10], activation="relu", output="softmax",
                             rng=np.random.default_rng(0))
    start = time.perf_counter()
    fit(net, X_train, one_hot(y_train, 10), cost="categorical_cross_entropy", optimizer="adam",
        lr=1e-2, epochs=30, batch_size=32, rng=np.random.default_rng(1))
    seconds = time.perf_counter() - start
    test_accuracy = evaluate(net, X_test, one_hot(y_test, 10), "categorical_cross_entropy",
                             with_accuracy=True)["accuracy"]
    print(f"digits: test accuracy {test_accuracy:.4f} after {seconds:.2f} s of training")
    assert test_accuracy >= 0.95
