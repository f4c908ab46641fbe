"""Grade submitted notebooks: ``nncourse grade SUBMISSION_OR_FOLDER ...``.

The trust boundary: learner code runs only in a submission's own sandbox
(:mod:`nncourse.sandbox`), and that sandbox never judges. For each submission the grader

1. reads the notebook itself (the file is only ever read) and works out which course notebook
   it is, which check cells were edited or deleted, and which answers call nnlib's own
   implementation of their exercise;
2. sends the submission's code cells, **except its check cells**, to a fresh sandbox one at a
   time, each with a time limit; a cell that hangs or kills the sandbox is skipped, the sandbox
   started again and the cells before it run again (so the rest of the notebook still counts);
3. runs each exercise's judge here, in the grader's process, with the fixed cases plus hidden
   ones drawn from a seed chosen at grading time. The judge sends plain inputs to the sandbox,
   which calls the learner's function and sends plain outputs back; the references, the known
   mistakes and every comparison and verdict are computed here, and only here are reports
   written. A submission can change its own outputs, and nothing else.

A submission's death, hang or garbage is that submission's error only; reports are written
atomically and are valid for any Unicode and any file name.
"""

import ast
import csv
import io
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import checking, exercises
from .checking import Reply
from .notebooks import CHECK_RE
from .sandbox import RemoteFunction, Sandbox, SandboxError, SandboxLimits, SandboxRunner, \
    isolation_available

NBGRADER_KEY = "nbgrader"
MESSAGE_CAP = 3000        # characters of one exercise's message in a report
MAX_RESTARTS = 4          # sandbox restarts per submission (each replays the cells before)


@dataclass
class Limits:
    cell_timeout: float = 60.0       # seconds for one learner cell
    notebook_timeout: float = 300.0  # seconds for all learner cells together
    check_time: float = 10.0         # seconds for one exercise's check
    memory_mb: int = 2048            # memory of the whole sandbox
    processes: int = 32              # processes (and threads) in the sandbox
    file_mb: int = 64                # largest file the sandbox may write
    output_mb: int = 16              # text the learner's code may print

    def sandbox(self):
        return SandboxLimits(memory_mb=self.memory_mb, processes=self.processes,
                             file_mb=self.file_mb, output_mb=self.output_mb)


class NoSandbox(RuntimeError):
    """Raised by :func:`grade_many` when no sandbox can be made and none was waived."""


# --- reading a submission ---------------------------------------------------------------------

@dataclass
class Cell:
    cell_type: str
    source: str
    metadata: dict = field(default_factory=dict)

    def get(self, key, default=None):
        return getattr(self, key, default)


def read_notebook(raw):
    """The cells of a notebook file's bytes, read leniently the way nbformat reads them (a BOM,
    sources as strings or lists, missing fields); None when it is not a notebook."""
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if type(data) is not dict:
        return None
    if "worksheets" in data:                      # nbformat 3
        try:
            import nbformat
            data = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception:
            return None
    cells = data.get("cells")
    if type(cells) is not list:
        return None
    out = []
    for cell in cells:
        if type(cell) is not dict:
            continue
        source = cell.get("source", "")
        if type(source) is list:
            source = "".join(s for s in source if type(s) is str)
        if type(source) is not str:
            source = ""
        metadata = cell.get("metadata") if type(cell.get("metadata")) is dict else {}
        out.append(Cell(str(cell.get("cell_type", "")), source, metadata))
    return out


def _nbgrader(cell):
    meta = cell.metadata.get(NBGRADER_KEY)
    return meta if type(meta) is dict else {}


def identify(cells, path):
    """The course notebook a submission is: from its exercise ids, else from its file name."""
    registry = exercises.load_all()
    counts = {}
    for cell in cells:
        grade_id = str(_nbgrader(cell).get("grade_id", ""))
        ex = registry.get(grade_id) or registry.get(grade_id.removesuffix("_solution"))
        if ex:
            counts[ex.notebook] = counts.get(ex.notebook, 0) + 1
    if counts:
        return max(sorted(counts), key=counts.get)
    notebooks = {e.notebook for e in registry.values()}
    return Path(path).stem if Path(path).stem in notebooks else None


def name_mismatch(path, notebook):
    """A note when the file's name is another course notebook's name than its content's."""
    stem = Path(path).stem
    notebooks = {e.notebook for e in exercises.load_all().values()}
    named = next((n for n in sorted(notebooks) if n != notebook and
                  (stem == n or stem.startswith(n[:3]) and n[:2].isdigit())), None)
    if named and not stem.startswith(notebook[:3]):
        return f"the file is named {Path(path).name} but holds notebook {notebook}"
    return None


def is_check_cell(cell):
    return bool(_nbgrader(cell).get("grade")) or bool(CHECK_RE.match(cell.source.strip() or "-"))


def modified_check_cells(cells, course_exercises):
    """Ids of check cells that were edited or deleted (their text is fixed by the course)."""
    found = {}
    for cell in cells:
        meta = _nbgrader(cell)
        if meta.get("grade"):
            found[str(meta.get("grade_id"))] = cell.source.strip()
    modified = []
    for ex in course_exercises:
        expected = f"check.{ex.name}({ex.function})"
        if found.get(ex.id) != expected:
            modified.append(ex.id if ex.id in found else f"{ex.id} (deleted)")
    return modified


# --- answers that call nnlib's own implementation ------------------------------------------------

def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def copied_references(cells, course_exercises):
    """Ids of exercises whose learner function calls nnlib's own implementation of that same
    exercise (or imports the course's checks), found by reading the code, never running it."""
    aliases, trees = {}, []
    for cell in cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        trees.append(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                        a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    copied = []
    for ex in course_exercises:
        targets = set(ex.implemented_by)
        defs = [n for t in trees for n in ast.walk(t)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == ex.function]
        if not defs:
            continue
        for node in ast.walk(defs[-1]):
            name = _dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
            if name is None:
                continue
            head, _, rest = name.partition(".")
            full = aliases.get(head, head) + (f".{rest}" if rest else "")
            if full.startswith("nncourse.") and not full.startswith(("nncourse.check",
                                                                     "nncourse.setup_notebook")) \
                    or any(full == t or full.startswith(t + ".") for t in targets):
                copied.append(ex.id)
                break
    return copied


# --- one submission's sandbox, restarted when it dies ---------------------------------------------

class Session:
    """Runs a submission's cells in a sandbox and serves the judges' calls. When the sandbox
    hangs past a hard deadline or dies, the cell (or call) that did it is given up, a new
    sandbox is started and the cells that ran before (not the bad ones) run again."""

    def __init__(self, sources, limits, isolated, captures=None):
        self.sources = sources          # [(label, source)] of the learner's code cells
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
        self.deadline = None
        self.events = []                # what happened, for the report
        self._done = []                 # cells that ran (set by run_cells)

    def _start(self):
        self.sandbox = Sandbox(self.limits.sandbox(), self.isolated)
        self.sandbox.start()

    def _restart(self, seconds):
        """A new sandbox with the cells that ran before replayed, each given ``seconds()``."""
        self._start()
        for j in self._done:
            self._cell(j, seconds())

    def _lost(self, exc):
        """The sandbox hung or died: note it, and start over if allowed."""
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            self.broken = f"the sandbox was lost {self.restarts} times; last: {exc.message}"
        return exc

    def run_cells(self):
        """Run every learner cell once (with replays after a loss), within the notebook's time."""
        self.deadline = time.monotonic() + self.limits.notebook_timeout
        self._done = []                 # indices that ran (and are replayed after a loss)
        i = 0
        while i < len(self.sources) and self.broken is None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.timed_out = True
                for j in range(i, len(self.sources)):
                    self.skipped[j] = "not run: the notebook's time limit was reached"
                break
            try:
                if self.sandbox is None:
                    self._restart(lambda: self.deadline - time.monotonic())
                self._cell(i, min(self.limits.cell_timeout, left))
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
                self._restart(lambda: max(1.0, self.deadline - time.monotonic()) + 30)
            except SandboxError as exc:
                self._lost(exc)
                self.broken = self.broken or f"the sandbox could not be restarted ({exc.message})"

    def _cell(self, i, seconds):
        label, source = self.sources[i]
        seconds = max(0.5, seconds)
        reply = self.sandbox.request({"op": "cell", "source": source, "label": label,
                                      "seconds": seconds, "capture": self.captures.get(i, [])},
                                     seconds)
        self._note_memory(label)
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

    def call(self, request):
        """One judge call; a plain reply dict, or a :class:`Reply` the session decided."""
        if self.broken is not None:
            return Reply("broken", error={"text": self.broken})
        if self.sandbox is None:
            try:
                self._restart(lambda: self.limits.cell_timeout)
            except SandboxError as exc:
                self._lost(exc)
                return Reply("broken", error={"text": f"the sandbox could not be restarted "
                                                      f"({exc.message})"})
        try:
            return self.sandbox.request(request, float(request["seconds"]))
        except SandboxError as exc:
            self._lost(exc)
            if exc.kind == "timeout":
                return Reply("timeout")
            return Reply("broken", error={"text": f"your code stopped the grader's kernel while "
                                                  f"being checked: {exc.message}"})

    def close(self):
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None


# --- reports ------------------------------------------------------------------------------------

def clean(value):
    """Any string made safe for UTF-8 (lone surrogates, undecodable file names), recursively."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def _report(path, notebook=None, error=None, exercise_rows=(), modified=(), **extra):
    rows = list(exercise_rows)
    report = {
        "submission": str(path),
        "notebook": notebook,
        "score": sum(r["points"] for r in rows),
        "max_score": sum(r["max_points"] for r in rows),
        "error": error,
        "timed_out": False,
        "modified_check_cells": list(modified),
        "copied_reference": [],
        "isolation": "none",
        "name_mismatch": None,
        "seed": None,
        "cell_errors": [],
        "exercises": rows,
    }
    report.update(extra)
    return clean(report)


def _row(ex, status, message, passed=False, mistake=None, hint=None, copied=False, points=None):
    if points is None:
        points = ex.points if passed else 0
    return {"id": ex.id, "name": ex.name, "passed": passed, "status": status,
            "points": points, "max_points": ex.points, "message": message[:MESSAGE_CAP],
            "mistake": mistake, "hint": hint, "copied_reference": copied}


def grade_file(path, seed=None, limits=None, isolation="bubblewrap", forbid_reference=False):
    """Grade one submission; returns its report (never raises)."""
    try:
        return _grade_file(Path(path), seed, limits or Limits(), isolation, forbid_reference)
    except Exception as exc:  # a grader bug must not stop the batch
        return _report(path, error=f"the grader failed on this file ({type(exc).__name__}: "
                                   f"{str(exc)[:200]}); please report it", isolation=isolation,
                       seed=seed)


def _grade_file(path, seed, limits, isolation, forbid_reference):
    base = {"isolation": isolation, "seed": seed}
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _report(path, error=f"cannot read the file: {exc.strerror or exc}", **base)
    cells = read_notebook(raw)
    if cells is None:
        return _report(path, error="not a Jupyter notebook (the file is not notebook JSON)",
                       **base)
    notebook = identify(cells, path)
    if notebook is None:
        return _report(path, error="not a notebook of this course: no nnlib course exercise "
                                   "found", **base)
    course_exercises = [e for e in exercises.load_all().values() if e.notebook == notebook]
    modified = modified_check_cells(cells, course_exercises)
    copied = copied_references(cells, course_exercises)
    base.update(copied_reference=copied, name_mismatch=name_mismatch(path, notebook))

    sources, captures, number = [], {}, 0
    by_id = {e.id: e for e in course_exercises}
    for cell in cells:
        if cell.cell_type != "code":
            continue
        number += 1
        if is_check_cell(cell):
            # judge the function as it is where the notebook checks it (later cells may carry
            # on with the course's version under the same name)
            ex = by_id.get(str(_nbgrader(cell).get("grade_id", "")))
            if ex is not None and sources:
                captures.setdefault(len(sources) - 1, []).append(ex.function)
        elif cell.source.strip():
            sources.append((f"code cell {number}", cell.source))
    session = Session(sources, limits, isolation == "bubblewrap", captures)
    try:
        session.run_cells()
        runner = SandboxRunner(session)
        rows = []
        for ex in course_exercises:
            result = checking.run(ex, RemoteFunction(ex.function), seed=seed,
                                  check_time=limits.check_time, runner=runner)
            is_copy = ex.id in copied
            passed = result.passed and not (is_copy and forbid_reference)
            message = result.message
            if is_copy:
                message += ("\n  note: this answer calls nnlib's own implementation of the "
                            "exercise" + (", so it scores 0 (--forbid-reference)."
                                          if forbid_reference else "."))
            rows.append(_row(ex, result.status, message, passed,
                             result.mistake.name if result.mistake else None,
                             result.mistake.hint if result.mistake else None, is_copy))
    finally:
        session.close()
    error = session.broken
    notes = [f"{session.sources[i][0]}: {why}" for i, why in sorted(session.skipped.items())]
    memory = [e for e in session.events if "memory limit" in e]
    if session.timed_out and not error:
        error = "time limit: " + "; ".join(notes + memory or session.events
                                           or ["a cell was stopped"])
    elif (notes or memory) and not error:
        error = "; ".join(notes + memory)
    cell_errors = [f"{session.sources[i][0]}: {e}" for i, e in sorted(session.cell_errors.items())]
    return _report(path, notebook, error, rows, modified, timed_out=session.timed_out,
                   cell_errors=cell_errors, **base)


def expand(paths):
    """Submissions: the given files, and every .ipynb below given folders (sorted)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts))
        else:
            out.append(p)
    return out


def choose_isolation(unsandboxed=False):
    """'bubblewrap' where a sandbox can be made; else 'none' if ``unsandboxed`` was asked for,
    else :class:`NoSandbox`."""
    if isolation_available():
        return "bubblewrap"
    if unsandboxed:
        return "none"
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
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_file, p, seed, limits, isolation, forbid_reference): i
                   for i, p in enumerate(paths)}
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
        name = Path(report["submission"]).name
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}")
        if done == total:
            stream.write("\n")
        stream.flush()
    return show


def flags(report):
    """The report's flags in words: error, timed out, edited checks, copied reference, ..."""
    out = []
    if report.get("error"):
        out.append(report["error"])
    elif report.get("timed_out"):
        out.append("timed out")
    if report.get("modified_check_cells"):
        out.append("edited check cells: " + ", ".join(report["modified_check_cells"]))
    if report.get("copied_reference"):
        out.append("calls nnlib's own answer: " + ", ".join(report["copied_reference"]))
    if report.get("name_mismatch"):
        out.append(report["name_mismatch"])
    if report.get("isolation") == "none":
        out.append("isolation: none")
    return out


def summary_table(reports):
    lines = [f"{'submission':<44}{'notebook':<24}{'score':>9}  note"]
    for r in reports:
        score = f"{r['score']}/{r['max_score']}" if r["notebook"] else "-"
        note = "; ".join(flags(r))[:160]
        lines.append(f"{r['submission'][-43:]:<44}{(r['notebook'] or '-')[:23]:<24}{score:>9}  {note}")
    return "\n".join(lines)


def write_csv(reports, stream):
    """A gradebook: one row per submission, one column per exercise, then total and flags."""
    ids = []
    for r in reports:
        ids.extend(e["id"] for e in r["exercises"] if e["id"] not in ids)
    writer = csv.writer(stream)
    writer.writerow(["submission", "notebook", *ids, "total", "max", "error", "timed_out",
                     "modified_check_cells", "copied_reference", "isolation"])
    for r in reports:
        points = {e["id"]: e["points"] for e in r["exercises"]}
        writer.writerow([r["submission"], r["notebook"] or "", *[points.get(i, "") for i in ids],
                         r["score"], r["max_score"], r["error"] or "", r.get("timed_out", False),
                         " ".join(r.get("modified_check_cells", [])),
                         " ".join(r.get("copied_reference", [])), r.get("isolation", "")])


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file in the same folder, so that a
    reader never sees half a report."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def reports_json(reports):
    return json.dumps(clean(reports), indent=2, ensure_ascii=False)


def csv_text(reports):
    buffer = io.StringIO()
    write_csv(clean(reports), buffer)
    return buffer.getvalue()
