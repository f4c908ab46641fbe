"""Notebook 12's checks (your own network) accept correct answers written other ways, name a
network that reaches nnlib, and hold the notebook's baseline number."""

import numpy as np

from nncourse.checks import nb12


def forward_dict_free(params, X):
    Ws, bs = params[0::2], params[1::2]
    A, cache = X, []
    for k, (W, b) in enumerate(zip(Ws, bs)):
        Z = np.dot(A, W) + b
        cache.append([A, Z])
        if k + 1 < len(Ws):
            A = Z * (Z > 0)
        else:
            S = Z - np.max(Z, axis=-1, keepdims=True)
            A = np.exp(S) / np.exp(S).sum(-1, keepdims=True)
    return A, cache


def backward_via_logsumexp(params, cache, Y):
    n_layers = len(cache)
    Z = cache[-1][1]
    log_P = Z - Z.max(1, keepdims=True)
    log_P = log_P - np.log(np.exp(log_P).sum(1, keepdims=True))
    delta = (np.exp(log_P) - Y) / Y.shape[0]
    out = []
    for k in range(n_layers - 1, -1, -1):
        A_in, Zk = cache[k]
        if k < n_layers - 1:
            delta = delta * np.where(Zk > 0, 1.0, 0.0)
        out = [np.einsum("nd,nm->dm", A_in, delta), delta.sum(0)] + out
        delta = delta @ params[2 * k].T
    return out


def test_forward_and_backward_accept_other_correct_versions(judge):
    for fn in (forward_dict_free, nb12.nnlib_forward):
        assert judge("nb12_forward", fn).passed
    for fn in (backward_via_logsumexp, nb12.nnlib_backward):
        r = judge("nb12_backward", fn)
        assert r.passed, r.message


def minibatches_generator(N, batch_size, rng):
    order = rng.permutation(N)
    while len(order):
        yield order[:batch_size]
        order = order[batch_size:]


def test_minibatches_names_a_generator_the_statement_asks_for_a_list(judge):
    from nnlib.train import minibatches
    for fn in (minibatches_generator, minibatches):
        r = judge("nb12_minibatches", fn)
        assert not r.passed and r.mistake.name == "a generator, not a list", r.message
    assert judge("nb12_minibatches", lambda N, b, rng: list(minibatches(N, b, rng))).passed


def adam_in_place_on_copies(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    w, m, v = w.copy(), m.copy(), v.copy()
    m *= beta1
    m += (1 - beta1) * dw
    v *= beta2
    v += (1 - beta2) * dw * dw
    w -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w, m, v


def test_adam_step_accepts_other_correct_versions(judge):
    alpha = lambda w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8: nb12.adam_step(  # noqa
        w, dw, m, v, t, lr, beta1, beta2, eps)
    for fn in (adam_in_place_on_copies, alpha):
        r = judge("nb12_adam_step", fn)
        assert r.passed, r.message


def test_adam_step_changing_m_in_place_is_reported(judge):
    def in_place(w, dw, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        m *= beta1
        m += (1 - beta1) * dw
        return nb12.adam_step(w, dw, np.zeros_like(m), v, t, lr, beta1, beta2, eps)[0], m, v
    r = judge("nb12_adam_step", in_place)
    assert not r.passed and "changed its input `m` in place" in r.message


def train_with_dicts(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
    rng = np.random.default_rng(seed)
    state = {i: (np.zeros_like(p), np.zeros_like(p)) for i, p in enumerate(params)}
    params, costs, step = [p.copy() for p in params], [], 0
    for _ in range(epochs):
        batch_costs, sizes = [], []
        for idx in nb12.minibatches(len(X), batch_size, rng):
            P, cache = nb12.forward(params, X[idx])
            batch_costs.append(-np.log(P[Y[idx] == 1]).mean())
            sizes.append(len(idx))
            step += 1
            batch_costs[-1] += l2 / 2 * sum(np.sum(W * W) for W in params[::2])
            for i, g in enumerate(nb12.backward(params, cache, Y[idx])):
                if i % 2 == 0:
                    g = g + l2 * params[i]
                params[i], m, v = nb12.adam_step(params[i], g, *state[i], step, lr)
                state[i] = (m, v)
        costs.append(np.average(batch_costs, weights=sizes))
    return params, np.array(costs)


def test_train_accepts_another_correct_loop(judge):
    r = judge("nb12_train", train_with_dicts)
    assert r.passed, r.message


def test_train_calling_nnlib_is_named(judge):
    def via_fit(params, X, Y, epochs, batch_size, lr, seed, l2=0.0):
        from nnlib import Adam, train
        net = nb12.nnlib_network(params)
        history = train.fit(net, X, Y, cost="categorical_cross_entropy",
                            optimizer=Adam(net.parameters(), lr=lr), epochs=epochs,
                            batch_size=batch_size, rng=np.random.default_rng(seed), l2=l2)
        return [p.value for p in net.parameters()], history["cost"]
    r = judge("nb12_train", via_fit)
    assert not r.passed and "your code reaches nnlib through nnlib (an import of nnlib)" in r.message


def test_reached_finds_indirect_nnlib_and_the_test_set():
    from nnlib import losses
    from nncourse.checks.drivers.nb12 import reached
    X_test = np.zeros((2, 2))

    def helper(Y, P):
        return losses.categorical_cross_entropy(Y, P) + X_test.sum()

    def mine(X):
        return helper(X, X)
    assert reached(mine) == {"nnlib": ["losses (nnlib.losses)"], "test": ["X_test"],
                             "arrays": []}
    assert reached(nb12.choose) == {"nnlib": ["data (nnlib.data)"], "test": [], "arrays": []}


def test_test_set_names():
    from nncourse.checks.drivers.nb12 import is_test_name
    for name in ("X_test", "y_test", "Y_test", "test_X", "X_test2", "Xtest", "test"):
        assert is_test_name(name), name
    for name in ("latest", "fastest", "X_val", "contest_data", "y_testing"):
        assert not is_test_name(name), name


def test_the_baseline_number_is_nnlibs():
    X_train, y_train, X_val, y_val, *_ = nb12.digits_split()
    params = nb12.baseline_params(X_train, y_train)
    assert int(np.sum(nb12.nnlib_predict(params, X_val) == y_val)) == nb12.BASELINE_VAL_CORRECT


def test_my_network_reports_its_validation_accuracy(judge):
    r = judge("nb12_my_network", nb12.my_network)
    assert r.passed and "266 of the 269 validation digits" in r.message, r.message


def test_until_implemented_waits_for_stubs_and_names_it_was_told_of(capsys):
    import pytest
    from nncourse.learner.demo import until_implemented
    with until_implemented("forward"):
        raise NotImplementedError()
    with until_implemented("choose", after=("best",)):
        best  # noqa: B018, F821  (made by a cell that waited)
    out = capsys.readouterr().out
    assert "when you have written forward" in out and "uses `best`" in out
    with pytest.raises(NameError), until_implemented("choose", after=("best",)):
        bset  # noqa: B018, F821  (a typo is the learner's own error)


def test_my_network_must_predict_with_the_reloaded_parameters(judge):
    from nncourse.checks import nb12
    trained = nb12._trained("params", nb12.CHOSEN)
    ns = {"predict": nb12.predict, "np": np, "reloaded": [p.copy() for p in trained],
          "final_params": trained}
    exec("def with_trained(X):\n    return predict(final_params, X)\n"
         "best = reloaded\n"
         "def with_alias(X):\n    return predict(best, X)\n"
         "def with_reloaded(X):\n    return predict(reloaded, X)\n", ns)
    r = judge("nb12_my_network", ns["with_trained"])
    assert not r.passed and r.mistake.name == "not the reloaded parameters", r.message
    assert judge("nb12_my_network", ns["with_alias"]).passed
    assert judge("nb12_my_network", ns["with_reloaded"]).passed
