"""The network diagram: a column of neurons per layer, a line per weight."""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

from .style import BLACK, DIVERGING_CMAP, PALETTE, done, new_axes, num, set_labels


def plot_network(sizes_or_network, weights=None, ax=None, title="Network", weight_label="weight"):
    """A fully connected network: a column of neurons per layer, a line per weight.

    ``sizes_or_network``: layer sizes such as ``[2, 2, 2]``, or a :class:`~nnlib.Network`
    (whose Dense weights are drawn). ``weights``: a list of (D, M) arrays; a line's colour
    shows the weight's sign and its width the size. Networks of at most 3 neurons per
    layer get each weight written on its line. ``weight_label`` names what the line values
    are (e.g. "dW" to draw gradients).
    """
    if hasattr(sizes_or_network, "dense_layers"):
        dense = sizes_or_network.dense_layers
        sizes = [dense[0].W.value.shape[0]] + [layer.W.value.shape[1] for layer in dense] \
            if dense else []
        weights = [layer.W.value for layer in dense] if weights is None else weights
    else:
        sizes = [int(n) for n in sizes_or_network]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"need at least two layer sizes, each >= 1, got {sizes}")
    shapes = list(zip(sizes[:-1], sizes[1:]))
    if weights is not None:
        weights = [np.asarray(W, dtype=float) for W in weights]
        if [W.shape for W in weights] != shapes:
            raise ValueError(f"weights must have shapes {shapes}, got "
                             f"{[W.shape for W in weights]}")
    L, top = len(sizes), max(sizes)
    y = [(n - 1) / 2 - np.arange(n) for n in sizes]  # each column centred on 0
    segments = [[(i, y[i][j]), (i + 1, y[i + 1][k])]
                for i, (D, M) in enumerate(shapes) for j in range(D) for k in range(M)]
    fig, ax = new_axes(ax, figsize=(1.8 * L + 1.5, 4))
    lines = LineCollection(segments, zorder=1)
    if weights is None:
        lines.set(color=BLACK, alpha=0.35, linewidth=0.8)
    else:
        w = np.concatenate([W.ravel() for W in weights])  # same order as the segments
        m = float(np.abs(w).max()) or 1.0
        lines.set(array=w, cmap=DIVERGING_CMAP, norm=Normalize(-m, m),
                  linewidth=0.5 + 3.5 * np.abs(w) / m)
        fig.colorbar(lines, ax=ax, label=weight_label, shrink=0.8)
        if top <= 3:
            for ((x0, y0), (x1, y1)), value in zip(segments, w):
                ax.text(x0 + 0.25 * (x1 - x0), y0 + 0.25 * (y1 - y0), f"{value:.2g}",
                        fontsize=8, ha="center", va="center", zorder=4,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    ax.add_collection(lines)
    names = ["input"] + [f"hidden {i}" for i in range(1, L - 1)] + ["output"]
    for i, n in enumerate(sizes):
        colour = PALETTE[5] if i == 0 else PALETTE[1] if i == L - 1 else PALETTE[2]
        ax.scatter(np.full(n, i), y[i], s=min(500, (220 / top) ** 2), color=colour,
                   edgecolors=BLACK, zorder=3)
    ax.set(xlim=(-0.4, L - 0.6), ylim=(-top / 2, top / 2), yticks=[])
    ax.set_xticks(range(L), [f"{name}\n({n})" for name, n in zip(names, sizes)])
    ax.spines[:].set_visible(False)
    set_labels(ax, title, "layer", "neurons")
    summary = (f"a {'-'.join(map(str, sizes))} fully connected network: {L} layers, "
               f"{sum(sizes)} neurons, {sum(D * M for D, M in shapes)} weights")
    if weights is not None:
        summary += (f", {weight_label} values from {num(w.min())} to {num(w.max())} (line "
                    f"colour: sign, width: size)")
    return done(fig, summary + ".")
