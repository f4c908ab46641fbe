"""A dense layer in plain Python, with lists and no numpy: the three loops ``X @ W + b`` hides.

``Dense.forward`` (:mod:`nnlib.layers`) computes the same numbers with numpy; this version is
here to read, and to compare with (notebook 03 times the two).
"""


def dense_forward(X, W, b):
    """Z = X·W + b on lists: X N rows of D floats, W D rows of M floats (row k holds input k's
    weights), b M floats -> Z, N rows of M floats, Z[n][m] = Σ_k X[n][k]·W[k][m] + b[m]."""
    return [[sum(x[k] * W[k][m] for k in range(len(W))) + b[m] for m in range(len(b))]
            for x in X]
