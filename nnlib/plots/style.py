"""The look every course figure shares, and the small helpers the figure modules use.

* colours from the colour-blind-safe Okabe–Ito :data:`PALETTE`, and lines also differ in
  style or marker so they read without colour; surfaces use :data:`CMAP`, signed values
  :data:`DIVERGING_CMAP`;
* a title and labelled axes (:func:`set_labels`);
* every figure function returns its ``Figure`` with ``fig.summary`` set by :func:`done`.
"""

import matplotlib.pyplot as plt
import numpy as np

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


def num(x):
    """A number in three significant digits: 0.693, 0.0123, 1.2e+03."""
    return f"{float(x):.3g}"


def new_axes(ax, figsize=(5, 3.5)):
    """``(fig, ax)``: the given axis and its figure, or a new figure with one axis."""
    if ax is None:
        return plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def set_labels(ax, title, xlabel, ylabel, legend=False):
    """Title and axis labels (and a frameless legend) for one axis."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend(frameon=False)


def done(fig, summary):
    """Attach the one-line accessible summary and return the figure."""
    fig.summary = summary[0].upper() + summary[1:]
    return fig


def history_ylabel(keys):
    """"accuracy", "cost" or "value": what the history curves ``keys`` have in common."""
    if all("accuracy" in k for k in keys):
        return "accuracy"
    return "cost" if all("cost" in k for k in keys) else "value"


def draw_history(ax, history, keys, title):
    """Each ``history[key]`` against epoch on ``ax``; returns phrases such as
    "cost fell from 0.693 to 0.012"."""
    phrases = []
    for i, key in enumerate(keys):
        values = np.asarray(history[key], dtype=float)
        name = HISTORY_NAMES.get(key, key.replace("_", " "))
        ax.plot(np.arange(1, len(values) + 1), values, color=PALETTE[i % 8],
                linestyle=LINESTYLES[i % 4], label=name)
        first, last = num(values[0]), num(values[-1])
        verb = ("stayed at" if first == last else
                "fell from" if values[-1] < values[0] else "rose from")
        phrases.append(f"{name} {verb} {first}" + ("" if first == last else f" to {last}"))
    set_labels(ax, title, "epoch", history_ylabel(keys), legend=len(keys) > 1)
    return phrases
