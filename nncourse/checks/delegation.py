"""Answers that hand the work to the course: the notebook's check agrees with the grader.

When the grader runs an answer, the course's own implementations of its exercise (nnlib's
function, a check module's version, the registry's ``.reference``) are stubs, and an answer that
reaches its own exercise's stub scores 0 (``nncourse.grading.view``, ``grader._judge``). In the
learner's kernel they are real, so the same answer would pass its check and then get 0 from the
teacher. So while a notebook's check calls the learner's function (and only then), a profile hook
watches for a call of exactly the functions the view stubs as that exercise's own
(:func:`nncourse.grading.view.own_implementations`: one definition for both); another exercise's
implementation (nb02's ``neuron`` calling nnlib's ``sigmoid``) stays allowed, as in the grader.
The exercise's tripwires (nnlib code other cells need, such as nb07's ``fit``) are in that list
too: a call of one while the learner's function runs is refused, the judge's own is not. Code
run in another process (a subprocess, a fork) is not watched here; the grader gives it 0.
A reached implementation turns the verdict into a 0 that names the function, nothing more.

Python 3.12+ uses ``sys.monitoring`` (events on those code objects only: nothing else slows);
3.10 and 3.11 a ``sys.setprofile`` hook (and ``threading.setprofile`` for threads the call
starts), active only during the learner's call.
"""

import contextlib
import sys
import threading

from nncourse.checks.verdict import Result

_own = {}            # exercise id -> {code object: "module.qualname"}, computed once per kernel
_watch = None        # the check being run: {"ids": {id(code): name}, "codes": [...], "reached": []}
_TOOL = None         # sys.monitoring tool id, when used


def own(exercise):
    """``{code: qualified name}`` of ``exercise``'s own implementations (cached)."""
    if exercise.id not in _own:
        from nncourse.grading import view     # imported only when a check runs
        _own[exercise.id] = view.own_implementations(exercise)
    return _own[exercise.id]


@contextlib.contextmanager
def watching(exercise):
    """While the check of ``exercise`` runs: its learner calls are watched (:func:`during`).
    Yields the list of qualified names reached, in order, without repeats."""
    global _watch
    codes = own(exercise)
    reached = []
    previous, _watch = _watch, {"ids": {id(c): n for c, n in codes.items()},
                                "codes": list(codes), "reached": reached}
    try:
        yield reached
    finally:
        _watch = previous


def _note(code):
    name = _watch["ids"].get(id(code)) if _watch else None
    if name is not None and name not in _watch["reached"]:
        _watch["reached"].append(name)


def _profile(frame, event, arg):
    if event == "call" and id(frame.f_code) in _ids:
        _note(frame.f_code)


_ids = set()         # id(code) watched by _profile during the current call


@contextlib.contextmanager
def during():
    """Around one call of learner code by the notebook's runner: record any call of the
    watched exercise's own implementations. A no-op outside a check (or when it has none)."""
    global _ids
    if not _watch or not _watch["ids"]:
        yield
        return
    if _monitoring():
        events = sys.monitoring.events
        for code in _watch["codes"]:
            sys.monitoring.set_local_events(_TOOL, code, events.PY_START)
        try:
            yield
        finally:
            for code in _watch["codes"]:
                sys.monitoring.set_local_events(_TOOL, code, events.NO_EVENTS)
        return
    _ids = set(_watch["ids"])
    before, before_threads = sys.getprofile(), getattr(threading, "_profile_hook", None)
    sys.setprofile(_profile)
    threading.setprofile(_profile)
    try:
        yield
    finally:
        sys.setprofile(before)
        threading.setprofile(before_threads)
        _ids = set()


def _monitoring():
    """Register a ``sys.monitoring`` tool once (3.12+); False where there is none free."""
    global _TOOL
    mon = getattr(sys, "monitoring", None)
    if mon is None:
        return False
    if _TOOL is None:
        for tool in (4, 3, 5):
            if mon.get_tool(tool) is None:
                mon.use_tool_id(tool, "nncourse-delegation")
                mon.register_callback(tool, mon.events.PY_START, lambda code, offset: _note(code))
                _TOOL = tool
                break
        else:
            _TOOL = False
    return _TOOL is not False


def message(exercise, reached):
    """What the learner reads: the first course function it reached, and what grading does."""
    return (f"✘ {exercise.name} — your answer calls {reached[0]}, the course's own "
            "implementation: when graded it scores 0. Write the computation yourself (you may use numpy).")


def verdict(exercise, result, reached):
    """``result`` as the grader would give it: 0, with :func:`message`, when ``reached``."""
    if not reached:
        return result
    return Result(exercise.id, exercise.name, "failed", message(exercise, reached), 0,
                  result.cases_total)
