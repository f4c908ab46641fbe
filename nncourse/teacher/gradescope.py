"""Gradescope: ``nncourse export gradescope NOTEBOOK -o autograder.zip``.

The zip follows Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/); what runs inside Gradescope's
container for each submission is :mod:`nncourse.teacher.autograder`:

* ``setup.sh`` (run once, as root, when Gradescope builds the image): checks for Python 3.10+,
  installs the pinned packages of ``requirements.txt`` (this environment's versions of what
  grading needs: numpy, matplotlib, ipywidgets, nbformat, nbclient, ipykernel and their
  dependencies), then the course itself from the wheel inside the zip (``--no-index``: the
  course is never downloaded), all in a virtual environment, ``/autograder/nncourse-venv``.
  It also makes an unprivileged system user, ``nncourse-student``
  (``NNCOURSE_AUTOGRADER_USER``), and leaves the environment owned by root and not writable by
  it, and the config (the hidden-case seed) and the wheel (the course's sources) readable by
  root only.
* ``run_autograder`` (run for each submission, as root): grades the notebook found in
  ``/autograder/submission/`` the way ``nncourse grade`` does and writes
  ``/autograder/results/results.json``: one test per exercise (``name``, ``number`` such as
  ``04.1``, ``score``, ``max_score``, ``status`` passed/failed, ``output`` = the check's message),
  the total ``score``, an ``output`` for the whole submission, ``visibility``,
  ``stdout_visibility`` and ``extra_data`` (seed, isolation, edited check cells). Where
  bubblewrap works in the container, learner code runs in its sandbox, as with ``nncourse
  grade``; where it does not, learner code runs as the unprivileged user (isolation ``user``):
  its Python sees only the grading view of the course, as the sandbox does (every other copy
  is hidden from it while it runs: :mod:`nncourse.grading.hiding`); it cannot change the
  course, the config or the results, and every process of that user is killed before
  ``results.json`` is written, last.

``NNCOURSE_AUTOGRADER_ROOT`` (default ``/autograder``) relocates both scripts and
``NNCOURSE_PYTHON`` (default ``python3``) picks the Python setup.sh builds on, so they can be
tried in a temporary folder; there ``NNCOURSE_SKIP_REQUIREMENTS=1`` reuses that Python's
packages instead of installing the pinned ones (or, given a folder, the packages in it).
"""

import base64
import hashlib
import io
import json
import re
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from nncourse.checks import registry
from nncourse.files import write_atomic
from nncourse.build.notebooks import ROOT

CONFIG = "nncourse-autograder.json"
RUNTIME_ROOTS = ("numpy", "matplotlib", "ipywidgets", "nbformat", "nbclient", "ipykernel")
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It makes a virtual environment, $ROOT/nncourse-venv, with the pinned packages of
# requirements.txt and the nnlib course from the wheel in wheels/ (never downloaded). The grader's
# sandbox sees that environment, since it is the grading Python's own.
set -euo pipefail
ROOT="${NNCOURSE_AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
PY="${NNCOURSE_PYTHON:-python3}"
VENV="$ROOT/nncourse-venv"
"$PY" -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else
  "the nnlib course needs Python 3.10 or newer, this image has %d.%d: choose a newer base image" % v[:2])'
if [ -n "${NNCOURSE_SKIP_REQUIREMENTS:-}" ]; then
    "$PY" -m venv --without-pip "$VENV"          # $PY's pip installs the wheel below
else
    "$PY" -m venv "$VENV" 2>/dev/null || "$PY" -m venv --without-pip "$VENV"
fi
VPY="$VENV/bin/python"
pip_install() {   # the environment's own pip, else this Python's pip pointed at it
    if "$VPY" -m pip --version >/dev/null 2>&1; then
        "$VPY" -m pip install --quiet --no-cache-dir --disable-pip-version-check "$@"
    else
        "$PY" -m pip --python "$VPY" install --quiet --no-cache-dir --disable-pip-version-check "$@"
    fi
}
if [ -n "${NNCOURSE_SKIP_REQUIREMENTS:-}" ]; then
    # trying the autograder offline: reuse the packages of $PY's environment (or of the folder
    # NNCOURSE_SKIP_REQUIREMENTS names) instead
    REUSE="$NNCOURSE_SKIP_REQUIREMENTS"
    [ -d "$REUSE" ] || REUSE="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$REUSE" > \
        "$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/nncourse-reuse.pth"
else
    pip_install -r "$SRC/requirements.txt"
fi
pip_install --no-index --no-deps "$SRC"/wheels/*.whl
"$VPY" -c 'import nncourse, nnlib; print("nnlib course installed in", nncourse.__path__[0])'
# Learner code never runs as root: an unprivileged user of its own, which can read the course
# but not change it, the autograder's config (the hidden-case seed) or the results.
STUDENT="${NNCOURSE_AUTOGRADER_USER:-nncourse-student}"
if [ "$(id -u)" = 0 ]; then
    if ! id -u "$STUDENT" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            "$STUDENT" || adduser --system --no-create-home "$STUDENT"
    fi
    chown -R root:root "$VENV" "$SRC/wheels"
    chmod -R go-w "$VENV"
    chmod 0600 "$SRC/nncourse-autograder.json"
    chmod 0700 "$SRC/wheels"     # the course's own sources: never the learner's to read
    echo "learner code will run as the unprivileged user $STUDENT"
fi
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission, as root: grade /autograder/submission/ into
# /autograder/results/results.json (see nncourse/teacher/gradescope.py). With bubblewrap, each
# submission's code runs in its sandbox; without it, as the unprivileged user setup.sh made,
# every process of which is killed before results.json is written (last).
set -uo pipefail
ROOT="${NNCOURSE_AUTOGRADER_ROOT:-/autograder}"
STUDENT="${NNCOURSE_AUTOGRADER_USER:-nncourse-student}"
SANDBOX=""
if ! command -v bwrap >/dev/null 2>&1 || ! bwrap --ro-bind / / --unshare-all true 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && id -u "$STUDENT" >/dev/null 2>&1; then
        echo "bubblewrap not usable here: learner code runs as the unprivileged user $STUDENT"
        SANDBOX="--unsandboxed --run-as $STUDENT"
    else
        echo "bubblewrap not usable here: grading with --unsandboxed inside Gradescope's container"
        SANDBOX="--unsandboxed"
    fi
fi
exec "$ROOT/nncourse-venv/bin/python" -m nncourse.teacher.autograder run --root "$ROOT" \
    --config "$ROOT/source/nncourse-autograder.json" $SANDBOX
"""


def resolve_notebook(name):
    """``04``, ``04_cost``, ``notebooks/04_cost.ipynb`` -> ``04_cost`` (a course notebook)."""
    stem = Path(str(name)).stem
    notebooks = sorted({e.notebook for e in registry.load_all().values()})
    if stem in notebooks:
        return stem
    hits = [nb for nb in notebooks if nb.split("_", 1)[0] == stem]
    if len(hits) == 1:
        return hits[0]
    raise ValueError(f"{name!r} is not a course notebook with exercises; choose one of "
                     + ", ".join(notebooks))


# --- the course as a wheel (built here: no build backend or download needed) ---------------

def _project_version(root=ROOT):
    text = (Path(root) / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'(?m)^version\s*=\s*"([^"]+)"', text)
    if not match:
        raise ValueError("pyproject.toml has no version")
    return match.group(1)


def _requires_dist():
    try:
        reqs = metadata.metadata("nnlib-course").get_all("Requires-Dist") or []
    except metadata.PackageNotFoundError:
        reqs = []
    return [r for r in reqs if "extra ==" not in r or 'extra == "course"' in r]


def build_wheel(folder, root=ROOT):
    """Write ``nnlib_course-<version>-py3-none-any.whl`` (nnlib and nncourse, with their package
    data) to ``folder``; returns its path. Deterministic: same sources, same bytes."""
    root, version = Path(root), _project_version(root)
    dist = f"nnlib_course-{version}.dist-info"
    files = []
    for pkg in ("nnlib", "nncourse"):
        for p in sorted((root / pkg).rglob("*")):
            rel = p.relative_to(root)
            if p.is_file() and "__pycache__" not in rel.parts and p.suffix not in (".pyc", ".pyo") \
                    and ".ipynb_checkpoints" not in rel.parts:
                files.append((rel.as_posix(), p.read_bytes()))
    meta = ["Metadata-Version: 2.1", "Name: nnlib-course", f"Version: {version}",
            "Summary: Neural networks from scratch with numpy: a Jupyter course and its library.",
            "License: MIT", "Requires-Python: >=3.10"]
    meta += [f"Requires-Dist: {r}" for r in _requires_dist()]
    files.append((f"{dist}/METADATA", ("\n".join(meta) + "\n").encode()))
    files.append((f"{dist}/WHEEL", b"Wheel-Version: 1.0\nGenerator: nncourse.gradescope\n"
                                   b"Root-Is-Purelib: true\nTag: py3-none-any\n"))
    files.append((f"{dist}/entry_points.txt", b"[console_scripts]\nnncourse = nncourse.cli:main\n"))
    files.append((f"{dist}/top_level.txt", b"nncourse\nnnlib\n"))
    record = []
    for name, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files.append((f"{dist}/RECORD", ("\n".join(record) + "\n").encode()))
    path = Path(folder) / f"nnlib_course-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements(roots=RUNTIME_ROOTS):
    """``name==version`` for what grading imports and everything it needs, as installed here
    (extras not followed; a dependency for another platform or Python, not installed here, is
    left out)."""
    seen, todo = {}, list(roots)
    while todo:
        name = todo.pop()
        key = _canonical(name)
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = f"{dist.metadata['Name']}=={dist.version}"
        for spec in dist.requires or []:
            if "extra ==" in spec.replace("extra==", "extra =="):
                continue
            todo.append(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec).group(1))
    py = ".".join(map(str, sys.version_info[:3]))
    return (f"# pinned from the environment that exported this autograder (Python {py})\n"
            + "\n".join(sorted(seen.values(), key=str.lower)) + "\n")


def export(notebook, output="autograder.zip", seed=None, requirements=None, root=ROOT,
           test_visibility="visible"):
    """Write the autograder zip for one course notebook; returns its path.
    ``test_visibility`` (one of :data:`VISIBILITIES`) applies to the per-exercise tests, whose
    messages show the failing case, hidden ones included: ``after_due_date`` keeps them back
    until the deadline while the total stays visible."""
    if test_visibility not in VISIBILITIES:
        raise ValueError(f"test visibility must be one of {', '.join(VISIBILITIES)}, not {test_visibility!r}")
    nb = resolve_notebook(notebook)
    exs = [e for e in registry.load_all().values() if e.notebook == nb]
    config = {"notebook": nb, "seed": seed, "max_score": sum(e.points for e in exs),
              "exercises": [{"id": e.id, "name": e.name, "points": e.points} for e in exs],
              "visibility": "visible", "test_visibility": test_visibility,
              "stdout_visibility": "hidden"}
    reqs = Path(requirements).read_text(encoding="utf-8") if requirements else pinned_requirements()
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="nncourse-wheel-") as tmp:
        wheel = build_wheel(tmp, root)
        entries = [("setup.sh", SETUP_SH.encode(), 0o755),
                   ("run_autograder", RUN_AUTOGRADER.encode(), 0o755),
                   ("requirements.txt", reqs.encode(), 0o644),
                   (CONFIG, (json.dumps(config, indent=2) + "\n").encode(), 0o644),
                   (f"wheels/{wheel.name}", wheel.read_bytes(), 0o644)]
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data, mode in entries:
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.external_attr = mode << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
    return write_atomic(output, buf.getvalue())
