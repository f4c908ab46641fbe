"""Running learner code: in the learner's kernel, with a time limit, as plain data.

Everything here runs where the learner's code runs (the notebook's kernel, or the grader's
sandbox worker), so it holds no reference answer and no known mistake. It also keeps the one
rule for a *stale definition*: a cell that (re)defines a function stopped with an error before
its new ``def`` ran, so the function still bound to that name is the previous one. The notebook's
``check`` and the grader's worker both record it with :func:`note_cell` and both refuse, with the
same message (:func:`stale_message`), to judge such a function: :meth:`LocalRunner.call` and the
worker answer a call with a ``stale`` reply.
"""

import contextlib
import io
import linecache
import os
import re
import signal
import threading
import traceback
import warnings
from dataclasses import dataclass

import numpy as np

from nncourse.checks import delegation
from nncourse.grading.plain import roundtrip

_COURSE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # nncourse/


def _library_dirs():
    """Where library code lives (the course's nncourse and nnlib, numpy, the standard library,
    installed packages): a frame there is not the learner's."""
    import importlib.util
    import sysconfig
    dirs = {_COURSE_DIR, os.path.dirname(np.__file__)}
    spec = importlib.util.find_spec("nnlib")
    if spec is not None and spec.origin:
        dirs.add(os.path.dirname(os.path.abspath(spec.origin)))
    dirs.update(v for k, v in sysconfig.get_paths().items()
                if k in ("stdlib", "platstdlib", "purelib", "platlib") and v)
    return tuple(os.path.join(os.path.abspath(d), "") for d in dirs)


_LIBRARY_DIRS = _library_dirs()


class CheckTimeout(BaseException):
    """Raised inside learner code when the time limit is reached (a BaseException, so a
    learner's ``except Exception`` cannot swallow it)."""


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
    """'ZeroDivisionError: division by zero' plus the learner's cell and line: the last frame
    in the learner's code, skipping the checker's and the libraries' own frames (nnlib, numpy,
    the standard library, installed packages), so an error raised inside ``nnlib`` is shown at
    the learner's line that called it; ``label(filename)`` names the cell."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(_LIBRARY_DIRS)
              and not f.filename.startswith("<frozen ")]
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


@dataclass
class Reply:
    """What one call of learner code gave, as plain data. ``status``: ok, error,
    not_implemented, timeout, missing (no such function), stale (its newest definition did not
    run) or broken (the sandbox died or sent garbage); ``error["text"]`` says what happened."""
    status: str
    out: object = None
    args_after: tuple = ()
    error: dict = None
    warnings: tuple = ()     # the warnings the call emitted, "RuntimeWarning: overflow ..."


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
        with contextlib.redirect_stdout(io.StringIO()), \
                warnings.catch_warnings(record=True) as caught, \
                np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            warnings.simplefilter("always")      # numpy's defaults, as in a learner's cell
            out = driver(fn, *args) if driver is not None else fn(*args)
    except NotImplementedError:
        return Reply("not_implemented")
    except CheckTimeout:
        raise
    except Exception as exc:  # the learner's own error, shown as theirs
        return Reply("error", error=_learner_error(exc, label))
    said = tuple(dict.fromkeys(f"{w.category.__name__}: {w.message}"[:200] for w in caught))
    return Reply("ok", roundtrip(out), roundtrip(tuple(args)), warnings=said[:10])


class LocalRunner:
    """Runs learner code in this process: the notebook's own kernel. A function whose newest
    definition did not run (:data:`STALE`) is not called: the reply is ``stale``."""
    where = "here"

    def call(self, fn, args, driver=None, seconds=None):
        name = getattr(fn, "__name__", None)
        if name in STALE:
            return Reply("stale", error={"text": stale_message(name, STALE[name])})
        with delegation.during():    # did it reach its exercise's own implementation?
            return call_here(fn, roundtrip(tuple(args)), driver)


# --- stale definitions: one rule for the notebook and the grader --------------------------------

DEF_RE = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)\s*\(|^(\w+)\s*=\s*lambda\b", re.MULTILINE)

STALE = {}   # in a notebook's kernel: function name -> why its newest definition did not run


def defined_names(source):
    """The functions a cell's source defines (``def f(`` or ``f = lambda``), in order."""
    return [a or b for a, b in DEF_RE.findall(source or "")]


def error_summary(error):
    """One line saying why a cell stopped: ``SyntaxError: ... (line 3)``, ``NameError: ...``."""
    if isinstance(error, SyntaxError):
        return f"{type(error).__name__}: {error.msg} (line {error.lineno})"
    return (f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)[:200]


def note_cell(stale, shell, source, error, count, why=None):
    """Update ``stale`` (name -> why) after a cell ran in IPython ``shell``. ``source`` is the
    cell's code, ``error`` what stopped it (or None), ``count`` its execution count. A function
    the cell defines is stale when the cell failed and the object now bound to its name was not
    created by this run of the cell (the error came before the ``def``, e.g. a SyntaxError);
    when the ``def`` ran and the error came after, the new definition stands."""
    for name in defined_names(source):
        stale.pop(name, None)
        if error is None:
            continue
        code = getattr(shell.user_ns.get(name), "__code__", None)
        number = shell.compile._filename_map.get(code.co_filename) if code else None
        if number != count:
            stale[name] = why or error_summary(error)
    return stale


def stale_message(name, why, exists=True):
    """What the learner reads when ``name``'s newest definition did not run."""
    if not exists:
        return f"no function `{name}`: the cell that defines it stopped ({why}), so it was " \
               "never defined. Fix that cell and run it."
    return (f"the cell that defines `{name}` stopped with an error before its new definition "
            f"ran ({why}), so this check would judge your previous `{name}`. Fix that cell, "
            "run it, then run this one.")
