"""The machinery behind every exercise check: run learner code safely, compare, explain.

An exercise is judged by a *judge* function ``judge(fn, ctx)`` that calls the learner's ``fn``
through ``ctx.call`` and compares what comes back with ``ctx.compare``. ``ctx.call`` is the only
way a judge reaches learner code, and it returns the learner's output as plain data
(`nncourse.grading.plain`). Where it runs is the context's *runner*'s business:

* in a notebook, :class:`LocalRunner` calls the function in the learner's own kernel (immediate
  feedback; nothing there is protected from the learner, and nothing needs to be);
* in the grader, :class:`nncourse.grading.session.Session` sends the plain inputs to the
  submission's sandboxed kernel, which calls the function and sends plain outputs back; the
  judge itself, the references, the known mistakes and every comparison run in the grader's
  process, which never runs learner code.

An exercise whose function takes or returns objects (a network, a state carried between calls)
has a *driver*: a module-level function ``drive(fn, *plain_args)`` in its check module that
builds the objects from plain data, calls ``fn`` and returns plain data. It runs where ``fn``
runs. ``ctx.call`` and ``ctx.compare`` stop the judge at the first problem with a message
written for the learner:

* the learner's own exception is shown as *their* error at *their* line (no checker traceback);
  ``NotImplementedError`` reads "not implemented yet";
* an infinite loop ends at a time limit, the kernel lives on;
* ``None``, lists, wrong shapes or dtypes, NaN and inputs changed in place get a plain message;
* a wrong value shows the case, expected against got, the tolerance, and — when the output
  matches a known mistake — that mistake, named, with a hint.

:func:`run` never raises and never prints: it returns a :class:`Result`. Printing, recording and
nbgrader's "a failing check raises" rule live in :mod:`nncourse.checks.notebook`.
"""

import contextlib
import io
import linecache
import os
import signal
import threading
import traceback
from dataclasses import dataclass, field

import numpy as np

from nncourse.grading.plain import Opaque, roundtrip, type_name

_COURSE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # nncourse/
_NUMPY_DIR = os.path.dirname(np.__file__)

CHECK_TIME = 5.0  # seconds for a whole check in a notebook (the grader: Limits.check_time)


class CheckTimeout(BaseException):
    """Raised inside learner code when the time limit is reached (a BaseException, so a
    learner's ``except Exception`` cannot swallow it)."""


class Stop(Exception):
    """Ends a judge early with a verdict (``ctx.fail`` raises it; a custom judge may catch it
    to add a hint and raise it again)."""

    def __init__(self, status, message, mistake=None):
        super().__init__(message)
        self.status, self.message, self.mistake = status, message, mistake


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
    mistake: object = None        # the known Mistake the output matched, if any
    extra: dict = field(default_factory=dict)

    @property
    def passed(self):
        return self.status == "passed"

    def as_dict(self):
        return {"id": self.exercise, "name": self.name, "status": self.status,
                "passed": self.passed, "message": self.message,
                "cases_passed": self.cases_passed, "cases_total": self.cases_total,
                "mistake": self.mistake.name if self.mistake else None,
                "hint": self.mistake.hint if self.mistake else None}

    def __repr__(self):
        return self.message

    def _repr_html_(self):
        return render_html(self.status, self.message)


# pass / fail / not yet: a symbol, a word and a colour, so no state is told by colour alone
STYLES = {"passed": ("#1b7837", "#f0f7f1", "passed"),
          "not_implemented": ("#7a6a00", "#fbf8e6", "not done yet"),
          "failed": ("#b2182b", "#fbf0f0", "not yet right")}


def render_html(status, message):
    """A check's message as HTML: wraps at words, `code` as code, a labelled side bar."""
    import html
    import re
    colour, background, word = STYLES.get(status, STYLES["failed"])
    body = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", html.escape(message))
    return (f'<div role="status" aria-label="check: {word}" style="border-left: 6px solid '
            f'{colour}; background: {background}; padding: 6px 10px; margin: 2px 0">'
            f'<pre style="margin: 0; white-space: pre-wrap; word-break: normal; '
            f'overflow-wrap: break-word; font-size: 0.95em; background: none">{body}</pre></div>')


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


def cell_label(filename):
    """'cell In[7]' for a notebook cell's code file name, else None. (The grader's worker
    passes its own labeller: the notebook's cell numbers.)"""
    try:
        from IPython import get_ipython
        shell = get_ipython()
        number = shell.compile._filename_map.get(filename) if shell is not None else None
    except Exception:  # no IPython, or an IPython without the map
        number = None
    return f"cell In[{number}]" if number is not None else None


def describe_learner_error(exc, label=cell_label):
    """'ZeroDivisionError: division by zero' plus the learner's cell and line, found by skipping
    the checker's and numpy's own frames; ``label(filename)`` names the cell."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith((_COURSE_DIR, _NUMPY_DIR))]
    if frames:
        f = frames[-1]
        line = (f.line or linecache.getline(f.filename, f.lineno)).strip()
        where = f" in {f.name}()" if f.name not in ("<module>", "<lambda>") else ""
        cell = label(f.filename)
        place = f"{cell}, line {f.lineno}" if cell else f"line {f.lineno}"
        text += f"\n  at {place}{where}: {line}" if line else f"\n  at {place}{where}"
    return text


def _learner_error(exc, label=cell_label):
    """A learner's exception as plain data (the same in a notebook and in the sandbox)."""
    return {"type": type(exc).__name__, "mro": [t.__name__ for t in type(exc).__mro__],
            "text": describe_learner_error(exc, label)[:4000]}


def _same(a, b):
    """Plain data ``a`` and ``b`` are identical (NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
            and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _has_opaque(value):
    if isinstance(value, Opaque):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_opaque(v) for v in value)
    if isinstance(value, dict):
        return any(_has_opaque(v) for v in value.values())
    return False


@dataclass
class Reply:
    """What one call of learner code gave, as plain data. ``status``: ok, error,
    not_implemented, timeout, missing (no such function) or broken (the sandbox died or sent
    garbage; ``error["text"]`` says what happened)."""
    status: str
    out: object = None
    args_after: tuple = ()
    error: dict = None


def driver_name(driver):
    """'module:qualname' of a module-level driver function (how the sandbox finds it)."""
    if driver is None:
        return None
    name = f"{driver.__module__}:{driver.__qualname__}"
    if "<" in driver.__qualname__:
        raise TypeError(f"driver {name} must be a module-level function")
    return name


def find_driver(name):
    import importlib
    module, _, qualname = name.partition(":")
    if not module.startswith("nncourse."):
        raise ValueError(f"not a course driver: {name}")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def call_here(fn, args, driver=None, label=cell_label):
    """Call ``fn(*args)`` (or ``driver(fn, *args)``) in this process; a :class:`Reply` of plain
    data. Used in the learner's kernel: by :class:`LocalRunner` in a notebook and by the
    grader's sandbox worker (which names cells with its own ``label``)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            out = driver(fn, *args) if driver is not None else fn(*args)
    except NotImplementedError:
        return Reply("not_implemented")
    except CheckTimeout:
        raise
    except Exception as exc:  # the learner's own error, shown as theirs
        return Reply("error", error=_learner_error(exc, label))
    return Reply("ok", roundtrip(out), roundtrip(tuple(args)))


class LocalRunner:
    """Runs learner code in this process: the notebook's own kernel."""
    where = "here"

    def call(self, fn, args, driver=None, seconds=None):
        return call_here(fn, roundtrip(tuple(args)), driver)


# --- showing arrays ------------------------------------------------------------------------

def kind(value):
    """'a Network', 'a str': what a learner returned, for messages."""
    name = value.type_name if isinstance(value, Opaque) else type_name(value)
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def show(value, indent="            "):
    """A short, stable text form of a value for messages."""
    if isinstance(value, Opaque):
        return f"{kind(value)} (not a number or an array)"
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, threshold=24, edgeitems=3, suppress_small=False,
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
    with a learner-facing message. ``runner`` decides where learner code runs."""

    def __init__(self, name, rng, arg_names=(), runner=None, deadline=None):
        self.name = name
        self.rng = rng
        self.arg_names = tuple(arg_names)
        self.runner = runner or LocalRunner()
        self.deadline = deadline      # time.monotonic() by which the whole check must end
        self.cases_passed = 0
        self.cases_total = 0

    def fail(self, message, status="failed", mistake=None):
        raise Stop(status, message, mistake)

    def call(self, fn, *args, case=None, check_mutation=True, error_hints=None, driver=None):
        """The learner's ``fn(*args)`` (or ``driver(fn, *args)``) as plain data. ``args`` must be
        plain data. Stops the judge on an exception (adding ``error_hints[type]`` under the
        learner's error when given), a timeout, or an input changed in place."""
        import time
        sent = roundtrip(tuple(args))
        if _has_opaque(sent):
            raise TypeError(f"{self.name}: a judge passed an object to learner code; pass plain "
                            "data and build objects in a driver")
        seconds = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        reply = self.runner.call(fn, sent, driver, seconds)
        if reply.status == "not_implemented":
            self.fail(f"… {self.name} — not implemented yet: replace `raise NotImplementedError()` "
                      "with your code, run that cell, then this one.", "not_implemented")
        if reply.status == "timeout":
            raise CheckTimeout()
        if reply.status == "missing":
            self.fail(f"✘ {self.name} — {reply.error['text']}", "missing")
        if reply.status == "broken":
            self.fail(f"✘ {self.name} — {reply.error['text']}", "error")
        if reply.status == "error":
            where = f" on case {self.cases_total + 1}: {case.description}" if case else ""
            mro = reply.error.get("mro", [])
            hint = next((h for t, h in (error_hints or {}).items() if t.__name__ in mro), None)
            self.fail(f"✘ {self.name} — your code raised an error{where}\n  "
                      f"{reply.error['text']}" + (f"\n  hint: {hint}" if hint else ""), "error")
        if check_mutation:
            names = self.arg_names or [f"argument {i + 1}" for i in range(len(args))]
            for name, old, new in zip(names, sent, reply.args_after):
                if not _same(old, new):
                    self.fail(f"✘ {self.name} — changed its input `{name}` in place"
                              f"{' on case: ' + case.description if case else ''}.\n"
                              "  Work on a copy (or build a new array) instead of writing into the "
                              "array you were given.")
        return reply.out

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
        mistake = self.find_mistake(got, case, mistakes, rtol, atol)
        if mistake:
            lines.append(f"  likely mistake: {mistake.hint}")
        self.fail("\n".join(lines), mistake=mistake)

    def find_mistake(self, got, case, mistakes, rtol=1e-6, atol=1e-8):
        """The first known mistake whose output on ``case`` equals ``got``, else None. (The
        mistakes are course code: they run here, on copies of the case's plain inputs.)"""
        for m in mistakes:
            try:
                with np.errstate(all="ignore"):
                    wrong = m.fn(*roundtrip(tuple(case.args)))
            except Exception:
                continue
            if self._problem(got, wrong, rtol, atol, check_dtype=False) is None:
                return m
        return None

    def diagnose(self, got, case, mistakes, rtol=1e-6, atol=1e-8):
        """The hint of the first known mistake whose output equals ``got``, else None."""
        mistake = self.find_mistake(got, case, mistakes, rtol, atol)
        return mistake.hint if mistake else None

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
                return f"returned {kind(got)}; expected a numpy array"
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
        if isinstance(got, (Opaque, str, dict)):
            return f"returned {kind(got)}; expected a number"
        try:
            g = float(got)
        except (TypeError, ValueError, OverflowError):
            return f"returned {kind(got)}; expected a number"
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


def run(exercise, fn, seed=None, check_time=CHECK_TIME, runner=None):
    """Judge ``fn`` for ``exercise``; returns a :class:`Result`, never raises. With a
    ``runner`` (the grader's sandbox) the time limit is that runner's to enforce."""
    import time
    rng = np.random.default_rng(exercise.default_seed if seed is None else seed)
    deadline = None if runner is None else time.monotonic() + check_time
    ctx = Context(exercise.name, rng, exercise.arg_names, runner, deadline)
    if runner is None and (fn is None or not callable(fn)):
        return Result(exercise.id, exercise.name, "error",
                      f"✘ {exercise.name} — expected a function, got {type(fn).__name__}. "
                      f"Run the cell that defines `{exercise.function}` first.")
    try:
        with time_limit(check_time if runner is None else None), np.errstate(all="ignore"):
            exercise.judge(fn, ctx)
    except Stop as stop:
        return Result(exercise.id, exercise.name, stop.status, stop.message,
                      ctx.cases_passed, ctx.cases_total, stop.mistake)
    except CheckTimeout:
        return Result(exercise.id, exercise.name, "timeout",
                      f"✘ {exercise.name} — time limit: stopped after {check_time:g} s "
                      f"(case {ctx.cases_total + 1}). Is there a loop that never ends?",
                      ctx.cases_passed, ctx.cases_total)
    except Exception as exc:  # a judge bug must not look like the learner's fault
        return Result(exercise.id, exercise.name, "error",
                      f"✘ {exercise.name} — the checker could not judge this answer "
                      f"({type(exc).__name__}: {str(exc)[:300]}). If your function returns "
                      "what the exercise asks for, please report this to the course.")
    n = ctx.cases_total
    return Result(exercise.id, exercise.name, "passed",
                  f"✔ {exercise.name} — {n}/{n} cases ({exercise.verifies})", n, n)
