"""Checking a command's arguments before it does any work: a mistake is one line (what is
wrong, what to do) and exit status 2, never a traceback and never half the outputs."""

import argparse
import os
from pathlib import Path


class Parser(argparse.ArgumentParser):
    """argparse's parser, saying a mistake in one line (not the whole usage)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (`{self.prog} --help` lists what it takes)\n")


class UserError(Exception):
    """A mistake in how a command was called: said in one line, exit status 2."""


def positive(kind):
    """An argparse type: a number of ``kind`` (int or float) greater than 0."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, not {text}")
        return value
    parse.__name__ = f"positive {kind.__name__}"
    return parse


def writable_file(path, what):
    """Raise UserError unless a file can be written at ``path`` (its folder exists or can be
    made, and is writable; the path is not a folder)."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{what} {path} is a folder: give a file name")
    writable_folder(path.parent, what, path)


def writable_folder(folder, what, shown=None):
    """Raise UserError unless files can be written in ``folder`` (made if missing)."""
    folder = Path(folder or ".")
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    shown = shown or folder
    if probe.exists() and not probe.is_dir():
        raise UserError(f"cannot write {what} {shown}: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK) or str(probe.resolve()).startswith(("/proc",
                                                                                    "/sys")):
        raise UserError(f"cannot write {what} {shown}: {probe} is not writable")


def existing(paths, what="file or folder"):
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UserError(f"no such {what}: {', '.join(map(str, missing))}")


def write_all(files):
    """Write every ``{path: text or bytes}`` (each atomically)."""
    from nncourse.files import write_atomic
    for path, data in files.items():
        write_atomic(path, data)
