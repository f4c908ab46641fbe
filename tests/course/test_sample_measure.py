"""benchmarks/sample_measure.py (the held-out measurement) still runs: a few answers of our own,
one of each outcome, in a samples file of its own (the real samples live outside the repo)."""

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "sample_measure.py"


def load():
    spec = importlib.util.spec_from_file_location("sample_measure", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample(kind, code, function="standard_error", notebook="09_generalization"):
    return {"notebook": notebook, "function": function, "kind": kind, "mistake": "", "code": code}


def test_each_outcome_is_counted(tmp_path, capsys):
    samples = [
        sample("right", "def standard_error(accuracy, n):\n"
                        "    return float(np.sqrt(accuracy * (1 - accuracy) / n))\n"),
        sample("wrong", "def standard_error(accuracy, n):\n"
                        "    return accuracy * (1 - accuracy) / n\n"),
        sample("wrong", "def standard_error(accuracy, n):\n    return None\n"),
        sample("wrong", "def standard_error(accuracy, n):\n    return 0.0123\n"),
        sample("wrong", "def standard_error(accuracy, n)\n    return 0\n"),
        # a later exercise sees the solutions of the earlier ones (here, nnlib's Value is there)
        sample("right", "def backprop(root):\n    root.grad = 1.0\n"
                        "    for node in reversed(topological_order(root)):\n"
                        "        node._backward()\n", "backprop", "10_autograd"),
    ]
    path = tmp_path / "samples.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in samples), encoding="utf-8")
    module = load()
    rows = module.measure(samples, [])
    assert [r["outcome"] for r in rows] == ["accepted", "named", "explained", "unnamed",
                                           "cell fails", "accepted"]
    assert rows[1]["named"] == "no square root"
    module.main([str(path), "--json", str(tmp_path / "rows.json")])
    out = capsys.readouterr().out
    assert "nb09_standard_error" in out and "all" in out
    assert len(json.loads((tmp_path / "rows.json").read_text())) == len(samples)


def test_the_grader_is_compared_with_the_notebook_check():
    import pytest
    from nncourse.grading.sandbox import isolation_available
    if isolation_available() is None:
        pytest.skip("needs bubblewrap (apt-get install bubblewrap); .ci/run installs it")
    module = load()
    samples = [sample("wrong", "def standard_error(accuracy, n):\n"
                               "    return accuracy * (1 - accuracy) / n\n"),
               sample("right", "def standard_error(accuracy, n):\n"
                               "    return (accuracy * (1 - accuracy) / n) ** 0.5\n")]
    rows = module.measure(samples, [])
    module.grade_with_grader(rows, jobs=1)
    assert [r["grader"]["passed"] for r in rows] == [False, True]
    assert rows[0]["grader"]["mistake"] == "no square root"
    assert "2 of 2 answers get the same verdict" in module.agreement(rows)
