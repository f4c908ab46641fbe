"""What every notebook's mistake catalog (tests/course/test_catalog_nbNN.py) asserts.

A catalog is ``WRONG``, a list of ``(exercise_id, expected, fn)`` where ``expected`` is the name
of the Mistake the check must name (or ``says(text)``: the message must say ``text``, for errors,
lists and changes in place), and ``RIGHT``, a list of ``(exercise_id, fn)`` of correct answers
written other ways. ``catalog_tests`` makes the four tests each catalog runs.
"""

import pytest

from .conftest import ALL, run


def says(text):
    """An expectation on the message (an error, a list, a change in place), not a Mistake."""
    return ("says", text)


def check_wrong(exercise_id, expected, fn, unnamed_messages=True):
    r = run(exercise_id, fn)
    assert not r.passed, f"a wrong answer passed: {r.message}"
    if isinstance(expected, tuple):
        assert expected[1] in r.message, r.message
        if unnamed_messages:      # (the toolkit names an input changed in place itself)
            assert r.mistake is None or r.mistake.name == "input changed in place", r.message
    else:
        assert r.mistake is not None, f"not named (expected {expected!r}):\n{r.message}"
        assert r.mistake.name == expected, r.message
        assert r.mistake.hint in r.message


def check_self_naming(exercise_id):
    for m in ALL[exercise_id].mistakes:
        r = run(exercise_id, m.fn)
        assert r.mistake is not None and r.mistake.name == m.name, (m.name, r.message)


def catalog_tests(ids, wrong, right, unnamed_messages=True):
    """The catalog's tests, to put in its module: ``globals().update(catalog_tests(...))``."""
    @pytest.mark.parametrize("exercise_id, expected, fn", wrong,
                             ids=[f"{e}-{x if isinstance(x, str) else x[1]}-{i}"
                                  for i, (e, x, _) in enumerate(wrong)])
    def test_wrong_answer_rejected_and_named(exercise_id, expected, fn):
        check_wrong(exercise_id, expected, fn, unnamed_messages)

    @pytest.mark.parametrize("exercise_id, fn", right,
                             ids=[f"{e}-{i}" for i, (e, _) in enumerate(right)])
    def test_correct_answer_accepted(exercise_id, fn):
        r = run(exercise_id, fn)
        assert r.passed, r.message

    @pytest.mark.parametrize("exercise_id", ids)
    def test_catalog_size(exercise_id):
        assert sum(e == exercise_id for e, _, _ in wrong) >= 10   # issue 22: at least ten
        assert sum(e == exercise_id for e, _ in right) >= 3

    @pytest.mark.parametrize("exercise_id", ids)
    def test_every_known_mistake_is_named_as_itself(exercise_id):
        check_self_naming(exercise_id)

    return {f.__name__: f for f in (test_wrong_answer_rejected_and_named,
                                    test_correct_answer_accepted, test_catalog_size,
                                    test_every_known_mistake_is_named_as_itself)}
