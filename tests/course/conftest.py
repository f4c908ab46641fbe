import pytest

from nncourse.checks import judging, registry

ALL = registry.load_all()


def run(exercise_id, fn, seed=None, check_time=judging.CHECK_TIME):
    return judging.run(ALL[exercise_id], fn, seed=seed, check_time=check_time)


@pytest.fixture
def judge():
    """``judge(id, fn)`` -> Result, for the per-notebook check tests."""
    return run
