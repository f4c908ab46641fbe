"""The tooling parses Python in threads (the grader reads submissions with ``--jobs``);
CPython 3.11's ``ast.parse`` is not thread-safe (python/cpython#106905), so every parse goes
through :func:`nncourse.pysource.parse`, which holds a lock."""

import gc
import threading
import time
from pathlib import Path

from nncourse.pysource import parse

ROOT = Path(__file__).resolve().parents[1]


class _Yields:
    def __del__(self):
        time.sleep(0)     # a finalizer the GC runs mid-parse, letting another thread in


def _parse_in_threads(parse_function, threads=4, rounds=40):
    source = (ROOT / "nnlib" / "autograd.py").read_text() * 3
    errors = []

    def work():
        for _ in range(rounds):
            junk = [_Yields() for _ in range(50)]
            for j in junk:
                j.me = j          # cycles, so the GC (not refcounting) frees them
            del junk
            try:
                parse_function(source)
            except SystemError as e:
                errors.append(str(e))

    before = gc.get_threshold()
    gc.set_threshold(50)
    try:
        workers = [threading.Thread(target=work) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        gc.set_threshold(*before)
    return errors


def test_parse_in_threads_never_fails():
    assert _parse_in_threads(parse) == []


def test_no_tooling_module_calls_ast_parse_directly():
    """A direct ``ast.parse`` in nncourse would bring the race back (code run in a Python of its
    own, in a string, is not the grader's)."""
    import ast
    calls = []
    for path in sorted((ROOT / "nncourse").rglob("*.py")):
        if path.name == "pysource.py":
            continue
        for node in ast.walk(parse(path.read_text())):
            func = getattr(node, "func", None)
            if isinstance(node, ast.Call) and isinstance(func, ast.Attribute) \
                    and func.attr == "parse" and getattr(func.value, "id", "") == "ast" \
                    or isinstance(node, ast.ImportFrom) and node.module == "ast" \
                    and any(a.name == "parse" for a in node.names):
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls == []


def test_parse_is_ast_parse():
    import ast
    tree = parse("def f(x):\n    return x + 1\n")
    assert isinstance(tree, ast.Module) and tree.body[0].name == "f"
