"""The learner's side of grading: runs inside the sandbox (``python -m nncourse.grading.worker``).

It runs a submission's code cells in an IPython shell and, when the grader asks, calls one of the
learner's functions (or a course driver around it) on plain inputs and sends back plain outputs.
It never judges and never sees a reference answer or an expected value: everything here is
within the learner's reach, so nothing here is trusted. The grader (:mod:`nncourse.grading.session`)
reads its replies as data only, with size limits, and decides everything itself.

Wire format (:mod:`nncourse.grading.wire`), both ways: a 4-byte big-endian length, then that
many bytes of JSON. Requests arrive on standard input; replies leave on file descriptor 3 (no
environment variable or argument names it).

The sandbox imports the grading view of nnlib and nncourse (:mod:`nncourse.grading.view`), in
which the course's implementations of the graded notebook's exercises are stubs that send the
audit event ``view.EVENT``. The worker's audit hook (audit hooks cannot be removed) notes them,
and each reply says which were called while it ran: the exercise's own scores 0, another
exercise's has it judged again in a sandbox where only its own implementation is a stub. Learner
code may hide or fake that note: a stub never computes the answer, so hiding gains nothing, and
faking only lowers a grade or costs one more sandbox. A *tripwire* (code other cells need,
kept) sends ``view.TRIPWIRE``: the hook acknowledges it in this process only (elsewhere it
raises) and notes it only while a judge's call runs; the reply says which ran.
"""

import os
import signal
import sys

from nncourse.grading import wire
from nncourse.grading.wire import read_request

REPLY_FD = int(os.environ.pop("NNCOURSE_REPLY_FD", "3"))   # 3 unless an old grader says otherwise
EVENT = "nncourse.reference"    # = nncourse.grading.view.EVENT (not imported: it imports nnlib)
TRIPWIRE = "nncourse.tripwire"  # = nncourse.grading.view.TRIPWIRE
_called = set()                 # exercise ids whose stubbed implementation ran since the reply
_tripped = set()                # exercise ids whose tripwire ran during the current call
_calling = False                # a judge's call of the learner's function is running
_pid = os.getpid()              # a forked child (os.getpid() differs) says nothing to anyone


def _on_audit(event, args):
    if event == EVENT and args and len(_called) < 100:
        _called.update(str(args[0])[:400].split(","))
    elif event == TRIPWIRE and len(args) > 1 and type(args[1]) is list and os.getpid() == _pid:
        args[1].append(True)        # the tripwire's body may run: it is seen here
        if _calling and len(_tripped) < 100:
            _tripped.update(str(args[0])[:400].split(","))


def _stubs_called(ids=_called):
    out = sorted(ids)[:100]
    ids.clear()
    return out


class CellTimeout(BaseException):
    """Raised in learner code when a cell's time is up."""


def send(reply):
    wire.send(REPLY_FD, reply)


def _alarm(seconds, exc_type):
    def on_alarm(signum, frame):
        raise exc_type()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(0.001, float(seconds)))


def _cancel_alarm():
    signal.setitimer(signal.ITIMER_REAL, 0)


class Worker:
    def __init__(self):
        from IPython.core.interactiveshell import InteractiveShell

        from nncourse.checks import judging, running
        self.judging, self.running = judging, running
        self.shell = InteractiveShell.instance(colors="nocolor")
        self.labels = {}        # IPython execution count -> "cell 7"
        self.answers = {}       # function name -> what it was where the notebook checks it
        self.stale = {}         # function name -> why its newest definition did not run
        self.stale_at_check = {}  # function name -> that, where the notebook checks it
        compiler = self.shell.compile

        def cell_label(filename):   # the learner's line shows the notebook's cell number
            number = compiler._filename_map.get(filename)
            return self.labels.get(number)
        self.cell_label = cell_label

    def run_cell(self, source, label, seconds, capture=()):
        self.labels[self.shell.execution_count] = label
        _alarm(seconds, CellTimeout)
        try:
            result = self.shell.run_cell(source, store_history=True, silent=False)
        finally:
            _cancel_alarm()
            # the functions the next (check) cell would judge, as they are at that point: later
            # cells may rebind the name to the course's version to carry on
            for name in capture:
                if callable(self.shell.user_ns.get(name)):
                    self.answers[name] = self.shell.user_ns[name]
        self._close_figures()
        stubs = _stubs_called()
        error = result.error_before_exec or result.error_in_exec
        if isinstance(error, CellTimeout):
            text = "time limit: the cell was stopped"
        elif isinstance(error, SyntaxError):
            text = self.running.error_summary(error)
        elif error is not None:
            text = self.judging.describe_learner_error(error, self.cell_label)
        # the notebook's own rule (running.note_cell): a def the error stopped is stale
        self.running.note_cell(self.stale, self.shell, source, error, result.execution_count,
                               why=f"{label} raised {text.splitlines()[0]}" if error else None)
        for name in capture:    # as the check cell right after this one would see it
            self.stale_at_check[name] = self.stale.get(name)
        if error is None:
            return {"ok": True, "stubs": stubs}
        return {"ok": False, "timeout": isinstance(error, CellTimeout), "error": text[:2000],
                "stubs": stubs}

    @staticmethod
    def _close_figures():
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")

    def call(self, name, args, driver, seconds):
        from nncourse.grading.plain import Limits, decode, encode
        fn = self.answers.get(name, self.shell.user_ns.get(name))
        why = self.stale_at_check[name] if name in self.stale_at_check else self.stale.get(name)
        if why is not None:     # its newest definition did not run: never judge the old one
            text = self.running.stale_message(name, why, exists=callable(fn))
            return {"status": "stale" if callable(fn) else "missing", "error": {"text": text}}
        if not callable(fn):
            return {"status": "missing", "error": {"text": f"no function `{name}` in the notebook "
                                                           "(was it renamed or deleted, or is its "
                                                           "cell not run?)"}}
        args = decode(args, Limits(items=10**9, array_bytes=2**62, string=10**9))
        driver = self.judging.find_driver(driver) if driver else None
        global _calling
        _stubs_called(), _stubs_called(_tripped)
        _alarm(seconds, self.judging.CheckTimeout)
        _calling = True     # the answer runs: a tripwire now is its exercise's, if it names it
        try:
            reply = self.judging.call_here(fn, args, driver, self.cell_label)
        except self.judging.CheckTimeout:
            return {"status": "timeout", "stubs": _stubs_called(),
                    "tripwires": _stubs_called(_tripped)}
        finally:
            _calling = False
            _cancel_alarm()
        return {"status": reply.status, "out": encode(reply.out),
                "args_after": encode(reply.args_after), "error": reply.error,
                "warnings": list(reply.warnings), "stubs": _stubs_called(),
                "tripwires": _stubs_called(_tripped)}


def _copy_font_cache():
    """matplotlib's font list from the grader's (read-only) cache into this sandbox's own
    config folder: building it again would cost a second on every first figure."""
    import glob
    import shutil
    source, target = os.environ.get("NNCOURSE_FONT_CACHE"), os.environ.get("MPLCONFIGDIR")
    if source and target:
        os.makedirs(target, exist_ok=True)
        for path in glob.glob(os.path.join(source, "fontlist-*.json")):
            shutil.copy(path, target)


def main():
    sys.addaudithook(_on_audit)
    _copy_font_cache()
    requests = sys.stdin.buffer
    worker = Worker()
    send({"ready": True})
    while True:
        request = read_request(requests)
        if request is None or request.get("op") == "exit":
            return
        if request["op"] == "cell":
            send(worker.run_cell(request["source"], request["label"], request["seconds"],
                                 request.get("capture", ())))
        elif request["op"] == "call":
            send(worker.call(request["function"], request["args"], request.get("driver"),
                             request["seconds"]))


if __name__ == "__main__":
    main()
