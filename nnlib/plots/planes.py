"""Figures of the plane: a classifier's decision regions, and contours of a cost surface with
optimizer paths."""

import numpy as np
from matplotlib import patheffects

from ..metrics import to_labels
from .style import BLACK, CMAP, LINESTYLES, MARKERS, PALETTE, done, new_axes, num, set_labels


def plot_decision_boundary(predict, X, y, ax=None, title="Decision boundary", resolution=200):
    """The class ``predict`` gives each point of the plane around ``X`` (N, 2), with the
    samples on top, coloured and marked by their class ``y`` (labels (N,) or one-hot (N, K)).

    ``predict`` maps (M, 2) to labels (M,), probabilities (M, K) (argmax), or probabilities
    of class 1 (M, 1)/(M,) (threshold 0.5).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must be (N, 2), got shape {X.shape}")
    y = to_labels(y)
    if len(y) != len(X) or resolution < 2:
        raise ValueError(f"need len(y) == len(X) ({len(y)} vs {len(X)}) and resolution >= 2")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.where(hi > lo, hi - lo, 10.0)
    x1, x2 = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution))
    regions, y_hat = to_labels(predict(np.column_stack([x1.ravel(), x2.ravel()]))), \
        to_labels(predict(X))
    if len(regions) != x1.size or len(y_hat) != len(X):
        raise ValueError("predict must return one label or row of probabilities per point")
    classes = np.unique(np.concatenate([y, regions]))
    K, index = len(classes), np.searchsorted(classes, regions).reshape(x1.shape)
    colours = [PALETTE[i % 8] for i in range(K)]
    fig, ax = new_axes(ax, figsize=(5, 4.5))
    ax.contourf(x1, x2, index, levels=np.arange(K + 1) - 0.5, colors=colours, alpha=0.25)
    if len(np.unique(index)) > 1:
        ax.contour(x1, x2, index, levels=np.arange(K - 1) + 0.5, colors=BLACK, linewidths=1)
    for i, c in enumerate(classes):
        if np.any(y == c):
            ax.scatter(X[y == c, 0], X[y == c, 1], color=colours[i], marker=MARKERS[i % 8],
                       edgecolors=BLACK, linewidths=0.5, label=f"class {c}", zorder=3)
    set_labels(ax, title, "x1", "x2", legend=True)
    return done(fig, f"predicted regions of {K} classes over x1 from {num(x1.min())} to "
                     f"{num(x1.max())} and x2 from {num(x2.min())} to {num(x2.max())}; "
                     f"{np.mean(y_hat == y):.0%} of the {len(X)} points lie in their own "
                     f"class's region.")


def plot_surface(f, xlim, ylim, ax=None, levels=30, title="Cost surface", paths=None,
                 xlabel="w1", ylabel="w2", resolution=200):
    """Contours of ``f(w1, w2)`` (vectorised: grids (R, R) in, (R, R) out) over ``xlim`` ×
    ``ylim``, with optimizer ``paths`` ``{label: array (T, 2)}`` drawn on top (a circle marks
    each start, a star each end)."""
    (x0, x1), (y0, y1) = xlim, ylim
    if not (x0 < x1 and y0 < y1 and resolution >= 2):
        raise ValueError(f"need xlim, ylim as (low, high) with low < high, got {xlim}, {ylim}")
    W1, W2 = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    Z = np.asarray(f(W1, W2), dtype=float)
    if Z.shape != W1.shape:
        raise ValueError(f"f must be vectorised: f(W1, W2) on {W1.shape} grids returned "
                         f"shape {Z.shape}")
    paths = {label: np.asarray(p, dtype=float) for label, p in (paths or {}).items()}
    for label, p in paths.items():
        if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
            raise ValueError(f"path {label!r} must be (T, 2), got shape {p.shape}")
    fig, ax = new_axes(ax, figsize=(5.5, 4.5))
    filled = ax.contourf(W1, W2, Z, levels=levels, cmap=CMAP)
    ax.contour(W1, W2, Z, levels=filled.levels, colors=BLACK, linewidths=0.3, alpha=0.4)
    fig.colorbar(filled, ax=ax, label=f"f({xlabel}, {ylabel})")
    outline = [patheffects.withStroke(linewidth=3, foreground="white")]
    ends = []
    for i, (label, p) in enumerate(paths.items()):
        colour = PALETTE[(i + 3) % 8]  # vermillion first: it stands out on all of cividis
        ax.plot(p[:, 0], p[:, 1], color=colour, marker=MARKERS[i % 8], markersize=3,
                linestyle=LINESTYLES[i % 4], label=label, path_effects=outline)
        for point, marker, size, name in ((p[0], "o", 8, "start"), (p[-1], "*", 14, "end")):
            ax.plot(*point, marker=marker, markersize=size, color=colour,
                    markeredgecolor=BLACK, linestyle="none", label=name if i == 0 else None)
        f_end = np.asarray(f(p[-1:, :1], p[-1:, 1:]), dtype=float).reshape(-1)[0]
        ends.append(f"{label} ends after {len(p) - 1} steps at ({num(p[-1, 0])}, "
                    f"{num(p[-1, 1])}) with f = {num(f_end)}")
    set_labels(ax, title, xlabel, ylabel, legend=bool(paths))
    summary = (f"contours of f over {xlabel} from {num(x0)} to {num(x1)} and {ylabel} from "
               f"{num(y0)} to {num(y1)}, where f goes from {num(np.nanmin(Z))} to "
               f"{num(np.nanmax(Z))}")
    return done(fig, "; ".join([summary] + ends) + ".")
