"""Notebook 11's checks (when training fails): the statements' edge cases, messages that name
the wrong output, correct answers written other ways, and drivers that hold no answer."""

import ast
import math
from pathlib import Path

import numpy as np

import nncourse.checks.drivers.nb11 as drivers
from nncourse.checks import judging, nb11, registry
from nnlib import clipping, normalization, schedules


def test_every_reference_is_nnlib_and_named_as_implementing_its_exercise():
    for ex_id, ex in registry.load_all().items():
        if ex.notebook == nb11.NOTEBOOK:
            assert ex.reference.__module__.startswith("nnlib."), ex_id
            assert f"{ex.reference.__module__}.{ex.reference.__qualname__}" in ex.implemented_by
    assert "nnlib.normalization.BatchNorm" in registry.EXERCISES["nb11_batchnorm"].implemented_by


def test_drivers_import_no_check_module_and_no_registry():
    tree = ast.parse(Path(drivers.__file__).read_text())
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)] + [
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not any(m.startswith("nncourse") for m in imported), imported


def test_schedule_step_that_returns_none_is_named_with_its_step(judge):
    def schedule(t, lr, warmup, total, lr_min=0.0):
        if t < warmup:
            return lr * (t + 1) / warmup
        # forgot the return after the warm-up
    r = judge("nb11_warmup_cosine", schedule)
    assert not r.passed and "at t = 4: your function returned None" in r.message


def test_schedule_error_shows_the_learners_line(judge):
    def schedule(t, lr, warmup, total, lr_min=0.0):
        return lr * (t + 1) / warmup if t < warmup else lr_min + 0.5 * (lr - lr_min) * (
            1 + math.cos(math.pi * (t - warmup) / (total - warmup) / 0))
    r = judge("nb11_warmup_cosine", schedule)
    assert r.status == "error" and "ZeroDivisionError" in r.message
    assert "/ 0" in r.message


def test_schedule_message_lists_the_steps_that_differ(judge):
    r = judge("nb11_warmup_cosine", lambda t, lr, W, T, m=0.0: lr * t / W if t < W else
              schedules.warmup_cosine(t, lr, W, T, m))
    assert "4 of 16 steps differ; the first at t = 0" in r.message
    assert r.mistake.name == "warm-up starts at 0"


def test_batchnorm_backward_names_the_wrong_output_and_the_right_ones(judge):
    def backward(dout, X, gamma, eps=1e-5):
        dX, dgamma, dbeta = normalization.batchnorm_backward(dout, X, gamma, eps)
        return dX, dgamma, dout.mean(axis=0) * 0 + dbeta * 2     # dbeta doubled: unknown
    r = judge("nb11_batchnorm_backward", backward)
    assert "dbeta is wrong (dX, dgamma right)." in r.message and r.mistake is None


def test_batchnorm_layer_mistake_named_from_the_wrong_output_alone(judge):
    # two mistakes at once: momentum swapped *and* a float copy at inference: the first wrong
    # output (running_mean, in training) still names the momentum
    def layer(X, gamma, beta, rm, rv, training, momentum=0.9, eps=1e-5):
        Y, m, v = normalization.batchnorm(X, gamma, beta, rm, rv, training, 1 - momentum, eps)
        return Y, m, v * 1.5
    r = judge("nb11_batchnorm", layer)
    assert "running_mean, running_var are wrong (Y right)." in r.message
    assert r.mistake.name == "momentum on the wrong side"


def test_clip_accepts_a_tuple_and_a_numpy_float(judge):
    def clip(grads, max_norm):
        clipped, n = clipping.clip_by_global_norm(grads, max_norm)
        return tuple(clipped), np.float64(n)
    assert judge("nb11_clip_by_global_norm", clip).passed


def test_clip_in_place_is_reported_as_changing_the_input(judge):
    def clip(grads, max_norm):
        total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        for g in grads:
            g *= min(1.0, max_norm / total) if total else 1.0
        return grads, total
    r = judge("nb11_clip_by_global_norm", clip)
    assert "changed its input `grads` in place" in r.message


def test_dtype_only_difference_is_named_as_the_dtype_slip(judge):
    r = judge("nb11_update_ratio", lambda b, a: np.float32(np.linalg.norm(a - b) / np.linalg.norm(b)))
    assert r.passed        # a number is a number: the dtype of a scalar is not judged
    r = judge("nb11_dropout_forward", lambda X, p, keep, training=True:
              (X * keep / (1 - p)).astype(np.float64) if training else X)
    assert "wrong dtype: expected float32, got float64" in r.message
    assert r.mistake.name == "float64 result for float32 inputs"   # no mistake of the catalog


def test_dropout_inference_may_return_a_copy_or_x_itself(judge):
    for fn in (lambda X, p, keep, training=True: X * keep / (1 - p) if training else X,
               lambda X, p, keep, training=True: X * keep / (1 - p) if training else X.copy()):
        assert judge("nb11_dropout_forward", fn).passed


def test_every_known_mistake_is_named_on_a_hidden_seed_too():
    """The random cases change with the grader's seed; each mistake is still named as itself."""
    for ex in registry.load_all().values():
        if ex.notebook == nb11.NOTEBOOK:
            for m in ex.mistakes:
                result = judging.run(ex, m.fn, seed=12345)
                assert result.mistake is not None and result.mistake.name == m.name, (
                    ex.id, m.name, result.message)
