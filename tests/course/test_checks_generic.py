"""Rules every exercise check follows, tested over the whole registry: the reference passes,
every listed mistake is rejected *and named*, stubs read "not implemented yet", learner errors
and infinite loops end in a message, and nothing ever raises out of a check."""

import os

import pytest

from nncourse.checks import notebook as check_module
from nncourse.checks import judging, registry

ALL = registry.load_all()
IDS = list(ALL)
MISTAKES = [(ex_id, m) for ex_id, ex in ALL.items() for m in ex.mistakes]


@pytest.mark.parametrize("ex_id", IDS)
def test_reference_passes(ex_id):
    result = judging.run(ALL[ex_id], ALL[ex_id].reference)
    assert result.passed, result.message
    assert result.message.startswith("✔ ") and f"{result.cases_total}/{result.cases_total}" in result.message


@pytest.mark.parametrize("ex_id", IDS)
def test_reference_passes_hidden_seeds(ex_id):
    for seed in (1, 12345):
        result = judging.run(ALL[ex_id], ALL[ex_id].reference, seed=seed)
        assert result.passed, result.message


@pytest.mark.parametrize("ex_id,mistake", MISTAKES,
                         ids=[f"{i}-{m.name}" for i, m in MISTAKES])
def test_each_known_mistake_is_rejected_and_named(ex_id, mistake):
    result = judging.run(ALL[ex_id], mistake.fn)
    assert result.status == "failed", result.message
    assert mistake.hint in result.message, result.message


@pytest.mark.parametrize("ex_id", IDS)
def test_stub_reads_not_implemented(ex_id):
    def stub(*args, **kwargs):
        raise NotImplementedError()
    result = judging.run(ALL[ex_id], stub)
    assert result.status == "not_implemented"
    assert "not implemented yet" in result.message


@pytest.mark.parametrize("ex_id", IDS)
def test_infinite_loop_hits_the_time_limit(ex_id):
    def forever(*args, **kwargs):
        while True:
            pass
    result = judging.run(ALL[ex_id], forever, check_time=0.3)
    assert result.status == "timeout" and "time limit" in result.message


@pytest.mark.parametrize("ex_id", IDS)
def test_learner_error_is_shown_as_theirs(ex_id):
    def broken(*args, **kwargs):
        return 1 / 0
    result = judging.run(ALL[ex_id], broken)
    assert result.status == "error"
    assert "ZeroDivisionError: division by zero" in result.message
    assert "return 1 / 0" in result.message          # their line, not the checker's
    assert "checking.py" not in result.message and "Traceback" not in result.message


@pytest.mark.parametrize("ex_id", IDS)
def test_not_a_function(ex_id):
    result = judging.run(ALL[ex_id], None)
    assert result.status == "error" and "expected a function" in result.message


def test_check_prints_records_and_never_raises(capsys):
    ex = ALL[IDS[0]]

    def stub(*args):
        raise NotImplementedError()

    assert getattr(check_module.check, ex.name)(stub) is None
    out = capsys.readouterr().out
    assert "not implemented yet" in out and out.count("\n") == 1
    assert check_module.RESULTS[ex.id]["status"] == "not_implemented"


def test_failing_check_raises_under_nbgrader(monkeypatch, capsys):
    ex = ALL[IDS[0]]
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError, match="not implemented"):
        getattr(check_module.check, ex.name)(lambda *a: (_ for _ in ()).throw(NotImplementedError()))
    getattr(check_module.check, ex.name)(ex.reference)  # a pass does not raise
    assert "✔" in capsys.readouterr().out


def test_unknown_check_name():
    with pytest.raises(AttributeError, match="no check called"):
        check_module.check.flaten


def test_ids_and_names_are_unique_and_well_formed():
    names = [e.name for e in ALL.values()]
    assert len(set(names)) == len(names)
    for ex in ALL.values():
        assert ex.id.startswith("nb" + ex.notebook[:2] + "_"), ex.id
        assert ex.points >= 1 and ex.verifies


def test_timeout_restores_the_alarm_handler():
    import signal
    before = signal.getsignal(signal.SIGALRM)
    judging.run(ALL[IDS[0]], lambda *a: None)
    assert signal.getsignal(signal.SIGALRM) is before
    assert os.environ.get("NBGRADER_EXECUTION") is None
