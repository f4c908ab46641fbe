"""Learning-rate schedules: values worked by hand, the conventions (steps from 0, warm-up from
lr/warmup), fit's schedule option, clear errors."""

import numpy as np
import pytest

from nnlib import Network, fit, schedules
from nnlib.schedules import (constant, cosine_decay, get_schedule, linear_warmup, step_decay,
                             warmup_cosine)


def test_step_decay_by_hand():
    assert [step_decay(t, 0.8, drop=0.5, every=2) for t in range(7)] == \
        [0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1]
    assert constant(123, 0.3) == 0.3


def test_cosine_by_hand():
    # lr_min + ½(lr − lr_min)(1 + cos(π t / total)): t = 0 -> lr, total/2 -> halfway,
    # t = total -> lr_min
    assert cosine_decay(0, 0.1, total=10) == pytest.approx(0.1)
    assert cosine_decay(5, 0.1, total=10) == pytest.approx(0.05)
    assert cosine_decay(10, 0.1, total=10) == pytest.approx(0.0, abs=1e-15)
    assert cosine_decay(25, 0.1, total=10, lr_min=0.01) == pytest.approx(0.01)     # after: lr_min
    assert cosine_decay(5, 1.0, total=20) == pytest.approx(0.5 * (1 + np.cos(np.pi / 4)))


def test_warmup_starts_at_lr_over_warmup():
    assert [linear_warmup(t, 1.0, warmup=4) for t in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert linear_warmup(0, 0.3, warmup=0) == 0.3                          # no warm-up


def test_warmup_cosine_by_hand():
    # warm-up over 2 steps (0.5, 1.0), then a cosine over the 4 steps from t = 2 to t = 6
    got = [warmup_cosine(t, 1.0, warmup=2, total=6) for t in range(8)]
    np.testing.assert_allclose(got, [0.5, 1.0, 1.0, 0.5 * (1 + np.cos(np.pi / 4)), 0.5,
                                     0.5 * (1 + np.cos(3 * np.pi / 4)), 0.0, 0.0], atol=1e-15)
    assert warmup_cosine(3, 0.1, warmup=0, total=10) == pytest.approx(cosine_decay(3, 0.1, 10))
    assert all(isinstance(v, float) for v in got)


def test_get_schedule_and_fit_sets_the_learning_rate_before_each_update():
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.1 / (1 + t)

    rng = np.random.default_rng(0)
    net = Network.from_sizes([2, 3, 1], rng=rng)
    X, y = rng.standard_normal((8, 2)), rng.standard_normal((8, 1))
    fit(net, X, y, epochs=3, batch_size=4, lr=0.1, schedule=schedule)
    assert seen == [0, 1, 2, 3, 4, 5]                  # 2 updates per epoch, counted across epochs
    f = get_schedule("warmup_cosine", lr=0.2, warmup=3, total=10)
    assert f(0) == pytest.approx(0.2 / 3) and f(3) == pytest.approx(0.2)


def test_a_constant_schedule_trains_exactly_as_no_schedule():
    def run(**options):
        rng = np.random.default_rng(1)
        net = Network.from_sizes([3, 4, 2], rng=rng)
        X, y = rng.standard_normal((10, 3)), rng.standard_normal((10, 2))
        return fit(net, X, y, epochs=4, batch_size=3, lr=0.05, rng=np.random.default_rng(2),
                   **options)["cost"], [p.value for p in net.parameters()]
    (c1, w1), (c2, w2) = run(), run(schedule=get_schedule("constant", lr=0.05))
    assert c1 == c2 and all(np.array_equal(a, b) for a, b in zip(w1, w2))


@pytest.mark.parametrize("call, words", [
    (lambda: get_schedule("linear", lr=0.1), "unknown schedule"),
    (lambda: get_schedule("cosine", lr=0.1), "total"),
    (lambda: get_schedule("step", lr=0.1, every=0), "every"),
    (lambda: step_decay(0, 0.1, drop=0), "drop"),
    (lambda: cosine_decay(-1, 0.1, total=10), "step t"),
    (lambda: cosine_decay(0, 0.0, total=10), "learning rate"),
    (lambda: cosine_decay(0, 0.1, total=10, lr_min=0.2), "lr_min"),
    (lambda: warmup_cosine(0, 0.1, warmup=10, total=10), "total"),
    (lambda: linear_warmup(0.5, 0.1, warmup=3), "step t"),
    (lambda: fit(Network.from_sizes([1, 1], rng=np.random.default_rng(0)), np.ones((2, 1)),
                 np.ones((2, 1)), schedule=0.1), "schedule"),
])
def test_bad_settings_are_value_errors(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_every_schedule_is_in_the_name_table():
    assert set(schedules.SCHEDULES) == {"constant", "step", "cosine", "warmup", "warmup_cosine"}
