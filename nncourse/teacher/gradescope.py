"""Gradescope: ``nncourse export gradescope NOTEBOOK -o autograder.zip``.

The zip follows Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/):

* ``setup.sh`` (run once, as root, when Gradescope builds the image): checks for Python 3.10+,
  installs the pinned packages of ``requirements.txt`` (this environment's versions of what
  grading needs: numpy, matplotlib, ipywidgets, nbformat, nbclient, ipykernel and their
  dependencies), then the course itself from the wheel inside the zip (``--no-index``: the
  course is never downloaded), all in a virtual environment, ``/autograder/nncourse-venv``.
* ``run_autograder`` (run for each submission): grades the notebook found in
  ``/autograder/submission/`` with ``nncourse grade`` and writes
  ``/autograder/results/results.json``: one test per exercise (``name``, ``number`` such as
  ``04.1``, ``score``, ``max_score``, ``status`` passed/failed, ``output`` = the check's message),
  the total ``score``, an ``output`` for the whole submission, ``visibility``,
  ``stdout_visibility`` and ``extra_data`` (seed, isolation, edited check cells).
  Gradescope runs each submission in its own container; where bubblewrap is missing there,
  run_autograder says so and grades with ``--unsandboxed``.

``NNCOURSE_AUTOGRADER_ROOT`` (default ``/autograder``) relocates both scripts and
``NNCOURSE_PYTHON`` (default ``python3``) picks the Python setup.sh builds on, so they can be
tried in a temporary folder; there ``NNCOURSE_SKIP_REQUIREMENTS=1`` reuses that Python's
packages instead of installing the pinned ones.
"""

import argparse
import base64
import hashlib
import io
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

from nncourse.checks import registry
from nncourse.files import write_atomic
from nncourse.results import SubmissionReport, reports_from_json
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
    # trying the autograder offline: reuse the packages of $PY's environment instead
    "$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > \
        "$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/nncourse-reuse.pth"
else
    pip_install -r "$SRC/requirements.txt"
fi
pip_install --no-index --no-deps "$SRC"/wheels/*.whl
"$VPY" -c 'import nncourse, nnlib; print("nnlib course installed in", nncourse.__path__[0])'
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission/ into
# /autograder/results/results.json (see nncourse/gradescope.py).
set -uo pipefail
ROOT="${NNCOURSE_AUTOGRADER_ROOT:-/autograder}"
SANDBOX=""
if ! command -v bwrap >/dev/null 2>&1; then
    # Gradescope grades each submission in a container of its own: that is the isolation here.
    echo "bubblewrap not found: grading with --unsandboxed inside Gradescope's container"
    SANDBOX="--unsandboxed"
fi
exec "$ROOT/nncourse-venv/bin/python" -m nncourse.teacher.gradescope run --root "$ROOT" \
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


# --- the run side (inside Gradescope's container) -------------------------------------------

def find_submission(folder, notebook):
    """``(path or None, note)``: the notebook to grade among the submitted files."""
    found = sorted(p for p in Path(folder).rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts) if Path(folder).is_dir() else []
    if not found:
        return None, ""
    exact = [p for p in found if p.name == f"{notebook}.ipynb"]
    close = [p for p in found if notebook.lower() in p.stem.lower()
             or p.stem.split("_", 1)[0] == notebook.split("_", 1)[0]]
    chosen = (exact or close or found)[0]
    others = [p.name for p in found if p != chosen]
    note = f" (also submitted, not graded: {', '.join(others)})" if others else ""
    return chosen, note


def results_from(report, config, elapsed=0.0, note=""):
    """Gradescope's results.json (a dict) from one ``nncourse grade`` report (a
    :class:`~nncourse.results.SubmissionReport`, or None when nothing was submitted)."""
    nb, exs = config["notebook"], config["exercises"]
    prefix = nb.split("_", 1)[0]
    rows = {e.id: e for e in report.exercises} if report is not None else {}
    wrong_notebook = report is not None and report.notebook not in (None, nb)
    tests, lines = [], []
    if report is None:
        why = f"No notebook was submitted: upload your {nb}.ipynb."
    elif wrong_notebook:
        why = (f"The submitted notebook is {report.notebook}, but this assignment is {nb}: "
               f"upload {nb}.ipynb.")
    elif not rows:
        why = f"Not graded: {report.error or 'the grader returned no verdicts'}."
    else:
        why = None
    for i, e in enumerate(exs, start=1):
        row = rows.get(e["id"]) if why is None else None
        if row is None:
            score, status, output = 0.0, "failed", why or "the grader returned no verdict"
        else:
            score = float(row.points)
            status = "passed" if row.passed else "failed"
            output = row.message
        tests.append({"name": e["name"], "number": f"{prefix}.{i}", "score": score,
                      "max_score": float(e["points"]), "status": status, "output": output,
                      "output_format": "text",
                      "visibility": config.get("test_visibility", "visible")})
    score = sum(t["score"] for t in tests)
    max_score = float(config["max_score"])
    lines.append(f"{nb}: {score:g} / {max_score:g} points{note}.")
    if why:
        lines.append(why)
    elif report.error:
        lines.append(f"The grader could not run all of your notebook: {report.error}")
    if report and report.modified_check_cells:
        lines.append("Edited or deleted check cells (the course's own checks were run instead): "
                     + ", ".join(report.modified_check_cells))
    if report and report.seed is not None:
        lines.append(f"Hidden cases drawn with seed {report.seed}.")
    extra = {"notebook": report.notebook if report else None,
             "seed": report.seed if report else None,
             "isolation": report.isolation if report else None,
             "modified_check_cells": report.modified_check_cells if report else [],
             "error": report.error if report else None}
    return {"score": score, "execution_time": int(round(elapsed)), "output": "\n".join(lines),
            "output_format": "text", "visibility": config.get("visibility", "visible"),
            "stdout_visibility": config.get("stdout_visibility", "hidden"),
            "extra_data": extra, "tests": tests}


def run(root, config_path, unsandboxed=False, python=sys.executable):
    """Grade ``root/submission`` into ``root/results/results.json``; returns the results."""
    root = Path(root)
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    start = time.monotonic()
    path, note = find_submission(root / "submission", config["notebook"])
    report = None
    if path is not None:
        seed = config.get("seed")
        seed = secrets.randbelow(2**31) if seed is None else seed
        with tempfile.TemporaryDirectory(prefix="nncourse-gs-") as tmp:
            raw = Path(tmp) / "report.json"
            cmd = [python, "-m", "nncourse", "grade", str(path), "--json", str(raw),
                   "--no-progress", "--seed", str(seed)] + (["--unsandboxed"] if unsandboxed else [])
            proc = subprocess.run(cmd, capture_output=True, text=True)
            sys.stdout.write(proc.stdout)
            sys.stderr.write(proc.stderr)
            if raw.exists():
                report = reports_from_json(raw.read_text(encoding="utf-8"))[0]
                report.seed = seed if report.seed is None else report.seed
            else:
                report = SubmissionReport(
                    str(path), error=f"the grader failed (exit status {proc.returncode}): "
                                     + (proc.stderr.strip().splitlines() or ["no message"])[-1],
                    error_kind="grader", seed=seed)
    results = results_from(report, config, time.monotonic() - start, note)
    write_atomic(root / "results" / "results.json",
                 json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(results["output"])
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nncourse.teacher.gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="grade a Gradescope submission (run_autograder calls this)")
    p.add_argument("--root", default=os.environ.get("NNCOURSE_AUTOGRADER_ROOT", "/autograder"))
    p.add_argument("--config", help=f"the zip's {CONFIG} (default: ROOT/source/{CONFIG})")
    p.add_argument("--unsandboxed", action="store_true",
                   help="grade without bubblewrap (Gradescope's container isolates the submission)")
    args = parser.parse_args(argv)
    run(args.root, args.config or Path(args.root) / "source" / CONFIG, args.unsandboxed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
