"""The judges' toolkit: run learner code safely, compare, name the mistake.

An exercise is judged by a *judge* ``judge(fn, ctx)`` that calls the learner's ``fn`` only
through ``ctx.call`` (which returns plain data, :mod:`nncourse.grading.plain`) and stops at the
first problem with a message written for the learner. Where ``fn`` runs is the runner's
business: :class:`~nncourse.checks.running.LocalRunner` in a notebook's kernel, the grader's
:class:`~nncourse.grading.session.Session` in a sandbox; references, known mistakes and every
comparison run outside the sandbox. A judge uses five things::

    @exercise(id="nb03_dense", name="dense", notebook=NOTEBOOK, points=1, verifies="Z = X·W + b",
              reference=dense, mistakes=MISTAKES, arg_names=("X", "W", "b"))
    def judge_dense(fn, ctx):
        for case in dense_cases(ctx.rng):                 # the seeded generator
            got = ctx.call(fn, *case.args, case=case)     # errors, time-outs, changed inputs,
                                                          # forbidden warnings: stopped here
            if isinstance(got, list):                     # a case failure, numbered for you
                ctx.fail_case(case, problem="returned a list; return an array", got=got,
                              mistake=LIST_MISTAKE)
            ctx.compare(got, dense(*case.args), case, MISTAKES)   # one output

    ctx.compare_named(got, expected, case, ("dX", "dW", "db"), MISTAKES)   # several outputs:
        # "dW is off; dX and db are right", expected against got for the first wrong one, and
        # the mistake that explains them all (or, per wrong output, the one behind it)

Known mistakes are one-line variants of the reference (:mod:`nncourse.checks.mistakes`):
``Mistake("bias forgotten", HINT, lambda X, W, b: X @ W)`` or
``Mistake.variant("ε outside", HINT, _rule, eps_inside=False)``. When several mistakes give the
learner's output on the failing case, ``compare(..., ahead=ctx.answers(fn, later_cases))``
keeps the one that also gives the learner's answers on the cases to come (every
``function_exercise`` does this); ``compare(..., wrong_here=True)`` names only mistakes whose
values are wrong on the case. The counters (``ctx.cases_passed``, ``ctx.cases_total``) are
read-only: ``compare``, ``compare_named``, ``pass_case`` and ``fail_case`` keep them.
Every call stops on an input changed in place unless ``check_mutation=False`` (an exercise
whose statement says it updates an input checks the others itself, in its driver). The
learner's warnings are in ``ctx.warnings`` after each call: ``ctx.call(...,
forbid_warnings=True)`` or ``ctx.refuse_warnings(case, {"overflow": MISTAKE})`` (after the
comparison, so a NaN is still named) stop on them, for an exercise whose statement forbids them.
A function whose newest ``def`` did not run (its cell stopped before it) is never judged: the
notebook's runner and the grader's worker share that rule (:func:`running.note_cell`).

:func:`run` never raises and never prints: it returns a :class:`Result`. Printing, recording and
nbgrader's "a failing check raises" rule live in :mod:`nncourse.checks.notebook`.
"""

import time
from dataclasses import dataclass

import numpy as np

from nncourse.checks.comparing import (  # noqa: F401  (the toolkit's names, one import)
    Said, _has_opaque, _kind, _same, agree, as_named, describe_args, kind, matches, mistakes_behind,
    named_problems, problem, show, show_named, show_pair, verdict_off, verdict_wrong)
from nncourse.checks.mistakes import (  # noqa: F401
    INPUT_CHANGED, Mistake, raising_alike, replay, toolkit_mistake, variants, widened)
from nncourse.checks.verdict import STYLES, Result, render_html  # noqa: F401
from nncourse.checks.running import (  # noqa: F401
    CheckTimeout, LocalRunner, Reply, _learner_error, call_here, cell_label,
    describe_learner_error, driver_name, find_driver, time_limit)
from nncourse.grading.plain import roundtrip

CHECK_TIME = 5.0  # seconds for a whole check in a notebook (the grader: Limits.check_time)
_UNSET = object()


class Stop(Exception):
    """Ends a judge early with a verdict (``ctx.fail`` raises it; a custom judge may catch it
    to add a hint and raise it again)."""

    def __init__(self, status, message, mistake=None):
        super().__init__(message)
        self.status, self.message, self.mistake = status, message, mistake


@dataclass
class Case:
    """One input to the learner's function: positional ``args``, a ``description`` for
    messages, and an optional ``expected`` (else the reference computes it)."""
    description: str
    args: tuple
    expected: object = None
    rtol: float = None
    atol: float = None


# --- the context a judge works with ----------------------------------------------------------

class Context:
    """Passed to a judge: the seeded ``rng`` for random cases and helpers that stop the judge
    with a learner-facing message. ``runner`` decides where learner code runs."""

    def __init__(self, name, rng, arg_names=(), runner=None, deadline=None, mistakes=()):
        self.name, self.mistakes = name, tuple(mistakes)   # the exercise's, for errors
        self.rng = rng
        self.arg_names = tuple(arg_names)
        self.runner = runner or LocalRunner()
        self.deadline = deadline      # time.monotonic() by which the whole check must end
        self._passed = self._total = 0
        self._last, self._last_passed = None, False    # the case counted last
        self.warnings = ()            # what the last call of learner code warned
        self.errors = {}              # text of a learner's error -> its Mistake (or a hint)

    # the counters: read them; compare, compare_named, pass_case and fail_case keep them
    @property
    def cases_passed(self):
        return self._passed

    @property
    def cases_total(self):
        return self._total

    def _count(self, case, passed, new=True):
        """Count ``case``; the same case again (``new=False``) keeps its number."""
        if not new and case is not None and case is self._last:
            if self._last_passed and not passed:
                self._passed -= 1
            self._last_passed = self._last_passed and passed
            return self._total
        self._last, self._last_passed = case, passed
        self._total += 1
        self._passed += bool(passed)
        return self._total

    def pass_case(self, case=None):
        """Count a case the judge found right by itself."""
        self._count(case, True)

    def fail(self, message, status="failed", mistake=None):
        raise Stop(status, message, mistake)

    def failure(self, headline, *lines, mistake=None, hints=(), status="failed"):
        """Stop with "✘ name — headline", then ``lines`` and a "likely mistake" line for
        ``mistake`` (or for each of ``hints``)."""
        text = [f"✘ {self.name} — {headline}"] + [f"  {line}" for line in lines]
        hints = list(hints) or ([mistake.hint] if mistake else [])
        text += [f"  likely mistake: {h}" for h in hints]
        self.fail("\n".join(text), status, mistake)

    def fail_case(self, case, *lines, expected=_UNSET, got=_UNSET, problem=None, mistake=None,
                  hints=(), show_input=False, status="failed"):
        """Stop on ``case`` (a :class:`Case`, or a description): "✘ name — case n: description",
        the input (``show_input``), expected against got (values, or :class:`Said` text), the
        problem, ``lines``, and the likely mistake. The case is counted, as a failure; a case
        already counted by ``compare`` keeps its number."""
        description = case.description if isinstance(case, Case) else str(case)
        n = self._count(case if isinstance(case, Case) else None, False, new=False)
        head = []
        if show_input and isinstance(case, Case) and case.args and self.arg_names:
            head.append(f"input:    {describe_args(case.args, self.arg_names)}")
        if expected is not _UNSET and got is not _UNSET:
            shown = show_pair(expected, got)
            head += [f"expected: {shown[0]}", f"got:      {shown[1]}"]
        elif expected is not _UNSET:
            head.append(f"expected: {show(expected)}")
        elif got is not _UNSET:
            head.append(f"got:      {show(got)}")
        if problem:
            head.append(f"problem:  {problem}")
        self.failure(f"case {n}: {description}", *head, *lines, mistake=mistake, hints=hints,
                     status=status)

    def call(self, fn, *args, case=None, check_mutation=True, error_hints=None, driver=None,
             forbid_warnings=False):
        """The learner's ``fn(*args)`` (or ``driver(fn, *args)``) as plain data. ``args`` must be
        plain data. Stops the judge on an exception (adding ``error_hints[type]`` under the
        learner's error when given), a timeout, an input changed in place (unless
        ``check_mutation=False``), a stale definition, or (``forbid_warnings``) a warning."""
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
        if reply.status in ("missing", "broken", "stale"):
            self.fail(f"✘ {self.name} — {reply.error['text']}",
                      "missing" if reply.status == "missing" else "error")
        where = f" on case {self._total + 1}: {case.description}" if case else ""
        if reply.status == "error":
            mro = reply.error.get("mro", [])
            hint = next((h for t, h in {**self.errors, **(error_hints or {})}.items() if (
                t in reply.error["text"] if isinstance(t, str) else t.__name__ in mro)), None)
            hint = raising_alike(self.mistakes, args, reply.error) or hint
            self.fail(f"✘ {self.name} — your code raised an error{where}\n  {reply.error['text']}"
                      + (f"\n  hint: {getattr(hint, 'hint', hint)}" if hint else ""), "error",
                      hint if isinstance(hint, Mistake) else None)
        if check_mutation:
            names = self.arg_names or [f"argument {i + 1}" for i in range(len(args))]
            for name, old, new in zip(names, sent, reply.args_after):
                if not _same(old, new):
                    self.fail(f"✘ {self.name} — changed its input `{name}` in place"
                              f"{' on case: ' + case.description if case else ''}.\n"
                              f"  likely mistake: {INPUT_CHANGED.hint}", mistake=INPUT_CHANGED)
        self.warnings = reply.warnings
        if forbid_warnings:
            self.refuse_warnings(case)
        return reply.out

    def refuse_warnings(self, case, mistakes=None):
        """Stop when the last ``call`` emitted a warning (the statement forbids them), naming
        ``mistakes[text]`` for the first ``text`` found in the warning (e.g. "overflow")."""
        if not self.warnings:
            return
        said = self.warnings[0]
        mistake = next((m for text, m in (mistakes or {}).items() if text in said), None)
        self.fail_case(case if case is not None else "", f"your code emitted a warning: {said}",
                       "The exercise asks for none: a warning means an intermediate value "
                       "overflowed or was invalid, even when the result looks right.",
                       mistake=mistake)

    def compare(self, got, expected, case, mistakes=(), rtol=1e-6, atol=1e-8, check_dtype=True,
                what="output", wrong_here=False, ahead=()):
        """Compare the learner's ``got`` with ``expected``; stop the judge on a difference,
        naming a matching known mistake if any (with ``wrong_here``, only a mistake whose values
        are wrong on this case: one that is right here cannot explain a dtype difference).
        When several mistakes give ``got`` here, ``ahead`` (an iterable of ``(case, got)``, the
        learner's answers on the cases to come) keeps those that also give them there."""
        rtol = case.rtol if case.rtol is not None else rtol
        atol = case.atol if case.atol is not None else atol
        why = problem(got, expected, rtol, atol, check_dtype)
        self._count(case, why is None)
        if why is None:
            return
        found = self.find_mistakes(got, case, mistakes, rtol, atol,
                                   expected=expected if wrong_here else _UNSET,
                                   check_dtype=check_dtype)
        for later, later_got in (ahead if len(found) > 1 else ()):
            still = self.find_mistakes(later_got, later, found, rtol, atol)
            found = still or found
            if len(found) == 1:
                break
        mistake = found[0] if found else widened(got, expected) or toolkit_mistake(got, expected)
        self.fail_case(case, expected=expected, got=got, problem=why, mistake=mistake,
                       show_input=True)

    def compare_named(self, got, expected, case, names, mistakes=(), rtol=1e-6, atol=1e-8,
                      compare=None, extract=None, extra=None, verdict=verdict_off, each=True,
                      pad=13):
        """Compare several named outputs (a tuple in ``names``' order, or a dict) with
        ``expected``; stop on the first case where one differs, saying which are off and which
        right, expected against got for the first wrong one, ``extra(got, expected, wrong)``
        lines, and the known mistake behind them. ``extract(out)`` turns a mistake's output
        into named outputs (default: :func:`as_named`); ``compare`` gives a name its own rule."""
        rtol = case.rtol if case.rtol is not None else rtol
        atol = case.atol if case.atol is not None else atol
        got_n, expected_n = as_named(got, names), as_named(expected, names)
        if got_n is None:
            what = ", ".join(names)
            self.fail_case(case, f"expected: the tuple ({what})",
                           f"got:      {show(got) if not isinstance(got, (tuple, list)) else f'{len(got)} items'}",
                           f"problem:  return the {len(names)} results together: `return {what}`.",
                           show_input=True)
        problems = named_problems(got_n, expected_n, names, rtol, atol, compare)
        wrong = [k for k in names if problems[k] is not None]
        self._count(case, not wrong)
        if not wrong:
            return
        first, right = wrong[0], [k for k in names if k not in wrong]
        indent = " " * (pad + len(first))
        lines = [f"input:    {describe_args(case.args, self.arg_names)}"] \
            if case.args and self.arg_names else []
        shown = show_pair(expected_n[first], got_n[first], indent) \
            if not isinstance(got_n[first], (list, tuple)) else \
            (show_named(expected_n[first], indent), show_named(got_n[first], indent))
        lines += [verdict(wrong, right),
                  f"{first} expected: {shown[0]}",
                  f"{first} got:      {shown[1]}",
                  f"problem:  {first}{':' if verdict is verdict_wrong else ''} {problems[first]}"]
        lines += list(extra(got_n, expected_n, wrong)) if extra else []
        extract = extract or (lambda out: as_named(out, names))
        outputs = [(m, extract(replay(m, case.args))) for m in mistakes]
        outputs = [(m, out) for m, out in outputs
                   if out is not None and not matches(out, expected_n, rtol, atol)]
        found = mistakes_behind(got_n, expected_n, outputs, names, wrong, rtol, atol, each) or [
            m for m in [widened(got_n[wrong[0]], expected_n[wrong[0]])] if m is not None and all(
                widened(got_n[k], expected_n[k]) for k in wrong)]
        self.failure(f"case {self._total}: {case.description}", *lines,
                     mistake=found[0] if len(found) == 1 else None,
                     hints=[m.hint for m in found])

    def find_mistakes(self, got, case, mistakes, rtol=1e-6, atol=1e-8, expected=_UNSET,
                      check_dtype=False):
        """The known mistakes whose output on ``case`` equals ``got``, in order; given the
        ``expected`` output, only those that are wrong on this case (in value, or, with
        ``check_dtype``, in the kind of dtype the learner's has: "converted to float" is wrong
        where its values are right; a float64 mistake for float32 data may be an accident of
        how the mistake is written, so precision alone does not count).
        (Mistakes are course code: they run here, on copies of the case's plain inputs.)"""
        found = []
        for m in mistakes:
            wrong = replay(m, case.args)
            if wrong is None or problem(got, wrong, rtol, atol, check_dtype=False) is not None:
                continue
            if expected is _UNSET or not matches(wrong, expected, rtol, atol) or (
                    check_dtype and _kind(got) == _kind(wrong) != _kind(expected)):
                found.append(m)
        return found

    def find_mistake(self, got, case, mistakes, rtol=1e-6, atol=1e-8, expected=_UNSET):
        """The first of :meth:`find_mistakes`, else None."""
        return next(iter(self.find_mistakes(got, case, mistakes, rtol, atol, expected)), None)

    def answers(self, fn, cases, **call):
        """The learner's answers on ``cases`` as ``(case, got)``, lazily, up to the first call
        that fails (for ``compare(..., ahead=...)``: telling look-alike mistakes apart)."""
        for case in cases:
            try:
                yield case, self.call(fn, *case.args, case=case, **call)
            except Stop:
                return

    def diagnose(self, got, case, mistakes, rtol=1e-6, atol=1e-8):
        """The hint of the first known mistake whose output equals ``got``, else None."""
        mistake = self.find_mistake(got, case, mistakes, rtol, atol)
        return mistake.hint if mistake else None


def run(exercise, fn, seed=None, check_time=CHECK_TIME, runner=None):
    """Judge ``fn`` for ``exercise``; returns a :class:`Result`, never raises. With a
    ``runner`` (the grader's sandbox) the time limit is that runner's to enforce."""
    rng = np.random.default_rng(exercise.default_seed if seed is None else seed)
    deadline = None if runner is None else time.monotonic() + check_time
    ctx = Context(exercise.name, rng, exercise.arg_names, runner, deadline, exercise.mistakes)
    ctx.errors = dict(getattr(exercise, "errors", {}))
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
