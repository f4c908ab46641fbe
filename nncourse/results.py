"""What a check and the grader found, as typed data: one model for every output.

* :class:`Status` is a verdict with its word, symbol and colours (one table for the notebook's
  check, the grader's table, the gradebook, the feedback page, the class report and progress);
* :class:`ExerciseResult` is one exercise of one submission (a row of the grader's report);
* :class:`SubmissionReport` is one graded notebook: its exercises, score and flags.

The grader produces :class:`SubmissionReport` objects; the gradebook, feedback pages, class
report, Gradescope results and progress read them and never parse message text.
``to_json``/``from_json`` give the JSON the grader writes (``nncourse grade --json``), described
by the JSON Schema ``nncourse/report.schema.json``.
"""

import json
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from pathlib import Path

SCHEMA = Path(__file__).with_name("report.schema.json")
MESSAGE_CAP = 3000        # characters of one exercise's message
ERROR_CAP = 2000          # characters of a submission's error and of each cell error
MAX_CELL_ERRORS = 20      # cell errors listed in a report (then how many more there were)
# So a report's JSON is at most about (exercises x (MESSAGE_CAP + 1,000)) + ERROR_CAP
# + (MAX_CELL_ERRORS + 1) x ERROR_CAP characters plus its file name: under 100 kB for any of
# the course's notebooks (at most 12 exercises), whatever the submission holds.


class Status(Enum):
    """A verdict. ``word`` is for people (never told by colour alone), ``symbol`` for one-line
    views, ``colour``/``background`` for HTML."""
    PASSED = ("passed", "passed", "✔", "#1b7837", "#f0f7f1")
    FAILED = ("failed", "not yet right", "✘", "#b2182b", "#fbf0f0")
    ERROR = ("error", "your code raised an error", "✘", "#b2182b", "#fbf0f0")
    TIMEOUT = ("timeout", "stopped by the time limit", "✘", "#b2182b", "#fbf0f0")
    NOT_IMPLEMENTED = ("not_implemented", "not done yet", "…", "#7a6a00", "#fbf8e6")
    MISSING = ("missing", "not found in the notebook", "✘", "#6b6b6b", "#f4f4f4")
    NOT_GRADED = ("not_graded", "not graded", "·", "#6b6b6b", "#f4f4f4")
    NOT_RUN = ("not_run", "not run yet", "·", "#6b6b6b", "#f4f4f4")

    def __init__(self, key, word, symbol, colour, background):
        self.key, self.word, self.symbol = key, word, symbol
        self.colour, self.background = colour, background

    @classmethod
    def of(cls, key):
        """The Status named ``key`` ('passed', 'not_implemented', ...); ValueError otherwise."""
        if isinstance(key, cls):
            return key
        for status in cls:
            if status.key == key:
                return status
        raise ValueError(f"unknown status {key!r}")

    @property
    def passed(self):
        return self is Status.PASSED


def clean(value):
    """Any string made safe for UTF-8 (lone surrogates, undecodable file names), recursively."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def cap(text, limit):
    """``text`` (or None) cut to ``limit`` characters, saying so."""
    if text is None or len(text) <= limit:
        return text
    return text[:limit - 40] + f"\n… ({len(text) - limit + 40} more characters cut)"


@dataclass
class ExerciseResult:
    """One exercise of one submission."""
    id: str
    name: str
    status: Status
    points: float
    max_points: float
    message: str = ""
    mistake: str = None            # the named known mistake the output matched
    hint: str = None               # that mistake's hint, as the learner was shown it
    copied_reference: bool = False  # the answer calls nnlib's own implementation
    cases_passed: int = 0
    cases_total: int = 0

    def __post_init__(self):
        self.status = Status.of(self.status)
        self.message = cap(clean(self.message or ""), MESSAGE_CAP)

    @property
    def passed(self):
        return self.status.passed

    def to_json(self):
        out = asdict(self)
        out["status"] = self.status.key
        out["passed"] = self.passed
        return out

    @classmethod
    def from_json(cls, data):
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class SubmissionReport:
    """One graded notebook. ``notebook`` is None when the file could not be graded (then
    ``error`` says why and ``error_kind`` names the kind: unreadable, not_a_notebook, empty,
    truncated, binary, not_this_course, grader)."""
    submission: str
    notebook: str = None
    exercises: list = field(default_factory=list)    # [ExerciseResult]
    error: str = None
    error_kind: str = None
    timed_out: bool = False
    modified_check_cells: list = field(default_factory=list)
    copied_reference: list = field(default_factory=list)
    isolation: str = "none"
    name_mismatch: str = None
    seed: int = None
    cell_errors: list = field(default_factory=list)

    def __post_init__(self):
        self.submission = clean(str(self.submission))
        self.error = cap(clean(self.error), ERROR_CAP)
        self.name_mismatch = clean(self.name_mismatch)
        errors = self.cell_errors
        if len(errors) > MAX_CELL_ERRORS + 1:
            errors = errors[:MAX_CELL_ERRORS] + [f"... and {len(errors) - MAX_CELL_ERRORS} more"]
        self.cell_errors = [cap(clean(e), ERROR_CAP) for e in errors]
        self.exercises = [e if isinstance(e, ExerciseResult) else ExerciseResult.from_json(e)
                          for e in self.exercises]

    @property
    def score(self):
        return sum(e.points for e in self.exercises)

    @property
    def max_score(self):
        return sum(e.max_points for e in self.exercises)

    @property
    def graded(self):
        return self.notebook is not None

    def exercise(self, exercise_id):
        return next((e for e in self.exercises if e.id == exercise_id), None)

    def flags(self):
        """What a teacher must look at, in words: the error (or the time limit), edited check
        cells, copied reference, a file named after another notebook, no isolation."""
        out = []
        if self.error:
            out.append(self.error)
        elif self.timed_out:
            out.append("timed out")
        if self.modified_check_cells:
            out.append("edited check cells: " + ", ".join(self.modified_check_cells))
        if self.copied_reference:
            out.append("calls nnlib's own answer: " + ", ".join(self.copied_reference))
        if self.name_mismatch:
            out.append(self.name_mismatch)
        if self.isolation == "none":
            out.append("isolation: none")
        return out

    def to_json(self):
        out = {"submission": self.submission, "notebook": self.notebook, "score": self.score,
               "max_score": self.max_score}
        for f in fields(self):
            if f.name not in out and f.name != "exercises":
                out[f.name] = getattr(self, f.name)
        out["exercises"] = [e.to_json() for e in self.exercises]
        return out

    @classmethod
    def from_json(cls, data):
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def reports_to_json(reports):
    """The grader's JSON report (a list of submissions), as text."""
    return json.dumps([r.to_json() for r in reports], indent=2, ensure_ascii=False)


def reports_from_json(text):
    data = json.loads(text)
    return [SubmissionReport.from_json(d) for d in (data if isinstance(data, list) else [data])]


def schema():
    return json.loads(SCHEMA.read_text(encoding="utf-8"))
