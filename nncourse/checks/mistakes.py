"""Known mistakes: a wrong answer the course can name, computed by course code.

A :class:`Mistake` is a name, a hint for the learner and a function computing that wrong
answer from the case's inputs. Write it as a one-line variant of the reference, either as a
lambda over the reference::

    Mistake("bias forgotten", "add b once to every row", lambda X, W, b: X @ W)

or, when the reference is written with the choices a learner gets wrong as keyword arguments
(``def _rule(x, *, sign=-1, eps_inside=False)``), with :meth:`Mistake.variant`::

    Mistake.variant("ε outside the root", HINT, _rule, eps_inside=True)

Mistakes run in the grader's (or the notebook's) process, never in the sandbox: they are course
code, called on copies of the case's plain inputs (:func:`replay`).
"""

import functools
from dataclasses import dataclass

import numpy as np

from nncourse.checks.comparing import agree
from nncourse.grading.plain import roundtrip


@dataclass
class Mistake:
    """A known wrong answer: ``fn`` computes it, ``hint`` tells the learner what went wrong."""
    name: str
    hint: str
    fn: object
    raises: bool = False   # named when the learner's code raises the error ``fn`` raises

    @classmethod
    def error(cls, name, hint, fn):
        """A mistake that raises on some cases: named when the learner's code raises the same
        error (type and message) as ``fn`` on the same case."""
        return cls(name, hint, fn, raises=True)

    @classmethod
    def variant(cls, name, hint, reference, **changed):
        """The mistake that is ``reference`` called with the keyword arguments ``changed``."""
        fn = functools.partial(reference, **changed)
        functools.update_wrapper(fn, reference)
        return cls(name, hint, fn)


# Named by the toolkit itself, for every exercise: an input the statement does not let the
# function change (``x -= ...``, ``out=x``, ``x.shape = ...``) was changed in place.
INPUT_CHANGED = Mistake(
    "input changed in place",
    "an in-place operation (x -= ..., x /= ..., x *= ..., out=x, x.shape = ..., x[...] = ...) "
    "wrote into the caller's array: work on a copy or build a new array.", None)


# Named by the toolkit for every exercise: the right values in a float64 array (or list of
# arrays) where float32 inputs ask for float32, and the right values in a Python list.
FLOAT32_LOST = Mistake(
    "float32 inputs gave float64",
    "the values are right but float32 inputs gave a float64 result: something made it float64 "
    "(np.zeros(n) or np.empty without dtype=, dtype=float or np.float64, .astype(float), a "
    "float64 mask, scalar or np.sum(..., dtype=np.float64)). Keep the inputs' dtype: float32 "
    "in, float32 out (e.g. np.zeros(n, dtype=X.dtype)).", None)
LIST_NOT_ARRAY = Mistake(
    "a list, not an array",
    "the values are right but you returned a Python list (a list comprehension or .tolist()): "
    "return a numpy array (np.array of your list, or numpy operations throughout).", None)


def _precision_only(got, expected, rtol, atol):
    """True when ``got`` is ``expected`` (an array, or a list/tuple of them) with float64 where
    it has float32, equal values otherwise."""
    if isinstance(expected, (list, tuple)):
        pairs = list(zip(got, expected)) if isinstance(got, (list, tuple)) \
            and len(got) == len(expected) else None
        return bool(pairs) and all(agree(g, e, rtol, atol, check_dtype=True)
                                   or _precision_only(g, e, rtol, atol) for g, e in pairs) \
            and any(_precision_only(g, e, rtol, atol) for g, e in pairs)
    return isinstance(got, np.ndarray) and isinstance(expected, np.ndarray) \
        and got.dtype == np.float64 and expected.dtype == np.float32 \
        and agree(got, expected, rtol, atol)


def toolkit_mistake(got, expected, rtol=1e-6, atol=1e-8):
    """:data:`FLOAT32_LOST` or :data:`LIST_NOT_ARRAY` when one explains ``got``, else None."""
    if _precision_only(got, expected, rtol, atol):
        return FLOAT32_LOST
    if isinstance(got, list) and isinstance(expected, np.ndarray) and expected.ndim > 0:
        try:
            same = agree(np.asarray(got, dtype=expected.dtype), expected, rtol, atol)
        except (TypeError, ValueError):
            same = False
        return LIST_NOT_ARRAY if same else None
    return None


def raising_alike(mistakes, args, error):
    """The first :meth:`Mistake.error` that raises the learner's ``error`` (its plain form:
    "Type: message" first) on copies of ``args``, else None."""
    said = (error or {}).get("text", "").split("\n", 1)[0]
    for m in mistakes:
        if not m.raises:
            continue
        try:
            with np.errstate(all="ignore"):
                m.fn(*roundtrip(tuple(args)))
        except Exception as exc:
            if (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) == said:
                return m
    return None


def variants(reference, table):
    """``[Mistake.variant(name, hint, reference, **changed) for name, hint, changed in table]``."""
    return [Mistake.variant(name, hint, reference, **changed) for name, hint, changed in table]


def replay(mistake, args):
    """``mistake``'s output on copies of the plain inputs ``args``, or None if it raises (or
    is a :meth:`Mistake.error`, named by its error only)."""
    if mistake.raises:
        return None
    try:
        with np.errstate(all="ignore"):
            return mistake.fn(*roundtrip(tuple(args)))
    except Exception:
        return None
