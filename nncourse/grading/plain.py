"""Plain data: the only thing that crosses from learner code to the grader.

A check calls the learner's function and gets back its output as *plain data*: ``None``,
``bool``, ``int``, ``float``, ``complex``, ``str``, numpy arrays and scalars of a numeric or bool
dtype, and lists, tuples and dicts of those. Anything else (a learner's object, a generator, a
masked array's mask) becomes an :class:`Opaque` that only names its type, so a message can say
"returned a Network" but nothing of the object can run in the grader.

:func:`encode` turns a value into a JSON-able tree and :func:`decode` turns such a tree back.
In a notebook both run in the learner's kernel, so a check sees exactly what the grader sees;
in the grader, :func:`decode` reads what the sandbox sent, trusts none of it and enforces
:class:`Limits` (depth, sizes) so that no reply can exhaust the grader.
"""

import base64
import math
from dataclasses import dataclass

import numpy as np

# dtypes that may cross (no object, string, void or datetime arrays)
DTYPES = frozenset(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                    "uint64", "float16", "float32", "float64", "complex64", "complex128"])


class PlainDataError(ValueError):
    """A tree that is not plain data, or one over the limits."""


@dataclass(frozen=True)
class Opaque:
    """Stands for a value that is not plain data; only its type's name crossed."""
    type_name: str

    def __repr__(self):
        return f"<a {self.type_name} object>"


@dataclass(frozen=True)
class Limits:
    depth: int = 32                 # nesting of lists, tuples and dicts
    items: int = 200_000            # list/tuple/dict entries in the whole tree
    array_bytes: int = 256 * 2**20  # all arrays together
    string: int = 100_000           # characters in one string


def type_name(value):
    t = type(value)
    return t.__name__ if t.__module__ in ("builtins", "__main__") else f"{t.__module__}.{t.__name__}"


def _safe_type_name(value):
    try:
        return str(type_name(value))[:80]
    except Exception:  # pragma: no cover - a type whose name itself fails
        return "object"


def encode(value, _depth=0):
    """A JSON-able tree for ``value``; what is not plain data becomes an ``Opaque`` marker.
    Never raises for learner values (runs in the learner's kernel, on the learner's output)."""
    if _depth > 64:
        return {"__opaque__": "deeply nested value"}
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        return value if abs(value) < 2**63 else {"__int__": str(value)}
    if t is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if t is complex:
        return {"__complex__": [encode(value.real), encode(value.imag)]}
    if isinstance(value, (list, tuple)):   # subclasses (a namedtuple) cross as their base
        items = [encode(v, _depth + 1) for v in value]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        pairs = []
        for k, v in value.items():
            if type(k) not in (str, int):
                return {"__opaque__": "dict with keys that are not strings or integers"}
            pairs.append([k, encode(v, _depth + 1)])
        return {"__dict__": pairs}
    if t is np.ndarray or isinstance(value, (np.ndarray, np.generic)):
        try:
            array = np.asarray(value)
            if type(array) is not np.ndarray or array.dtype.name not in DTYPES:
                return {"__opaque__": _safe_type_name(value) + (
                    f" of dtype {array.dtype}" if type(array) is np.ndarray else "")}
            data = base64.b64encode(array.tobytes()).decode("ascii")
            tag = "__np__" if isinstance(value, np.generic) else "__nd__"
            return {tag: [array.dtype.name, list(array.shape), data]}
        except Exception:
            return {"__opaque__": _safe_type_name(value)}
    return {"__opaque__": _safe_type_name(value)}


class _Budget:
    def __init__(self, limits):
        self.limits, self.items, self.array_bytes = limits, 0, 0


def decode(tree, limits=Limits()):
    """Plain data from a tree made by :func:`encode`; raises :class:`PlainDataError` on anything
    else (the grader treats that as the submission's error)."""
    return _decode(tree, _Budget(limits), 0)


def _decode(tree, budget, depth):
    if depth > budget.limits.depth:
        raise PlainDataError("nested too deeply")
    t = type(tree)
    if tree is None or t in (bool, int, float):
        if t is int and abs(tree) >= 2**63:
            raise PlainDataError("integer out of range")
        return tree
    if t is str:
        if len(tree) > budget.limits.string:
            raise PlainDataError("string too long")
        return tree
    if t is list:
        budget.items += len(tree)
        if budget.items > budget.limits.items:
            raise PlainDataError("too many items")
        return [_decode(v, budget, depth + 1) for v in tree]
    if t is not dict or len(tree) != 1:
        raise PlainDataError(f"not plain data ({t.__name__})")
    (tag, body), = tree.items()
    if tag == "__tuple__" and type(body) is list:
        return tuple(_decode(body, budget, depth))
    if tag == "__dict__" and type(body) is list:
        budget.items += len(body)
        if budget.items > budget.limits.items:
            raise PlainDataError("too many items")
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                raise PlainDataError("bad dict entry")
            out[_decode(pair[0], budget, depth + 1)] = _decode(pair[1], budget, depth + 1)
        return out
    if tag == "__float__" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "__int__" and type(body) is str and len(body) < 400:
        try:
            return int(body)
        except ValueError:
            raise PlainDataError("bad integer") from None
    if tag == "__complex__" and type(body) is list and len(body) == 2:
        re_, im = (_decode(v, budget, depth + 1) for v in body)
        if type(re_) is not float or type(im) is not float:
            raise PlainDataError("bad complex number")
        return complex(re_, im)
    if tag in ("__nd__", "__np__"):
        return _decode_array(tag, body, budget)
    if tag == "__opaque__" and type(body) is str:
        return Opaque(body[:120])
    raise PlainDataError(f"unknown tag {str(tag)[:40]!r}")


def _decode_array(tag, body, budget):
    if type(body) is not list or len(body) != 3:
        raise PlainDataError("bad array")
    dtype, shape, data = body
    if dtype not in DTYPES or type(shape) is not list or type(data) is not str \
            or len(shape) > 32 or any(type(n) is not int or n < 0 for n in shape):
        raise PlainDataError("bad array header")
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    budget.array_bytes += nbytes
    if budget.array_bytes > budget.limits.array_bytes:
        raise PlainDataError("arrays too large")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        raise PlainDataError("bad array data") from None
    if len(raw) != nbytes:
        raise PlainDataError("array data does not match its shape")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if tag == "__np__":
        if shape:
            raise PlainDataError("a numpy scalar with a shape")
        return array[()]
    return array


def roundtrip(value):
    """``decode(encode(value))``: what the grader would receive for ``value``."""
    return decode(encode(value), Limits(items=10**9, array_bytes=2**62, string=10**9))


def is_plain(value):
    """True when ``value`` crosses unchanged (no :class:`Opaque` inside)."""
    def opaque(tree):
        if isinstance(tree, list):
            return any(opaque(v) for v in tree)
        if isinstance(tree, dict):
            (tag, body), = tree.items()
            if tag == "__opaque__":
                return True
            if tag in ("__tuple__",):
                return opaque(body)
            if tag == "__dict__":
                return any(opaque(v) for _, v in body)
        return False
    return not opaque(encode(value))
