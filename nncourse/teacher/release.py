"""``nncourse release OUT``: the student bundle, without the answers.

The bundle is what learners get: the learner notebooks (``notebooks/``), the library
(``nnlib/``), the course tooling that runs the checks (``nncourse/``), the set-up files
(``pyproject.toml``, ``Makefile``, ``environment.yml``, Binder files when present),
a learner's ``README.md`` (``nncourse/teacher/handout/README.md``: how to start, the
workspace, progress, handing in; not the developers' README) and ``LICENSE``. Never ``solutions/``, never the tests (they read the solutions),
never caches. Before writing, it makes sure the learner notebooks are not stale (when the
solutions are there to compare with) and that no released notebook holds a solution region.

``--nbgrader COURSE`` also writes ``COURSE/release/<assignment>/<notebook>.ipynb`` (one
assignment per notebook, named after it, or all in ``--assignment NAME``), the folder nbgrader's
``release_assignment`` hands out.
"""

import shutil
from pathlib import Path

import nbformat

from nncourse.build.notebooks import BEGIN, END, ROOT

TREES = ("notebooks", "nnlib", "nncourse", "jupyter", "binder", ".binder")
FILES = ("LICENSE", "pyproject.toml", "Makefile", "environment.yml",
         "requirements.txt", "apt.txt", "postBuild", "start", "runtime.txt", ".gitignore")
LEARNER_README = Path(__file__).with_name("handout") / "README.md"
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}
SKIP_SUFFIXES = (".pyc", ".pyo", ".egg-info")


class ReleaseError(ValueError):
    pass


def _skip(path):
    return any(part in SKIP_DIRS or part.endswith(SKIP_SUFFIXES) for part in path.parts)


def learner_notebooks(root=ROOT):
    return sorted(Path(root, "notebooks").glob("[0-9][0-9]_*.ipynb"))


def holds_solution(path):
    """True when a notebook still holds a BEGIN/END SOLUTION marker."""
    nb = nbformat.read(path, as_version=4)
    return any(BEGIN in c.source or END in c.source for c in nb.cells)


def check_fresh(root=ROOT):
    """Raise ReleaseError when notebooks/ differs from what solutions/ generates (nothing to
    compare with, in a bundle made by a release, which has no solutions/)."""
    from nncourse.build.notebooks import generate
    solutions, notebooks = Path(root) / "solutions", Path(root) / "notebooks"
    if not solutions.is_dir():
        return
    stale = [p for p in generate(solutions, notebooks, write=False)
             if Path(p).parent == notebooks]
    if stale:
        raise ReleaseError("notebooks/ is stale: " + ", ".join(Path(p).name for p in stale) +
                           " differ from what solutions/ generates; run `make notebooks` first")


def files_to_release(root=ROOT):
    root = Path(root)
    out = []
    for tree in TREES:
        base = root / tree
        if base.is_dir():
            out.extend(p for p in sorted(base.rglob("*"))
                       if p.is_file() and not _skip(p.relative_to(root)))
    out.extend(root / f for f in FILES if (root / f).is_file())
    return out


def release(out, nbgrader=None, assignment=None, root=ROOT):
    """Write the bundle to ``out`` (absent or empty) and, with ``nbgrader``, the course's
    ``release/`` folder. Returns the bundle's files (relative paths)."""
    root, out = Path(root).resolve(), Path(out).resolve()
    if out == root or root in out.parents and out.parts[len(root.parts)] in ("solutions", *TREES):
        raise ReleaseError(f"{out} is inside the course's own folders: choose another folder")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"{out} exists and is not an empty folder")
    check_fresh(root)
    files = files_to_release(root)
    for nb in (p for p in files if p.suffix == ".ipynb"):
        if holds_solution(nb):
            raise ReleaseError(f"{nb.relative_to(root)} holds a {BEGIN} region: not releasing it")
    written = []
    for src in files:
        rel = src.relative_to(root)
        if rel.parts[0] == "solutions":   # never, whatever the lists above say
            continue
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        written.append(rel.as_posix())
    shutil.copy2(LEARNER_README, out / "README.md")    # the learner's, not the developers'
    written.append("README.md")
    if nbgrader:
        release_dir = Path(nbgrader) / "release"
        for nb in learner_notebooks(root):
            target = release_dir / (assignment or nb.stem) / nb.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(nb, target)
    return written
