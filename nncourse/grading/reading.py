"""Reading a submitted file, without running any of it: only a regular file, with a bound,
and its notebook JSON checked before it is parsed.

* :func:`read_file`: the bytes of a regular file, never through a symbolic link, never a FIFO,
  socket or device (opened non-blocking, so a FIFO cannot hang the grader), at most
  ``MAX_FILE_BYTES`` (read with that bound, whatever the file's size says);
* :func:`hard_links`: the files of a batch that are hard links to a course file or to another
  file of the batch (refused before they are read, like symbolic links);
* :func:`read_notebook`: the cells of a notebook's bytes, its JSON checked first for the number
  of values and the nesting that parsing it would build (``MAX_JSON_VALUES``,
  ``MAX_JSON_DEPTH``), and at most ``MAX_CELLS`` cells;
* :func:`not_a_notebook`: what a file that is not a notebook is (empty, binary, cut short).

A file that cannot be graded raises :class:`SubmissionError` with its kind and the reason.
"""

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nncourse.grading.wire import ShapeError, check_shape

MAX_FILE_BYTES = 32 * 2**20     # a submitted file (the course's largest notebook is ~1 MB)
MAX_JSON_VALUES = 2_000_000     # JSON values in it (what parsing it allocates)
MAX_JSON_DEPTH = 64             # nesting of its JSON (a notebook's is under 10)
MAX_CELLS = 2000                # cells (the course's notebooks have under 70)
MAX_CELL_CHARS = 100_000        # characters of one code cell (the course's longest: ~2,000)
MAX_CODE_CHARS = 1_000_000      # characters of all code cells together


class SubmissionError(Exception):
    """A file that cannot be graded: ``kind`` (unreadable, not_a_file, too_large,
    not_a_notebook, not_this_course, ...) and a message for the teacher and the student."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind, self.message = kind, message


@dataclass
class Cell:
    cell_type: str
    source: str
    metadata: dict = field(default_factory=dict)

    def get(self, key, default=None):
        return getattr(self, key, default)


_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def read_file(path, limit=MAX_FILE_BYTES):
    """The bytes of the regular file ``path``, read with a bound; :class:`SubmissionError`
    for anything else (a symbolic link is not followed, a FIFO or device never opened for
    reading in a way that could block) and for a file over ``limit`` bytes."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise SubmissionError("unreadable", f"cannot read the file: {exc.strerror or exc}") \
            from None
    _refuse_if_not_a_file(path, info.st_mode)
    _refuse_if_too_large(info.st_size, limit)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SubmissionError("unreadable", f"cannot read the file: {exc.strerror or exc}") \
            from None
    try:
        opened = os.fstat(fd)
        _refuse_if_not_a_file(path, opened.st_mode)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise SubmissionError("unreadable", "the file was replaced while it was read")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        _refuse_if_too_large(size, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise SubmissionError("unreadable", f"cannot read the file: {exc.strerror or exc}") \
            from None
    finally:
        os.close(fd)


def hard_links(paths, course=()):
    """``{path: message}`` for each of ``paths`` that is a hard link (a regular file with more
    than one name) to one of the ``course`` files or to another of ``paths``: the same file,
    so not a submission of its own. A file with other names elsewhere is not in it."""
    names = {}
    for path in paths:
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
            names.setdefault((info.st_dev, info.st_ino), []).append(str(path))
    found = {}
    for other in course if names else ():
        try:
            info = os.lstat(other)
        except OSError:
            continue
        for path in names.get((info.st_dev, info.st_ino), ()):
            found[path] = f"the course's own {Path(other).parent.name}/{Path(other).name}"
    for group in names.values():
        for path in group if len(group) > 1 else ():
            found.setdefault(path, "another submission of this batch (" + ", ".join(
                os.path.join(Path(p).parent.name, Path(p).name) for p in group if p != path)[:300]
                + ")")
    return {path: f"not graded: the submission is a hard link to {what}, not a file of its own "
                  "(only a notebook file itself is graded)" for path, what in found.items()}


def _refuse_if_not_a_file(path, mode):
    if stat.S_ISREG(mode):
        return
    what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    if stat.S_ISLNK(mode):
        try:
            what += f" (to {os.readlink(path)[:200]})"
        except OSError:
            pass
    raise SubmissionError("not_a_file", f"not graded: the submission is {what}, not a regular "
                                        "file (only a notebook file itself is graded)")


def _refuse_if_too_large(size, limit):
    if size > limit:
        raise SubmissionError("too_large", f"not graded: the file is over {limit // 2**20} MB "
                                           f"(the grader reads notebooks up to {limit // 2**20} MB"
                                           "; clear large outputs and submit it again)")


def read_notebook(raw):
    """The cells of a notebook file's bytes, read leniently the way nbformat reads them (a BOM,
    sources as strings or lists, missing fields); None when it is not a notebook."""
    try:
        text = raw.decode("utf-8-sig")
        check_shape(raw, MAX_JSON_VALUES, MAX_JSON_DEPTH, "the notebook file")
        data = json.loads(text)
    except ShapeError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if type(data) is not dict:
        return None
    if "worksheets" in data:                      # nbformat 3
        try:
            import nbformat
            data = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception:
            return None
    cells = data.get("cells")
    if type(cells) is not list:
        return None
    if len(cells) > MAX_CELLS:
        raise ShapeError(f"the notebook has {len(cells):,} cells (the grader reads at most "
                         f"{MAX_CELLS:,})")
    out = []
    for cell in cells:
        if type(cell) is not dict:
            continue
        source = cell.get("source", "")
        if type(source) is list:
            source = "".join(s for s in source if type(s) is str)
        if type(source) is not str:
            source = ""
        metadata = cell.get("metadata") if type(cell.get("metadata")) is dict else {}
        out.append(Cell(str(cell.get("cell_type", "")), source, metadata))
    return out


# what a file that is not a notebook is, by its first bytes
MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"%PDF", "a PDF"),
         (b"PK\x03\x04", "a zip archive (an export or several files?)"), (b"GIF8", "a GIF image"),
         (b"\x1f\x8b", "a gzip archive"))


def not_a_notebook(raw):
    """``(kind, message)`` for bytes that are not a notebook: empty, binary, cut short, or
    text of another kind."""
    text = raw.lstrip(b"\xef\xbb\xbf").strip()
    if not text:
        return "empty", f"the file is empty ({len(raw)} bytes): it was not saved, or the upload failed"
    for magic, what in MAGIC:
        if raw.startswith(magic):
            return "binary", f"the file is {what}, not a Jupyter notebook"
    if b"\x00" in raw[:4096]:
        return "binary", "the file is binary data, not a Jupyter notebook"
    if text.startswith(b"{"):
        try:
            json.loads(text.decode("utf-8", "replace"))
        except ValueError as exc:
            body = text.decode("utf-8", "replace")
            at_end = getattr(exc, "pos", 0) >= len(body) - 1 or str(exc).startswith("Unterminated")
            if at_end and _ends_early(text):
                return "truncated", (f"the notebook file is cut short ({len(raw)} bytes, its JSON "
                                     "ends early): it was not saved completely, or the upload "
                                     "was interrupted")
            return "not_a_notebook", ("not a Jupyter notebook: the file's notebook JSON is damaged "
                                      f"({str(exc)[:120]})")
        return "not_a_notebook", "not a Jupyter notebook: the file is JSON without cells"
    return "not_a_notebook", "not a Jupyter notebook: the file is text, not notebook JSON " \
                             "(a .py script or a notebook exported as another format?)"


def _ends_early(text):
    """True when JSON ``text`` stops inside a string or with brackets still open."""
    depth, in_string, escaped = 0, False, False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:        # backslash
                escaped = True
            elif byte == 0x22:        # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x7B, 0x5B):    # { [
            depth += 1
        elif byte in (0x7D, 0x5D):    # } ]
            depth -= 1
    return in_string or depth > 0
