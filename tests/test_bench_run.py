"""benchmarks/run.py, the one entry point of `make bench`: its comparison of two stored runs and
its argument errors (the benchmarks themselves are timed by `make bench`, never by tests)."""

import json
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def stored_run(date, ratio, seconds):
    row = {"label": "nnlib ÷ numpy loop", "value": ratio, "unit": "×", "q1": ratio - 0.01,
           "q3": ratio + 0.01, "target": "≤ 1.00", "met": ratio <= 1, "note": ""}
    grade = dict(row, label="nncourse grade --jobs 2 (bubblewrap)", value=seconds, unit="s/sub")
    return {"date": date, "commit": "abc1234", "machine": {"cores": 2, "threads": 1},
            "sections": {"train": {"seconds": 60.0, "load_before": 3.0, "load_after": 4.0}},
            "figures": {"train.nnlib_over_numpy": row, "grading.nncourse_s": grade},
            "raw": {}, "seconds": 60.0}


def run(*args):
    return subprocess.run([sys.executable, str(RUN), *map(str, args)], capture_output=True,
                          text=True, timeout=120)


def test_compare_prints_two_stored_runs_side_by_side(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(stored_run("2026-12-01T10:00:00+00:00", 1.10, 1.0)))
    new.write_text(json.dumps(stored_run("2026-12-04T19:51:50+00:00", 0.99, 0.5)))
    done = run("--compare", old, new)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("nnlib ÷ numpy loop"))
    assert line.split()[-3:] == ["1.100", "0.990", "0.90"]
    line = next(x for x in done.stdout.splitlines() if x.startswith("nncourse grade"))
    assert line.split()[-1] == "0.50"
    assert "2026-12-01" in done.stdout and "19:51" in done.stdout


def test_an_unknown_section_is_a_usage_error():
    done = run("--only", "trian")
    assert done.returncode == 2
    assert "unknown section(s) trian; choose from train, grading, course, hub" in done.stderr
