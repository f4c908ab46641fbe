"""Training callbacks: code that :func:`nnlib.fit` runs after every epoch.

One contract for every callback:

    callback(epoch, history) -> None to carry on, or True to stop training after this epoch

``epoch`` counts from 1; ``history`` is the dict of lists ``fit`` is filling (``cost``, and
``accuracy``, ``val_cost``, ``val_accuracy`` when asked for). A plain function is a callback:

    def good_enough(epoch, history):
        return history["cost"][-1] < 0.01          # True (any true value) stops training

    fit(net, X, y, epochs=1000, callbacks=[good_enough])

A callback object may also define ``on_train_begin(network)`` and ``on_train_end(network)``,
which ``fit`` calls once before the first epoch and once after the last (however training
ended); :class:`EarlyStopping` uses them to keep and restore the best weights.

    ProgressBar     the epoch and current cost, as a widget in a notebook, text elsewhere
    LivePlot        history curves redrawn in place while training runs
    EarlyStopping   stop when a monitored value stops improving; restore the best weights
    early_stopping_epochs  EarlyStopping's decision replayed on a list of validation costs

ipywidgets and IPython are imported only when a display starts inside a notebook.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np

from .plots.style import done, draw_history, num


def _in_notebook():
    """True inside a Jupyter kernel; False in plain Python or terminal IPython."""
    IPython = sys.modules.get("IPython")  # never imported here: absent means not in IPython
    shell = IPython.get_ipython() if IPython is not None else None
    return getattr(shell, "kernel", None) is not None


class ProgressBar:
    """Shows the epoch and current cost (and accuracy) while :func:`nnlib.fit` runs.

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
        text = f"epoch {epoch}/{self.epochs}  cost {num(history['cost'][-1])}"
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
    """Redraws history curves (``keys``) in place on the first epoch, every ``every`` epochs,
    and on the last one if ``epochs`` is given.

    In a notebook it shows one figure, ``display(fig, display_id=True)``, then
    ``handle.update(fig)``. The figure is closed in pyplot as soon as it is made, so it never
    leaks nor shows twice when the cell ends. Outside a notebook it only collects:
    ``live.history`` is the history so far (draw it with :func:`nnlib.plots.plot_history`).
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
        phrases = draw_history(self.ax, history, keys, self.title)
        done(self.fig, ", ".join(phrases) + f" over {epoch} epochs.")
        if self.handle is None:
            self.handle = display(self.fig, display_id=True)
        else:
            self.handle.update(self.fig)


class EarlyStopping:
    """Stop training once ``history[monitor]`` has not improved for ``patience`` epochs.

    A cost improves by falling, an accuracy by rising, each by more than ``min_delta``.
    With ``restore_best``, the network ends training holding the weights of its best epoch
    (whether training stopped early or ran all its epochs). Afterwards ``best_epoch`` and
    ``best`` tell which epoch that was and its value; ``stopped_epoch`` is the epoch training
    stopped after (None if it ran to the end).

        stop = EarlyStopping(patience=10)                   # monitors val_cost
        fit(net, X, y, validation=(X_val, y_val), epochs=500, callbacks=[stop])
    """

    def __init__(self, patience=5, monitor="val_cost", restore_best=True, min_delta=0.0):
        if int(patience) != patience or patience < 1:
            raise ValueError(f"invalid patience: {patience!r} (must be a whole number >= 1)")
        if not min_delta >= 0:
            raise ValueError(f"invalid min_delta: {min_delta!r} (must be >= 0)")
        self.patience, self.monitor = int(patience), monitor
        self.restore_best, self.min_delta = restore_best, min_delta
        self.higher_is_better = "accuracy" in monitor
        self.on_train_begin(None)

    def on_train_begin(self, network):
        """Start afresh (a callback can serve several fits) and remember the network."""
        self.network = network
        self.best = self.best_epoch = self.stopped_epoch = self.best_weights = None

    def _improved(self, value):
        if self.best is None:
            return not np.isnan(value)
        if self.higher_is_better:
            return value > self.best + self.min_delta
        return value < self.best - self.min_delta

    def __call__(self, epoch, history):
        if self.monitor not in history:
            hint = " (pass validation=(X_val, y_val) to fit)" if "val" in self.monitor else ""
            raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which the history does "
                             f"not record{hint}; it has {sorted(history)}")
        value = float(history[self.monitor][-1])
        if self._improved(value):
            self.best, self.best_epoch = value, epoch
            if self.restore_best and self.network is not None:
                self.best_weights = [p.value.copy() for p in self.network.parameters()]
        elif epoch - (self.best_epoch or 0) >= self.patience:
            self.stopped_epoch = epoch
            return True
        return None

    def on_train_end(self, network):
        """Put the best epoch's weights back (in place: optimizers keep their parameters)."""
        if self.restore_best and self.best_weights is not None:
            for p, best in zip(network.parameters(), self.best_weights):
                p.value[...] = best


def early_stopping_epochs(val_costs, patience):
    """``(best_epoch, stop_epoch)`` that :class:`EarlyStopping` (monitoring ``val_cost``) decides
    for a list of validation costs fed to it one epoch at a time, epochs counted from 1.

    ``best_epoch`` is the first epoch with the lowest cost up to the stop (a later epoch that
    only equals it is no new best); ``stop_epoch`` is the first epoch ``patience`` epochs after
    it without a new best in between, or None if that never happens within the list.

        early_stopping_epochs([0.9, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8], patience=2)   # (3, 5)
    """
    stop = EarlyStopping(patience=patience, restore_best=False)
    history = {"val_cost": []}
    for epoch, cost in enumerate(val_costs, start=1):
        history["val_cost"].append(float(cost))
        if stop(epoch, history):
            break
    return stop.best_epoch, stop.stopped_epoch


__all__ = ["ProgressBar", "LivePlot", "EarlyStopping", "early_stopping_epochs"]
