"""The wire format between the grader and a sandboxed worker, and the bounds on what it reads.

Both ways, a frame is a 4-byte big-endian length, then that many bytes of ASCII JSON (an object).
Requests go to the worker's standard input; replies come back on the file descriptor named by
the environment variable ``NNCOURSE_REPLY_FD``.

Nothing the worker sends is trusted, so the grader checks a reply's *shape* before it decodes
it (:func:`check_shape`): its length (``MAX_FRAME``), the number of JSON values in it
(``MAX_TOKENS``: what ``json.loads`` would allocate) and its nesting (``MAX_DEPTH``), all counted
on the raw bytes without building anything. The same check bounds a submitted notebook's JSON
before it is parsed (:mod:`nncourse.grading.submission`).
"""

import json
import os
import re
import struct

MAX_FRAME = 32 * 2**20      # bytes in one reply frame
MAX_TOKENS = 1_000_000      # JSON values (list/dict entries) in one reply frame
MAX_DEPTH = 48              # nesting of a reply (plain data allows 32, plus the reply's own)

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')     # one JSON string, escapes included
_PAIR = re.compile(rb"\[\]|\{\}")
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")


class ShapeError(ValueError):
    """JSON too large, with too many values or nested too deeply to be decoded."""


def check_shape(data, max_tokens, max_depth, what="the data"):
    """Raise :class:`ShapeError` unless the JSON bytes ``data`` hold at most ``max_tokens``
    values and nest at most ``max_depth`` deep (strings' contents are not counted). Linear in
    ``len(data)``, at C speed, allocating at most a copy of ``data``."""
    bare = _STRING.sub(b'""', data)
    tokens = sum(bare.count(c) for c in (b",", b"[", b"{", b":"))
    if tokens > max_tokens:
        raise ShapeError(f"{what} holds over {max_tokens:,} JSON values ({tokens:,})")
    brackets = bare.translate(None, _NOT_BRACKETS)
    del bare
    for _ in range(max_depth):
        if not brackets:
            return
        brackets = _PAIR.sub(b"", brackets)
    # what is left but unmatched brackets (JSON cut short) the parser refuses at no cost
    if _PAIR.search(brackets):
        raise ShapeError(f"{what} is nested more than {max_depth} deep")


def frame(message):
    """The bytes of one frame holding ``message`` (a JSON-able dict)."""
    data = json.dumps(message, ensure_ascii=True).encode("ascii")
    return struct.pack(">I", len(data)) + data


def decode_frame(body):
    """A reply frame's body, checked and decoded: a dict; :class:`ShapeError` otherwise."""
    if len(body) > MAX_FRAME:
        raise ShapeError(f"a reply of {len(body)} bytes")
    check_shape(body, MAX_TOKENS, MAX_DEPTH, "the reply")
    try:
        reply = json.loads(body.decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ShapeError("something that is not a reply") from None
    if type(reply) is not dict:
        raise ShapeError("something that is not a reply")
    return reply


# --- the worker's side -------------------------------------------------------------------

def read_request(stream):
    """The next request from the grader on ``stream`` (a dict), or None at its end."""
    header = stream.read(4)
    if len(header) < 4:
        return None
    (n,) = struct.unpack(">I", header)
    return json.loads(stream.read(n).decode("utf-8"))


def send(fd, reply):
    """Write one reply frame to file descriptor ``fd``."""
    data = frame(reply)
    while data:
        data = data[os.write(fd, data):]
