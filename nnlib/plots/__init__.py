"""The course's figures, one module per family of figures:

    curves    plot_activation, plot_activations, plot_history, plot_costs
    planes    plot_decision_boundary, plot_surface
    images    image_grid, plot_image_and_vector
    diagram   plot_network
    graph     plot_graph (a Value's computational graph, notebook 10)
    style     the shared look: PALETTE, CMAP, DIVERGING_CMAP, MARKERS, LINESTYLES

Every figure follows the same rules, so notebooks never restyle one:

* colours from the colour-blind-safe Okabe–Ito :data:`PALETTE`, and lines also differ in
  style or marker so they read without colour; surfaces use :data:`CMAP`, signed values
  :data:`DIVERGING_CMAP`;
* a title and labelled axes (image grids: a title per panel, axes off, a figure title);
* every function returns the matplotlib ``Figure`` with ``fig.summary`` set: one plain-text
  sentence, with the numbers that matter, that notebooks print under the figure;
* functions drawing on one axis take ``ax=`` to draw into an existing figure;
* class labels are read from predictions by :func:`nnlib.metrics.to_labels`, the rule
  :func:`nnlib.metrics.accuracy` uses too.

Nothing here calls ``plt.show()`` or changes the backend. The training callbacks that draw
while :func:`nnlib.fit` runs (``ProgressBar``, ``LivePlot``) live in :mod:`nnlib.callbacks`.
"""

from .curves import plot_activation, plot_activations, plot_costs, plot_history
from .diagram import plot_network
from .graph import plot_graph
from .images import image_grid, plot_image_and_vector
from .planes import plot_decision_boundary, plot_surface
from .style import BLACK, CMAP, DIVERGING_CMAP, LINESTYLES, MARKERS, PALETTE


def __getattr__(name):
    # ``plots.ProgressBar`` and ``plots.LivePlot`` still work (notebooks written before the
    # callbacks had their own module); imported lazily, since callbacks imports plots.style.
    if name in ("ProgressBar", "LivePlot"):
        from .. import callbacks
        return getattr(callbacks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["plot_activation", "plot_activations", "plot_history", "plot_costs",
           "plot_decision_boundary", "plot_surface", "image_grid", "plot_image_and_vector",
           "plot_network", "plot_graph", "PALETTE", "BLACK", "CMAP", "DIVERGING_CMAP", "MARKERS",
           "LINESTYLES"]
