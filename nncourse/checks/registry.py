"""The course's exercises: one registry, the single source of ids, points and checks.

Each notebook's checks live in ``nncourse/checks/nbNN.py`` and register themselves here with
:func:`function_exercise` (compare a function with nnlib's reference on fixed and random cases)
or :func:`exercise` (a custom judge). The notebooks' nbgrader metadata, ``nncourse exercises``
and the grader all read this registry.
"""

import importlib
import pkgutil
import re
from dataclasses import dataclass, field

from nncourse.checks.judging import Case, Context, Mistake, Said  # noqa: F401  (re-exported for check modules)

EXERCISES = {}  # id -> Exercise, in registration order

# nnlib's training loop, piece by piece (fit -> train_epoch -> train_step -> backprop): the
# tripwires of the exercises that write a training step or loop (notebooks 07, 08, 12)
TRAINING = ("nnlib.train.fit", "nnlib.train.train_epoch", "nnlib.train.train_step",
            "nnlib.objective.backprop")

# Notebooks an earlier version of the course called otherwise: old stem -> current stem. Their
# exercise ids moved with them (nbNN_x -> nbMM_x), so a learner's workspace (``nncourse
# update``) and an old submission (the grader) are read with today's names.
RENAMED_NOTEBOOKS = {"11_your_own_network": "12_your_own_network"}


def current_notebook(stem):
    """Today's name of a course notebook, given any name it had."""
    return RENAMED_NOTEBOOKS.get(stem, stem)


def current_id(exercise_id):
    """Today's id of an exercise (or of its ``_solution`` cell), given any id it had."""
    suffix = "_solution" if exercise_id.endswith("_solution") else ""
    base = exercise_id.removesuffix(suffix)
    if base in load_all():     # today's ids never take an old meaning
        return exercise_id
    for old, new in RENAMED_NOTEBOOKS.items():
        old_prefix, new_prefix = f"nb{old[:2]}_", f"nb{new[:2]}_"
        if base.startswith(old_prefix) and f"{new_prefix}{base[len(old_prefix):]}" in \
                load_all():
            return f"{new_prefix}{base[len(old_prefix):]}{suffix}"
    return exercise_id


@dataclass
class Exercise:
    id: str              # course-wide unique, also the nbgrader grade_id of its check cell
    name: str            # the check's name: check.<name>(...)
    notebook: str        # e.g. "01_input_flattening"
    points: int
    verifies: str        # what a pass verified, e.g. "shapes, values, batch order"
    judge: object        # judge(fn, ctx)
    reference: object    # nnlib's correct implementation (passes the check)
    mistakes: list = field(default_factory=list)
    function: str = ""   # the learner's function name in the notebook (default: name)
    arg_names: tuple = ()
    default_seed: int = 0
    implemented_by: tuple = ()  # dotted names of nnlib code that *is* the answer (copy check)
    tripwires: tuple = ()       # dotted names of nnlib code the notebook's other cells need
                                # that is the answer while this one's answer runs (grading.view)
    cases: object = None        # cases(rng) -> [Case], for function exercises
    errors: dict = field(default_factory=dict)  # text of a learner's error -> the Mistake it is

    def __post_init__(self):
        self.function = self.function or self.name
        names = list(self.implemented_by)
        module = getattr(self.reference, "__module__", "") or ""
        if module.split(".")[0] == "nnlib":
            names.append(f"{module}.{self.reference.__qualname__}")
        names.extend(getattr(self.reference, "implemented_by", "").split())
        self.implemented_by = tuple(dict.fromkeys(names))


def _register(ex):
    if ex.id in EXERCISES:
        raise ValueError(f"duplicate exercise id {ex.id!r}")
    if any(e.name == ex.name for e in EXERCISES.values()):
        raise ValueError(f"duplicate check name {ex.name!r}")
    EXERCISES[ex.id] = ex
    return ex


def exercise(id, name, notebook, points, verifies, reference, mistakes=(), function="",
             arg_names=(), tripwires=()):
    """Register a custom judge: ``@exercise(...)`` over ``def judge(fn, ctx): ...``."""
    def register(judge):
        _register(Exercise(id, name, notebook, points, verifies, judge, reference,
                           list(mistakes), function, tuple(arg_names),
                           tripwires=tuple(tripwires)))
        return judge
    return register


def function_exercise(id, name, notebook, points, verifies, reference, cases, mistakes=(),
                      function="", arg_names=(), rtol=1e-6, atol=1e-8, check_dtype=True,
                      dtype_kinds=None, dtype_mistake=None, tripwires=()):
    """Register the common kind of exercise: the learner's function must agree with
    ``reference`` on every case of ``cases(rng)`` (a list of :class:`Case`). A mistake is
    named only where it is wrong (``wrong_here``): one that is right on a case cannot explain
    the learner's difference there. With ``check_dtype=False``, ``dtype_kinds`` (numpy kind
    letters, "iu" for any integer type) still asks for a kind of array, naming
    ``dtype_mistake`` otherwise."""
    def judge(fn, ctx):
        every = cases(ctx.rng)
        for i, case in enumerate(every):
            expected = case.expected if case.expected is not None else reference(*case.args)
            got = ctx.call(fn, *case.args, case=case)
            ctx.compare(got, expected, case, mistakes, rtol=rtol, atol=atol,
                        check_dtype=check_dtype, wrong_here=True,
                        ahead=ctx.answers(fn, every[i + 1:]))
            if dtype_kinds and getattr(got, "dtype", None) is not None \
                    and got.dtype.kind not in dtype_kinds:
                ctx.fail_case(case, expected=Said(f"an array of dtype {expected.dtype} (or "
                                                  "another integer type)" if dtype_kinds == "iu"
                                                  else f"dtype {expected.dtype}"),
                              got=Said(f"dtype {got.dtype}, the right values"),
                              problem=f"wrong dtype: {got.dtype}", mistake=dtype_mistake,
                              show_input=True)
    return _register(Exercise(id, name, notebook, points, verifies, judge, reference,
                              list(mistakes), function, tuple(arg_names), cases=cases,
                              tripwires=tuple(tripwires)))


def name_errors(exercise_id, errors):
    """Name the learner's errors of an exercise registered above: ``{text: Mistake}``, where
    ``text`` is in the error's message only when that mistake made it (an in-place ``/=`` on
    integers: "Cannot cast ufunc 'divide' output"). The judge's ``ctx.call`` names them."""
    EXERCISES[exercise_id].errors.update(errors)


_loaded = False


def load_all():
    """Import every ``checks/nbNN`` module (once) so that all exercises are registered."""
    global _loaded
    if not _loaded:
        from nncourse import checks
        for info in sorted(pkgutil.iter_modules(checks.__path__), key=lambda m: m.name):
            if re.fullmatch(r"nb\d\d", info.name):
                importlib.import_module(f"{checks.__name__}.{info.name}")
        _loaded = True
    return EXERCISES


def by_name(name):
    load_all()
    for ex in EXERCISES.values():
        if ex.name == name:
            return ex
    raise KeyError(name)


def notebooks():
    """The course notebooks that have exercises, in order."""
    return sorted({e.notebook for e in load_all().values()})


def listing():
    """Every exercise as ``{id, name, notebook, function, points}``, in notebook order."""
    load_all()
    rows = [{"id": e.id, "name": e.name, "notebook": e.notebook, "function": e.function,
             "points": e.points} for e in EXERCISES.values()]
    return sorted(rows, key=lambda r: r["notebook"])
