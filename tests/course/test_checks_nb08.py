"""Notebook 08's checks accept correct answers written other ways and explain bad returns."""

import numpy as np

from nnlib import losses, train


# --- accuracy ---------------------------------------------------------------------------------

def accuracy_loop(y, y_hat):
    right = 0
    for label, row in zip(y, y_hat):
        if int(np.argmax(row)) == label:
            right += 1
    return right / len(y)


def test_accuracy_accepts_other_correct_versions(judge):
    for fn in (accuracy_loop,
               lambda y, y_hat: (y_hat.argmax(axis=1) == y).mean(),        # np.float64
               lambda y, y_hat: np.count_nonzero(np.argmax(y_hat, -1) == y) / y.shape[0],
               train.accuracy):
        assert judge("nb08_accuracy", fn).passed


def test_accuracy_rounded_probabilities_are_not_called_the_error_rate(judge):
    r = judge("nb08_accuracy", lambda y, y_hat: np.mean(np.round(y_hat) == y))
    assert not r.passed and "case 1" in r.message and "error rate" not in r.message


# --- confusion matrix -------------------------------------------------------------------------

def confusion_add_at(y, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(C, (y, y_pred), 1)
    return C


def confusion_by_class(y, y_pred, n_classes):
    return np.array([[np.sum((y == i) & (y_pred == j)) for j in range(n_classes)]
                     for i in range(n_classes)])


def confusion_int32(y, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=np.int32)
    for true, pred in zip(y, y_pred):
        C[true, pred] += 1
    return C


def confusion_bincount(y, y_pred, n_classes):
    return np.bincount(y * n_classes + y_pred, minlength=n_classes**2).reshape(n_classes, -1)


def test_confusion_matrix_accepts_other_correct_versions(judge):
    for fn in (confusion_add_at, confusion_by_class, confusion_int32, confusion_bincount):
        assert judge("nb08_confusion_matrix", fn).passed, fn.__name__


def test_confusion_matrix_fancy_index_increment_is_named(judge):
    def fancy(y, y_pred, n_classes):
        C = np.zeros((n_classes, n_classes), dtype=int)
        C[y, y_pred] += 1           # applied once per distinct (y, y_pred) pair
        return C
    r = judge("nb08_confusion_matrix", fancy)
    assert "case 1" in r.message and "np.add.at" in r.message


def test_confusion_matrix_float_counts_are_rejected_with_the_fix(judge):
    def floats(y, y_pred, n_classes):
        C = np.zeros((n_classes, n_classes))
        for true, pred in zip(y, y_pred):
            C[true, pred] += 1
        return C
    r = judge("nb08_confusion_matrix", floats)
    assert not r.passed and "stored as float64" in r.message and "dtype=int" in r.message


def test_confusion_matrix_list_is_explained(judge):
    r = judge("nb08_confusion_matrix", lambda y, y_pred, n: confusion_add_at(y, y_pred, n).tolist())
    assert "return a numpy array" in r.message


# --- train_step -------------------------------------------------------------------------------

def step_unfused(network, optimizer, X, y):
    """Through the softmax layer with ∂cost/∂y_hat: the fused gradient, up to rounding."""
    y_hat = network.forward(X)
    optimizer.zero_grad()
    network.backward(losses.categorical_cross_entropy_grad(y, y_hat))
    optimizer.step()
    return losses.categorical_cross_entropy(y, y_hat)


def step_from_logits(network, optimizer, X, y):
    """Cost from the logits, network.zero_grad() instead of the optimizer's, float returned."""
    network.forward(X)
    Z = network.layers[-1].Z
    cost = float(losses.softmax_cross_entropy(y, Z))
    network.zero_grad()
    network.backward(losses.softmax_cross_entropy_grad(y, Z), start=-1)
    optimizer.step()
    return cost


def step_zero_grad_last(network, optimizer, X, y):
    """Clearing the gradients after the step (ready for the next batch) is also right."""
    y_hat = network.forward(X)
    network.backward(losses.softmax_cross_entropy_grad(y, network.layers[-1].Z), start=-1)
    optimizer.step()
    optimizer.zero_grad()
    return losses.categorical_cross_entropy(y, y_hat)


def test_train_step_accepts_other_correct_versions(judge):
    for fn in (step_unfused, step_from_logits, step_zero_grad_last,
               lambda net, opt, X, y: train.train_step(net, opt, X, y,
                                                       cost="categorical_cross_entropy")[0]):
        r = judge("nb08_train_step", fn)
        assert r.passed, r.message


def test_train_step_passes_on_hidden_seeds(judge):
    for seed in (1, 7, 12345):
        assert judge("nb08_train_step", step_unfused, seed=seed).passed


def test_train_step_returning_nnlibs_pair_is_explained(judge):
    r = judge("nb08_train_step", lambda net, opt, X, y: train.train_step(
        net, opt, X, y, cost="categorical_cross_entropy"))
    assert not r.passed and "returned a tuple; expected a single number" in r.message


def test_train_step_changing_the_batch_is_reported(judge):
    def scales_X(network, optimizer, X, y):
        X *= 2
        return step_unfused(network, optimizer, X, y)
    r = judge("nb08_train_step", scales_X)
    assert "changed its input `X` in place" in r.message


def test_train_step_failure_names_the_step_and_parameter(judge):
    def no_step(network, optimizer, X, y):
        y_hat = network.forward(X)
        optimizer.zero_grad()
        network.backward(losses.softmax_cross_entropy_grad(y, network.layers[-1].Z), start=-1)
        return losses.categorical_cross_entropy(y, y_hat)
    r = judge("nb08_train_step", no_step)
    first = r.message.splitlines()[0]
    assert first.startswith("✘ train_step — case 2:")
    assert "step 1: layer 1 W after the update" in first
    assert "did not move" in r.message


def test_train_step_zero_grad_between_backward_and_step_is_explained(judge):
    def wipes(network, optimizer, X, y):
        y_hat = network.forward(X)
        network.backward(losses.softmax_cross_entropy_grad(y, network.layers[-1].Z), start=-1)
        optimizer.zero_grad()       # wipes the gradients backward just filled
        optimizer.step()
        return losses.categorical_cross_entropy(y, y_hat)
    r = judge("nb08_train_step", wipes)
    assert "did not move" in r.message and "zero_grad() between them wipes them" in r.message
