import pytest

from nncourse import checking, exercises

ALL = exercises.load_all()


def run(exercise_id, fn, seed=None, time_limit_s=checking.TIME_LIMIT):
    return checking.run(ALL[exercise_id], fn, seed=seed, time_limit_s=time_limit_s)


@pytest.fixture
def judge():
    """``judge(id, fn)`` -> Result, for the per-notebook check tests."""
    return run
