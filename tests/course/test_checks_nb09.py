"""Notebook 09's checks (generalization) accept correct answers written other ways."""

import math

import numpy as np
import pytest

from nncourse.checks import nb09


def test_l2_penalty_accepts_other_correct_versions(judge):
    for fn in (lambda ws, lam: lam * sum(float((W * W).sum()) for W in ws) / 2,
               lambda ws, lam: 0.5 * lam * sum(np.linalg.norm(W) ** 2 for W in ws),
               lambda ws, lam: float(lam / 2 * sum(np.dot(W.ravel(), W.ravel()) for W in ws))):
        r = judge("nb09_l2_penalty", fn)
        assert r.passed, r.message


def test_l2_gradient_accepts_other_correct_versions(judge):
    for fn in (lambda W, lam: (lam * W).astype(W.dtype), lambda W, lam: np.multiply(W, lam, dtype=W.dtype)):
        r = judge("nb09_l2_gradient", fn)
        assert r.passed, r.message


def test_l2_gradient_float64_result_for_float32_is_reported(judge):
    r = judge("nb09_l2_gradient", lambda W, lam: W.astype(np.float64) * lam)
    assert not r.passed and "dtype" in r.message


def stop_with_argmin(val_costs, patience):
    for epoch in range(1, len(val_costs) + 1):
        best_epoch = int(np.argmin(val_costs[:epoch])) + 1
        if epoch - best_epoch >= patience:
            return best_epoch, epoch
    return int(np.argmin(val_costs)) + 1, None


def stop_with_counter(val_costs, patience):
    best, best_epoch, waited = math.inf, 0, 0
    for i, c in enumerate(val_costs):
        if c < best:
            best, best_epoch, waited = c, i + 1, 0
        else:
            waited += 1
            if waited == patience:
                return [best_epoch, i + 1]
    return [best_epoch, None]


def test_early_stopping_accepts_other_correct_versions(judge):
    for fn in (stop_with_argmin, stop_with_counter, nb09.early_stopping_reference):
        for seed in (None, 3):
            r = judge("nb09_early_stopping", fn, seed=seed)
            assert r.passed, r.message


def test_early_stopping_reference_agrees_with_the_worked_examples():
    for case in nb09.stopping_cases(np.random.default_rng(0)):
        if case.expected is not None:
            assert nb09.early_stopping_reference(*case.args) == case.expected


def test_early_stopping_single_number_is_explained(judge):
    r = judge("nb09_early_stopping", lambda c, p: stop_with_argmin(c, p)[1])
    assert not r.passed and "return the pair (best_epoch, stop_epoch)" in r.message


def test_standard_error_accepts_other_correct_versions(judge):
    for fn in (lambda a, n: math.sqrt(a * (1 - a) / n), lambda a, n: (a - a * a) ** 0.5 / n ** 0.5):
        r = judge("nb09_standard_error", fn)
        assert r.passed, r.message


def test_the_parametrised_rule_unchanged_is_nnlibs_early_stopping():
    rng = np.random.default_rng(4)
    for _ in range(300):
        costs = [float(c) for c in np.round(rng.uniform(0, 1, rng.integers(1, 12)), 1)]
        patience = int(rng.integers(1, 4))
        assert nb09._stopping(costs, patience) == nb09.callbacks.early_stopping_epochs(costs,
                                                                                        patience)


def test_every_mistake_differs_from_the_reference_on_some_case(judge):
    from nncourse.checks import registry
    for ex in registry.load_all().values():
        if ex.notebook == nb09.NOTEBOOK:
            for m in ex.mistakes:
                assert not judge(ex.id, m.fn).passed, (ex.id, m.name)


@pytest.mark.parametrize("ex_id", ["nb09_l2_penalty", "nb09_l2_gradient", "nb09_early_stopping",
                                   "nb09_standard_error"])
def test_an_answer_that_changes_its_inputs_in_place_is_rejected(ex_id):
    """test_checks_generic's in-place guard, over notebook 09 (no statement of 09 lets an
    exercise change what it is given)."""
    from . import test_checks_generic as generic
    generic.test_an_answer_that_changes_its_inputs_in_place_is_rejected(ex_id)
