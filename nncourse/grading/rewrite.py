"""Rewriting a module's source for the grading view (:mod:`nncourse.grading.view`): functions
made *stubs* (their body replaced by a line that sends :data:`EVENT` and raises) or *tripwires*
(their body kept after a line that sends :data:`TRIPWIRE` and raises unless the worker's audit
hook acknowledges it). Docstrings stay, so ``help()`` reads the same; the result must parse.
"""

import ast

from nncourse.pysource import parse

EVENT = "nncourse.reference"     # the audit event a stub sends: args (exercise ids, "a,b")
TRIPWIRE = "nncourse.tripwire"   # the event a tripwire sends: args (ids, a list the hook fills)


def tripwire_statement(ids):
    """A tripwire's first line: :data:`TRIPWIRE`, then NotImplementedError unless seen."""
    return (f'(lambda seen: __import__("sys").audit("{TRIPWIRE}", "{",".join(ids)}", seen) '
            'or seen)([]) or (_ for _ in ()).throw(NotImplementedError())')


def stub_statement(ids):
    return f'__import__("sys").audit("{EVENT}", "{",".join(ids)}"); raise NotImplementedError'


def stub_expression(ids):
    return (f'__import__("sys").audit("{EVENT}", "{",".join(ids)}") or '
            '(_ for _ in ()).throw(NotImplementedError())')


def _offsets(text):
    """(line, UTF-8 byte column) as ast gives them -> offset in ``text``."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return lambda line, col: starts[line - 1] + len(lines[line - 1].encode()[:col].decode())


def _called_at_import(tree):
    """Names the module calls while it is imported (nb06 builds its mistakes with ``_adagrad``
    at import: such a factory stays, the functions it makes are stubbed)."""
    names, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo += [d for d in getattr(node, "decorator_list", [])]
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            names.add(node.func.id)
        todo += list(ast.iter_child_nodes(node))
    return names


def rewrite(text, lines, trips=None):
    """``text`` with the functions starting at ``lines`` ({line: ids}) stubbed (or given the
    body ``ids`` when it is a string), and those starting at ``trips`` ({line: ids}) made
    tripwires: their body kept, after :func:`tripwire_statement`."""
    tree = parse(text)
    at = _offsets(text)
    at_import = _called_at_import(tree)
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            ids = lines.get(first) or lines.get(node.lineno)
            trip = (trips or {}).get(first) or (trips or {}).get(node.lineno)
            if not (ids or trip) or ids and node in tree.body and node.name in at_import:
                continue
            body = node.body
            if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]           # the docstring stays: help() reads the same
            if not body:
                continue
            start = at(body[0].lineno, body[0].col_offset)
            if not ids:                   # a tripwire: its line first, on the body's indent
                indent = text[text.rfind("\n", 0, start) + 1:start]
                edits.append((start, start, tripwire_statement(trip) + (
                    "\n" + indent if not indent.strip() else "; ")))
                continue
            edits.append((start, at(body[-1].end_lineno, body[-1].end_col_offset),
                          ids if isinstance(ids, str) else stub_statement(ids)))
        elif isinstance(node, ast.Lambda) and lines.get(node.lineno):
            edits.append((at(node.body.lineno, node.body.col_offset),
                          at(node.body.end_lineno, node.body.end_col_offset),
                          stub_expression(lines[node.lineno])))
    # a stub inside a body stubbed as a whole goes with it; the rest, last first
    edits = [e for e in edits if not any(o[0] <= e[0] and e[1] <= o[1] and o != e
                                         for o in edits)]
    out = text
    for start, stop, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[stop:]
    parse(out)    # the view must import: a broken rewrite fails here, in the grader
    return out
