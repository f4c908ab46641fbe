"""Text for the teacher's outputs: numbers as people write them, columns for a terminal, and
cells and lines that are safe to open or print whatever a student named their files."""

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def num(x):
    """2.0 -> 2, 0.5 -> 0.5 (for tables)."""
    x = float(x)
    return int(x) if x.is_integer() else round(x, 3)


def printable(text):
    """``text`` without control characters (ESC and the like), so that a name cannot move the
    cursor, recolour or forge lines of the teacher's terminal; newlines and tabs become
    spaces."""
    return _CONTROL.sub("?", str(text).replace("\n", " ").replace("\t", " "))


def sheet_cell(value):
    """A CSV cell a spreadsheet will not run as a formula: text starting with = + - @, a tab or
    a carriage return gets a leading single quote (OWASP's advice on CSV injection). Numbers
    stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def clip(text, width):
    """``text`` made printable, cut and padded to ``width`` terminal columns (CJK characters
    take two)."""
    out, used = "", 0
    for ch in printable(text):
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width + 1 - used)
