"""nnlib.plain: the plain-Python dense layer computes what Dense.forward computes."""

import numpy as np

from nnlib.layers import Dense
from nnlib.plain import dense_forward


def test_plain_dense_forward_agrees_with_dense():
    rng = np.random.default_rng(0)
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    Z = dense_forward(X.tolist(), W.tolist(), b.tolist())
    assert isinstance(Z, list) and all(isinstance(row, list) for row in Z)
    np.testing.assert_allclose(Z, Dense.from_arrays(W, b).forward(X), rtol=1e-12)


def test_plain_dense_forward_worked_example():
    # notebook 03: the 2-2-2 network's hidden layer on x = (0.5, -0.5)
    Z = dense_forward([[0.5, -0.5]], [[0.2, -0.3], [0.4, 0.1]], [0.1, -0.2])
    np.testing.assert_allclose(Z, [[0.0, -0.4]], atol=1e-12)
