"""``nncourse release OUT``: the student bundle holds the course but never the answers."""

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nncourse import cli
from nncourse.build.notebooks import BEGIN, NOTEBOOKS, ROOT, SOLUTIONS
from nncourse.teacher.release import ReleaseError, release


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    base = tmp_path_factory.mktemp("release")
    out, course = base / "bundle", base / "nbgrader course"
    # others may be editing a solution right now; freshness has its own test below
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("nncourse.teacher.release.check_fresh", lambda root: None)
        assert cli.main(["release", str(out), "--nbgrader", str(course)]) == 0
    return out, course


def test_bundle_has_the_course_and_no_solutions(bundle):
    out, _ = bundle
    assert not (out / "solutions").exists() and not (out / "tests").exists()
    for needed in ("README.md", "LICENSE", "pyproject.toml", "Makefile", "environment.yml",
                   "nnlib/__init__.py", "nncourse/cli.py", "nnlib/data"):
        assert (out / needed).exists(), needed
    released = sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    assert released == sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    solution_files = list(SOLUTIONS.glob("*.ipynb"))
    for p in out.rglob("*"):
        assert "__pycache__" not in p.parts and not p.name.endswith(".pyc")
        if p.suffix == ".ipynb":
            nb = nbformat.read(p, as_version=4)
            assert not any(BEGIN in c.source for c in nb.cells), p
            assert not any(filecmp.cmp(p, s, shallow=False) for s in solution_files), p


def test_bundle_readme_is_the_learners(bundle):
    out, _ = bundle
    text = (out / "README.md").read_text(encoding="utf-8")
    for said in ("make lab", "workspace", "nncourse update", "nncourse progress",
                 "File → Download"):
        assert said in text, said
    for unsaid in ("make test", "make teach", "solutions/", "nncourse grade", "make bench"):
        assert unsaid not in text, unsaid
    for target in ("lab", "notebooks"):       # what the README tells learners is there
        assert f"\n{target}:" in (out / "Makefile").read_text()
    assert (out / "postBuild").exists() and (out / "environment.yml").exists()


def test_bundle_runs_its_own_checks(bundle):
    out, _ = bundle
    env = dict(os.environ, PYTHONPATH=str(out))
    code = ("import nncourse, nnlib; from nncourse.checks.registry import listing; "
            "print(nncourse.__file__); print(len(listing()))")
    res = subprocess.run([sys.executable, "-c", code], cwd=out, env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    path, count = res.stdout.split()
    assert Path(path).resolve().is_relative_to(out.resolve()) and int(count) > 0


def test_nbgrader_release_folder(bundle):
    _, course = bundle
    for nb in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"):
        target = course / "release" / nb.stem / nb.name
        assert filecmp.cmp(target, nb, shallow=False), target
    assert not (course / "source").exists()


def test_release_refuses_a_folder_with_files_or_inside_the_course(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(ReleaseError, match="not an empty folder"):
        release(tmp_path)
    with pytest.raises(ReleaseError, match="inside the course"):
        release(ROOT / "notebooks" / "out")


def test_release_refuses_stale_learner_notebooks(tmp_path):
    name = "01_input_flattening.ipynb"
    for folder in ("solutions", "notebooks"):
        (tmp_path / folder).mkdir()
    shutil.copy(SOLUTIONS / name, tmp_path / "solutions" / name)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells[2].source += "\nedited by hand"
    nbformat.write(nb, tmp_path / "notebooks" / name)
    with pytest.raises(ReleaseError, match="notebooks/ is stale: 01_input_flattening.ipynb"):
        release(tmp_path / "out", root=tmp_path)
    shutil.copy(NOTEBOOKS / name, tmp_path / "notebooks" / name)   # fresh again: released
    assert "notebooks/" + name in release(tmp_path / "out", root=tmp_path)
    assert not (tmp_path / "out" / "solutions").exists()
