"""Writing the files the course makes: one atomic writer, and safe file names."""

import os
import re
import tempfile
import unicodedata
from pathlib import Path


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()   # read once, at import (reading it means setting it)


def write_atomic(path, data):
    """Write ``data`` (str or bytes) to ``path`` through a temporary file in the same folder
    and ``os.replace``, so a reader never sees half a file. The file gets the usual mode of a
    new file (0666 less the umask: 0644 with the common umask 022), so what the course writes
    to share (gradebooks, reports, feedback) can be read by others unless the umask says not."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(text, limit=80):
    """A file name from any text: keeps letters of every script, replaces separators and
    characters Windows or POSIX refuse, no leading dot, at most ``limit`` UTF-8 bytes."""
    text = unicodedata.normalize("NFC", str(text))
    text = _UNSAFE.sub("_", text).strip(" .") or "_"
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text.rstrip(" .") or "_"
