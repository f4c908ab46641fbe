"""The course's figures, and two training callbacks that draw while :func:`nnlib.fit` runs.

Every figure follows the same rules, so notebooks never restyle one:

* colours from the colour-blind-safe Okabe–Ito :data:`PALETTE`, and lines also differ in
  style or marker so they read without colour; surfaces use :data:`CMAP`, signed values
  :data:`DIVERGING_CMAP`;
* a title and labelled axes (image grids: a title per panel, axes off, a figure title);
* every function returns the matplotlib ``Figure`` with ``fig.summary`` set: one plain-text
  sentence, with the numbers that matter, that notebooks print under the figure;
* functions drawing on one axis take ``ax=`` to draw into an existing figure.

Nothing here calls ``plt.show()`` or changes the backend, and ipywidgets is imported only
when a :class:`ProgressBar` starts inside a notebook.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

from .activations import get_activation, softmax, softmax_backward

# Okabe & Ito's eight colours, ordered for plotting (the low-contrast yellow comes late).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]
BLACK = PALETTE[7]
CMAP = "cividis"
DIVERGING_CMAP = "PuOr"
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":"]
HISTORY_NAMES = {"cost": "cost", "val_cost": "validation cost", "accuracy": "accuracy",
                 "val_accuracy": "validation accuracy"}


# ----------------------------------------------------------------------------- helpers

def _num(x):
    """A number in three significant digits: 0.693, 0.0123, 1.2e+03."""
    return f"{float(x):.3g}"


def _axes(ax, figsize=(5, 3.5)):
    """``(fig, ax)``: the given axis and its figure, or a new figure with one axis."""
    if ax is None:
        return plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def _label(ax, title, xlabel, ylabel, legend=False):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend(frameon=False)


def _done(fig, summary):
    """Attach the one-line accessible summary and return the figure."""
    fig.summary = summary[0].upper() + summary[1:]
    return fig


def _as_labels(out):
    """Class labels (N,) from labels (N,)/(N, 1), scores or one-hot rows (N, K) (argmax), or
    probabilities of class 1 (N,)/(N, 1) (threshold 0.5). Integral floats become ints."""
    out = np.asarray(out)
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    if out.ndim not in (1, 2):
        raise ValueError(f"expected labels (N,) or scores (N, K), got shape {out.shape}")
    out = out.reshape(len(out))
    if np.issubdtype(out.dtype, np.floating):
        is_label = np.all(out == np.round(out))
        return out.astype(int) if is_label else (out >= 0.5).astype(int)
    return out


def _ylabel(keys):
    if all("accuracy" in k for k in keys):
        return "accuracy"
    return "cost" if all("cost" in k for k in keys) else "value"


def _draw_history(ax, history, keys, title):
    """Each ``history[key]`` against epoch on ``ax``; returns phrases such as
    "cost fell from 0.693 to 0.012"."""
    phrases = []
    for i, key in enumerate(keys):
        values = np.asarray(history[key], dtype=float)
        name = HISTORY_NAMES.get(key, key.replace("_", " "))
        ax.plot(np.arange(1, len(values) + 1), values, color=PALETTE[i % 8],
                linestyle=LINESTYLES[i % 4], label=name)
        first, last = _num(values[0]), _num(values[-1])
        verb = "stayed at" if first == last else "fell from" if values[-1] < values[0] else "rose from"
        phrases.append(f"{name} {verb} {first}" + ("" if first == last else f" to {last}"))
    _label(ax, title, "epoch", _ylabel(keys), legend=len(keys) > 1)
    return phrases


# ----------------------------------------------------------------------------- activations

def plot_activation(name, z=None, ax=None):
    """The activation ``name`` and its derivative (taken at the pre-activation z) on ``z``
    (default: 241 points from -6 to 6). For ``"softmax"``: the first component of
    softmax([z, 0]) and its derivative in z (which are σ(z) and σ'(z))."""
    f, df = get_activation(name)  # ValueError for an unknown name
    z = np.linspace(-6, 6, 241) if z is None else np.sort(np.asarray(z, dtype=float))
    if z.ndim != 1 or len(z) < 2:
        raise ValueError(f"z must be 1-D with at least 2 values, got shape {z.shape}")
    if name == "softmax":
        Z = np.stack([z, np.zeros_like(z)], axis=1)                    # (N, 2)
        a, label = softmax(Z)[:, 0], "softmax([z, 0])[0]"
        da = softmax_backward(Z, np.array([[1.0, 0.0]]))[:, 0]         # ∂softmax_0/∂z
    else:
        a, da, label = f(z), df(z), name
    fig, ax = _axes(ax)
    ax.axhline(0, color=BLACK, linewidth=0.5, alpha=0.4)
    ax.plot(z, a, color=PALETTE[0], label=label)
    ax.plot(z, da, color=PALETTE[1], linestyle="--", label="derivative")
    _label(ax, f"{name} and its derivative", "z (pre-activation)", "value", legend=True)
    i = int(np.argmax(da))
    return _done(fig, f"{name} on z from {_num(z[0])} to {_num(z[-1])} goes from {_num(a[0])} "
                      f"to {_num(a[-1])}; its derivative is largest ({_num(da[i])}) at "
                      f"z = {_num(z[i])}.")


def plot_activations(names=("sigmoid", "tanh", "relu", "leaky_relu")):
    """A row of :func:`plot_activation` panels, one per name."""
    names = list(names)
    if not names:
        raise ValueError("names is empty: give at least one activation name")
    for name in names:
        get_activation(name)  # fail before any figure is made
    fig, axes = plt.subplots(1, len(names), figsize=(3.3 * len(names), 3), squeeze=False,
                             layout="constrained")
    for name, ax in zip(names, axes[0]):
        plot_activation(name, ax=ax)
    z = np.linspace(-6, 6, 241)
    peaks = ", ".join(f"{name} {_num(np.max(get_activation(name)[1](z)))}" for name in names
                      if name != "softmax")
    return _done(fig, f"{', '.join(names)} (solid) and their derivatives (dashed) on z from "
                      f"-6 to 6, one panel each; largest slopes: {peaks}.")


# ----------------------------------------------------------------------------- training curves

def plot_history(history, keys=None, ax=None, title="Training history", logy=False):
    """Curves from the history :func:`nnlib.fit` returns, against epoch.

    Costs (``cost``, ``val_cost``) go in one panel and accuracies in a second. ``keys``
    chooses which to draw (default: all four that are present). With ``ax``, one axis holds
    either costs or accuracies (by default the costs). ``logy`` puts costs on a log scale.
    """
    if keys is None:
        keys = [k for k in HISTORY_NAMES if k in history]
        if ax is not None:
            keys = [k for k in keys if "accuracy" not in k]
    keys = list(keys)
    if not keys:
        raise ValueError("nothing to plot: give keys present in the history")
    for key in keys:
        if key not in history or len(history[key]) == 0:
            raise ValueError(f"history has no values for {key!r}; it has {sorted(history)}")
    groups = [g for g in ([k for k in keys if "accuracy" not in k],
                          [k for k in keys if "accuracy" in k]) if g]
    if ax is not None and len(groups) > 1:
        raise ValueError("one axis holds either costs or accuracies: pass keys, or ax=None")
    if ax is None:
        fig, axes = plt.subplots(1, len(groups), figsize=(5 * len(groups), 3.5), squeeze=False,
                                 layout="constrained")
        axes = axes[0]
    else:
        fig, axes = ax.figure, [ax]
    phrases = []
    for ax, group in zip(axes, groups):
        panel_title = title if len(groups) == 1 else _ylabel(group).capitalize()
        phrases += _draw_history(ax, history, group, panel_title)
        if logy and "accuracy" not in group[0]:
            ax.set_yscale("log")
    if len(groups) > 1:
        fig.suptitle(title)
    return _done(fig, ", ".join(phrases) + f" over {len(history[keys[0]])} epochs.")


def plot_costs(curves, ax=None, title="Cost per epoch", ylabel="cost", logy=False,
               xlabel="epoch"):
    """Named curves ``{label: values}`` on one axis, e.g. one per optimizer.

    ``values`` is a list with one value per epoch, or a 2-D array (runs, epochs): then the
    mean is drawn with a shaded band of ± one standard deviation across runs.
    """
    curves = {label: np.asarray(values, dtype=float) for label, values in curves.items()}
    if not curves:
        raise ValueError("curves is empty: give {label: values}")
    for label, values in curves.items():
        if values.ndim not in (1, 2) or values.size == 0:
            raise ValueError(f"{label!r}: values must be (epochs,) or (runs, epochs), "
                             f"got shape {values.shape}")
    fig, ax = _axes(ax)
    finals = []
    for i, (label, values) in enumerate(curves.items()):
        mean = values if values.ndim == 1 else values.mean(axis=0)
        epochs = np.arange(1, len(mean) + 1)
        ax.plot(epochs, mean, color=PALETTE[i % 8], linestyle=LINESTYLES[i % 4], label=label)
        text = f"{label} {_num(mean[-1])}"
        if values.ndim == 2:
            std = values.std(axis=0)
            ax.fill_between(epochs, mean - std, mean + std, color=PALETTE[i % 8], alpha=0.2,
                            linewidth=0)
            text += f" ± {_num(std[-1])} ({len(values)} runs)"
        finals.append((mean[-1], label, text))
    if logy:
        ax.set_yscale("log")
    _label(ax, title, xlabel, ylabel, legend=True)
    if len(finals) == 1:
        return _done(fig, f"final {ylabel} of {finals[0][2]}.")
    lowest = min(finals, key=lambda t: t[0])[1]
    return _done(fig, f"final {ylabel}: {', '.join(t[2] for t in finals)}; lowest: {lowest}.")


# ----------------------------------------------------------------------------- decision boundary

def plot_decision_boundary(predict, X, y, ax=None, title="Decision boundary", resolution=200):
    """The class ``predict`` gives each point of the plane around ``X`` (N, 2), with the
    samples on top, coloured and marked by their class ``y`` (labels (N,) or one-hot (N, K)).

    ``predict`` maps (M, 2) to labels (M,), probabilities (M, K) (argmax), or probabilities
    of class 1 (M, 1)/(M,) (threshold 0.5).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must be (N, 2), got shape {X.shape}")
    y = _as_labels(y)
    if len(y) != len(X) or resolution < 2:
        raise ValueError(f"need len(y) == len(X) ({len(y)} vs {len(X)}) and resolution >= 2")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.where(hi > lo, hi - lo, 10.0)
    x1, x2 = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution))
    regions, y_hat = _as_labels(predict(np.column_stack([x1.ravel(), x2.ravel()]))), \
        _as_labels(predict(X))
    if len(regions) != x1.size or len(y_hat) != len(X):
        raise ValueError("predict must return one label or row of probabilities per point")
    classes = np.unique(np.concatenate([y, regions]))
    K, index = len(classes), np.searchsorted(classes, regions).reshape(x1.shape)
    colours = [PALETTE[i % 8] for i in range(K)]
    fig, ax = _axes(ax, figsize=(5, 4.5))
    ax.contourf(x1, x2, index, levels=np.arange(K + 1) - 0.5, colors=colours, alpha=0.25)
    if len(np.unique(index)) > 1:
        ax.contour(x1, x2, index, levels=np.arange(K - 1) + 0.5, colors=BLACK, linewidths=1)
    for i, c in enumerate(classes):
        if np.any(y == c):
            ax.scatter(X[y == c, 0], X[y == c, 1], color=colours[i], marker=MARKERS[i % 8],
                       edgecolors=BLACK, linewidths=0.5, label=f"class {c}", zorder=3)
    _label(ax, title, "x1", "x2", legend=True)
    return _done(fig, f"predicted regions of {K} classes over x1 from {_num(x1.min())} to "
                      f"{_num(x1.max())} and x2 from {_num(x2.min())} to {_num(x2.max())}; "
                      f"{np.mean(y_hat == y):.0%} of the {len(X)} points lie in their own "
                      f"class's region.")


# ----------------------------------------------------------------------------- images

def image_grid(images, labels=None, predictions=None, ncols=10, title="Images", cmap="gray_r"):
    """Images (N, H, W) in a grid, each titled with its label; with ``predictions`` as well,
    "3→3" when right and "true 3, pred 8" (bold, vermillion) when wrong."""
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0 or ncols < 1:
        raise ValueError(f"images must be (N, H, W) with N >= 1 and ncols >= 1, got shape "
                         f"{images.shape} (flat rows? use images.reshape(N, H, W))")
    N, H, W = images.shape
    labels, predictions = (None if a is None else _as_labels(a) for a in (labels, predictions))
    if any(a is not None and len(a) != N for a in (labels, predictions)):
        raise ValueError(f"labels and predictions need one entry per image ({N})")
    ncols = min(ncols, N)
    nrows = -(-N // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.3 * nrows + 0.5),
                             squeeze=False, layout="constrained")
    wrong = []
    for n, ax in enumerate(axes.flat):
        ax.axis("off")
        if n >= N:
            continue
        ax.imshow(images[n], cmap=cmap, vmin=images.min(), vmax=images.max())
        if labels is not None and predictions is not None:
            right = labels[n] == predictions[n]
            text = f"{labels[n]}→{predictions[n]}" if right else \
                f"true {labels[n]}, pred {predictions[n]}"
            wrong += [] if right else [text]
            ax.set_title(text, fontsize=8, color=BLACK if right else PALETTE[3],
                         fontweight="normal" if right else "bold")
        elif labels is not None or predictions is not None:
            ax.set_title(f"{labels[n]}" if labels is not None else f"pred {predictions[n]}",
                         fontsize=9)
    fig.suptitle(title)
    summary = f"{N} images of {H}×{W} pixels"
    if labels is not None and predictions is not None:
        summary += f"; {N - len(wrong)} of {N} predictions are right"
        summary += f" (wrong: {'; '.join(wrong[:5])}{'; ...' if len(wrong) > 5 else ''})." \
            if wrong else "."
    elif labels is not None:
        summary += f", labels {', '.join(str(v) for v in np.unique(labels))}."
    return _done(fig, summary + ("" if summary.endswith(".") else "."))


def plot_image_and_vector(image, ax=None, cmap="gray_r"):
    """An image (H, W) above the same numbers flattened row by row into a vector (H·W,),
    drawn as a one-pixel-high strip: pixel (r, c) becomes entry r·W + c.

    ``ax``: None, or a pair of axes ``(image_ax, vector_ax)``.
    """
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W), got shape {image.shape}")
    H, W = image.shape
    vector = image.reshape(H * W)  # row-major: row 0, then row 1, ...
    if ax is None:
        fig, (ax_image, ax_vector) = plt.subplots(2, 1, figsize=(7, 4.5), height_ratios=[4, 1],
                                                  layout="constrained")
        fig.suptitle("The same numbers, in one row")
    elif len(ax) == 2:
        (ax_image, ax_vector), fig = ax, ax[0].figure
    else:
        raise ValueError("ax must be a pair of axes: (image_ax, vector_ax)")
    kw = dict(cmap=cmap, vmin=vector.min(), vmax=vector.max())
    ax_image.imshow(image, **kw)
    _label(ax_image, f"image: {H}×{W} pixels", "column", "row")
    ax_vector.imshow(vector[None, :], aspect="auto", **kw)
    for r in range(1, H):  # where each row of the image starts
        ax_vector.axvline(r * W - 0.5, color=PALETTE[3], linewidth=1)
    ax_vector.set_xticks(np.arange(0, H * W, W)[::max(1, H // 8)])
    ax_vector.set_yticks([])
    _label(ax_vector, f"vector: {H * W} numbers, row after row", "pixel index", "vector")
    return _done(fig, f"a {H}×{W} image and the same {H * W} numbers in one row: pixel "
                      f"(row r, column c) is entry {W}·r + c.")


# ----------------------------------------------------------------------------- network diagram

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
    fig, ax = _axes(ax, figsize=(1.8 * L + 1.5, 4))
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
    _label(ax, title, "layer", "neurons")
    summary = (f"a {'-'.join(map(str, sizes))} fully connected network: {L} layers, "
               f"{sum(sizes)} neurons, {sum(D * M for D, M in shapes)} weights")
    if weights is not None:
        summary += (f", {weight_label} values from {_num(w.min())} to {_num(w.max())} (line "
                    f"colour: sign, width: size)")
    return _done(fig, summary + ".")


# ----------------------------------------------------------------------------- cost surfaces

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
    fig, ax = _axes(ax, figsize=(5.5, 4.5))
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
        ends.append(f"{label} ends after {len(p) - 1} steps at ({_num(p[-1, 0])}, "
                    f"{_num(p[-1, 1])}) with f = {_num(f_end)}")
    _label(ax, title, xlabel, ylabel, legend=bool(paths))
    summary = (f"contours of f over {xlabel} from {_num(x0)} to {_num(x1)} and {ylabel} from "
               f"{_num(y0)} to {_num(y1)}, where f goes from {_num(np.nanmin(Z))} to "
               f"{_num(np.nanmax(Z))}")
    return _done(fig, "; ".join([summary] + ends) + ".")


# ----------------------------------------------------------------------------- callbacks

def _in_notebook():
    """True inside a Jupyter kernel; False in plain Python or terminal IPython."""
    IPython = sys.modules.get("IPython")  # never imported here: absent means not in IPython
    shell = IPython.get_ipython() if IPython is not None else None
    return getattr(shell, "kernel", None) is not None


class ProgressBar:
    """A :func:`nnlib.fit` callback showing the epoch and current cost (and accuracy).

    In a notebook: an ipywidgets progress bar and label, updated in place. Elsewhere, or
    without ipywidgets: one text line every 10% of the epochs.
    ``fit(net, X, y, epochs=500, callbacks=[ProgressBar(500)])``
    """

    def __init__(self, epochs, description="training"):
        if int(epochs) < 1:
            raise ValueError(f"invalid epochs: {epochs!r} (must be >= 1)")
        self.epochs, self.description = int(epochs), description
        self.bar = self.label = None
        self.started = False

    def _start(self):
        self.started = True
        if not _in_notebook():
            return
        try:
            import ipywidgets
            from IPython.display import display
        except ImportError:
            return
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=self.epochs,
                                          description=self.description)
        self.label = ipywidgets.Label()
        display(ipywidgets.HBox([self.bar, self.label]))

    def status(self, epoch, history):
        """e.g. "epoch 20/100  cost 0.0123  accuracy 100.0%"."""
        text = f"epoch {epoch}/{self.epochs}  cost {_num(history['cost'][-1])}"
        if history.get("accuracy"):
            text += f"  accuracy {history['accuracy'][-1]:.1%}"
        return text

    def __call__(self, epoch, history):
        if not self.started:
            self._start()
        if self.bar is not None:
            self.bar.value = min(epoch, self.epochs)
            self.label.value = self.status(epoch, history)
        elif 10 * epoch // self.epochs > 10 * (epoch - 1) // self.epochs:
            print(f"{self.description}: {self.status(epoch, history)}")


class LivePlot:
    """A :func:`nnlib.fit` callback redrawing history curves (``keys``) in place on the first
    epoch, every ``every`` epochs, and on the last one if ``epochs`` is given.

    In a notebook it shows one figure, ``display(fig, display_id=True)``, then
    ``handle.update(fig)``. The figure is closed in pyplot as soon as it is made, so it never
    leaks nor shows twice when the cell ends. Outside a notebook it only collects:
    ``live.history`` is the history so far (draw it with :func:`plot_history`).
    """

    def __init__(self, every=10, keys=("cost",), epochs=None, title="Training (live)"):
        if int(every) < 1 or not keys:
            raise ValueError(f"need every >= 1 and at least one key, got {every!r}, {keys!r}")
        self.every, self.keys, self.epochs, self.title = int(every), tuple(keys), epochs, title
        self.history = self.fig = self.ax = self.handle = None

    def __call__(self, epoch, history):
        self.history = history
        due = epoch == 1 or epoch % self.every == 0 or epoch == self.epochs
        if not (due and _in_notebook()):
            return
        from IPython.display import display
        if self.fig is None:
            self.fig, self.ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
            plt.close(self.fig)  # ours to display and update, not pyplot's
        keys = [k for k in self.keys if history.get(k)]
        if not keys:
            raise ValueError(f"the history has none of {self.keys}; it has {sorted(history)}")
        self.ax.clear()
        phrases = _draw_history(self.ax, history, keys, self.title)
        _done(self.fig, ", ".join(phrases) + f" over {epoch} epochs.")
        if self.handle is None:
            self.handle = display(self.fig, display_id=True)
        else:
            self.handle.update(self.fig)
