"""Training callbacks: the one contract (called after every epoch, True stops), the displays,
and early stopping."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib  # noqa: E402
from nnlib import callbacks, plots  # noqa: E402
from nnlib.callbacks import EarlyStopping  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def xor_history(callbacks=(), epochs=20):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    net = nnlib.Network.from_sizes([2, 4, 1], activation="tanh", output="sigmoid",
                                   rng=np.random.default_rng(0))
    history = nnlib.fit(net, X, y, cost="binary_cross_entropy", optimizer="adam", lr=0.05,
                        epochs=epochs, metrics=("accuracy",), validation=(X, y),
                        callbacks=callbacks)
    return net, X, y, history


# --- the displays -------------------------------------------------------------------------------

def test_plots_still_offers_the_displays():
    assert plots.ProgressBar is callbacks.ProgressBar and plots.LivePlot is callbacks.LivePlot


def test_callbacks_run_through_fit_outside_a_notebook(capsys):
    live = callbacks.LivePlot(every=5)
    xor_history(callbacks=[callbacks.ProgressBar(20), live])
    out = capsys.readouterr().out
    assert out.count("training: epoch") == 10 and "epoch 20/20" in out
    assert live.history is not None and len(live.history["cost"]) == 20
    assert plt.get_fignums() == []
    with pytest.raises(ValueError, match="epochs"):
        callbacks.ProgressBar(0)



class FakeHandle:
    def __init__(self):
        self.updates = 0

    def update(self, obj):
        self.updates += 1


@pytest.fixture
def notebook(monkeypatch):
    """Pretend to run in a Jupyter kernel; record what would be displayed."""
    shown, handle = [], FakeHandle()

    def display(*objs, display_id=None, **kwargs):
        shown.extend(objs)
        return handle if display_id else None
    monkeypatch.setattr(callbacks, "_in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", display)
    return shown, handle


def test_progress_bar_in_a_notebook_updates_a_widget(notebook, capsys):
    shown, _ = notebook
    bar = callbacks.ProgressBar(20)
    xor_history(callbacks=[bar])
    assert len(shown) == 1 and bar.bar.value == bar.bar.max == 20
    assert "epoch 20/20" in bar.label.value and "accuracy" in bar.label.value
    assert capsys.readouterr().out == ""


def test_live_plot_in_a_notebook_updates_one_display_and_leaks_no_figure(notebook):
    import io
    shown, handle = notebook
    live = callbacks.LivePlot(every=5, keys=("cost", "val_cost"))
    xor_history(callbacks=[live])
    assert shown == [live.fig] and handle.updates == 4     # drawn at epochs 1, 5, 10, 15, 20
    assert plt.get_fignums() == []
    assert len(live.ax.get_lines()) == 2 and "over 20 epochs" in live.fig.summary
    live.fig.savefig(io.BytesIO(), format="png")            # closed in pyplot, still renders
    with pytest.raises(ValueError):
        callbacks.LivePlot(every=0)


# --- the contract: called after every epoch; a true value stops training ------------------------

class Recorder:
    """A callback object with both optional hooks, counting what fit calls."""

    def __init__(self, stop_at=None):
        self.stop_at, self.calls = stop_at, []

    def on_train_begin(self, network):
        self.calls.append(("begin", type(network).__name__))

    def __call__(self, epoch, history):
        self.calls.append(("epoch", epoch))
        return epoch == self.stop_at

    def on_train_end(self, network):
        self.calls.append(("end", type(network).__name__))


def test_a_callback_returning_true_stops_training_after_that_epoch():
    low = lambda epoch, history: np.float64(history["cost"][-1]) < 10  # noqa: E731 numpy bool
    _, _, _, history = xor_history(callbacks=[low], epochs=20)
    assert len(history["cost"]) == 1 and len(history["val_cost"]) == 1
    recorder = Recorder(stop_at=3)
    seen = []
    _, _, _, history = xor_history(callbacks=[recorder, lambda e, h: seen.append(e)], epochs=20)
    assert len(history["cost"]) == 3 and seen == [1, 2, 3]   # every callback ran each epoch
    assert recorder.calls == [("begin", "Network"), ("epoch", 1), ("epoch", 2), ("epoch", 3),
                              ("end", "Network")]


def test_callbacks_returning_none_let_training_run_to_the_end():
    recorder = Recorder()
    _, _, _, history = xor_history(callbacks=[recorder, callbacks.ProgressBar(20)], epochs=20)
    assert len(history["cost"]) == 20 and recorder.calls[-1] == ("end", "Network")


# --- early stopping -----------------------------------------------------------------------------

class FakeNetwork:
    """One parameter whose value a test sets epoch by epoch."""

    def __init__(self):
        self.p = nnlib.Parameter(np.zeros(2), "w")

    def parameters(self):
        return [self.p]


def test_early_stopping_waits_patience_epochs_after_the_best_then_restores_it():
    net, stop = FakeNetwork(), EarlyStopping(patience=2)
    stop.on_train_begin(net)
    history = {"val_cost": []}
    results = []
    for epoch, value in enumerate([3.0, 2.0, 2.5, 2.0, 1.0], start=1):
        net.p.value[...] = epoch                  # the weights after this epoch
        history["val_cost"].append(value)
        results.append(stop(epoch, history))
        if results[-1]:
            break
    assert results == [None, None, None, True]   # 2.0 again is no improvement
    assert (stop.best_epoch, stop.best, stop.stopped_epoch) == (2, 2.0, 4)
    stop.on_train_end(net)
    np.testing.assert_array_equal(net.p.value, [2.0, 2.0])


def test_early_stopping_on_accuracy_wants_it_to_rise():
    stop = EarlyStopping(patience=1, monitor="val_accuracy", restore_best=False)
    stop.on_train_begin(FakeNetwork())
    history = {"val_accuracy": [0.5]}
    assert not stop(1, history)
    history["val_accuracy"].append(0.75)
    assert not stop(2, history)
    history["val_accuracy"].append(0.7)
    assert stop(3, history) and stop.best_epoch == 2


def test_early_stopping_in_fit_leaves_the_best_epoch_s_weights():
    """Validation targets opposite to the training ones: once training fits more than the
    shrinking of its first steps, validation gets worse, so training stops early."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((32, 3)), rng.standard_normal((32, 1))
    for restore in (True, False):
        net = nnlib.Network.from_sizes([3, 8, 1], activation="tanh",
                                       rng=np.random.default_rng(1))
        stop = EarlyStopping(patience=3, restore_best=restore)
        history = nnlib.fit(net, X, y, lr=0.1, epochs=100, validation=(X, -y), callbacks=[stop])
        best = int(np.argmin(history["val_cost"])) + 1
        assert stop.best_epoch == best and stop.best == min(history["val_cost"])
        assert stop.stopped_epoch == len(history["val_cost"]) == best + 3 < 100
        final = nnlib.train.evaluate(net, X, -y)["cost"]
        if restore:
            assert final == pytest.approx(history["val_cost"][best - 1])
        else:
            assert final == pytest.approx(history["val_cost"][-1])


def test_early_stopping_explains_a_missing_monitor_and_bad_arguments():
    with pytest.raises(ValueError, match="validation="):
        xor_history(callbacks=[EarlyStopping(monitor="val_loss")])
    for kwargs in ({"patience": 0}, {"patience": 1.5}, {"min_delta": -1}):
        with pytest.raises(ValueError):
            EarlyStopping(**kwargs)
