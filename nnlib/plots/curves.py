"""Curves: activation functions and their derivatives, training histories, cost curves."""

import matplotlib.pyplot as plt
import numpy as np

from ..activations import get_activation, softmax
from .style import (BLACK, HISTORY_NAMES, LINESTYLES, PALETTE, done, draw_history, history_ylabel,
                    new_axes, num, set_labels)


def plot_activation(name, z=None, ax=None):
    """The activation ``name`` and its derivative (taken at the pre-activation z) on ``z``
    (default: 241 points from -6 to 6). For ``"softmax"``: the first component of
    softmax([z, 0]) and its derivative in z (which are σ(z) and σ'(z))."""
    f, backward = get_activation(name)  # ValueError for an unknown name
    z = np.linspace(-6, 6, 241) if z is None else np.sort(np.asarray(z, dtype=float))
    if z.ndim != 1 or len(z) < 2:
        raise ValueError(f"z must be 1-D with at least 2 values, got shape {z.shape}")
    if name == "softmax":
        Z = np.stack([z, np.zeros_like(z)], axis=1)                    # (N, 2)
        a, label = softmax(Z)[:, 0], "softmax([z, 0])[0]"
        da = backward(Z, np.array([[1.0, 0.0]]))[:, 0]                 # ∂softmax_0/∂z
    else:
        a, da, label = f(z), backward(z, np.ones_like(z)), name         # f'(z)
    fig, ax = new_axes(ax)
    ax.axhline(0, color=BLACK, linewidth=0.5, alpha=0.4)
    ax.plot(z, a, color=PALETTE[0], label=label)
    ax.plot(z, da, color=PALETTE[1], linestyle="--", label="derivative")
    set_labels(ax, f"{name} and its derivative", "z (pre-activation)", "value", legend=True)
    i = int(np.argmax(da))
    return done(fig, f"{name} on z from {num(z[0])} to {num(z[-1])} goes from {num(a[0])} "
                     f"to {num(a[-1])}; its derivative is largest ({num(da[i])}) at "
                     f"z = {num(z[i])}.")


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
    peaks = ", ".join(f"{name} {num(np.max(get_activation(name)[1](z, np.ones_like(z))))}"
                      for name in names if name != "softmax")
    return done(fig, f"{', '.join(names)} (solid) and their derivatives (dashed) on z from "
                     f"-6 to 6, one panel each; largest slopes: {peaks}.")


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
        panel_title = title if len(groups) == 1 else history_ylabel(group).capitalize()
        phrases += draw_history(ax, history, group, panel_title)
        if logy and "accuracy" not in group[0]:
            ax.set_yscale("log")
    if len(groups) > 1:
        fig.suptitle(title)
    return done(fig, ", ".join(phrases) + f" over {len(history[keys[0]])} epochs.")


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
    fig, ax = new_axes(ax)
    finals = []
    for i, (label, values) in enumerate(curves.items()):
        mean = values if values.ndim == 1 else values.mean(axis=0)
        epochs = np.arange(1, len(mean) + 1)
        ax.plot(epochs, mean, color=PALETTE[i % 8], linestyle=LINESTYLES[i % 4], label=label)
        text = f"{label} {num(mean[-1])}"
        if values.ndim == 2:
            std = values.std(axis=0)
            ax.fill_between(epochs, mean - std, mean + std, color=PALETTE[i % 8], alpha=0.2,
                            linewidth=0)
            text += f" ± {num(std[-1])} ({len(values)} runs)"
        finals.append((mean[-1], label, text))
    if logy:
        ax.set_yscale("log")
    set_labels(ax, title, xlabel, ylabel, legend=True)
    if len(finals) == 1:
        return done(fig, f"final {ylabel} of {finals[0][2]}.")
    lowest = min(finals, key=lambda t: t[0])[1]
    return done(fig, f"final {ylabel}: {', '.join(t[2] for t in finals)}; lowest: {lowest}.")
