"""The grading view: nnlib and nncourse as a submission's sandbox sees them.

When notebook NN is graded, the sandbox does not see the real ``nnlib`` and ``nncourse`` folders
but a copy of them, made once per grader run and bound read-only over the same paths
(``nnlib.__file__`` and every import look as they do in the learner's kernel). In the copy, the
course's implementations of NN's exercises have their bodies replaced by a *stub* that sends the
audit event :data:`EVENT` naming the exercise (``sys.audit``) and raises ``NotImplementedError``.
An exercise's implementations (:func:`stubbed`) are nnlib's function, method or class it names
(its ``reference`` and ``implemented_by``); its version in the check module with the module's
helpers that version calls, and the methods of nnlib classes it calls that the exercise is named
after (nb06's ``momentum_update`` wraps ``Momentum.update``); and, in every view, the check
module's known mistakes (rmse's "no square root" *is* mse) and the check modules' versions of
every other notebook's exercises (nb12's ``_softmax`` is nb03's ``softmax``). No other copy of
them is in the sandbox: not in a file (the view's ``__pycache__`` is compiled from the stubs),
not in ``inspect.getsource``'s text, not in memory. So an answer that reaches one by any route
(an import, ``getattr`` on a computed name, ``exec`` of its source or of the file, the
registry's ``.reference``) computes nothing, and the worker's audit hook (learner code cannot
remove it) tells the grader. Hiding the event gains nothing; faking one only lowers a grade.

Two views per notebook are used (:func:`binds`): every exercise stubbed, where each answer is
judged; and, for an answer that called *another* exercise's stub (notebook 02's ``neuron`` uses
nnlib's ``sigmoid``; notebook 10's drivers use the course's ``Value``), a view in which only its
own exercise is stubbed, where it is judged again. Everything else (nnlib's layers, networks,
optimizers, data and plots, the course's drivers) is the real code; a notebook cell that uses a
stub fails in the sandbox, and the grader does not count that as the learner's error. Every
course solution keeps its full marks under the views (``tests/course/test_grading_reference.py``
and the solutions' grading).

Without bubblewrap the same view is first on the worker's import path instead (:func:`folder`,
``PYTHONPATH``; there ``nnlib.__file__`` names the view's folder), and where the worker runs as
another user the real copies are hidden from it (:mod:`.hiding`).

*Tripwires* (an exercise's ``tripwires`` in the registry) are code other cells need, so not
stubbed, that is the answer all the same (nb07's ``train_ssr`` is ``fit(..., cost="ssr")``, and
nb12's own training runs ``fit``). In the notebook's views such a function keeps its body after
a line (:func:`tripwire_statement`) that sends :data:`TRIPWIRE` naming the exercise and raises
unless the worker's hook acknowledges it (so in another interpreter or a forked child). The
worker notes it only while a judge's call of an answer runs (not a demo cell's ``fit``), and
the grader scores the exercise 0 when its own tripwire ran, as for a stub. Still possible: the
body is in the sandbox, so an answer that deliberately works against this (drops the line from
the function's source or code object and runs the rest; rebinds ``sys.audit`` for its call;
answers the event itself in a fresh interpreter) runs it unseen; and the tripwires are a
survey's list, not a proof that no other code computes an answer. The notebook's check applies
the same list (``own_implementations``), in the learner's own process only.
"""

import atexit
import compileall
import functools
import importlib
import inspect
import os
import shutil
import tempfile
import threading
import types
from pathlib import Path

import nnlib
import nncourse
from nncourse.checks import registry
from nncourse.checks.mistakes import Mistake
from nncourse.grading.rewrite import (EVENT, TRIPWIRE, rewrite, stub_expression,  # noqa: F401
                                      stub_statement, tripwire_statement)

KEEP_METHODS = ("__init__", "__repr__", "__init_subclass__")   # a stubbed class's kept methods

_lock = threading.Lock()
_views = {}                      # (notebook, exercise or None) -> its binds, this grader run
_root = None


def package_dirs():
    """``{name: folder}`` of the two packages the sandbox sees."""
    return {"nnlib": Path(nnlib.__file__).resolve().parent,
            "nncourse": Path(nncourse.__file__).resolve().parent}


# --- what to stub ----------------------------------------------------------------------------

def _resolve(dotted):
    """The object a dotted name ``pkg.module.attr...`` names, or None."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def _ours(obj):
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in ("nnlib", "nncourse")


def _functions(obj, seen, words=(), methods=None):
    """The plain functions that implement ``obj`` (a function, method, class or closure). A
    course version in a check module brings the module's own helpers its code calls by name,
    and of the nnlib classes it uses the methods it calls that the exercise is named after
    (``words``: nb06's momentum_update wraps an optimizer's ``update``, nb05's dense_backward
    runs Dense's forward, a given there, and its backward); nnlib's own helpers stay."""
    obj = inspect.unwrap(obj) if callable(obj) else obj
    if isinstance(obj, functools.partial):
        return _functions(obj.func, seen, words, methods)
    if id(obj) in seen or not _ours(obj):
        return []
    seen.add(id(obj))
    if isinstance(obj, (types.MethodType, staticmethod, classmethod)):
        return _functions(obj.__func__, seen)
    if isinstance(obj, type):
        out = []
        for name, member in vars(obj).items():
            # of a class a course version only uses, its constructors (classmethods) stay
            if name not in KEEP_METHODS and (methods is None or name in methods and
                                             not isinstance(member, classmethod)):
                member = getattr(member, "__func__", member)
                if isinstance(member, types.FunctionType):
                    out += _functions(member, seen, words)
        return out
    if not isinstance(obj, types.FunctionType):
        return []
    out, module = [obj], obj.__module__
    if not module.startswith("nncourse.checks."):
        return out
    code = obj.__code__
    names = [obj.__globals__.get(n) for n in code.co_names]
    names += [c.cell_contents for c in obj.__closure__ or () if _filled(c)]
    for other in names:
        if isinstance(other, types.FunctionType) and other.__module__ == module:
            out += _functions(other, seen, words)
        elif isinstance(other, type) and (other.__module__ or "").startswith("nnlib."):
            out += _functions(other, seen, words, set(code.co_names) & set(words))
    return out


def _filled(cell):
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


@functools.lru_cache(maxsize=None)      # the registry does not change in a process
def implementations(notebook, only=None, elsewhere=True):
    """``((function, exercise id), ...)``: the course's functions the view of ``notebook``
    stubs (of the exercise ``only``, if given) with the exercise each implements, and
    (``elsewhere``) the check modules' versions of other notebooks' exercises. The one
    definition of "the course's own implementation": the view stubs these, the notebook's
    check refuses them (delegation)."""
    out, dirs = [], package_dirs()
    exercises = [e for e in registry.load_all().values() if e.notebook == notebook]
    own = {e.id: [e.reference] + [_resolve(n) for n in e.implemented_by] for e in exercises}
    # another exercise's own reference is not a helper of this one (nb10's backprop may use
    # the course's topological_order: that is its own exercise)
    others = {e.id: {id(o) for i, objs in own.items() if i != e.id for o in objs}
              - {id(o) for o in own[e.id]} for e in exercises}
    references = {id(o) for objs in own.values() for o in objs}  # a mistake's helpers: not these
    for ex in exercises:
        # the known mistakes are never needed where the learner's code runs, and some are one
        # step from an answer (rmse's "no square root" *is* mse): stubbed in every view
        mistakes = [f for m in ex.mistakes for f in _functions(m.fn, set(references))
                    if f.__module__.startswith("nncourse.checks.")]
        seen = set(others[ex.id])
        objs = [o for o in own[ex.id] if o is not None] if only in (None, ex.id) else []
        words = set(ex.function.lower().split("_"))
        for fn in [f for obj in objs for f in _functions(obj, seen, words)] + mistakes:
            path = Path(fn.__code__.co_filename).resolve()
            if any(path.is_relative_to(d) for d in dirs.values()):
                out.append((fn, ex.id))
    return tuple(out) + tuple((fn, i) for other in registry.notebooks() if elsewhere and
                              other != notebook for fn, i in implementations(other, None, False)
                              if fn.__module__.startswith("nncourse.checks."))


def stubbed(notebook, only=None):
    """``{(file, first line): [exercise ids]}``: what the view of ``notebook`` (``only``) stubs."""
    found = {}
    for fn, ex_id in implementations(notebook, only):
        key = (str(Path(fn.__code__.co_filename).resolve()), fn.__code__.co_firstlineno)
        found.setdefault(key, []).append(ex_id)
    return {key: sorted(set(ids)) for key, ids in found.items()}


def tripwires(notebook):
    """``[(function, exercise id)]``: the ``tripwires`` of ``notebook``'s exercises."""
    return [(fn, ex.id) for ex in registry.load_all().values() if ex.notebook == notebook
            for name in ex.tripwires for fn in _functions(_resolve(name), set())]


def own_implementations(exercise):
    """``{code object: 'module.qualname'}``: what scores ``exercise`` 0 when graded: what its
    own view stubs (its implementations, the mistakes, other notebooks' course versions) and its
    tripwires; not another exercise of its notebook (nb02's ``neuron`` may call ``sigmoid``)."""
    found = list(implementations(exercise.notebook, exercise.id))
    found += [(fn, i) for fn, i in tripwires(exercise.notebook) if i == exercise.id]
    return {fn.__code__: f"{fn.__module__}.{fn.__qualname__}" for fn, _ in found}


# --- the view on disk --------------------------------------------------------------------------

def build(notebook, root, only=None):
    """Write the view of ``notebook`` (``only`` one exercise of it) under ``root``;
    ``[(view folder, real folder)]``."""
    by_file, trips = {}, {}
    for (path, line), ids in stubbed(notebook, only).items():
        by_file.setdefault(path, {})[line] = ids
    for fn, ex_id in tripwires(notebook):       # (a stub there wins: rewrite)
        by_file.setdefault(path := str(Path(fn.__code__.co_filename).resolve()), {})
        trips.setdefault(path, {}).setdefault(fn.__code__.co_firstlineno, []).append(ex_id)
    binds = []
    for name, real in package_dirs().items():
        target = Path(root) / name
        shutil.copytree(real, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        if name == "nncourse":      # mistakes made as variants of a reference at import
            by_file.setdefault(str(Path(inspect.getsourcefile(Mistake)).resolve()), {}).update(_variants_stubbed())
        for path, lines in by_file.items():
            if Path(path).is_relative_to(real):
                copy = target / Path(path).relative_to(real)
                copy.write_text(rewrite(Path(path).read_text(encoding="utf-8"), lines,
                                        trips.get(path)), encoding="utf-8")
        # compiled here, once: the sandbox (no bytecode written there) would compile every
        # module of both packages again on each start
        compileall.compile_dir(str(target), quiet=2)
        binds.append((str(target), str(real)))
    return binds


def _variants_stubbed():
    """``Mistake.variant`` in every view: the mistake it makes is a stub (mistakes never run
    in the sandbox; a variant is the reference with one choice changed, often in a check
    module's version of another exercise that the view keeps)."""
    fn = inspect.unwrap(Mistake.variant.__func__)
    return {fn.__code__.co_firstlineno: f"return cls(name, hint, lambda *a, **k: "
                                        f"{stub_expression(['mistake'])})"}


def font_binds(home):
    """matplotlib's font list bound where the sandbox's matplotlib looks for it
    (``home/.matplotlib``, its MPLCONFIGDIR): no rebuild on the first figure, and no
    variable naming a grader's folder."""
    from nncourse.grading.sandbox import _font_cache
    fonts = _font_cache()
    return [(str(Path(fonts) / name), f"{home}/.matplotlib/{name}")
            for name in sorted(os.listdir(fonts)) if fonts and name.startswith("fontlist-")
            and name.endswith(".json")] if fonts else []


def binds(notebook, only=None):
    """``[(source, destination)]`` read-only binds that show the sandbox the view of
    ``notebook`` (every exercise stubbed, or ``only`` that one) over the real nnlib and
    nncourse folders; built once per grader run, removed at exit."""
    global _root
    key = (registry.current_notebook(notebook or ""), only)
    with _lock:
        if key not in _views:
            if _root is None:
                _root = tempfile.mkdtemp(prefix="nncourse-view-")
                atexit.register(shutil.rmtree, _root, True)
                # without bubblewrap the learner's user reads its view in place (folder());
                # it may not list this folder: another view's (random) name stays unknown
                os.chmod(_root, 0o711)
            # a fresh folder each time: a build that failed leaves its half behind, unused
            folder = Path(tempfile.mkdtemp(prefix=f"{key[0] or 'none'}-{only or 'all'}-",
                                           dir=_root))
            _views[key] = build(key[0], folder, only)
            _readable(folder)
        return list(_views[key])


def _readable(folder):
    """Everything in the view readable by all (a copy of a package hidden from the learner's
    user, mode 0700, would be copied so)."""
    for path, dirs, files in os.walk(folder):
        os.chmod(path, 0o755)
        for name in files:
            os.chmod(os.path.join(path, name), 0o644)


def folder(notebook, only=None):
    """The folder holding the view's ``nnlib`` and ``nncourse``: what a worker that runs
    without bubblewrap puts first on its import path (``PYTHONPATH``) instead of the binds."""
    return str(Path(binds(notebook, only)[0][0]).parent)
