"""The course's figures: every one has a title, labelled axes, palette colours and a summary."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import nnlib  # noqa: E402
from nnlib import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def assert_accessible(fig, grid=False):
    assert isinstance(fig, matplotlib.figure.Figure)
    assert isinstance(fig.summary, str) and len(fig.summary) > 20 and fig.summary.endswith(".")
    if grid:
        assert fig._suptitle is not None and fig._suptitle.get_text()
        return
    data_axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.has_data()]
    assert data_axes
    for ax in data_axes:
        assert ax.get_title() or (fig._suptitle and fig._suptitle.get_text())
        assert ax.get_xlabel() and ax.get_ylabel()
    palette = {c.lower() for c in plots.PALETTE}
    for ax in data_axes:
        for line in ax.get_lines():
            colour = to_hex(line.get_color()).lower()
            assert colour in palette, f"line colour {colour} is not from PALETTE"


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "softmax", "identity"])
def test_plot_activation(name):
    fig = plots.plot_activation(name)
    assert_accessible(fig)
    assert "derivative" in fig.axes[0].get_title()


def test_plot_activations_and_unknown_name():
    fig = plots.plot_activations()
    assert_accessible(fig)
    assert "0.25" in fig.summary  # sigmoid's largest slope, in numbers
    with pytest.raises(ValueError, match="relu"):
        plots.plot_activation("swish")


def xor_history(callbacks=()):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    net = nnlib.Network.from_sizes([2, 4, 1], activation="tanh", output="sigmoid",
                                   rng=np.random.default_rng(0))
    history = nnlib.fit(net, X, y, cost="binary_cross_entropy", optimizer="adam", lr=0.05,
                        epochs=20, metrics=("accuracy",), validation=(X, y), callbacks=callbacks)
    return net, X, y, history


def test_plot_history_two_panels_and_logy():
    _, _, _, history = xor_history()
    fig = plots.plot_history(history)
    assert_accessible(fig)
    assert len(fig.axes) == 2 and "20 epochs" in fig.summary
    fig = plots.plot_history(history, keys=["cost"], logy=True)
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="history has no values"):
        plots.plot_history(history, keys=["loss"])


def test_plot_costs_lines_and_bands():
    fig = plots.plot_costs({"sgd": [3, 2, 1], "adam": [3, 1, 0.5]})
    assert_accessible(fig)
    assert "lowest: adam" in fig.summary
    runs = np.random.default_rng(0).random((5, 10))
    fig = plots.plot_costs({"relu": runs})
    assert_accessible(fig)
    assert len(fig.axes[0].collections) == 1          # the ± std band
    assert "5 runs" in fig.summary and "lowest" not in fig.summary


@pytest.mark.parametrize("form", ["labels", "probabilities", "class1"])
def test_plot_decision_boundary_accepts_every_output_form(form):
    net, X, y, _ = xor_history()

    def predict(P):
        p = net.predict(P)[:, 0]
        return {"labels": (p >= 0.5).astype(int), "probabilities": np.column_stack([1 - p, p]),
                "class1": p[:, None]}[form]
    fig = plots.plot_decision_boundary(predict, X, y, resolution=40)
    assert_accessible(fig)
    assert "4 points" in fig.summary


def test_image_grid_titles_and_errors():
    images = np.random.default_rng(0).random((6, 8, 8))
    fig = plots.image_grid(images, labels=[0, 1, 2, 3, 4, 5], predictions=[0, 1, 2, 3, 4, 0],
                           ncols=3, title="digits")
    assert_accessible(fig, grid=True)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert "true 5, pred 0" in titles and "0→0" in titles
    assert "5 of 6 predictions are right" in fig.summary
    with pytest.raises(ValueError, match="reshape"):
        plots.image_grid(images.reshape(6, 64))


def test_plot_image_and_vector():
    fig = plots.plot_image_and_vector(np.arange(12).reshape(3, 4))
    assert fig.summary.startswith("A 3×4 image") and "4·r + c" in fig.summary
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel()


def test_plot_network_with_weights_and_labels():
    from nnlib.examples import network_222
    fig = plots.plot_network(network_222(), title="2-2-2")
    assert_accessible(fig)
    assert "8 weights" in fig.summary
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "0.8" in texts and "-0.6" in texts           # small networks show their weights
    fig = plots.plot_network([5, 8, 8, 2], weights=None)
    assert "5-8-8-2" in fig.summary
    with pytest.raises(ValueError, match="shapes"):
        plots.plot_network([2, 2], weights=[np.zeros((3, 2))])


def test_plot_surface_with_paths():
    def f(w1, w2):
        return 0.5 * (w1 ** 2 + 10 * w2 ** 2)
    path = np.array([[2.0, 1.0], [1.0, 0.5], [0.2, 0.0]])
    fig = plots.plot_surface(f, (-3, 3), (-2, 2), paths={"sgd": path}, resolution=50)
    assert_accessible(fig)
    assert "sgd ends after 2 steps" in fig.summary
    with pytest.raises(ValueError, match="vectorised"):
        plots.plot_surface(lambda a, b: 1.0, (-1, 1), (-1, 1))



def test_importing_plots_leaves_backend_and_ipywidgets_alone():
    import subprocess
    import sys
    code = ("import matplotlib, sys; b = matplotlib.get_backend(); import nnlib.plots; "
            "assert matplotlib.get_backend() == b; assert 'ipywidgets' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- palette and independent answers -----------------------------------------------------------

def test_palette_is_okabe_ito_and_colormaps_exist():
    okabe_ito = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00",
                 "#cc79a7"}
    assert len(plots.PALETTE) == 8 and {c.lower() for c in plots.PALETTE} == okabe_ito
    assert plots.CMAP in ("cividis", "viridis")
    for name in (plots.CMAP, plots.DIVERGING_CMAP):
        assert name in matplotlib.colormaps


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax"])
def test_plotted_derivative_matches_finite_differences(name):
    fig = plots.plot_activation(name)
    f_line, df_line = (line for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 2)
    z, a = f_line.get_xdata(), f_line.get_ydata()
    assert np.allclose(df_line.get_ydata()[1:-1], np.gradient(a, z)[1:-1], atol=1e-3)
    if name == "softmax":  # softmax([z, 0])[0] is σ(z)
        assert np.allclose(a, 1 / (1 + np.exp(-z)))


def test_unknown_names_raise_before_any_figure_is_made():
    with pytest.raises(ValueError, match="unknown activation"):
        plots.plot_activations(["relu", "swish"])
    with pytest.raises(ValueError):
        plots.plot_activations([])
    assert plt.get_fignums() == []


def test_plot_history_on_a_given_axis():
    _, _, _, history = xor_history()
    fig, ax = plt.subplots()
    assert plots.plot_history(history, ax=ax) is fig
    assert [line.get_label() for line in ax.get_lines()] == ["cost", "validation cost"]
    assert fig.summary.startswith(f"Cost fell from {history['cost'][0]:.3g}")
    with pytest.raises(ValueError, match="one axis"):
        plots.plot_history(history, keys=["cost", "accuracy"], ax=ax)


def test_plot_costs_band_is_mean_plus_minus_std_and_bad_values_raise():
    runs = np.array([[4.0, 2.0, 1.0], [2.0, 2.0, 3.0]])
    fig = plots.plot_costs({"runs": runs})
    ax = fig.axes[0]
    assert np.allclose(ax.get_lines()[0].get_ydata(), [3, 2, 2])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band.min(), 1) and np.isclose(band.max(), 4)   # 3 ± 1 and 2 ± 1
    for bad in ({}, {"x": []}, {"x": np.zeros((2, 2, 2))}):
        with pytest.raises(ValueError):
            plots.plot_costs(bad)


def test_decision_boundary_marks_classes_with_palette_colours_and_distinct_markers():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.eye(3)[np.arange(30) % 3]                       # one-hot labels
    fig = plots.plot_decision_boundary(lambda P: np.column_stack([P[:, 0], P[:, 1], -P[:, 0]]),
                                       X, y, resolution=30)
    assert_accessible(fig)
    points = [c for c in fig.axes[0].collections if hasattr(c, "get_offsets")
              and len(c.get_offsets()) == 10]
    assert len(points) == 3
    palette = {c.lower() for c in plots.PALETTE}
    assert all(to_hex(c.get_facecolor()[0]) in palette for c in points)
    assert len({tuple(c.get_paths()[0].vertices.round(3).ravel()) for c in points}) == 3
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plots.plot_decision_boundary(lambda P: P[:, 0], np.zeros((4, 3)), np.zeros(4))


def test_image_and_vector_strip_is_the_row_major_flattening():
    image = np.arange(12.0).reshape(3, 4)
    fig = plots.plot_image_and_vector(image)
    ax_image, ax_vector = fig.axes
    assert np.array_equal(ax_vector.images[0].get_array(), image.reshape(1, 12))
    assert ax_vector.get_xlabel() == "pixel index" and fig.get_suptitle()
    with pytest.raises(ValueError, match="pair"):
        plots.plot_image_and_vector(image, ax=plt.subplots(1, 3)[1])


def test_plot_network_draws_a_network_s_own_weights():
    net = nnlib.Network.from_sizes([3, 4, 2], rng=np.random.default_rng(0))
    fig = plots.plot_network(net)
    assert_accessible(fig)
    lines = fig.axes[0].collections[0]
    expected = np.concatenate([layer.W.value.ravel() for layer in net.dense_layers])
    assert np.allclose(lines.get_array(), expected)
    assert lines.get_cmap().name == plots.DIVERGING_CMAP
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == \
        ["input\n(3)", "hidden 1\n(4)", "output\n(2)"]
