"""The Gradescope autograder: exported, unpacked into a temporary /autograder, set up (the
course installed from the zip's wheel into the autograder's virtual environment; the pinned
packages are reused from this environment instead of downloaded) and run, as in Gradescope's
container (as root, without bubblewrap), on a solved, a blank, a broken and an empty submission.
Each results.json is validated against a JSON Schema written from Gradescope's documented format
(tests/course/gradescope_schema.json) and its scores compared with ``nncourse grade``'s.

Without bubblewrap, learner code runs as an unprivileged user that setup.sh makes: the attacks
below (a process left behind to rewrite results.json, edits of the installed course and of the
autograder's config, reading the seed) must fail, and a classmate graded next on the same set-up
must get their own marks. That user's Python sees only the grading view of the course, as the
sandbox does: every disguised route to the course's mse (a computed import, the file, its
source, the registry, the installed copy, a child Python, the wheel) scores 0, while the
solutions keep full marks."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
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
STUDENT = "nncourse-gs-test"      # the unprivileged user setup.sh makes (removed at the end)
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _student_python():
    """A Python the unprivileged user can run, with this environment's packages to reuse:
    ``(python, packages)``, or None (then the autograder runs learner code as root)."""
    if os.geteuid() != 0 or not SYSTEM_PYTHON.exists():
        return None
    version = subprocess.run([str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    if version != str(tuple(sys.version_info[:2])):
        return None
    return str(SYSTEM_PYTHON), sysconfig.get_paths()["purelib"]


AS_STUDENT = _student_python()


REUSE = {}


def reused_packages(folder):
    """This environment's packages for setup.sh to reuse, as Gradescope's pinned install would
    give them: every one but the course's own editable install (whose finder points at this
    checkout: the autograder's course is the zip's wheel)."""
    reuse = folder / "reuse"
    reuse.mkdir()
    purelib = Path(AS_STUDENT[1])
    for entry in purelib.iterdir():
        if not entry.name.startswith(("__editable__", "nnlib_course")) and entry.suffix != ".pth":
            os.symlink(entry, reuse / entry.name)
    return str(reuse)


@pytest.fixture(scope="module")
def base():
    """Gradescope's /autograder stand-ins live where an unprivileged user may reach them."""
    folder = Path(tempfile.mkdtemp(prefix="nncourse-gradescope-"))
    folder.chmod(0o755)
    if AS_STUDENT:
        REUSE["path"] = reused_packages(folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
    if AS_STUDENT:
        subprocess.run(["userdel", STUDENT], capture_output=True)


@pytest.fixture(scope="module")
def autograder(base):
    zip_path = base / "autograder.zip"
    assert cli.main(["export", "gradescope", "notebooks/04_cost.ipynb", "-o", str(zip_path),
                     "--seed", str(tc.SEED)]) == 0
    zip_path.chmod(0o600)      # it holds the course's sources (Gradescope keeps it to itself)
    return base, zip_path


def env_for(root, path=None, reuse=None):
    python, reused = (AS_STUDENT[0], REUSE["path"]) if AS_STUDENT else (sys.executable, "1")
    reuse = reuse or reused
    env = dict(os.environ, NNCOURSE_AUTOGRADER_ROOT=str(root), NNCOURSE_PYTHON=python,
               NNCOURSE_SKIP_REQUIREMENTS=reuse, NNCOURSE_AUTOGRADER_USER=STUDENT)
    env.pop("PYTHONPATH", None)
    if path:
        env["PATH"] = str(path)
    return env


def gradescope_path(base):
    """A PATH like Gradescope's container: bash and coreutils' id, and no bubblewrap."""
    bin_dir = base / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    return bin_dir


def install(base, zip_path, name, reuse=None):
    root = base / name
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):   # zipfile drops the mode bits
        os.chmod(root / "source" / script, 0o755)
    res = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env_for(root, None, reuse),
                         cwd=root / "source", capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert str(root / "nncourse-venv") in res.stdout   # the wheel's copy, not this checkout
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def run_submission(base, first, path, name, content):
    """A fresh /autograder for one submission, as Gradescope gives, sharing the set-up
    environment; returns ``(run_autograder's output, results.json's path)``."""
    root = base / f"root-{name}"
    for folder in ("submission", "results"):
        (root / folder).mkdir(parents=True)
    (root / "submission").chmod(0o700)   # as Gradescope's: no later learner reads this one
    os.symlink(first / "source", root / "source")
    os.symlink(first / "nncourse-venv", root / "nncourse-venv")
    if content is not None:
        target = root / "submission" / tc.NB04
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            nbformat.write(content, target)
        shutil.copy(target, base / f"{name}.ipynb")
        (base / f"{name}.ipynb").chmod(0o600)    # the next learner's run may not read it
    res = subprocess.run([str(root / "source" / "run_autograder")], env=env_for(root, path),
                         cwd=root, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "bubblewrap not usable here" in res.stdout, res.stdout
    return res.stdout, root / "results" / "results.json"


@pytest.fixture(scope="module")
def setup(autograder):
    base, zip_path = autograder
    return base, install(base, zip_path, "root"), gradescope_path(base)


@pytest.fixture(scope="module")
def graded(setup):
    base, first, path = setup

    def run(name):
        make = SUBMISSIONS[name]
        _, results = run_submission(base, first, path, name, make() if make else None)
        return name, json.loads(results.read_text(encoding="utf-8"))

    # One after another, as Gradescope runs each submission in a container of its own: all
    # share the one unprivileged user here, whose every process a finished run kills (two at
    # once, the first to finish killed the other's worker: 'solved' scored 0 under load).
    return base, dict(map(run, SUBMISSIONS))


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
    assert results["broken"]["score"] == 0 and "cut short" in results["broken"]["output"]
    assert results["empty"]["score"] == 0 and "No notebook was submitted" in results["empty"]["output"]
    assert results["solved"]["extra_data"]["seed"] == tc.SEED
    # Gradescope's container, without bubblewrap: learner code ran as the unprivileged user
    assert results["solved"]["extra_data"]["isolation"] == ("user" if AS_STUDENT else "none")


# --- attacks on the autograder's container (no bubblewrap: learner code runs as a user) ------

needs_student = pytest.mark.skipif(AS_STUDENT is None, reason="needs root and a Python the "
                                   "unprivileged user can run (/usr/bin/python3, same version)")


def attack(cell):
    """A blank notebook 04 (every exercise 0 points) with one more code cell."""
    nb = tc.learner(tc.NB04)
    nb.cells.insert(2, nbformat.v4.new_code_cell(cell))
    return nb


def processes_of(user):
    import pwd
    uid = pwd.getpwnam(user).pw_uid
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    out.append(entry)
            except OSError:
                pass
    return out


@needs_student
def test_a_process_left_behind_cannot_rewrite_the_results(setup):
    base, first, path = setup
    results = base / "root-left-behind" / "results" / "results.json"
    forger = (f"import json, time\nfor _ in range(60):\n    time.sleep(0.1)\n    try:\n"
              f"        open({str(results)!r}, 'w').write(json.dumps({{'score': 99}}))\n"
              f"    except OSError:\n        pass\n")
    out, written = run_submission(base, first, path, "left-behind", attack(
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {forger!r}], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"))
    assert written == results
    first_read = written.read_text()
    time.sleep(7)          # longer than the forger would have waited
    assert written.read_text() == first_read and json.loads(first_read)["score"] == 0, out
    assert not processes_of(STUDENT)
    assert json.loads(first_read)["extra_data"]["isolation"] == "user"


@needs_student
def test_a_submission_cannot_change_the_course_or_the_config_for_the_next_one(setup):
    base, first, path = setup
    venv, config = first / "nncourse-venv", first / "source" / "nncourse-autograder.json"
    before = {p: p.read_bytes() for p in [config, *venv.rglob("nncourse/checks/*.py")]}
    tamper = ("import glob, os, nncourse.checks.judging as j, nncourse\n"
              "refused = []\n"
              f"for f in [j.__file__, {str(config)!r}, *glob.glob(os.path.dirname(nncourse.__file__) + '/checks/nb04.py')]:\n"
              "    for how in ('append', 'replace'):\n"
              "        try:\n"
              "            if how == 'append':\n"
              "                open(f, 'a').write('\\nraise SystemExit')\n"
              "            else:\n"
              "                os.replace(f, f + '.x')\n"
              "        except OSError:\n"
              "            refused.append((f, how))\n"
              "try:\n"
              f"    SEED = open({str(config)!r}).read()\n"
              "except OSError:\n"
              "    SEED = None\n"
              "assert SEED is None, 'the seed was readable'\n")
    run_submission(base, first, path, "tamper", attack(tamper))
    assert {p: p.read_bytes() for p in before} == before
    _, solved = run_submission(base, first, path, "after-tamper-solved", tc.solution(tc.NB04))
    _, blank = run_submission(base, first, path, "after-tamper-blank", tc.learner(tc.NB04))
    full = sum(e["points"] for e in listing() if e["notebook"] == "04_cost")
    assert json.loads(solved.read_text())["score"] == full
    assert json.loads(blank.read_text())["score"] == 0


@needs_student
def test_the_set_up_leaves_nothing_writable_or_secret_to_the_user(setup):
    _, first, _ = setup
    config = first / "source" / "nncourse-autograder.json"
    assert config.stat().st_uid == 0 and config.stat().st_mode & 0o077 == 0
    for p in [first / "nncourse-venv", *(first / "nncourse-venv").rglob("*")]:
        if not p.is_symlink():
            assert p.stat().st_uid == 0 and not p.stat().st_mode & 0o022, p


# --- no reference to call in user mode: the learner's Python sees only the grading view --------

MSE = "def mse(y, y_hat):\n"
# notebook 04's mse answered with the course's own mse, by routes the copy check does not read
ROUTES = {
    "computed_import": MSE + "    m = __import__('nnlib.' + 'losses', fromlist=['_'])\n"
                             "    return getattr(m, 'm' + 'se')(y, y_hat)",
    "getattr_import": MSE + "    return getattr(__import__('nnlib.losses', fromlist=['_']), "
                            "'mse')(y, y_hat)",
    "exec_getsource": "import importlib, inspect\nL = importlib.import_module('nnlib.' + 'losses')\n"
                      "ns = dict(vars(L))\nexec(inspect.getsource(L), ns)\nmse = ns['m' + 'se']",
    "open_package_file": "import importlib, os\nL = importlib.import_module('nnlib.' + 'losses')\n"
                         "ns = dict(vars(L))\n"
                         "exec(open(os.path.join(os.path.dirname(L.__file__), 'losses.py')).read(), ns)\n"
                         "mse = ns['m' + 'se']",
    "registry_reference": MSE + "    import importlib\n"
                                "    r = importlib.import_module('nncourse.checks.' + 'registry')\n"
                                "    return r.by_name('m' + 'se').reference(y, y_hat)",
    # the installed copy's file, found without importing it (the package's own records)
    "installed_file": "import importlib.metadata as md, importlib\n"
                      "L = importlib.import_module('nnlib.' + 'losses')\n"
                      "ns = dict(vars(L))\nf = md.distribution('nnlib-course').locate_file('nnlib/losses.py')\n"
                      "exec(open(f).read(), ns)\nmse = ns['m' + 'se']",
    # the view taken off the path, the imported modules forgotten: the installed copy imported
    "path_without_view": "import sys, importlib\n"
                         "sys.path[:] = [p for p in sys.path if 'nncourse-view' not in p]\n"
                         "for k in [k for k in sys.modules if k.split('.')[0] == 'nnlib']:\n"
                         "    del sys.modules[k]\n"
                         "mse = importlib.import_module('nnlib.' + 'losses').mse",
    # a child Python without the view on its path (-I drops PYTHONPATH)
    "child_python": "import subprocess, sys\nns = {'__name__': 'nnlib.x', '__package__': 'nnlib'}\n"
                    "src = subprocess.run([sys.executable, '-I', '-c', 'import inspect, nnlib.losses "
                    "as l; print(inspect.getsource(l))'], capture_output=True, text=True).stdout\n"
                    "exec(src, ns)\nmse = ns['m' + 'se']",
    # the autograder's wheel, the course's sources as a zip
    "wheel": "import glob, zipfile, importlib\n"
             "L = importlib.import_module('nnlib.' + 'losses')\nns = dict(vars(L))\n"
             "w = glob.glob('ROOT/source/wheels/*.whl')\n"
             "exec(zipfile.ZipFile(w[0]).read('nnlib/losses.py').decode(), ns)\nmse = ns['m' + 'se']",
}


def mse_answered(source):
    """The solved notebook 04 whose mse answer cell is ``source``."""
    nb = tc.solution(tc.NB04)
    cell = next(c for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "nb04_mse_solution")
    cell.source = source
    return nb


@pytest.fixture(scope="module")
def routes(setup):
    base, first, path = setup
    out = {}
    for name, source in ROUTES.items():
        source = source.replace("ROOT", str(first))
        _, results = run_submission(base, first, path, f"route-{name}", mse_answered(source))
        out[name] = json.loads(results.read_text(encoding="utf-8"))
    return out


@needs_student
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_in_user_mode_no_route_reaches_the_course_s_mse(routes, route):
    res = routes[route]
    tests = {t["name"]: t for t in res["tests"]}
    assert tests["mse"]["score"] == 0, tests["mse"]
    assert res["extra_data"]["isolation"] == "user"
    # every other exercise is the solution's: full marks (the view breaks nothing else)
    assert all(t["score"] == t["max_score"] for n, t in tests.items() if n != "mse"), res


@needs_student
def test_the_real_course_is_readable_again_after_grading(routes, setup):
    """The copies hidden while learner code ran are given back their modes."""
    _, first, _ = setup
    site = next((first / "nncourse-venv").glob("lib/python*/site-packages"))
    for name in ("nnlib", "nncourse"):
        assert (site / name).stat().st_mode & 0o755 == 0o755, name


@needs_student
@pytest.mark.parametrize("notebook", ["02", "08", "10", "12"])
def test_in_user_mode_the_solutions_keep_full_marks(setup, notebook):
    """The view breaks nothing the exercises rightly use: notebook 02's neuron calling nnlib's
    sigmoid (judged again), 08's data loaders, Network and SGD, 10's drivers around the
    course's Value, the capstone; graded in user mode with the set-up's wheel and another
    notebook's config."""
    from nncourse.teacher.gradescope import CONFIG, export
    base, first, path = setup
    root = base / f"root-solution-{notebook}"
    for folder in ("submission", "results"):
        (root / folder).mkdir(parents=True)
    zip_path = export(notebook, base / f"{notebook}.zip", seed=tc.SEED)
    with zipfile.ZipFile(zip_path) as z:
        (root / CONFIG).write_bytes(z.read(CONFIG))
    config = json.loads((root / CONFIG).read_text())
    shutil.copy(tc.SOLUTIONS / f"{config['notebook']}.ipynb", root / "submission")
    res = subprocess.run([str(first / "nncourse-venv" / "bin" / "python"), "-m",
                          "nncourse.teacher.autograder", "run", "--root", str(root), "--config",
                          str(root / CONFIG), "--unsandboxed", "--run-as", STUDENT],
                         env=env_for(root, path), cwd=root, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["extra_data"]["isolation"] == "user"
    assert results["score"] == config["max_score"], [t for t in results["tests"]
                                                     if t["score"] != t["max_score"]]


def test_every_copy_on_a_python_s_path_is_found(tmp_path):
    """What hiding hides: a package folder a .pth file adds, an egg-link's checkout (and its
    answers), an editable finder's MAPPING (even from a folder whose .pth files Python does
    not process), a zip of the course."""
    from nncourse.grading import hiding
    site, other, egg, mapped = (tmp_path / n for n in ("site", "other", "egg", "mapped"))
    for folder in (other / "nnlib", egg / "nncourse", egg / "solutions", mapped / "nnlib"):
        folder.mkdir(parents=True)
    (egg / "pyproject.toml").write_text("")
    site.mkdir()
    (site / "a.pth").write_text(f"# a comment\nimport os\n{other}\n")
    (site / "course.egg-link").write_text(f"{egg}\n.\n")
    (site / "__editable___course_finder.py").write_text(f"MAPPING = {{'nnlib': '{mapped}/nnlib'}}\n")
    with zipfile.ZipFile(site / "course.zip", "w") as z:
        z.writestr("nncourse/__init__.py", "")
    python = tmp_path / "python"
    python.write_text(f"#!/bin/sh\nexec env PYTHONPATH={site}:{site / 'course.zip'} "
                      f"{sys.executable} \"$@\"\n")
    python.chmod(0o755)
    found = set(hiding.copies([str(python)]))
    assert {str(other / "nnlib"), str(egg / "nncourse"), str(egg / "solutions"),
            str(mapped / "nnlib"), str(site / "course.zip")} <= found, found


@needs_student
def test_hidden_copies_are_unreadable_by_the_user_then_given_back(setup):
    from nncourse.grading import hiding
    where = setup[0] / "hide"      # a folder the user may reach
    folder, file = where / "nnlib", where / "nnlib.py"
    folder.mkdir(parents=True)
    file.write_text("x = 1\n")
    where.chmod(0o755)
    os.chmod(folder, 0o755)
    file.chmod(0o644)
    paths = [str(folder), str(file)]
    assert hiding.readable_by(STUDENT, paths) == paths
    with hiding.hidden(STUDENT, paths):
        assert hiding.readable_by(STUDENT, paths) == []
        assert folder.stat().st_mode & 0o777 == 0o700 and file.stat().st_mode & 0o777 == 0o600
    assert hiding.readable_by(STUDENT, paths) == paths
    assert folder.stat().st_mode & 0o777 == 0o755 and file.stat().st_mode & 0o777 == 0o644


def test_with_bubblewrap_the_autograder_uses_its_sandbox(autograder):
    from nncourse.grading.sandbox import isolation_available
    if isolation_available() is None:
        pytest.skip("needs bubblewrap")
    # this environment's packages as they are (the sandbox binds the folder a .pth names, not
    # what symbolic links in it point to)
    base, zip_path = autograder
    reuse = AS_STUDENT[1] if AS_STUDENT else None
    first = install(base, zip_path, "bwrap-setup", reuse)
    root = base / "root-bwrap"
    for folder in ("submission", "results"):
        (root / folder).mkdir(parents=True)
    os.symlink(first / "source", root / "source")
    os.symlink(first / "nncourse-venv", root / "nncourse-venv")
    nbformat.write(tc.solution(tc.NB04), root / "submission" / tc.NB04)
    res = subprocess.run([str(root / "source" / "run_autograder")], env=env_for(root, None, reuse),
                         cwd=root, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["extra_data"]["isolation"] == "bubblewrap", results
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) > 0, results
