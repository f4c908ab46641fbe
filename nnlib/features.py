"""Hand-made feature vectors: an alternative to feeding a network raw pixels.

The local binary pattern (LBP) describes each pixel by how its 8 neighbours compare with it:
walking clockwise from the top-left neighbour, write 1 where the neighbour is >= the centre and
0 otherwise, and read the 8 bits as a number 0..255 (the first neighbour is bit 0). A histogram
of these codes over the image is a 256-number texture description that ignores where things are.
"""

import numpy as np

# (row, column) offsets of the 8 neighbours, clockwise from the top-left; neighbour k is bit k.
NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]


def local_binary_pattern(image):
    """LBP codes of a grey image (H, W) -> (H − 2, W − 2) integers in 0..255 (border skipped)."""
    image = np.asarray(image)
    H, W = image.shape
    centre = image[1:H - 1, 1:W - 1]
    codes = np.zeros(centre.shape, dtype=np.int64)
    for bit, (dr, dc) in enumerate(NEIGHBOURS):
        neighbour = image[1 + dr:H - 1 + dr, 1 + dc:W - 1 + dc]
        codes += (neighbour >= centre).astype(np.int64) << bit
    return codes


def lbp_histogram(images):
    """Feature vectors for a batch (N, H, W) -> (N, 256): each image's LBP code counts,
    divided by the number of codes so that rows sum to 1."""
    rows = [np.bincount(local_binary_pattern(img).ravel(), minlength=256) for img in images]
    H = np.array(rows, dtype=np.float64)
    return H / H.sum(axis=1, keepdims=True)
