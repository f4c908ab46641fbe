"""Grade submitted notebooks: ``nncourse grade SUBMISSION_OR_FOLDER ...``.

The trust boundary: learner code runs only in a submission's own sandbox
(:mod:`nncourse.grading.sandbox`), and that sandbox never judges. For each submission the grader

1. reads the notebook (:mod:`.submission`; the file is only ever read, and never one that is a
   symbolic link, a hard link to a course file or to another file of the batch, or no regular
   file) and works out which course notebook it is, which check cells were edited or deleted,
   and which answers call nnlib's own implementation of their exercise;
2. sends the submission's code cells, **except its check cells**, to a fresh sandbox one at a
   time, each with a time limit (:mod:`.session`); a cell that hangs or kills the sandbox is
   skipped, the sandbox started again and the cells before it run again;
3. runs each exercise's judge here, in the grader's process, with the fixed cases plus hidden
   ones drawn from a seed chosen at grading time. The judge sends plain inputs to the sandbox,
   which calls the learner's function and sends plain outputs back; the references, the known
   mistakes and every comparison and verdict are computed here, and only here are reports
   written. A submission can change its own outputs, and nothing else.
4. the sandbox's nnlib and nncourse are the notebook's grading view (:mod:`.view`): the
   course's implementations of its exercises are stubs there, and an answer whose own
   exercise's stub (or tripwire: code other cells need, kept) ran while it was judged scores 0
   with a note. An answer that used another exercise's course version is judged again in a
   sandbox where only its own is a stub.

A submission's death, hang or garbage is that submission's error only. The result of each
submission is a :class:`nncourse.results.SubmissionReport`.
"""

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from nncourse.checks import judging, registry
from nncourse.grading.sandbox import SandboxLimits, isolation_available
from nncourse.grading.session import RemoteFunction, Session
from nncourse.grading.reading import hard_links
from nncourse.grading.submission import SubmissionError, read_submission
from nncourse.results import MAX_CELL_ERRORS, ExerciseResult, SubmissionReport
from nncourse.text import printable


@dataclass
class Limits:
    cell_timeout: float = 60.0       # seconds for one learner cell
    notebook_timeout: float = 300.0  # seconds for all learner cells together
    check_time: float = 10.0         # seconds for one exercise's check
    memory_mb: int = 2048            # memory of the whole sandbox
    processes: int = 32              # processes (and threads) in the sandbox
    file_mb: int = 64                # largest file the sandbox may write
    output_mb: int = 16              # text the learner's code may print
    user: str = None                 # grader is root: run learner code as this system user
                                     # (default with bubblewrap: a uid no account owns)

    def sandbox(self):
        return SandboxLimits(memory_mb=self.memory_mb, processes=self.processes,
                             file_mb=self.file_mb, output_mb=self.output_mb, user=self.user)


class NoSandbox(RuntimeError):
    """Raised by :func:`grade_many` when no sandbox can be made and none was waived."""


def course_files():
    """The course's own notebooks (solutions and learner versions): a submission that is a
    hard link to one is refused (:func:`reading.hard_links`)."""
    from nncourse.build.notebooks import NOTEBOOKS, SOLUTIONS
    return sorted(SOLUTIONS.glob("*.ipynb")) + sorted(NOTEBOOKS.glob("*.ipynb"))


def grade_file(path, seed=None, limits=None, isolation="bubblewrap", forbid_reference=False,
               linked=None):
    """Grade one submission; returns its :class:`SubmissionReport` (never raises).
    ``linked``: why it is not graded, found for its batch (a hard link, by :func:`grade_many`);
    when None, the file alone is checked against the course's files."""
    try:
        if linked is None:
            linked = hard_links([path], course_files()).get(str(path))
        if linked:
            return SubmissionReport(str(path), error=linked, error_kind="not_a_file",
                                    isolation=isolation, seed=seed)
        return _grade_file(Path(path), seed, limits or Limits(), isolation, forbid_reference)
    except Exception as exc:  # a grader bug must not stop the batch
        return SubmissionReport(str(path), error=f"the grader failed on this file "
                                                 f"({type(exc).__name__}: {str(exc)[:200]}); "
                                                 "please report it",
                                error_kind="grader", isolation=isolation, seed=seed)


def _grade_file(path, seed, limits, isolation, forbid_reference):
    base = {"isolation": isolation, "seed": seed}
    try:
        sub = read_submission(path)
    except SubmissionError as exc:
        return SubmissionReport(str(path), error=exc.message, error_kind=exc.kind, **base)
    isolated = isolation == "bubblewrap"
    session = Session(sub.sources, limits, isolated, sub.captures, (sub.notebook, None))
    try:
        session.run_cells()
        rows = [_judge(ex, session, seed, limits, ex.id in sub.copied_reference,
                       forbid_reference) for ex in sub.exercises]
    finally:
        session.close()
    # an answer that used the course's version of *another* exercise (nb02's neuron calls
    # nnlib's sigmoid) is judged again where only its own implementation is a stub, after the
    # cells up to its check; all of these together get one more notebook time limit
    budget = time.monotonic() + limits.notebook_timeout
    for i, ex in enumerate(sub.exercises):
        stubs = session.stubs_called.get(ex.function, set())
        # (or whose defining cell stopped on a stub before its def ran)
        if not (not _own(ex, stubs) and (stubs or not rows[i].passed and
                                          ex.function in session.stub_failed_defs)):
            continue
        left = budget - time.monotonic()
        if session.timed_out or left <= 1:
            rows[i].message += ("\n  note: it calls the course's version of another exercise, "
                                "and there was no time left to judge it again without it.")
            continue
        again = Session(sub.sources, replace(limits, notebook_timeout=left), isolated,
                        sub.captures, (sub.notebook, ex.id))
        upto = min((k for k, names in sub.captures.items() if ex.function in names),
                   default=None)
        try:
            again.run_cells(upto)
            rows[i] = _judge(ex, again, seed, limits, ex.id in sub.copied_reference,
                             forbid_reference)
        finally:
            again.close()
    cell_errors = sub.too_long + [f"{session.sources[i][0]}: {e}"
                                  for i, e in sorted(session.cell_errors.items())]
    return SubmissionReport(
        str(path), sub.notebook, rows, error=_session_error(session),
        timed_out=session.timed_out, modified_check_cells=sub.modified_check_cells,
        copied_reference=[e.id for e in sub.exercises if e.id in sub.copied_reference or
                          any(r.id == e.id and r.copied_reference for r in rows)],
        name_mismatch=sub.name_mismatch,
        cell_errors=first_of(cell_errors, MAX_CELL_ERRORS, "cells raised an error"), **base)


def first_of(notes, n, what):
    """The first ``n`` of ``notes``, then one line saying how many more there were."""
    return notes if len(notes) <= n else notes[:n] + [f"... and {len(notes) - n} more {what}"]


def _judge(ex, session, seed, limits, is_copy, forbid_reference):
    """One exercise's row: its judge run here, the learner's function in the sandbox."""
    result = judging.run(ex, RemoteFunction(ex.function), seed=seed,
                         check_time=limits.check_time, runner=session)
    # the course's implementations are stubs in the sandbox (.view): its own that ran while
    # this answer was judged computed nothing for it, whatever route reached it; its
    # tripwires (kept for other cells) that ran then did its work
    stubs = _own(ex, {*session.stubs_called.get(ex.function, ()),
                      *session.tripped.get(ex.function, ())})
    passed = result.passed and not (is_copy and forbid_reference) and not stubs
    message = result.message
    if stubs:
        names = ", ".join(_exercise_name(i) for i in stubs[:2]) + (
            f" and {len(stubs) - 2} more exercises" if len(stubs) > 2 else "")
        message = (f"✘ {ex.name}: this answer calls the course's own implementation of "
                   f"{names}, which an answer may not use when graded, so it scores 0. Write "
                   "the code yourself (your own functions from this notebook are fine to call).")
    elif is_copy:
        message += ("\n  note: this answer calls nnlib's own implementation of the exercise"
                    + (", so it scores 0 (--forbid-reference)." if forbid_reference else "."))
    status = result.status if passed or not result.passed else "failed"
    if stubs:
        status = "failed"
    return ExerciseResult(
        ex.id, ex.name, status, ex.points if passed else 0, ex.points, message,
        mistake=None if stubs else result.mistake.name if result.mistake else None,
        hint=None if stubs else result.mistake.hint if result.mistake else None,
        copied_reference=is_copy or bool(stubs),
        cases_passed=0 if stubs else result.cases_passed, cases_total=result.cases_total)


def _own(ex, ids):
    """Of the exercises whose course code ran while ``ex``'s answer was judged, those that score
    it 0: its own, and another notebook's (in this sandbox, only its check module's version)."""
    known = registry.load_all()
    return sorted(i for i in ids if i == ex.id or i in known and known[i].notebook != ex.notebook)


def _exercise_name(exercise_id):
    ex = registry.load_all().get(exercise_id)
    return f"{ex.function} (exercise {exercise_id})" if ex else exercise_id[:40]


def _session_error(session):
    """The submission's error: the sandbox lost for good, or the cells skipped and why."""
    if session.broken:
        return session.broken
    notes = [f"{session.sources[i][0]}: {why}" for i, why in sorted(session.skipped.items())]
    memory = [e for e in session.events if "memory limit" in e][:1]
    notes = first_of(notes, 10, "cells not run or stopped") + memory
    if session.timed_out:
        return "time limit: " + "; ".join(notes or first_of(session.events, 10, "events")
                                          or ["a cell was stopped"])
    return "; ".join(notes) or None


def expand(paths):
    """Submissions: the given files, and every .ipynb below given folders (sorted)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts))
        else:
            out.append(p)
    return out


def choose_isolation(unsandboxed=False, user=None):
    """'bubblewrap' where a sandbox can be made; else, if ``unsandboxed`` was asked for,
    'user' (learner code runs as the unprivileged system ``user``) or 'none'; else
    :class:`NoSandbox`."""
    if isolation_available():
        return "bubblewrap"
    if unsandboxed:
        return "user" if user else "none"
    raise NoSandbox("no sandbox is available here (Linux with bubblewrap and user namespaces "
                    "is needed: apt-get install bubblewrap). Learner code would run as you, "
                    "with your files in reach. Grade inside a container or a JupyterHub "
                    "server, or pass --unsandboxed to grade without isolation anyway.")


def grade_many(paths, seed=None, limits=None, jobs=1, progress=None, isolation=None,
               unsandboxed=False, forbid_reference=False):
    """Grade every submission (``jobs`` at a time); reports in input order."""
    limits = limits or Limits()
    isolation = isolation or choose_isolation(unsandboxed)
    paths = [str(p) for p in paths]
    reports = [None] * len(paths)
    lock = threading.Lock()
    linked = hard_links(paths, course_files())      # before any file is read
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_file, p, seed, limits, isolation, forbid_reference,
                               linked.get(p, "")): i for i, p in enumerate(paths)}
        for done, future in enumerate(as_completed(futures), start=1):
            i = futures[future]
            reports[i] = future.result()    # grade_file never raises
            if progress:
                with lock:
                    progress(done, len(paths), reports[i])
    return reports


def progress_bar(stream=sys.stderr, width=30):
    """A text progress bar for ``grade_many(progress=...)``."""
    def show(done, total, report):
        filled = int(width * done / total)
        name = printable(Path(report.submission).name)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show
