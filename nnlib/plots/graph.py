"""The picture of a scalar computational graph (notebook 10): a box per ``Value``."""

import matplotlib.pyplot as plt
import numpy as np

from ..autograd import topological_order


def plot_graph(root, title, names=None, figsize=(11, 6)):
    """Draw the graph of ``root``: one box per Value with its label (or operation), data and
    grad; leaves on the left, the root on the right. ``names`` maps ``id(node)`` to a label.
    Returns the figure, with a one-line ``summary``."""

    blue, green = "#0072B2", "#009E73"     # the course's colour-blind-safe palette
    names = names or {}
    order = topological_order(root)
    level, parents = {}, {}
    for node in order:
        level[id(node)] = 1 + max((level[id(c)] for c in node._prev), default=-1)
        for child in node._prev:
            parents.setdefault(id(child), []).append(node)
    for node in order:            # a leaf sits just left of the first node that uses it
        if not node._prev and id(node) in parents:
            level[id(node)] = min(level[id(p)] for p in parents[id(node)]) - 1
    columns = {}
    for node in order:
        columns.setdefault(level[id(node)], []).append(node)
    pos = {}
    for x in sorted(columns, reverse=True):   # from the root leftwards: near its users
        nodes = columns[x]
        if id(nodes[0]) in parents:
            nodes.sort(key=lambda n: np.mean([pos[id(p)][1] for p in parents[id(n)]
                                              if id(p) in pos] or [0]), reverse=True)
        for i, node in enumerate(nodes):
            pos[id(node)] = (x, (len(nodes) - 1) / 2 - i)
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    for node in order:
        for child in node._prev:
            (x0, y0), (x1, y1) = pos[id(child)], pos[id(node)]
            ax.annotate("", (x1 - 0.28, y1), (x0 + 0.28, y0),
                        arrowprops=dict(arrowstyle="->", color=green, lw=0.6))
    for node in order:
        x, y = pos[id(node)]
        name = names.get(id(node)) or node.label or node._op or f"{node.data:g}"
        leaf = not node._prev
        ax.text(x, y, f"{name}\n{node.data:.4f}\ngrad {node.grad:.4f}", ha="center",
                va="center", fontsize=6.5,
                bbox=dict(boxstyle="round,pad=0.25", lw=0.6,
                          fc="#deebf7" if leaf else "white", ec=blue))
    ax.set_xlim(min(columns) - 0.6, max(columns) + 0.6)
    tall = max(len(n) for n in columns.values())
    ax.set_ylim(-tall / 2, tall / 2)
    ax.set_axis_off()
    ax.set_title(title)
    leaves = sum(1 for n in order if not n._prev)
    fig.summary = (f"{len(order)} Values in {len(columns)} columns: {leaves} leaves (inputs, "
                   f"parameters, constants; shaded) on the left, the root "
                   f"{root.data:.4f} on the right; each box shows the Value's data and grad.")
    return fig
