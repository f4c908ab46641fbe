"""Inverted dropout: numbers by hand, a gradient check with a fixed mask (the functions and the
layer), the expected value kept, training against inference, clear errors."""

import numpy as np
import pytest

from nnlib import Activation, Dense, Network, fit
from nnlib.gradcheck import check_layer, numerical_gradient_array, rel_error
from nnlib.regularization import Dropout, dropout_backward, dropout_forward


def test_forward_and_backward_by_hand():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    keep = np.array([[True, False], [True, True]])
    np.testing.assert_array_equal(dropout_forward(X, 0.5, keep), [[2.0, 0.0], [6.0, 8.0]])
    np.testing.assert_allclose(dropout_forward(X, 0.2, keep), [[1.25, 0.0], [3.75, 5.0]])
    assert dropout_forward(X, 0.5, keep, training=False) is X            # inference: unchanged
    dout = np.array([[10.0, 10.0], [1.0, -1.0]])
    np.testing.assert_array_equal(dropout_backward(dout, 0.5, keep), [[20.0, 0.0], [2.0, -2.0]])


def test_backward_matches_finite_differences_with_a_fixed_mask():
    rng = np.random.default_rng(0)
    X, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    keep = rng.random((5, 4)) >= 0.3
    numeric = numerical_gradient_array(lambda: dropout_forward(X, 0.3, keep), X, dout)
    assert rel_error(dropout_backward(dout, 0.3, keep), numeric) < 1e-9


class FixedMask(Dropout):
    """A Dropout layer that draws the same mask at every forward pass (for gradient checks)."""

    def forward(self, X, training=True):
        self.rng = np.random.default_rng(7)
        return super().forward(X, training)


def test_layer_gradient_check_with_a_fixed_mask():
    X = np.random.default_rng(1).standard_normal((6, 3))
    layer = FixedMask(0.4, rng=np.random.default_rng(7))
    errors = check_layer(layer, X)
    assert errors == {"dX": pytest.approx(0, abs=1e-9)}
    assert 0 < layer.keep.sum() < layer.keep.size        # some units kept, some dropped


def test_layer_keeps_about_1_minus_p_and_the_expected_value():
    layer = Dropout(0.25, rng=np.random.default_rng(0))
    X = np.full((200, 50), 2.0)
    outs = np.array([layer.forward(X) for _ in range(40)])
    assert abs(np.mean(outs != 0) - 0.75) < 0.01          # 400 000 draws: std ≈ 0.0007
    assert abs(outs.mean() - 2.0) < 0.01                  # E[out] = X
    assert set(np.unique(outs)) == {0.0, 2.0 / 0.75}
    assert np.array_equal(layer.forward(X, training=False), X) and layer.keep is None
    np.testing.assert_array_equal(layer.backward(np.ones_like(X)), np.ones_like(X))


def test_a_new_mask_each_batch_and_float32_kept():
    layer = Dropout(0.5, rng=np.random.default_rng(3))
    X = np.ones((4, 6), dtype=np.float32)
    first, second = layer.forward(X), layer.forward(X)
    assert first.dtype == np.float32 and not np.array_equal(first, second)


def test_network_with_dropout_trains_and_predicts_without_it():
    rng = np.random.default_rng(4)
    dense = [Dense(3, 8, rng=rng, input_grad=False), Dense(8, 1, rng=rng)]
    net = Network([dense[0], Activation("relu"), Dropout(0.5, rng=rng), dense[1]])
    plain = Network([dense[0], Activation("relu"), dense[1]])           # the same weights
    X, y = rng.standard_normal((16, 3)), rng.standard_normal((16, 1))
    fit(net, X, y, epochs=3, lr=0.01, batch_size=8, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(net.predict(X), plain.predict(X))    # inference: no dropout
    assert not np.array_equal(net.forward(X), plain.forward(X))        # training: dropout


@pytest.mark.parametrize("call", [
    lambda: Dropout(1.0, rng=np.random.default_rng(0)),
    lambda: Dropout(-0.1, rng=np.random.default_rng(0)),
    lambda: dropout_forward(np.ones((2, 2)), 1.5, np.ones((2, 2), bool)),
    lambda: dropout_forward(np.ones((2, 2)), 0.5, np.ones((2, 3), bool)),
])
def test_bad_settings_are_value_errors(call):
    with pytest.raises(ValueError):
        call()


def test_dropout_needs_a_seeded_generator():
    with pytest.raises(ValueError, match="seeded generator"):
        Dropout(0.5)
