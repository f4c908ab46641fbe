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
    # (a Mistake.error is named by the error it raises: the verdict is then "error")
    assert result.status == ("error" if mistake.raises else "failed") or (
        result.status == "error" and getattr(result.mistake, "name", None) == mistake.name), result.message
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
    # a pass does not raise: the reference's code written again, as a learner's own (the
    # reference itself is refused: it is the course's own implementation)
    import inspect
    import textwrap
    space = dict(vars(inspect.getmodule(ex.reference)))
    exec(textwrap.dedent(inspect.getsource(ex.reference)), space)
    getattr(check_module.check, ex.name)(space[ex.reference.__name__])
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


def test_notebook_and_grader_share_one_stale_definition_rule():
    """running.note_cell decides for both: a def whose cell failed before it ran is stale, and
    neither the notebook's runner nor the grader's worker judges the old definition."""
    import signal

    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell

    from nncourse.checks import running
    from nncourse.grading.plain import encode
    from nncourse.grading.session import decode_reply
    from nncourse.grading.worker import Worker

    handler = signal.getsignal(signal.SIGALRM)
    worker = Worker()
    try:
        _stale_rule_in(worker, running, encode, decode_reply, np)
    finally:          # this process is no kernel: leave no shell and no alarm handler behind
        InteractiveShell.clear_instance()
        signal.signal(signal.SIGALRM, handler)


def _stale_rule_in(worker, running, encode, decode_reply, np):
    good = "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
    assert worker.run_cell(good, "code cell 1", 10)["ok"]
    assert not worker.run_cell("def sigmoid(z)\n    return z", "code cell 2", 10)["ok"]
    args = encode((np.zeros(2),))
    reply = decode_reply(worker.call("sigmoid", args, None, 5))
    assert reply.status == "stale"
    assert "stopped with an error before its new definition ran" in reply.error["text"]
    assert "code cell 2" in reply.error["text"]
    # the def ran and the error came after it: the new definition is judged
    assert not worker.run_cell("def sigmoid(z):\n    return z\nsigmoid(undefined)", "code cell 3",
                               10)["ok"]
    reply = decode_reply(worker.call("sigmoid", args, None, 5))
    assert reply.status == "ok" and np.array_equal(reply.out, np.zeros(2))
    # as the grader runs a notebook: the check right after a cell sees the function as it is
    # there; a broken scratch cell after the check does not make that answer stale
    assert worker.run_cell(good.replace("sigmoid", "tanh"), "code cell 5", 10,
                           capture=("tanh",))["ok"]
    assert not worker.run_cell("def tanh(z)\n    return z", "code cell 6", 10)["ok"]
    assert decode_reply(worker.call("tanh", args, None, 5)).status == "ok"
    assert not worker.run_cell("def tanh(z)\n    return z", "code cell 7", 10,
                               capture=("tanh",))["ok"]
    assert decode_reply(worker.call("tanh", args, None, 5)).status == "stale"
    # a never-defined function whose cell failed is "missing", with the cell's error
    assert not worker.run_cell("def relu(z)\n    return z", "code cell 4", 10)["ok"]
    reply = decode_reply(worker.call("relu", args, None, 5))
    assert reply.status == "missing" and "never defined" in reply.error["text"]
    # the notebook: the same rule, the same message, through the runner
    running.STALE["stale_fn"] = "SyntaxError: invalid syntax (line 1)"
    try:
        def stale_fn(z):
            return z
        result = judging.run(ALL["nb02_sigmoid"], stale_fn)
        assert result.status == "error"
        assert running.stale_message("stale_fn", running.STALE["stale_fn"]) in result.message
    finally:
        running.STALE.pop("stale_fn")


def test_call_records_warnings_and_refuses_them_when_asked():
    import numpy as np

    from nncourse.checks.judging import Case, Context

    ctx = Context("demo", np.random.default_rng(0), ("z",))
    case = Case("z = [1000]", (np.array([1000.0]),))
    assert ctx.call(lambda z: np.exp(z), *case.args, case=case)[0] == np.inf
    assert ctx.warnings and "overflow encountered in exp" in ctx.warnings[0]
    with pytest.raises(judging.Stop, match="emitted a warning: RuntimeWarning: overflow"):
        ctx.call(lambda z: np.exp(z), *case.args, case=case, forbid_warnings=True)
    assert ctx.call(lambda z: np.exp(-z), *case.args, case=case, forbid_warnings=True)[0] == 0


# --- inputs changed in place: one guard for every exercise --------------------------------------

# What a statement says an exercise may change in place (everything else it is given must stay
# as it was): an optimizer's w (notebook 06, as nnlib's optimizers do) and its state dict, a
# network being trained.
MAY_CHANGE_IN_PLACE = {"nb06_momentum_update": ("w",), "nb06_adagrad_update": ("w",),
                       "nb06_rmsprop_update": ("w",), "nb06_adam_update": ("w",),
                       "nb06_adadelta_update": ("w",)}
MINE = ("nb01", "nb02", "nb03", "nb04", "nb05", "nb06", "nb07", "nb08", "nb09", "nb10", "nb11")


def _copy_data(value):
    import copy

    import numpy as np
    if isinstance(value, (np.ndarray, list, tuple)):
        return copy.deepcopy(value)
    return value            # objects (a network, an optimizer, a state dict) are the answer's own


def _scribble(value):
    """Change ``value`` in place if it holds data; True when something was changed."""
    import numpy as np
    if isinstance(value, np.ndarray) and value.size and value.flags.writeable:
        if value.dtype == bool:
            value[...] = ~value
        else:
            value += 1
        return True
    if isinstance(value, list) and value:
        if any(_scribble(v) for v in value):
            return True
        value.append(value[0])
        return True
    if isinstance(value, tuple):
        return any([_scribble(v) for v in value])
    return False


@pytest.mark.parametrize("ex_id", [i for i in IDS if i.startswith(MINE)])
def test_an_answer_that_changes_its_inputs_in_place_is_rejected(ex_id):
    """The reference's answer, returned after scribbling on every data input in place: rejected
    with "in place" unless the statement lets the exercise change that input."""
    ex = ALL[ex_id]
    allowed = MAY_CHANGE_IN_PLACE.get(ex_id, ())
    changed = []

    def scribbler(*args):
        out = ex.reference(*[_copy_data(a) for a in args])
        names = ex.arg_names or [f"argument {i + 1}" for i in range(len(args))]
        for name, value in zip(names, args):
            if name not in allowed and _scribble(value):
                changed.append(name)
        return out
    result = judging.run(ex, scribbler)
    if not changed:
        assert result.passed, result.message        # nothing it could change: still right
        return
    assert not result.passed and "in place" in result.message, result.message


# --- values that differ below the printed precision ----------------------------------------------

def test_two_different_values_never_read_the_same():
    """"expected 0.2625, got 0.2625" is no help: show the digits where they differ."""
    import numpy as np

    from nncourse.checks.comparing import problem, show_pair
    a, b = 0.2625, 0.2625 + 3e-6
    why = problem(b, a, rtol=1e-9, atol=0)
    assert "0.2625" in why and why.split("expected ")[1].split(",")[0] != why.split("got ")[1][:9]
    e, g = show_pair(np.float64(a), np.float64(b))
    assert e != g and e.startswith("float64 0.2625") and g.startswith("float64 0.262503")
    arr_e, arr_g = np.array([0.2625, 1.0]), np.array([0.2625 + 3e-6, 1.0])
    shown_e, shown_g = show_pair(arr_e, arr_g)
    assert shown_e != shown_g and "0.262503" in shown_g
    why = problem(arr_g, arr_e, rtol=1e-9, atol=0)
    assert "expected 0.2625," in why and "got 0.262503" in why
    assert show_pair(0.5, 0.25) == ("float 0.5", "float 0.25")        # short when they differ


def test_a_case_failure_shows_the_digits_that_differ():
    from nncourse.checks import judging
    from nncourse.checks.judging import Case
    ctx = judging.Context("demo", None)
    case = Case("one number", (1.0,))
    with pytest.raises(judging.Stop) as stop:
        ctx.compare(0.2625 + 3e-6, 0.2625, case, rtol=1e-9, atol=0)
    assert "expected: float 0.2625\n" in stop.value.message + "\n"
    assert "got:      float 0.262503" in stop.value.message
