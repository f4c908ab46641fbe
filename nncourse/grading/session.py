"""One submission's session: its sandbox, restarted when it dies, and the judges' runner.

A :class:`Session` runs the submission's code cells in a sandbox (:mod:`.sandbox`) and then
serves the judges' calls: it is the *runner* a judge's ``ctx.call`` uses in the grader (the
notebook's runner is :class:`nncourse.checks.judging.LocalRunner`; both answer ``call(fn, args,
driver, seconds)`` with a :class:`~nncourse.checks.judging.Reply` of plain data). When the
sandbox hangs past a hard deadline or dies, the cell (or call) that did it is given up, a new
sandbox is started and the cells that ran before (not the bad ones) run again. All the time the
learner's cells take, replays included (also those after a check lost the sandbox), counts
against the notebook's time limit: once it is used up, nothing of the notebook runs again.
"""

import time

from nncourse.checks.judging import Reply, driver_name
from nncourse.checks.running import defined_names
from nncourse.grading import plain
from nncourse.grading.sandbox import SANDBOX_HOME, Sandbox, SandboxError

MAX_RESTARTS = 4          # sandbox restarts per submission (each replays the cells before)
REPLY_STATUSES = ("ok", "error", "not_implemented", "timeout", "missing", "stale")


class RemoteFunction:
    """Names a learner's function that lives in the sandbox."""

    def __init__(self, name):
        self.name = name
        self.__name__ = name

    def __repr__(self):
        return f"<the learner's {self.name}>"


class Session:
    """Runs a submission's cells in a sandbox and serves the judges' calls."""
    where = "sandbox"

    def __init__(self, sources, limits, isolated, captures=None, view=None):
        self.sources = sources          # [(label, source)] of the learner's code cells
        self.view = view                # (notebook, exercise id or None): the grading view
                                        # the sandbox sees (.view)
        self.captures = captures or {}  # source index -> functions checked right after it
        self.limits = limits
        self.isolated = isolated
        self.skipped = {}               # cell index -> why it was skipped
        self.cell_errors = {}           # cell index -> the learner's error, first line
        self.restarts = 0
        self.timed_out = False
        self.memory_hit = False
        self.broken = None              # set when the sandbox cannot be brought back
        self.sandbox = None
        self.left = limits.notebook_timeout   # seconds of the notebook's time not yet used
        self.events = []                # what happened, for the report
        self._done = []                 # cells that ran (replayed after a loss)
        self.stubbed_cell = False       # a cell failed on a stub of the view
        self.stub_failed_defs = set()   # functions defined in such a cell (maybe not defined)
        self.stubs_called = {}          # learner function -> exercise ids whose stubbed
                                        # course implementation ran while it was judged
        self.tripped = {}               # learner function -> exercise ids whose tripwire
                                        # (.view) ran while it was judged

    # --- the sandbox's life ---------------------------------------------------------------

    def _start(self):
        self.sandbox = Sandbox(self.limits.sandbox(), self.isolated)
        if self.view:
            from nncourse.grading import view
            if self.isolated:
                self.sandbox.binds = view.binds(*self.view) + view.font_binds(SANDBOX_HOME)
            else:       # no bubblewrap: the view first on the worker's import path
                self.sandbox.view_path = view.folder(*self.view)
        self.sandbox.start()

    def _restart(self):
        """A new sandbox with the cells that ran before replayed, within the notebook's time."""
        start = time.monotonic()
        try:
            self._start()
        finally:
            self.left -= time.monotonic() - start
        for j in self._done:
            if self.left <= 0:
                self.broken = ("time limit: the notebook's time limit was used up running its "
                               "cells again after the sandbox was lost")
                raise SandboxError("timeout", self.broken)
            self._cell(j, min(self.limits.cell_timeout, self.left))

    def _lost(self, exc):
        """The sandbox hung or died: note it, and start over if allowed."""
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            self.broken = f"the sandbox was lost {self.restarts} times; last: {exc.message}"
        return exc

    def close(self):
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None

    # --- the learner's cells --------------------------------------------------------------

    def run_cells(self, upto=None):
        """Run every learner cell once (with replays after a loss), within the notebook's time;
        only the cells up to index ``upto`` if given."""
        self.left = self.limits.notebook_timeout
        self._done = []
        i, end = 0, len(self.sources) if upto is None else min(upto + 1, len(self.sources))
        while i < end and self.broken is None:
            if self.left <= 0:
                self.timed_out = True
                for j in range(i, end):
                    self.skipped[j] = "not run: the notebook's time limit was reached"
                break
            try:
                if self.sandbox is None:
                    self._restart()
                self._cell(i, min(self.limits.cell_timeout, self.left))
                self._done.append(i)
                i += 1
            except SandboxError as exc:
                self._note_memory(self.sources[i][0])
                self._lost(exc)
                if exc.kind == "timeout":
                    self.timed_out = True
                why = "stopped: time limit" if exc.kind == "timeout" else f"stopped: {exc.message}"
                self.skipped[i] = why
                self.events.append(f"{self.sources[i][0]}: {why}")
                i += 1
        if self.sandbox is None and self.broken is None:
            try:
                self._restart()
            except SandboxError as exc:
                self._lost(exc)
                self.broken = self.broken or f"the sandbox could not be restarted ({exc.message})"

    def _cell(self, i, seconds):
        """Run cell ``i`` (its time counted against the notebook's)."""
        label, source = self.sources[i]
        seconds = max(0.5, seconds)
        start = time.monotonic()
        try:
            reply = self.sandbox.request({"op": "cell", "source": source, "label": label,
                                          "seconds": seconds,
                                          "capture": self.captures.get(i, [])}, seconds)
        finally:
            self.left -= time.monotonic() - start
        self._note_memory(label)
        if reply.get("ok") is False and reply.get("stubs"):
            # it used a course implementation stubbed in this view: not the learner's error,
            # and what it would have defined is missing below, so from here on only the
            # answer cells' own errors are the learner's
            self.stubbed_cell = True
            self.stub_failed_defs.update(defined_names(source))
            return
        if reply.get("ok") is False and self.stubbed_cell and i not in self.captures:
            return
        if reply.get("ok") is False:
            error = str(reply.get("error", ""))[:300]
            self.cell_errors[i] = error.splitlines()[0] if error else "an error"
            if reply.get("timeout"):
                self.timed_out = True
                self.events.append(f"{label}: stopped by the time limit ({seconds:.0f} s)")

    def _note_memory(self, label):
        """Say so when the sandbox's memory limit stopped one of its processes."""
        cgroup = self.sandbox.cgroup if self.sandbox is not None else None
        if cgroup is not None and not self.memory_hit and cgroup.hit_memory_limit():
            self.memory_hit = True
            self.events.append(f"{label}: memory limit ({self.limits.memory_mb} MB) reached; "
                               "a process of the notebook was stopped")

    # --- the judges' runner ---------------------------------------------------------------

    def call(self, fn, args, driver=None, seconds=None):
        """The runner's one method: the learner's ``fn`` (a :class:`RemoteFunction`) called on
        plain ``args`` in the sandbox, or ``driver(fn, *args)``; a :class:`Reply`."""
        request = {"op": "call", "function": fn.name, "args": plain.encode(tuple(args)),
                   "driver": driver_name(driver), "seconds": 10.0 if seconds is None else seconds}
        reply = self._request(request)
        if isinstance(reply, Reply):
            return reply
        for key, seen in (("stubs", self.stubs_called), ("tripwires", self.tripped)):
            ids = reply.get(key)
            if type(ids) is list:   # the learner may fake it: it only ever costs them points
                seen.setdefault(fn.name, set()).update(str(s)[:40] for s in ids[:100])
        return decode_reply(reply)

    def _request(self, request):
        """One judge call: the sandbox's raw reply dict, or a :class:`Reply` decided here."""
        if self.broken is not None:
            return Reply("broken", error={"text": self.broken})
        if self.sandbox is None:
            try:
                self._restart()
            except SandboxError as exc:
                self._lost(exc)
                return Reply("broken", error={"text": self.broken or "the sandbox could not be "
                                                      f"restarted ({exc.message})"})
        try:
            return self.sandbox.request(request, float(request["seconds"]))
        except SandboxError as exc:
            self._lost(exc)
            if exc.kind == "timeout":
                return Reply("timeout")
            return Reply("broken", error={"text": f"your code stopped the grader's kernel while "
                                                  f"being checked: {exc.message}"})


def decode_reply(reply):
    """The sandbox's reply to a call, read as untrusted data: a :class:`Reply` of plain data,
    or a "broken" Reply saying why it could not be read."""
    try:
        status = reply.get("status")
        if status not in REPLY_STATUSES:
            raise plain.PlainDataError("unknown status")
        error = reply.get("error")
        if status in ("error", "missing", "stale"):
            if type(error) is not dict or type(error.get("text")) is not str:
                raise plain.PlainDataError("bad error")
            mro = error.get("mro", [])
            error = {"text": error["text"][:4000],
                     "mro": [str(t)[:100] for t in mro][:50] if type(mro) is list else []}
        if status != "ok":
            return Reply(status, error=error)
        out = plain.decode(reply.get("out"))
        after = plain.decode(reply.get("args_after"))
        if type(after) is not tuple:
            raise plain.PlainDataError("bad args")
        said = reply.get("warnings", [])
        if type(said) is not list or not all(type(w) is str for w in said):
            raise plain.PlainDataError("bad warnings")
        return Reply("ok", out, after, warnings=tuple(w[:200] for w in said[:10]))
    except (plain.PlainDataError, AttributeError, TypeError, ValueError) as exc:
        return Reply("broken", error={"text": f"the sandbox's reply was not plain data "
                                              f"({str(exc)[:100]})"})
