"""The course's worked-example networks, defined once for every notebook and test.

``network_222()`` is the 2-2-2 network of the seed article *A Step by Step approach to a Neural
Network and Backpropagation*: input (0.5, −0.5), two sigmoid hidden neurons, two sigmoid outputs.
The article's weights appear only in its figures, so the course fixes its own values here; the
notebooks work every number of its forward and backward pass by hand from these.
"""

import numpy as np

from .layers import Activation, Dense
from .network import Network

X_222 = np.array([[0.5, -0.5]])          # one sample, two inputs: (1, 2)
Y_222 = np.array([[1.0, 0.0]])           # its target: (1, 2)

W1_222 = np.array([[0.2, -0.3],          # W1[i, j]: weight from input i to hidden neuron j
                   [0.4, 0.1]])
B1_222 = np.array([0.1, -0.2])
W2_222 = np.array([[0.5, -0.6],          # W2[j, k]: weight from hidden j to output k
                   [0.3, 0.8]])
B2_222 = np.array([0.05, -0.1])


def network_222(activation="sigmoid"):
    """A fresh copy of the 2-2-2 example network (sigmoid everywhere by default)."""
    return Network([
        Dense.from_arrays(W1_222, B1_222), Activation(activation),
        Dense.from_arrays(W2_222, B2_222), Activation(activation),
    ])
