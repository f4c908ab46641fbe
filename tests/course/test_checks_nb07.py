"""Notebook 07's checks accept correct answers written other ways and explain wrong ones."""


import numpy as np

from nnlib import SGD, fit, initializers, losses

# --- train_ssr ----------------------------------------------------------------------------


def train_ssr_layer_by_layer(network, X, y, lr, epochs):
    """Reaches into the Dense layers instead of network.parameters()."""
    history = []
    for _ in range(epochs):
        y_hat = network.forward(X)
        history.append(np.sum((y_hat - y) ** 2))
        for layer in network.dense_layers:
            layer.W.grad[...] = 0
            layer.b.grad[...] = 0
        network.backward((y_hat - y) * 2)
        for layer in network.dense_layers:
            layer.W.value = layer.W.value - lr * layer.W.grad   # rebinding is fine too
            layer.b.value = layer.b.value - lr * layer.b.grad
    return history


def train_ssr_with_optimizer(network, X, y, lr, epochs):
    opt = SGD(network.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        y_hat = network.forward(X)
        cost = losses.ssr(y, y_hat)
        opt.zero_grad()
        network.backward(losses.ssr_grad(y, y_hat))
        opt.step()
        history.append(cost)
    return history


def train_ssr_with_fit(network, X, y, lr, epochs):
    return fit(network, X, y, cost="ssr", lr=lr, epochs=epochs)["cost"]


def test_train_ssr_accepts_other_correct_versions(judge):
    for fn in (train_ssr_layer_by_layer, train_ssr_with_optimizer, train_ssr_with_fit):
        r = judge("nb07_train_ssr", fn)
        assert r.passed, r.message


def test_train_ssr_with_an_optimizer_passes(judge):
    assert judge("nb07_train_ssr", train_ssr_with_optimizer).passed


def test_train_ssr_wrong_length_and_single_number(judge):
    def one_too_many(network, X, y, lr, epochs):
        return train_ssr_with_optimizer(network, X, y, lr, epochs) + [0.0]
    r = judge("nb07_train_ssr", one_too_many)
    assert "returned 4 value(s) for 3 epoch(s)" in r.message

    def last_only(network, X, y, lr, epochs):
        return train_ssr_with_optimizer(network, X, y, lr, epochs)[-1]
    r = judge("nb07_train_ssr", last_only)
    assert "returned a single number" in r.message

    r = judge("nb07_train_ssr", lambda network, X, y, lr, epochs: None)
    assert "forget the `return`" in r.message


def test_train_ssr_checks_the_weights_too(judge):
    def one_extra_step(network, X, y, lr, epochs):
        history = train_ssr_with_optimizer(network, X, y, lr, epochs)
        train_ssr_with_optimizer(network, X, y, lr, 1)
        return history
    r = judge("nb07_train_ssr", one_extra_step)
    assert not r.passed and "the network's W and b after training" in r.message


def test_train_ssr_data_changed_in_place(judge):
    def scales_X(network, X, y, lr, epochs):
        X *= 1.0 + 1e-3
        return train_ssr_with_optimizer(network, X, y, lr, epochs)
    r = judge("nb07_train_ssr", scales_X)
    assert "changed X or y in place" in r.message


def test_train_ssr_message_does_not_dump_the_network(judge):
    r = judge("nb07_train_ssr", lambda network, X, y, lr, epochs: [1.0, 2.0, 3.0])
    assert "Dense(" not in r.message and "case 1: a 5-3-3-2 sigmoid network" in r.message


# --- dead_units ---------------------------------------------------------------------------


def dead_units_loops(A):
    count = 0
    for j in range(A.shape[1]):
        if all(A[n, j] == 0 for n in range(A.shape[0])):
            count += 1
    return count


def test_dead_units_accepts_other_correct_versions(judge):
    for fn in (dead_units_loops,
               lambda A: int((A.max(axis=0) == 0).sum()),
               lambda A: np.sum(~A.any(axis=0)),            # numpy int is fine
               lambda A: int(np.sum(np.all(A <= 0, axis=0))),
               lambda A: A.shape[1] - np.count_nonzero(A.sum(axis=0))):
        r = judge("nb07_dead_units", fn)
        assert r.passed, r.message


# --- he_init ------------------------------------------------------------------------------


def test_he_init_accepts_the_same_numbers_written_other_ways(judge):
    for fn in (lambda shape, rng: rng.normal(0, np.sqrt(2 / shape[0]), shape),
               lambda shape, rng: rng.normal(scale=np.sqrt(2 / shape[0]), size=shape),
               lambda shape, rng: rng.standard_normal(shape) / np.sqrt(shape[0] / 2),
               lambda shape, rng: rng.standard_normal(shape[0] * shape[1]).reshape(shape)
               * np.sqrt(2.0 / shape[0]),
               initializers.he):
        r = judge("nb07_he_init", fn)
        assert r.passed, r.message


def test_he_init_accepts_another_valid_distribution(judge):
    def he_uniform(shape, rng):
        limit = np.sqrt(6 / shape[0])
        return rng.uniform(-limit, limit, size=shape)
    r = judge("nb07_he_init", he_uniform)
    assert r.passed, r.message
    for seed in (1, 12345):
        assert judge("nb07_he_init", he_uniform, seed=seed).passed


def test_he_init_other_distribution_with_wrong_spread(judge):
    def uniform_with_std_as_limit(shape, rng):
        limit = np.sqrt(2 / shape[0])
        return rng.uniform(-limit, limit, size=shape)
    r = judge("nb07_he_init", uniform_with_std_as_limit)
    assert r.status == "failed" and "standard deviation of he_init((200, 800), rng)" in r.message
    assert "a/√3" in r.message

    def uniform_xavier_limit(shape, rng):
        limit = np.sqrt(6 / (shape[0] + shape[1]))
        return rng.uniform(-limit, limit, size=shape)
    r = judge("nb07_he_init", uniform_xavier_limit)
    assert r.status == "failed" and "Xavier" in r.message


def test_he_init_not_centred(judge):
    r = judge("nb07_he_init", lambda shape, rng: rng.random(shape) * np.sqrt(6 / shape[0]))
    assert r.status == "failed" and "not centred on 0" in r.message


def test_he_init_wrong_shape_and_dtype(judge):
    r = judge("nb07_he_init", lambda shape, rng: rng.standard_normal(shape[::-1])
              * np.sqrt(2 / shape[0]))
    assert "wrong shape: expected (3, 4), got (4, 3)" in r.message
    r = judge("nb07_he_init", lambda shape, rng: (rng.standard_normal(shape)
                                                  * np.sqrt(2 / shape[0])).tolist())
    assert "return a numpy array" in r.message


def test_he_init_accepts_he_and_he_uniform(judge):
    def he_uniform(shape, rng):
        limit = np.sqrt(6 / shape[0])
        return rng.uniform(-limit, limit, size=shape)
    for fn in (initializers.he, he_uniform):
        assert judge("nb07_he_init", fn).passed
