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


# Named by the toolkit for every exercise: the right values in a Python list where an array
# is asked for.
LIST_NOT_ARRAY = Mistake(
    "a list, not an array",
    "the values are right but you returned a Python list (a list comprehension or .tolist()): "
    "return a numpy array (np.array of your list, or numpy operations throughout).", None)


def toolkit_mistake(got, expected):
    """:data:`LIST_NOT_ARRAY` when ``got`` is a list of ``expected``'s values, else None."""
    if isinstance(got, list) and isinstance(expected, np.ndarray) and expected.ndim > 0:
        try:
            same = agree(np.asarray(got, dtype=expected.dtype), expected)
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


# Named by the toolkit itself when a float32 (or float16) answer comes back with the right values
# in a wider float dtype (the statements ask to keep the inputs' dtype).
FLOAT64_RESULT = Mistake(
    "float64 result for float32 inputs",
    "the values are right, but float32 inputs gave a float64 result: something in your code is "
    "float64 or int64 (np.asarray(..., dtype=float) or .astype(np.float64), np.zeros(shape) "
    "without a dtype, a numpy number such as np.prod(y.shape) or np.float64(...), an int64 "
    "array mixed in). Compute with the arrays as given and plain Python numbers (y.size, "
    "len(y)), or convert back at the end with .astype(X.dtype).", None)


# Named from the text of a learner's error (registry.name_errors), for elementwise exercises.
ARRAY_IF = Mistake(
    "an `if` on an array",
    "`if z >= 0:` (or `and`, `or`, `max(...)`) asks one True/False of a whole array: choose "
    "element by element with np.where(condition, a, b), or with a boolean mask.", None)
MATH_ON_ARRAY = Mistake(
    "math on an array",
    "math.exp works on one number at a time (math.sqrt too): for an array z use np.exp(z) "
    "(np.sqrt), which works element by element.", None)
ELEMENTWISE_ERRORS = {"truth value of an array": ARRAY_IF,      # numpy's words for each
                      "can be converted to Python scalars": MATH_ON_ARRAY}


def widened(got, expected):
    """FLOAT64_RESULT when ``got`` is ``expected`` in a wider float dtype (for a list of arrays:
    each one, and one at least), else None."""
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)) and \
            len(got) == len(expected) and got:
        same = [widened(g, e) is not None or (isinstance(g, np.ndarray) and isinstance(
            e, np.ndarray) and g.dtype == e.dtype) for g, e in zip(got, expected)]
        return FLOAT64_RESULT if all(same) and any(
            widened(g, e) for g, e in zip(got, expected)) else None
    if isinstance(got, np.ndarray) and isinstance(expected, np.ndarray) \
            and got.shape == expected.shape and got.dtype.kind == expected.dtype.kind == "f" \
            and got.dtype.itemsize > expected.dtype.itemsize:
        with np.errstate(all="ignore"):
            if np.allclose(got.astype(expected.dtype), expected, rtol=1e-4, atol=1e-6,
                           equal_nan=True):
                return FLOAT64_RESULT
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
