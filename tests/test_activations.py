"""Activations: values, derivatives by finite differences, stability and dtype."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib import activations as A
from nnlib.gradcheck import numerical_gradient_array, rel_error

ELEMENTWISE = ["sigmoid", "relu", "leaky_relu", "tanh", "identity"]


def test_sigmoid_known_values():
    assert A.sigmoid(np.array([0.0]))[0] == 0.5
    assert A.sigmoid(np.array([2.0]))[0] == pytest.approx(1 / (1 + math.exp(-2)))
    assert A.sigmoid(np.array([-3.0]))[0] == pytest.approx(1 / (1 + math.exp(3)))


@pytest.mark.parametrize("name", ELEMENTWISE + ["softmax"])
def test_backward_matches_finite_differences(name):
    """Every activation, softmax included, goes backward with the one signature (Z, dout)."""
    f, backward = A.get_activation(name)
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((4, 5))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep away from ReLU's kink
    dout = rng.standard_normal(Z.shape)
    numeric = numerical_gradient_array(lambda: f(Z), Z, dout)
    assert rel_error(backward(Z, dout), numeric) <= 1e-7
    if name != "softmax":   # the elementwise derivative is the backward with dout = 1
        derivative = getattr(A, f"{name}_derivative")
        np.testing.assert_array_equal(backward(Z, dout), dout * derivative(Z))


def test_softmax_backward_matches_finite_differences_and_jacobian():
    rng = np.random.default_rng(2)
    Z = rng.standard_normal((3, 4))
    dout = rng.standard_normal(Z.shape)
    numeric = numerical_gradient_array(lambda: A.softmax(Z), Z, dout)
    assert rel_error(A.softmax_backward(Z, dout), numeric) <= 1e-7
    via_jacobian = np.einsum("nij,ni->nj", A.softmax_jacobian(Z), dout)
    assert rel_error(via_jacobian, numeric) <= 1e-7


def test_extremes_are_stable_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.sigmoid(np.array([-1000.0, 1000.0]))
        np.testing.assert_array_equal(s, [0.0, 1.0])
        p = A.softmax(np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]]))
        np.testing.assert_allclose(p, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
        assert np.all(np.isfinite(A.sigmoid_derivative(np.array([-1000.0, 1000.0]))))
        assert np.all(np.isfinite(A.tanh_derivative(np.array([-1000.0, 1000.0]))))


@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_float32_stays_float32(name):
    f, backward = A.get_activation(name)
    Z = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    assert f(Z).dtype == np.float32
    assert backward(Z, np.ones_like(Z)).dtype == np.float32


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="relu"):
        A.get_activation("rectifier")


def test_integer_input_becomes_float():
    assert A.relu(np.array([-1, 2])).dtype == np.float64
    assert A.sigmoid([0, 1]).dtype == np.float64


finite = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)),
                elements=st.floats(-1e4, 1e4))


@settings(max_examples=60, deadline=None)
@given(finite)
def test_softmax_rows_are_probabilities(Z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = A.softmax(Z)
    assert P.shape == Z.shape
    assert np.all(P >= 0)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(finite)
def test_sigmoid_range_shape_dtype(Z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S = A.sigmoid(Z)
        S32 = A.sigmoid(Z.astype(np.float32))
    assert S.shape == Z.shape and S.dtype == np.float64 and S32.dtype == np.float32
    assert np.all((S >= 0) & (S <= 1))
    inner = np.abs(Z) < 30
    assert np.all((S[inner] > 0) & (S[inner] < 1))


@settings(max_examples=40, deadline=None)
@given(finite)
def test_elementwise_preserve_shape(Z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ELEMENTWISE:
            f, backward = A.get_activation(name)
            assert f(Z).shape == Z.shape and backward(Z, np.ones_like(Z)).shape == Z.shape
