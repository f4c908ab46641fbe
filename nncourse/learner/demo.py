"""Helpers for a notebook's demo cells, the cells that run the learner's own code (notebook 12
runs nothing but the learner's functions after each exercise). Nothing here knows an answer."""

import contextlib


@contextlib.contextmanager
def until_implemented(what, after=()):
    """Run a demo cell of the learner's own code; while a function it calls is still the stub,
    say so in one line instead of stopping the notebook (so that "run all" reaches the end).
    ``after`` names the results of earlier demo cells this one uses: while one of them is not
    there yet (its cell waited too), this cell waits as well. Any other error is the
    learner's, and shows as it is."""
    try:
        yield
    except NotImplementedError:
        print(f"(this cell runs your own code: run it again when you have written {what})")
    except NameError as exc:
        if getattr(exc, "name", None) not in after:
            raise
        print(f"(this cell uses `{exc.name}` from a cell above that is still waiting for your "
              f"code: run it again when you have written {what})")
