"""The grader against attacks: every route a submission could take to gain points or to harm
the grader, its files or a classmate, graded in one batch with a solved and a blank control.

Each attack asserts what the grading-trust issue asks of it: no points awarded, the batch-mates'
scores unchanged, grading ended within its hard deadline, no file outside the sandbox changed,
no process left behind. Fixtures are built from notebook 04 (its learner version, with the
answers taken from its solution), so they follow the course as it changes.
"""

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from nncourse.checks import registry
from nncourse.grading.grader import Limits, grade_many
from nncourse.grading.submission import read_notebook
from nncourse.build.notebooks import NOTEBOOKS, SOLUTIONS, exercise_cells
from nncourse.grading.sandbox import isolation_available


def grade(*args, **kwargs):
    """The grader's reports, in the JSON form ``nncourse grade --json`` writes."""
    return [r.to_json() for r in grade_many(*args, **kwargs)]


pytestmark = pytest.mark.skipif(isolation_available() is None,
                                reason="needs bubblewrap (apt-get install bubblewrap); "
                                       ".ci/run installs it")

NAME = "04_cost.ipynb"
NOTEBOOK = NAME[:-6]
LIMITS = Limits(cell_timeout=3, notebook_timeout=15, check_time=3, memory_mb=1024,
                processes=24, file_mb=8, output_mb=4)
SEED = 987654
# the whole batch's hard bound: every submission's time limits, two at a time, plus start-up
BATCH_BOUND = 240


def learner():
    return nbformat.read(NOTEBOOKS / NAME, as_version=4)


def solution_sources():
    """exercise name -> the solution cell's source (from solutions/)."""
    nb = nbformat.read(SOLUTIONS / NAME, as_version=4)
    return {ex.name: nb.cells[sol].source for sol, _, ex in exercise_cells(nb, NAME)}


def solve(nb, skip=(), replace=None):
    """Put the solution's answer into every exercise (or ``replace[name]``), except ``skip``."""
    answers = solution_sources()
    for sol, _, ex in exercise_cells(nb, NAME):
        if ex.name in (replace or {}):
            nb.cells[sol].source = replace[ex.name]
        elif ex.name not in skip:
            nb.cells[sol].source = answers[ex.name]
    return nb


def with_cell(nb, source, where=1):
    nb.cells.insert(where, nbformat.v4.new_code_cell(source))
    return nb


def first_exercise():
    return next(e for e in registry.load_all().values() if e.notebook == NOTEBOOK)


EX = first_exercise()       # the exercise an attack's function stands in for (mse)
DEF = f"def {EX.function}(" + ", ".join(EX.arg_names) + "):\n"


def attack_fn(body):
    """A blank notebook whose first exercise is ``body`` (every other exercise a stub)."""
    return solve(learner(), skip=[e.name for e in registry.load_all().values()],
                 replace={EX.name: DEF + body})


SECRET = "teacher-secret-8c1f"

ATTACKS = {
    # --- the grader's own code and the checks, patched from the learner's interpreter
    "fake_grader_module": "import sys, types\nfor m in ('nncourse.grading.grader', 'nncourse.checks.judging', "
                          "'nncourse.grading.sandbox'):\n    sys.modules[m] = types.ModuleType(m)",
    "patched_checker": "import nncourse.checks.judging as c\nfrom nncourse.checks.judging import Result\n"
                       "c.run = lambda ex, fn, **k: Result(ex.id, ex.name, 'passed', '✔')\n"
                       "c.Context.compare = lambda *a, **k: None",
    "input_transformer": "get_ipython().input_transformers_post.append(\n"
                         "    lambda lines: ['import nncourse.checks.judging as c\\n', "
                         "'c.Context.compare = lambda *a, **k: None\\n'] + lines)",
    "post_run_cell_hook": "def hook(result):\n    import nncourse.checks.judging as c\n"
                          "    c.Context._problem = staticmethod(lambda *a: None)\n"
                          "get_ipython().events.register('post_run_cell', hook)",
    "atexit_rewrites_results": "import atexit, glob, json\n"
                               "def rewrite():\n    for p in glob.glob('/tmp/**/*.json', "
                               "recursive=True) + glob.glob('/tmp/*.csv'):\n"
                               "        open(p, 'w').write('{\"score\": 999}')\n"
                               "atexit.register(rewrite)",
    "json_encoder_patched": "import json\n"
                            "json.JSONEncoder.iterencode = lambda self, o, _one_shot=False: "
                            "iter(['{\"status\": \"passed\", \"passed\": true}'])",
    "numpy_code_swapped": "import numpy as np\n"
                          "np.isclose.__code__ = (lambda a, b, rtol=0, atol=0, equal_nan=False: "
                          "np.ones(np.shape(a), bool)).__code__\n"
                          "np.allclose.__code__ = (lambda *a, **k: True).__code__",
    "numpy_and_print_patched": "import numpy, builtins\nnumpy.allclose = lambda *a, **k: True\n"
                               "numpy.array_equal = lambda *a, **k: True\n"
                               "builtins.print = lambda *a, **k: None",
    "meta_path_finder": "import sys\nclass F:\n    def find_spec(self, name, path, target=None):\n"
                        "        if name.startswith('nncourse'):\n"
                        "            raise ImportError('blocked')\n        return None\n"
                        "sys.meta_path.insert(0, F())\nfor m in [m for m in sys.modules if "
                        "m.startswith('nncourse.checks')]:\n    del sys.modules[m]",
    "settrace": "import sys\ndef tracer(frame, event, arg):\n"
                "    if event == 'return' and frame.f_code.co_name == 'compare':\n"
                "        frame.f_locals['problem'] = None\n    return tracer\nsys.settrace(tracer)",
    "daemon_thread_repatches": "import threading, time, sys\ndef loop():\n    while True:\n"
                               "        for m in list(sys.modules.values()):\n"
                               "            if getattr(m, '__name__', '').startswith('nncourse'):\n"
                               "                setattr(m, 'run', lambda *a, **k: None)\n"
                               "        time.sleep(0.01)\n"
                               "threading.Thread(target=loop, daemon=True).start()",
    "forged_replies": "import os, json, struct, threading, time\n"
                      "fd = int(os.environ.get('NNCOURSE_REPLY_FD', '3'))\n"
                      "def forge():\n    msg = json.dumps({'status': 'ok', 'out': 0.0, "
                      "'args_after': {'__tuple__': []}}).encode()\n"
                      "    for _ in range(50):\n"
                      "        os.write(fd, struct.pack('>I', len(msg)) + msg)\n"
                      "        time.sleep(0.01)\nthreading.Thread(target=forge, daemon=True).start()",
    # --- reaching outside: files, classmates, the teacher, the network, the machine
    "reads_solutions": "import glob, json\nfor p in glob.glob('/**/solutions/04_cost.ipynb', "
                       "recursive=True)[:1]:\n    for c in json.load(open(p))['cells']:\n"
                       "        if 'BEGIN SOLUTION' in ''.join(c['source']):\n"
                       "            exec(''.join(c['source']))",
    "reads_classmates": "import glob\nSTOLEN = [open(p).read() for p in glob.glob('/tmp/**/*.ipynb',"
                        " recursive=True) + glob.glob('/work/**/*.ipynb', recursive=True)]\n"
                        "assert not STOLEN",
    "detached_process": "import subprocess\nsubprocess.Popen(['sh', '-c', 'sleep 4; for f in "
                        "$(find / -name \"*.json\" -newer /proc 2>/dev/null); do echo x > $f; done; "
                        "sleep 30'], start_new_session=True)",
    "writes_into_nnlib": "import nnlib, os\n"
                         "open(os.path.join(os.path.dirname(nnlib.__file__), 'losses.py'), 'a')"
                         ".write('\\nmse = lambda *a: 0.0\\n')",
    "ipython_startup_file": "import os\nd = os.path.expanduser('~/.ipython/profile_default/startup')\n"
                            "os.makedirs(d, exist_ok=True)\n"
                            "open(os.path.join(d, '00.py'), 'w').write('import nncourse.checks.judging "
                            "as c\\nc.Context.compare = lambda *a, **k: None\\n')",
    "network": "import socket\ns = socket.socket()\ns.settimeout(1)\n"
               "s.connect(('127.0.0.1', PORT))\ns.sendall(b'stolen')",
    "kills_everything": "import os, signal\nos.kill(-1, signal.SIGKILL)",
    "kills_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    # --- hanging and exhausting
    "ignores_sigint_and_sigalrm": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                  "signal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n"
                                  "    pass",
    "bare_except_loop": "while True:\n    try:\n        while True:\n            pass\n"
                        "    except:\n        pass",
    "memory_children": "import os, time\nkids = []\nfor _ in range(3):\n    pid = os.fork()\n"
                       "    if pid == 0:\n        b = bytearray(700 * 2**20)\n"
                       "        for i in range(0, len(b), 4096): b[i] = 1\n"
                       "        time.sleep(20)\n        os._exit(0)\n    kids.append(pid)\n"
                       "time.sleep(5)",
    "fork_bomb_bounded": "import os, time\nfor _ in range(200):\n    try:\n"
                         "        if os.fork() == 0:\n            time.sleep(5)\n"
                         "            os._exit(0)\n    except OSError:\n        break",
    "big_file": "with open('/tmp/big', 'wb') as f:\n    for _ in range(64):\n"
                "        f.write(b'x' * 2**20)",
    "output_flood": "i = 0\nwhile i < 10:\n    print('flood ' * 1000)",
    "os_exit": "import os\nos._exit(3)",
    "segfault": "import ctypes\nctypes.string_at(0)",
}

FUNCTION_ATTACKS = {
    # the learner's function itself
    "frame_reader": "    import sys\n    f = sys._getframe(1)\n    while f is not None:\n"
                    "        for k in ('expected', 'exp', 'reference'):\n"
                    "            if k in f.f_locals:\n                return f.f_locals[k]\n"
                    "        f = f.f_back\n    return 0.0",
    "eq_always_true": "    import numpy as np\n    class A(np.ndarray):\n"
                      "        def __eq__(self, o): return True\n"
                      "        def __array_ufunc__(self, *a, **k): return True\n"
                      "    return np.zeros(3).view(A)",
    "float_lies": "    class X:\n        def __float__(self): raise SystemExit\n"
                  "        def __eq__(self, o): return True\n        shape = ()\n    return X()",
    "raises_pass_signal": "    from nncourse.checks.judging import Stop\n"
                          "    raise Stop('passed', '✔ all cases')",
    "loop_bare_except": "    while True:\n        try:\n            pass\n        except:\n"
                        "            pass",
    "surrogate_message": "    raise ValueError('\\ud800 lone surrogate')",
    "leaks_teacher_file": "    import glob\n    raise ValueError(''.join(open(p).read() for p in "
                          "glob.glob('/tmp/**/teacher*', recursive=True)) or 'nothing')",
    "returns_generator": "    return (x for x in range(3))",
    # the sandbox's user and what it sees (#23.5)
    "reads_root_only_files": "    found = []\n    for p in ('ROOT_ONLY', '/etc/shadow', '/etc/passwd'):\n"
                             "        try:\n            found.append(open(p).read()[:40])\n"
                             "        except OSError as e:\n            found.append(type(e).__name__)\n"
                             "    raise ValueError('read: ' + ' | '.join(found))",
    "nested_user_namespace": "    import subprocess\n    r = subprocess.run(['unshare', '-rm', 'sh', '-c', "
                             "'mount -t tmpfs none /home && echo MOUNTED'], capture_output=True, "
                             "text=True)\n    raise ValueError('userns: ' + (r.stdout + r.stderr)[:200])",
    "lists_etc": "    import os\n    raise ValueError('etc: ' + ' '.join(sorted(os.listdir('/etc'))))",
}
# a root-only file (0600, owned by the grader's root) where the sandbox can see it: in the
# Python environment, which is bound read-only into every sandbox
ROOT_ONLY = Path(sys.prefix) / f"nncourse-root-only-test-{os.getpid()}.txt"
ROOT_SECRET = "root-only-secret-5e2a"


def build(folder, port):
    subs = {"solved": solve(learner()), "blank": learner()}
    for name, source in ATTACKS.items():
        subs[name] = with_cell(learner(), source.replace("PORT", str(port)))
    for name, body in FUNCTION_ATTACKS.items():
        subs["fn_" + name] = attack_fn(body.replace("ROOT_ONLY", str(ROOT_ONLY))
                                       .replace("CHECK_TIME", str(LIMITS.check_time)))
    subs["solved_after_attacks"] = solve(learner())
    paths = {}
    for name, nb in subs.items():
        path = folder / name / NAME
        path.parent.mkdir(parents=True)
        path.write_text(nbformat.writes(nb), encoding="utf-8")
        paths[name] = path
    return paths


def tree_hashes(*folders):
    out = {}
    for folder in folders:
        for p in sorted(Path(folder).rglob("*")) if Path(folder).is_dir() else [Path(folder)]:
            if p.is_file() and "__pycache__" not in p.parts:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def sandbox_processes():
    """Processes of ours that could be left behind: workers and their children. Ours: a
    descendant of this test process, or of a bubblewrap whose command line names this
    process's grading view (its folder is this process's own), so that sandboxes another test
    process runs at the same time (pytest-xdist, another checkout) never count; and an orphan
    (its parent gone, adopted by init) that names this Python environment."""
    from nncourse.grading import view
    mine = os.fsencode(str(view._root)) if view._root else None
    parent, cmds = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmds[int(entry)] = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
                stat = Path(f"/proc/{entry}/stat").read_bytes()
                parent[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError):
                continue

    prefix = os.fsencode(os.path.realpath(sys.prefix))

    def orphan_of_ours(pid):
        try:
            return parent.get(pid) == 1 and prefix in cmds[pid] + Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return False

    def ours(pid):
        if orphan_of_ours(pid):
            return True
        seen = set()
        while pid > 1 and pid not in seen:
            seen.add(pid)
            if pid == os.getpid() or (mine and b"bwrap" in cmds.get(pid, b"") and mine in cmds[pid]):
                return True
            pid = parent.get(pid, 0)
        return False
    return [cmd.decode(errors="replace") for pid, cmd in cmds.items()
            if pid != os.getpid() and (b"nncourse.grading.worker" in cmd or b"sleep 30" in cmd
                                       or b"bwrap" in cmd) and ours(pid)]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    teacher = tmp_path_factory.mktemp("teacher")
    (teacher / "teacher_notes.txt").write_text(SECRET)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    received = []

    def accept():
        end = time.monotonic() + BATCH_BOUND
        while time.monotonic() < end and not received[-1:] == ["stop"]:
            try:
                conn, _ = listener.accept()
                received.append(conn.recv(100))
            except OSError:
                pass
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    paths = build(folder, listener.getsockname()[1])
    import nncourse
    import nnlib
    # what the attacks aim at: the class, the teacher's folder, the course's own files
    watched = [folder, teacher, Path(nnlib.__file__).parent / "losses.py",
               Path(nncourse.__file__).parent / "checking.py", SOLUTIONS / NAME]
    home_startup = Path.home() / ".ipython" / "profile_default" / "startup"
    before = tree_hashes(*watched), sorted(home_startup.glob("*")) if home_startup.exists() else []
    ROOT_ONLY.write_text(ROOT_SECRET)
    ROOT_ONLY.chmod(0o600)
    start = time.monotonic()
    try:
        reports = grade(list(paths.values()), seed=SEED, limits=LIMITS, jobs=2)
    finally:
        ROOT_ONLY.unlink()
    elapsed = time.monotonic() - start
    time.sleep(0.5)
    left = sandbox_processes()
    after = tree_hashes(*watched), sorted(home_startup.glob("*")) if home_startup.exists() else []
    received.append("stop")
    thread.join(2)
    listener.close()
    return {"reports": dict(zip(paths, reports)), "elapsed": elapsed, "left": left,
            "before": before, "after": after, "received": received[:-1], "paths": paths}


ALL_ATTACKS = list(ATTACKS) + ["fn_" + n for n in FUNCTION_ATTACKS]


def test_there_are_at_least_30_attack_kinds():
    assert len(ALL_ATTACKS) >= 30


def test_controls_solved_full_blank_zero(batch):
    r = batch["reports"]
    for name in ("solved", "solved_after_attacks"):
        assert r[name]["score"] == r[name]["max_score"] > 0, r[name]
        assert r[name]["error"] is None and r[name]["isolation"] == "bubblewrap"
    assert r["blank"]["score"] == 0
    assert all(e["status"] == "not_implemented" for e in r["blank"]["exercises"])


@pytest.mark.parametrize("name", ALL_ATTACKS)
def test_attack_gains_no_points(batch, name):
    report = batch["reports"][name]
    assert report["score"] == 0, (name, report)
    json.dumps(report, ensure_ascii=False).encode("utf-8")   # valid for any Unicode


def test_batch_ends_within_its_hard_bound(batch):
    assert batch["elapsed"] < BATCH_BOUND


def test_no_file_outside_the_sandbox_changed(batch):
    (files_before, startup_before), (files_after, startup_after) = batch["before"], batch["after"]
    changed = sorted(k for k in files_before.keys() | files_after.keys()
                     if files_before.get(k) != files_after.get(k))
    assert changed == [] and startup_before == startup_after


def test_no_process_left_behind(batch):
    assert batch["left"] == []


def test_nothing_reached_the_network(batch):
    assert batch["received"] == []


def test_teacher_file_never_reaches_a_report(batch):
    assert SECRET not in json.dumps(list(batch["reports"].values()))


def test_the_sandboxs_user_is_nobodys(batch):
    """As root too, the sandbox runs as an unprivileged host user: root-only files are
    unreadable, /etc holds only what the worker needs, no nested user namespace."""
    r = batch["reports"]
    read = r["fn_reads_root_only_files"]["exercises"][0]["message"]
    userns = r["fn_nested_user_namespace"]["exercises"][0]["message"]
    etc = r["fn_lists_etc"]["exercises"][0]["message"]
    problems = []
    # the grader's own user's files it can read, as that user: the case that matters is root
    if os.geteuid() == 0 and (ROOT_SECRET in json.dumps(list(r.values()))
                              or "read: PermissionError | " not in read):
        problems.append(f"a root-only file was read: {read}")
    if "read: " not in read or "root:" in read:
        problems.append(f"/etc/shadow or /etc/passwd was read: {read}")
    if "userns: " not in userns or "MOUNTED" in userns:
        problems.append(f"a nested user namespace was made: {userns}")
    if "etc: " not in etc or {"passwd", "shadow", "hostname", "ssh"} & set(etc.split()):
        problems.append(f"/etc is all there: {etc[:300]}")
    assert problems == []


def test_a_reply_after_its_time_is_a_timeout():
    """A learner function that ignores SIGALRM and answers 1.2 s after its call's time (within
    the grace before the sandbox is killed): a time-out, not an answer."""
    from nncourse.grading.session import RemoteFunction, Session
    source = ("import signal, time\ndef late(x):\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
              "    end = time.monotonic() + 2.2\n    while time.monotonic() < end:\n        pass\n"
              "    return x\n")
    session = Session([("code cell 1", source)], LIMITS, True)
    try:
        session.run_cells()
        reply = session.call(RemoteFunction("late"), (1.0,), seconds=1.0)
    finally:
        session.close()
    assert reply.status == "timeout", reply


def test_hangs_are_reported_as_time_limits(batch):
    r = batch["reports"]
    for name in ("ignores_sigint_and_sigalrm", "bare_except_loop"):
        assert r[name]["timed_out"] and "time limit" in r[name]["error"], r[name]
    row = r["fn_loop_bare_except"]["exercises"][0]
    assert row["status"] == "timeout" and "time limit" in row["message"]


def test_crashes_and_limits_are_that_submissions_error(batch):
    r = batch["reports"]
    assert "segmentation fault" in r["segfault"]["error"]
    assert "stopped" in r["os_exit"]["error"]
    assert "output limit" in r["output_flood"]["error"]
    assert "memory limit" in r["memory_children"]["error"]


def test_learner_errors_show_the_learners_cell_and_line(batch):
    row = batch["reports"]["fn_surrogate_message"]["exercises"][0]
    assert row["status"] == "error" and "ValueError" in row["message"]
    assert "at code cell" in row["message"] and "raise ValueError" in row["message"]


def test_submissions_are_never_modified(batch):
    for name, path in batch["paths"].items():
        assert read_notebook(path.read_bytes()) is not None


# --- the rest of a grading run -----------------------------------------------------------------

def test_startup_file_does_not_reach_a_later_run(tmp_path):
    """Graded alone after the startup-file attack, a blank notebook still scores 0."""
    (tmp_path / NAME).write_text(nbformat.writes(learner()), encoding="utf-8")
    report, = grade([tmp_path / NAME], seed=1, limits=LIMITS)
    assert report["score"] == 0 and report["error"] is None


def test_hard_coded_visible_cases_fail_the_hidden_ones(tmp_path):
    """An answer that looks up the visible cases passes the notebook's seed only."""
    import numpy as np
    ex = EX
    cases = ex.cases(np.random.default_rng(ex.default_seed))
    table = {c.args[0].tobytes() + c.args[1].tobytes(): float(ex.reference(*c.args))
             for c in cases}
    nb = with_cell(attack_fn("    return TABLE.get(y.tobytes() + y_hat.tobytes(), 0.0)"),
                   f"TABLE = {table!r}")
    (tmp_path / NAME).write_text(nbformat.writes(nb), encoding="utf-8")
    visible, = grade([tmp_path / NAME], seed=ex.default_seed, limits=LIMITS)
    hidden, = grade([tmp_path / NAME], seed=SEED, limits=LIMITS)
    assert visible["exercises"][0]["passed"] and not hidden["exercises"][0]["passed"]


def test_copying_the_reference_is_flagged_and_can_be_forbidden(tmp_path):
    module, _, name = EX.implemented_by[0].rpartition(".")
    nb = attack_fn(f"    from {module} import {name} as theirs\n"
                   f"    return theirs({', '.join(EX.arg_names)})")
    (tmp_path / NAME).write_text(nbformat.writes(nb), encoding="utf-8")
    flagged, = grade([tmp_path / NAME], seed=2, limits=LIMITS)
    forbidden, = grade([tmp_path / NAME], seed=2, limits=LIMITS, forbid_reference=True)
    row = flagged["exercises"][0]
    # the sandbox's nnlib holds only a stub of it (the grading view): 0 either way
    assert not row["passed"] and row["copied_reference"] and EX.id in flagged["copied_reference"]
    assert "course's own implementation" in row["message"]
    assert not forbidden["exercises"][0]["passed"] and forbidden["score"] == 0


def test_correct_answers_that_use_nnlib_classes_get_full_marks(tmp_path):
    """The learner's own imports of nnlib are the grader's too (nothing is re-imported)."""
    nb = solve(learner())
    nb = with_cell(nb, "from nnlib.layers import Dense\nimport nnlib.losses as L\n"
                       "assert isinstance(Dense(2, 3), Dense)")
    (tmp_path / NAME).write_text(nbformat.writes(nb), encoding="utf-8")
    report, = grade([tmp_path / NAME], seed=3, limits=LIMITS)
    assert report["score"] == report["max_score"] and report["error"] is None


@pytest.mark.parametrize("content,words", [
    (b"this is not a notebook", "not a Jupyter notebook"),
    (b'{"hello": "world"}', "not a Jupyter notebook"),
    (b'{"cells": [{"cell_type": "code", "source": "x = 1"}]}', "not one of this course's"),
])
def test_broken_files_get_a_clear_error(tmp_path, content, words):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    report, = grade([path], seed=1, limits=LIMITS)
    assert words in report["error"] and report["score"] == 0


def test_bom_string_sources_and_missing_fields_are_read(tmp_path):
    data = json.loads((SOLUTIONS / NAME).read_text())
    for cell in data["cells"]:
        cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
        cell.pop("id", None)
    data.pop("metadata")
    path = tmp_path / NAME
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    report, = grade([path], seed=1, limits=LIMITS)
    assert report["score"] == report["max_score"] > 0, report


def test_a_file_named_as_another_notebook_is_flagged(tmp_path):
    path = tmp_path / "01_input_flattening.ipynb"
    path.write_bytes((SOLUTIONS / NAME).read_bytes())
    report, = grade([path], seed=1, limits=LIMITS)
    assert report["notebook"] == NOTEBOOK and "holds notebook 04_cost" in report["name_mismatch"]


def test_non_utf8_file_name(tmp_path):
    path = Path(os.fsdecode(bytes(tmp_path) + b"/\xff\xfe.ipynb"))
    path.write_bytes((SOLUTIONS / NAME).read_bytes())
    report, = grade([path], seed=1, limits=LIMITS)
    json.dumps(report, ensure_ascii=False).encode("utf-8")
    assert report["score"] == report["max_score"]


def test_notebook_time_limit_is_decided_by_what_happened(tmp_path):
    """Cells that together overrun the notebook's limit: the report says so, every time."""
    nb = solve(learner())
    for _ in range(3):
        nb = with_cell(nb, "import time\ntime.sleep(2.5)")
    (tmp_path / NAME).write_text(nbformat.writes(nb), encoding="utf-8")
    limits = Limits(cell_timeout=3, notebook_timeout=5, check_time=3)
    for _ in range(2):
        report, = grade([tmp_path / NAME], seed=1, limits=limits)
        assert report["timed_out"] and "time limit" in report["error"]


def test_cli_json_and_csv(tmp_path):
    sub = tmp_path / NAME
    blank = (NOTEBOOKS / NAME).read_bytes()
    sub.write_bytes(blank)
    csv_path, json_path = tmp_path / "book.csv", tmp_path / "out.json"
    subprocess.run([sys.executable, "-m", "nncourse", "grade", str(sub), "--json", str(json_path),
                    "--csv", str(csv_path), "--seed", "1", "--no-progress"],
                   capture_output=True, text=True, check=True)
    reports = json.loads(json_path.read_text())
    assert reports[0]["score"] == 0 and reports[0]["isolation"] == "bubblewrap"
    header = csv_path.read_text().splitlines()[0]
    assert header.startswith("submission,notebook,nb04_") and "modified_check_cells" in header
    assert sub.read_bytes() == blank


def test_every_course_notebook_grades_full_or_zero():
    """The solutions get full marks; the learner versions zero, every check "not implemented"."""
    from nncourse.build.notebooks import solution_paths
    solutions = [p for p in solution_paths(SOLUTIONS) if not p.name.startswith("00_")]
    learners = [NOTEBOOKS / p.name for p in solutions]
    reports = grade(solutions + learners, seed=3, jobs=2)
    n = len(solutions)
    for r in reports[:n]:
        assert r["error"] is None and r["score"] == r["max_score"] > 0, r
    for r in reports[n:]:
        assert r["score"] == 0 and r["error"] is None, r
        assert all("not implemented yet" in e["message"] for e in r["exercises"]), r


def test_answers_using_the_learners_own_nnlib_objects_get_full_marks(tmp_path):
    """`isinstance(network, Network)` and nnlib's SGD inside train_ssr: the objects the grader's
    drivers build come from the same nnlib the learner imported (nothing is re-imported)."""
    name = "07_sigmoid_vs_relu.ipynb"
    nb = nbformat.read(SOLUTIONS / name, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "nb07_train_ssr_solution":
            cell.source = (
                "from nnlib.network import Network\nfrom nnlib.layers import Dense\n"
                "from nnlib.optimizers import SGD\nfrom nnlib import losses\n"
                "def train_ssr(network, X, y, lr, epochs):\n"
                "    assert isinstance(network, Network)\n"
                "    assert any(isinstance(layer, Dense) for layer in network.layers)\n"
                "    optimizer = SGD(network.parameters(), lr=lr)\n"
                "    history = []\n"
                "    for _ in range(epochs):\n"
                "        y_hat = network.forward(X)\n"
                "        history.append(float(losses.ssr(y, y_hat)))\n"
                "        optimizer.zero_grad()\n"
                "        network.backward(losses.ssr_grad(y, y_hat))\n"
                "        optimizer.step()\n"
                "    return history\n")
    path = tmp_path / name
    nbformat.write(nb, path)
    report, = grade([path], seed=4, limits=Limits(cell_timeout=30))
    row = next(e for e in report["exercises"] if e["id"] == "nb07_train_ssr")
    assert row["passed"], row["message"]
    assert report["score"] == report["max_score"], report


def _capped(mb):
    def cap():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (mb * 2**20, resource.RLIM_INFINITY))
    return cap


# --- only regular files are submissions (#23.2) -------------------------------------------------

def test_only_regular_files_are_graded(tmp_path):
    """Symbolic links (to the solutions, to a classmate's file, to /dev/zero), a FIFO, a socket,
    a device and a file over the size limit: each that file's clear error, before any read,
    and the batch ends; the classmate's own file keeps its marks."""
    import socket as sockets
    import stat
    max_file_bytes = 32 * 2**20      # nncourse.grading.reading.MAX_FILE_BYTES
    folder = tmp_path / "class"
    for who in ("bob", "carol", "dave", "eve", "frank", "gina", "hank", "ivan"):
        (folder / who).mkdir(parents=True)
    (folder / "dave" / NAME).write_bytes((SOLUTIONS / NAME).read_bytes())
    os.symlink(SOLUTIONS.resolve() / NAME, folder / "bob" / NAME)
    os.symlink(f"../dave/{NAME}", folder / "carol" / NAME)
    os.symlink("/dev/zero", folder / "eve" / NAME)
    fifo = folder / "frank" / NAME
    os.mkfifo(fifo)
    with open(folder / "gina" / NAME, "wb") as f:      # sparse: no disk used
        f.truncate(max_file_bytes + 1)
    if os.geteuid() == 0:
        os.mknod(folder / "hank" / NAME, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    server = sockets.socket(sockets.AF_UNIX)
    server.bind(str(folder / "ivan" / NAME))
    # a real `nncourse grade`, its memory capped: reading /dev/zero must not take the machine
    out = tmp_path / "out.json"
    cmd = [sys.executable, "-m", "nncourse", "grade", str(folder), "--json", str(out), "--seed",
           "1", "--no-progress", "--jobs", "2", "--timeout", "3", "--check-time", "3"]
    try:
        subprocess.run(cmd, capture_output=True, timeout=120, preexec_fn=_capped(4096))
        hung = False
    except subprocess.TimeoutExpired:      # today's main blocks in the FIFO
        hung = True
    server.close()
    assert not hung, "a FIFO hung the grader"
    out = json.loads(out.read_text())
    r = {Path(x["submission"]).parent.name: x for x in out}
    assert r["dave"]["score"] == r["dave"]["max_score"] > 0, r["dave"]
    expected = {"bob": "symbolic link", "carol": "symbolic link", "eve": "symbolic link",
                "frank": "FIFO", "gina": "over 32 MB", "ivan": "socket"}
    if os.geteuid() == 0:
        expected["hank"] = "device"
    for who, words in expected.items():
        assert r[who]["score"] == 0 and r[who]["notebook"] is None, r[who]
        assert words in r[who]["error"] and r[who]["error_kind"] in ("not_a_file", "too_large")


def test_hard_links_to_the_course_or_a_batchmate_are_refused(tmp_path):
    """A hard link (unzip and tar restore them too) to the course's solution, and two
    submissions that are one file: each that file's clear error, before it is read. A file
    that also has a name outside the batch and the course is graded as usual."""
    import tempfile
    with tempfile.TemporaryDirectory(dir=SOLUTIONS.parent, prefix=".hardlinks-") as near:
        # a hard link needs one file system: the class folder beside the course's solutions
        folder = Path(near) / "class"
        for who in ("bob", "carol", "dave", "erin"):
            (folder / who).mkdir(parents=True)
        os.link(SOLUTIONS / NAME, folder / "bob" / NAME)
        (folder / "dave" / NAME).write_bytes((SOLUTIONS / NAME).read_bytes())
        os.link(folder / "dave" / NAME, folder / "carol" / NAME)
        (folder / "erin" / NAME).write_bytes((SOLUTIONS / NAME).read_bytes())
        os.link(folder / "erin" / NAME, tmp_path / "erins-backup.ipynb")
        out = tmp_path / "out.json"
        subprocess.run([sys.executable, "-m", "nncourse", "grade", str(folder), "--json",
                        str(out), "--seed", "1", "--no-progress", "--jobs", "2"],
                       capture_output=True, timeout=300)
        r = {Path(x["submission"]).parent.name: x for x in json.loads(out.read_text())}
    assert r["erin"]["score"] == r["erin"]["max_score"] > 0, r["erin"]
    assert "solutions/04_cost.ipynb" in r["bob"]["error"], r["bob"]
    assert "another submission" in r["carol"]["error"] and "dave/" in r["carol"]["error"]
    assert "another submission" in r["dave"]["error"] and "carol/" in r["dave"]["error"]
    for who in ("bob", "carol", "dave"):
        assert r[who]["score"] == 0 and r[who]["notebook"] is None, r[who]
        assert "hard link" in r[who]["error"] and r[who]["error_kind"] == "not_a_file"


# --- a grader no input can exhaust (#23.4) -----------------------------------------------------

def _code_cell(source):
    return nbformat.v4.new_code_cell(source)


def test_no_input_exhausts_the_grader(tmp_path):
    """Huge and deeply nested reply frames, a huge cell, a notebook of millions of JSON
    values, thousands of failing cells: the grader (a real ``nncourse grade``) stays small,
    each is that submission's error, reports stay small, and a solved notebook with one cell
    over the per-cell limit keeps its marks (that cell alone is not run)."""
    frame = ("    import os, struct\n    fd = int(os.environ.get('NNCOURSE_REPLY_FD', '3'))\n"
             "    body = BODY\n    os.write(fd, struct.pack('>I', len(body)) + body)\n"
             "    return 0.0")
    subs = {
        "frame_of_lists": attack_fn(frame.replace("BODY", "b'[' + b'[],' * 10_000_000 + b'[]]'")),
        "frame_nested": attack_fn(frame.replace("BODY", "b'[' * 100_000 + b']' * 100_000")),
        "huge_cell": with_cell(solve(learner()), "x = 1\n" * 350_000),
        "long_cell_solved": with_cell(solve(learner()), "x = 1\n" * 20_000),
        "many_failing_cells": solve(learner()),
    }
    subs["many_failing_cells"].cells += [_code_cell("raise ValueError('x' * 250)")
                                         for _ in range(1900)]
    paths = []
    for name, nb in subs.items():
        (tmp_path / name).mkdir()
        paths.append(tmp_path / name / NAME)
        paths[-1].write_text(nbformat.writes(nb), encoding="utf-8")
    (tmp_path / "json_values").mkdir()
    paths.append(tmp_path / "json_values" / NAME)
    data = json.loads((SOLUTIONS / NAME).read_text())
    data["cells"][0]["metadata"]["x"] = [[] for _ in range(3_000_000)]
    paths[-1].write_text(json.dumps(data))
    out = tmp_path / "out.json"
    proc = subprocess.Popen([sys.executable, "-m", "nncourse", "grade", *map(str, paths),
                             "--json", str(out), "--seed", "1", "--no-progress", "--jobs", "2",
                             "--timeout", "3", "--notebook-timeout", "8", "--check-time", "3",
                             "--memory", "1024"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, stderr[-2000:]
    peak_mb = usage.ru_maxrss / 1024
    print(f"the grader peaked at {peak_mb:.0f} MB")
    r = {Path(x["submission"]).parent.name: x for x in json.loads(out.read_text())}
    for name in ("frame_of_lists", "frame_nested"):
        assert r[name]["score"] == 0 and r[name]["error_kind"] is None, r[name]   # not "grader"
        assert "the grader failed" not in json.dumps(r[name]), r[name]
    assert r["huge_cell"]["error_kind"] == "too_large" and r["huge_cell"]["score"] == 0
    assert r["json_values"]["error_kind"] == "too_large" and "JSON values" in r["json_values"]["error"]
    solved = r["long_cell_solved"]
    assert solved["score"] == solved["max_score"] > 0, solved
    assert any("not run" in e and "limit" in e for e in solved["cell_errors"]), solved
    failing = r["many_failing_cells"]
    assert len(failing["cell_errors"]) <= 21 and len(json.dumps(failing)) < 100_000
    for report in r.values():
        assert len(json.dumps(report)) < 100_000
    assert peak_mb < 600, f"the grader peaked at {peak_mb:.0f} MB"


def test_replays_count_against_the_notebook_time(tmp_path):
    """Every check kills the sandbox, so every check replays the notebook's slow cells: the
    replays share the notebook's time limit, so grading ends soon after it."""
    exits = {e.name: f"def {e.function}(*args, **kwargs):\n    import os\n    os._exit(1)\n"
             for e in registry.load_all().values() if e.notebook == NOTEBOOK}
    nb = solve(learner(), replace=exits)
    for _ in range(6):
        nb = with_cell(nb, "import time\ntime.sleep(1.5)")
    (tmp_path / NAME).write_text(nbformat.writes(nb), encoding="utf-8")
    limits = Limits(cell_timeout=3, notebook_timeout=12, check_time=3, memory_mb=1024)
    start = time.monotonic()
    report, = grade([tmp_path / NAME], seed=1, limits=limits)
    elapsed = time.monotonic() - start
    print(f"graded in {elapsed:.1f} s")
    assert report["score"] == 0
    assert "time limit" in json.dumps(report), report
    assert elapsed < limits.notebook_timeout + 12, elapsed
