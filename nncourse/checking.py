"""The machinery behind every exercise check: run learner code safely, compare, explain.

An exercise is judged by a *judge* function ``judge(fn, ctx)`` that calls the learner's ``fn``
through ``ctx.call`` and compares what comes back with ``ctx.compare``. Both stop the judge at
the first problem with a message written for the learner:

* the learner's own exception is shown as *their* error at *their* line (no checker traceback);
  ``NotImplementedError`` reads "not implemented yet";
* an infinite loop ends at a time limit, the kernel lives on;
* ``None``, lists, wrong shapes or dtypes, NaN and inputs changed in place get a plain message;
* a wrong value shows the case, expected against got, the tolerance, and — when the output
  matches a known mistake — that mistake, named, with a hint.

:func:`run` never raises and never prints: it returns a :class:`Result`. Printing, recording and
nbgrader's "a failing check raises" rule live in :mod:`nncourse.check`.
"""

import contextlib
import copy
import io
import linecache
import os
import signal
import threading
import traceback
from dataclasses import dataclass, field

import numpy as np

_COURSE_DIR = os.path.dirname(os.path.abspath(__file__))
_NUMPY_DIR = os.path.dirname(np.__file__)

TIME_LIMIT = 5.0  # seconds for a whole check; learner code that loops forever ends here


class CheckTimeout(BaseException):
    """Raised inside learner code when the time limit is reached (a BaseException, so a
    learner's ``except Exception`` cannot swallow it)."""


class Stop(Exception):
    """Ends a judge early with a verdict (``ctx.fail`` raises it; a custom judge may catch it
    to add a hint and raise it again)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message



@dataclass
class Mistake:
    """A known wrong answer: ``fn`` computes it, ``hint`` tells the learner what went wrong."""
    name: str
    hint: str
    fn: object


@dataclass
class Case:
    """One input to the learner's function: positional ``args``, a ``description`` for
    messages, and an optional ``expected`` (else the reference computes it)."""
    description: str
    args: tuple
    expected: object = None
    rtol: float = None
    atol: float = None


@dataclass
class Result:
    """What a check found. ``status`` is one of: passed, failed, not_implemented, error,
    timeout."""
    exercise: str
    name: str
    status: str
    message: str
    cases_passed: int = 0
    cases_total: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def passed(self):
        return self.status == "passed"

    def as_dict(self):
        return {"id": self.exercise, "name": self.name, "status": self.status,
                "passed": self.passed, "message": self.message,
                "cases_passed": self.cases_passed, "cases_total": self.cases_total}

    def __repr__(self):
        return self.message

    def _repr_html_(self):
        import html
        colour = "#1b7837" if self.passed else "#b2182b"
        return (f'<pre style="border-left: 4px solid {colour}; padding: 4px 8px; '
                f'white-space: pre-wrap">{html.escape(self.message)}</pre>')


# --- running learner code ------------------------------------------------------------------

@contextlib.contextmanager
def time_limit(seconds):
    """Raise CheckTimeout in the main thread after ``seconds`` (no-op off the main thread)."""
    if seconds is None or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise CheckTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def describe_learner_error(exc):
    """'ZeroDivisionError: division by zero' plus the learner's line, found by skipping the
    checker's and numpy's own frames."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith((_COURSE_DIR, _NUMPY_DIR))]
    if frames:
        f = frames[-1]
        line = (f.line or linecache.getline(f.filename, f.lineno)).strip()
        where = f"in {f.name}()" if f.name not in ("<module>", "<lambda>") else ""
        text += f"\n  at line {f.lineno} {where}: {line}" if line else ""
    return text


def _snapshot(value):
    try:
        return copy.deepcopy(value)
    except Exception:  # pragma: no cover - exotic learner objects
        return value


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
            and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a).__eq__ is object.__eq__:   # no value equality (a Network, a Generator):
        return True                       # nothing to compare, so nothing to report
    try:
        return bool(a == b)
    except Exception:  # pragma: no cover
        return True


# --- showing arrays ------------------------------------------------------------------------

def show(value, indent="            "):
    """A short, stable text form of a value for messages."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, threshold=24, edgeitems=3, suppress_small=True,
                               separator=", ")
        body = body.replace("\n", "\n" + indent)
        return f"shape {value.shape}, dtype {value.dtype}\n{indent}{body}"
    if isinstance(value, (float, np.floating)):
        return f"{type(value).__name__} {float(value):.6g}"
    return f"{type(value).__name__} {value!r}"[:200]


def describe_args(args, names):
    parts = []
    for name, value in zip(names, args):
        if isinstance(value, np.ndarray):
            parts.append(f"{name}: shape {value.shape}, dtype {value.dtype}")
        elif isinstance(value, (int, float, str, bool, np.number, type(None))) or (
                isinstance(value, tuple) and len(repr(value)) <= 60):
            parts.append(f"{name} = {value!r}")
        elif type(value) not in (list, tuple, dict) and \
                type(value).__repr__ is not object.__repr__ and len(repr(value)) <= 100 \
                and " at 0x" not in repr(value):
            parts.append(f"{name} = {value!r}")   # a class with its own short repr
        elif isinstance(value, (list, tuple, dict)):
            parts.append(f"{name}: a {type(value).__name__} of {len(value)} items")
        else:
            parts.append(f"{name}: a {type(value).__name__}")
    return "; ".join(parts)


# --- the context a judge works with ----------------------------------------------------------

class Context:
    """Passed to a judge: the seeded ``rng`` for random cases and helpers that stop the judge
    with a learner-facing message."""

    def __init__(self, name, rng, arg_names=()):
        self.name = name
        self.rng = rng
        self.arg_names = tuple(arg_names)
        self.cases_passed = 0
        self.cases_total = 0

    def fail(self, message, status="failed"):
        raise Stop(status, message)

    def call(self, fn, *args, case=None, check_mutation=True, error_hints=None):
        """Call the learner's ``fn(*args)`` and return its result. Stops the judge on an
        exception (adding ``error_hints[type]`` under the learner's error when given), a
        timeout, or an input changed in place."""
        before = [_snapshot(a) for a in args]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                out = fn(*args)
        except NotImplementedError:
            self.fail(f"… {self.name} — not implemented yet: replace `raise NotImplementedError()` "
                      "with your code, run that cell, then this one.", "not_implemented")
        except CheckTimeout:
            raise
        except Exception as exc:  # the learner's own error, shown as theirs
            where = f" on case {self.cases_total + 1}: {case.description}" if case else ""
            hint = next((h for t, h in (error_hints or {}).items() if isinstance(exc, t)), None)
            self.fail(f"✘ {self.name} — your code raised an error{where}\n  "
                      f"{describe_learner_error(exc)}" + (f"\n  hint: {hint}" if hint else ""),
                      "error")
        if check_mutation:
            names = self.arg_names or [f"argument {i + 1}" for i in range(len(args))]
            for name, old, new in zip(names, before, args):
                if not _same(old, new):
                    self.fail(f"✘ {self.name} — changed its input `{name}` in place"
                              f"{' on case: ' + case.description if case else ''}.\n"
                              "  Work on a copy (or build a new array) instead of writing into the "
                              "array you were given.")
        return out

    def compare(self, got, expected, case, mistakes=(), rtol=1e-6, atol=1e-8, check_dtype=True,
                what="output"):
        """Compare the learner's ``got`` with ``expected``; stop the judge on a difference,
        naming a matching known mistake if any."""
        self.cases_total += 1
        rtol = case.rtol if case.rtol is not None else rtol
        atol = case.atol if case.atol is not None else atol
        problem = self._problem(got, expected, rtol, atol, check_dtype)
        if problem is None:
            self.cases_passed += 1
            return
        lines = [f"✘ {self.name} — case {self.cases_total}: {case.description}"]
        if case.args and self.arg_names:
            lines.append(f"  input:    {describe_args(case.args, self.arg_names)}")
        lines.append(f"  expected: {show(expected)}")
        lines.append(f"  got:      {show(got)}")
        lines.append(f"  problem:  {problem}")
        hint = self.diagnose(got, case, mistakes, rtol, atol)
        if hint:
            lines.append(f"  likely mistake: {hint}")
        self.fail("\n".join(lines))

    def diagnose(self, got, case, mistakes, rtol=1e-6, atol=1e-8):
        """The hint of the first known mistake whose output equals ``got``, else None."""
        for m in mistakes:
            try:
                with np.errstate(all="ignore"):
                    wrong = m.fn(*[_snapshot(a) for a in case.args])
            except Exception:
                continue
            if self._problem(got, wrong, rtol, atol, check_dtype=False) is None:
                return m.hint
        return None

    @staticmethod
    def _problem(got, expected, rtol, atol, check_dtype):
        """None when ``got`` matches ``expected``, else a short reason."""
        if got is None:
            return "your function returned None: did you forget the `return` statement?"
        if isinstance(expected, np.ndarray):
            if isinstance(got, (list, tuple)):
                return f"returned a {type(got).__name__}; return a numpy array (np.array(...))"
            if np.isscalar(got) and expected.ndim > 0:
                return "returned a single number; expected an array of shape " \
                       f"{expected.shape}"
            if not isinstance(got, np.ndarray):
                return f"returned {type(got).__name__}; expected a numpy array"
            if got.shape != expected.shape:
                return f"wrong shape: expected {expected.shape}, got {got.shape}"
            if check_dtype and got.dtype != expected.dtype:
                return f"wrong dtype: expected {expected.dtype}, got {got.dtype}"
            if got.dtype.kind in "fc" and not np.all(np.isfinite(got)) \
                    and np.all(np.isfinite(expected)):
                bad = np.argwhere(~np.isfinite(got))[0]
                return f"contains NaN or inf (first at index {tuple(int(i) for i in bad)})"
            with np.errstate(all="ignore"):
                close = np.isclose(got.astype(np.float64) if got.dtype.kind != "b" else got,
                                   expected, rtol=rtol, atol=atol, equal_nan=True)
            if not np.all(close):
                n_bad = int(np.size(close) - np.count_nonzero(close))
                i = tuple(int(k) for k in np.argwhere(~close)[0])
                tol = "exact" if rtol == 0 and atol == 0 else f"rtol={rtol:g}, atol={atol:g}"
                return (f"{n_bad} of {close.size} values differ (tolerance {tol}); first at "
                        f"index {i}: expected {expected[i].item():.6g}, got {got[i].item():.6g}")
            return None
        # a scalar answer
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got[()]                 # a 0-d array is a number
        if isinstance(got, np.ndarray) and got.size == 1:
            return f"returned an array of shape {got.shape}; return a single number " \
                   "(e.g. with float(...) or .item())"
        if isinstance(got, (list, tuple, np.ndarray)):
            return f"returned a {type(got).__name__}; expected a single number"
        try:
            g = float(got)
        except (TypeError, ValueError):
            return f"returned {type(got).__name__}; expected a number"
        if np.isnan(g) and np.isnan(expected):
            return None
        if not np.isfinite(g) and np.isfinite(expected):
            return f"returned {g}: NaN or inf"
        if not np.isclose(g, expected, rtol=rtol, atol=atol):
            return f"expected {float(expected):.6g}, got {g:.6g} (tolerance rtol={rtol:g})"
        return None


def problem(got, expected, rtol=1e-6, atol=1e-8, check_dtype=True):
    """None when ``got`` matches ``expected``, else a short reason (for custom judges)."""
    return Context._problem(got, expected, rtol, atol, check_dtype)


def run(exercise, fn, seed=None, time_limit_s=TIME_LIMIT):
    """Judge ``fn`` for ``exercise``; returns a :class:`Result`, never raises."""
    rng = np.random.default_rng(exercise.default_seed if seed is None else seed)
    ctx = Context(exercise.name, rng, exercise.arg_names)
    if fn is None or not callable(fn):
        return Result(exercise.id, exercise.name, "error",
                      f"✘ {exercise.name} — expected a function, got {type(fn).__name__}. "
                      f"Run the cell that defines `{exercise.function}` first.")
    try:
        with time_limit(time_limit_s), np.errstate(all="ignore"):
            exercise.judge(fn, ctx)
    except Stop as stop:
        return Result(exercise.id, exercise.name, stop.status, stop.message,
                      ctx.cases_passed, ctx.cases_total)
    except CheckTimeout:
        return Result(exercise.id, exercise.name, "timeout",
                      f"✘ {exercise.name} — time limit: stopped after {time_limit_s:g} s "
                      f"(case {ctx.cases_total + 1}). Is there a loop that never ends?",
                      ctx.cases_passed, ctx.cases_total)
    except Exception as exc:  # a judge bug must not look like the learner's fault
        return Result(exercise.id, exercise.name, "error",
                      f"✘ {exercise.name} — the checker itself failed ({type(exc).__name__}: "
                      f"{exc}). This is a course bug; please report it.")
    n = ctx.cases_total
    return Result(exercise.id, exercise.name, "passed",
                  f"✔ {exercise.name} — {n}/{n} cases ({exercise.verifies})", n, n)
