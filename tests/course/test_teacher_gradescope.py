"""The Gradescope autograder: exported, unpacked into a temporary /autograder, set up (the
course installed from the zip's wheel into the autograder's virtual environment; the pinned
packages are reused from this environment instead of downloaded) and run, as in Gradescope's
container (no bubblewrap, so with --unsandboxed), on a solved, a blank, a broken and an empty submission. Each
results.json is validated against a JSON Schema written from Gradescope's documented format
(tests/course/gradescope_schema.json) and its scores compared with ``nncourse grade``'s."""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from nncourse import cli
from nncourse.checks.registry import listing

from . import teacher_class as tc

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (a test extra) is missing")
SCHEMA = json.loads((Path(__file__).parent / "gradescope_schema.json").read_text())
NAMES = [e["name"] for e in listing() if e["notebook"] == "04_cost"]
SUBMISSIONS = {
    "solved": lambda: tc.solution(tc.NB04),
    "blank": lambda: tc.learner(tc.NB04),
    "broken": lambda: b'{"cells": [',
    "empty": None,
}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    base = tmp_path_factory.mktemp("gradescope")
    zip_path = base / "autograder.zip"
    assert cli.main(["export", "gradescope", "notebooks/04_cost.ipynb", "-o", str(zip_path),
                     "--seed", str(tc.SEED)]) == 0
    return base, zip_path


def env_for(root, path=None):
    env = dict(os.environ, NNCOURSE_AUTOGRADER_ROOT=str(root), NNCOURSE_PYTHON=sys.executable,
               NNCOURSE_SKIP_REQUIREMENTS="1")
    env.pop("PYTHONPATH", None)
    if path:
        env["PATH"] = str(path)
    return env


def gradescope_path(base):
    """A PATH like Gradescope's container: bash, and no bubblewrap."""
    bin_dir = base / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("bash"), bin_dir / "bash")
    return bin_dir


def install(base, zip_path, name):
    root = base / name
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):   # zipfile drops the mode bits
        os.chmod(root / "source" / script, 0o755)
    res = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env_for(root),
                         cwd=root / "source", capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert str(root / "nncourse-venv") in res.stdout   # the wheel's copy, not this checkout
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


@pytest.fixture(scope="module")
def graded(autograder):
    base, zip_path = autograder
    first = install(base, zip_path, "root")
    path = gradescope_path(base)

    def run(name):
        # a fresh /autograder per submission, as Gradescope gives, sharing the set-up environment
        root = base / f"root-{name}"
        for folder in ("submission", "results"):
            (root / folder).mkdir(parents=True)
        os.symlink(first / "source", root / "source")
        os.symlink(first / "nncourse-venv", root / "nncourse-venv")
        make = SUBMISSIONS[name]
        if make is not None:
            content = make()
            target = root / "submission" / tc.NB04
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                nbformat.write(content, target)
            shutil.copy(target, base / f"{name}.ipynb")
        res = subprocess.run([str(root / "source" / "run_autograder")], env=env_for(root, path),
                             cwd=root, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "bubblewrap not found: grading with --unsandboxed" in res.stdout
        return name, json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))

    with ThreadPoolExecutor(2) as pool:
        out = dict(pool.map(run, SUBMISSIONS))
    return base, out


def test_zip_layout_and_setup_downloads_only_pinned_packages(autograder):
    _, zip_path = autograder
    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        setup = z.read("setup.sh").decode()
        reqs = z.read("requirements.txt").decode().splitlines()
        config = json.loads(z.read("nncourse-autograder.json"))
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "nncourse-autograder.json"} <= names
    assert any(re.fullmatch(r"wheels/nnlib_course-[\w.]+-py3-none-any\.whl", n) for n in names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert not re.search(r"\b(curl|wget|git|apt-get)\b", setup)
    assert "--no-index --no-deps" in setup and "-r \"$SRC/requirements.txt\"" in setup
    pins = [r for r in reqs if r and not r.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.+!]+", r) for r in pins)
    pinned = {r.split("==")[0].lower().replace("_", "-") for r in pins}
    assert {"numpy", "matplotlib", "ipywidgets", "nbformat", "nbclient", "ipykernel"} <= pinned
    assert config["notebook"] == "04_cost" and config["seed"] == tc.SEED
    assert "nnlib-course" not in pinned and "nbgrader" not in pinned and "jupyterlab" not in pinned
    for script in ("setup.sh", "run_autograder"):
        with zipfile.ZipFile(zip_path) as z:
            text = z.read(script).decode()
        assert subprocess.run(["bash", "-n"], input=text, text=True).returncode == 0


def test_results_valid_and_scores_equal_nncourse_grade(graded, tmp_path):
    base, results = graded
    for name, res in results.items():
        jsonschema.validate(res, SCHEMA)
        assert res["score"] == sum(t["score"] for t in res["tests"]), name
        assert [t["number"] for t in res["tests"]] == [f"04.{i}" for i in range(1, len(NAMES) + 1)]
        assert [t["name"] for t in res["tests"]] == NAMES
    files = [base / f"{n}.ipynb" for n in SUBMISSIONS if SUBMISSIONS[n] is not None]
    out = tmp_path / "grade.json"
    assert cli.main(["grade", *map(str, files), "--seed", str(tc.SEED), "--no-progress",
                     "--unsandboxed",
                     "--jobs", "2", "--json", str(out)]) == 0
    for report in json.loads(out.read_text()):
        name = Path(report["submission"]).stem
        res = results[name]
        assert res["score"] == report["score"], name
        for test, row in zip(res["tests"], report["exercises"]) if report["exercises"] else ():
            assert (test["score"], test["output"]) == (row["points"], row["message"])
            assert test["status"] == ("passed" if row["passed"] else "failed")
    assert results["solved"]["score"] == sum(e["points"] for e in listing() if e["notebook"] == "04_cost")
    assert results["blank"]["score"] == 0 and "not implemented" in results["blank"]["tests"][0]["output"]
    assert results["broken"]["score"] == 0 and "not a Jupyter notebook" in results["broken"]["output"]
    assert results["empty"]["score"] == 0 and "No notebook was submitted" in results["empty"]["output"]
    assert results["solved"]["extra_data"]["seed"] == tc.SEED
    assert results["solved"]["extra_data"]["isolation"] == "none"   # Gradescope's container
