import pytest

from nncourse import checking, exercises

ALL = exercises.load_all()


def run(exercise_id, fn, seed=None, check_time=checking.CHECK_TIME):
    return checking.run(ALL[exercise_id], fn, seed=seed, check_time=check_time)


@pytest.fixture
def judge():
    """``judge(id, fn)`` -> Result, for the per-notebook check tests."""
    return run
