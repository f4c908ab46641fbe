"""Images: a grid of labelled images, and an image beside its flattened vector."""

import matplotlib.pyplot as plt
import numpy as np

from ..metrics import to_labels
from .style import BLACK, PALETTE, done, set_labels


def image_grid(images, labels=None, predictions=None, ncols=10, title="Images", cmap="gray_r"):
    """Images (N, H, W) in a grid, each titled with its label; with ``predictions`` as well,
    "3→3" when right and "true 3, pred 8" (bold, vermillion) when wrong."""
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0 or ncols < 1:
        raise ValueError(f"images must be (N, H, W) with N >= 1 and ncols >= 1, got shape "
                         f"{images.shape} (flat rows? use images.reshape(N, H, W))")
    N, H, W = images.shape
    labels, predictions = (None if a is None else to_labels(a) for a in (labels, predictions))
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
    return done(fig, summary + ("" if summary.endswith(".") else "."))


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
    set_labels(ax_image, f"image: {H}×{W} pixels", "column", "row")
    ax_vector.imshow(vector[None, :], aspect="auto", **kw)
    for r in range(1, H):  # where each row of the image starts
        ax_vector.axvline(r * W - 0.5, color=PALETTE[3], linewidth=1)
    ax_vector.set_xticks(np.arange(0, H * W, W)[::max(1, H // 8)])
    ax_vector.set_yticks([])
    set_labels(ax_vector, f"vector: {H * W} numbers, row after row", "pixel index", "vector")
    return done(fig, f"a {H}×{W} image and the same {H * W} numbers in one row: pixel "
                     f"(row r, column c) is entry {W}·r + c.")
