"""Gradient clipping by global norm: numbers by hand, direction kept, inputs untouched, the
in-place version fit uses, and fit(clip=...) against a loop written out."""

import numpy as np
import pytest

from nnlib import Network, SGD, fit
from nnlib.clipping import clip_by_global_norm, clip_gradients, global_norm
from nnlib.layers import Parameter
from nnlib.objective import backprop


def test_by_hand_3_4_5():
    grads = [np.array([3.0]), np.array([[0.0, 4.0]])]       # global norm √(9 + 16) = 5
    clipped, norm = clip_by_global_norm(grads, max_norm=1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped[0], [0.6])
    np.testing.assert_allclose(clipped[1], [[0.0, 0.8]])
    same, norm = clip_by_global_norm(grads, max_norm=10.0)   # under the cap: unchanged copies
    assert norm == 5.0 and all(np.array_equal(a, b) and a is not b for a, b in zip(same, grads))
    assert np.array_equal(grads[0], [3.0]) and np.array_equal(grads[1], [[0.0, 4.0]])


def test_direction_kept_and_norm_capped():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s) * 10 for s in ((4, 3), (3,), (3, 2))]
    clipped, norm = clip_by_global_norm(grads, 2.0)
    assert norm == pytest.approx(np.sqrt(sum(np.sum(g ** 2) for g in grads)))
    assert global_norm(clipped) == pytest.approx(2.0)
    ratios = np.concatenate([(c / g).ravel() for c, g in zip(clipped, grads)])
    np.testing.assert_allclose(ratios, 2.0 / norm)           # one factor for every entry


def test_not_the_same_as_clipping_each_array():
    grads = [np.array([3.0]), np.array([4.0])]               # each under 4.5, together 5
    clipped, _ = clip_by_global_norm(grads, 4.5)
    np.testing.assert_allclose([clipped[0][0], clipped[1][0]], [2.7, 3.6])


def test_float32_kept_and_zero_gradient():
    clipped, norm = clip_by_global_norm([np.ones(4, dtype=np.float32) * 3], 1.0)
    assert clipped[0].dtype == np.float32 and norm == 6.0
    zeros, norm = clip_by_global_norm([np.zeros(3)], 1.0)
    assert norm == 0.0 and np.array_equal(zeros[0], np.zeros(3))


def test_clip_gradients_in_place_on_parameters():
    p, q = Parameter(np.zeros(2), "a"), Parameter(np.zeros((1, 1)), "b")
    p.grad, q.grad = np.array([6.0, 0.0]), np.array([[8.0]])
    assert clip_gradients([p, q], 5.0) == 10.0
    np.testing.assert_allclose(p.grad, [3.0, 0.0])
    np.testing.assert_allclose(q.grad, [[4.0]])


def _problem():
    rng = np.random.default_rng(5)
    net = Network.from_sizes([3, 6, 2], rng=rng)
    return net, rng.standard_normal((12, 3)) * 5, rng.standard_normal((12, 2)) * 5


def test_fit_clip_is_clip_gradients_between_backward_and_step():
    net, X, y = _problem()
    fit(net, X, y, epochs=3, batch_size=4, lr=0.05, clip=0.5)
    by_hand, _, _ = _problem()
    opt = SGD(by_hand.parameters(), lr=0.05)
    for _ in range(3):
        for start in range(0, 12, 4):
            opt.zero_grad()
            backprop(by_hand, X[start:start + 4], y[start:start + 4])
            clip_gradients(opt.params, 0.5)
            opt.step()
    assert all(np.array_equal(a.value, b.value)
               for a, b in zip(net.parameters(), by_hand.parameters()))


def test_fit_with_a_cap_never_reached_is_fit_without_clipping():
    runs = []
    for clip in (None, 1e12):
        net, X, y = _problem()
        runs.append((fit(net, X, y, epochs=2, batch_size=5, lr=0.01, clip=clip)["cost"],
                     [p.value for p in net.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


@pytest.mark.parametrize("call", [
    lambda: clip_by_global_norm([np.ones(2)], 0.0),
    lambda: clip_gradients([Parameter(np.ones(2), "w")], -1.0),
    lambda: fit(*_problem(), clip=0),
])
def test_bad_max_norm_is_a_value_error(call):
    with pytest.raises(ValueError, match="max_norm|clip"):
        call()
