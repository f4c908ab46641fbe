"""Comparing a learner's plain-data output with the expected one, and saying how they differ.

:func:`problem` is the one rule for "does this output match" (None, or a short reason for the
learner); :func:`matches` is the looser rule for "is this the output of that known mistake"
(values only, tuples and lists element by element); :func:`show` and :func:`describe_args`
write values and inputs into messages. The comparison of several *named* outputs
(``ctx.compare_named``) is built from :func:`named_problems`, a verdict wording
(:func:`verdict_off` or :func:`verdict_wrong`) and :func:`mistakes_behind`.
"""

import numpy as np

from nncourse.grading.plain import Opaque, type_name


class Said(str):
    """Text to show as it is in an ``expected:`` or ``got:`` line (instead of :func:`show`)."""


def _same(a, b):
    """Plain data ``a`` and ``b`` are identical (NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
            and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _has_opaque(value):
    if isinstance(value, Opaque):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_opaque(v) for v in value)
    if isinstance(value, dict):
        return any(_has_opaque(v) for v in value.values())
    return False


def _kind(value):
    """An array's or number's dtype kind ("i", "u", "f", "b", ...; Python's bool, int and float
    too), else None."""
    if isinstance(value, (bool, int, float)):
        return np.asarray(value).dtype.kind
    return getattr(getattr(value, "dtype", None), "kind", None)


def kind(value):
    """'a Network', 'a str': what a learner returned, for messages."""
    name = value.type_name if isinstance(value, Opaque) else type_name(value)
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def show(value, indent="            ", precision=4):
    """A short, stable text form of a value for messages (a :class:`Said` as it is)."""
    if isinstance(value, Said):
        return str(value)
    if isinstance(value, Opaque):
        return f"{kind(value)} (not a number or an array)"
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=precision, threshold=24, edgeitems=3, suppress_small=False,
                               separator=", ")
        body = body.replace("\n", "\n" + indent)
        return f"shape {value.shape}, dtype {value.dtype}\n{indent}{body}"
    if isinstance(value, (float, np.floating)):
        return f"{type(value).__name__} {float(value):.6g}"
    return f"{type(value).__name__} {value!r}"[:200]


def _digits(a, b, start=6):
    """Significant digits enough to tell floats ``a`` and ``b`` apart (up to 17)."""
    for d in range(start, 18):
        if f"{a:.{d}g}" != f"{b:.{d}g}":
            return d
    return 17


def _is_float(value):
    return isinstance(value, (float, np.floating))


def show_pair(expected, got, indent="            "):
    """:func:`show` of ``expected`` and ``got``, with enough digits that two different values
    never read the same ("expected 0.2625, got 0.2625")."""
    a, b = show(expected, indent), show(got, indent)
    if a != b or _same(expected, got):
        return a, b
    if _is_float(expected) and _is_float(got):
        d = _digits(float(expected), float(got))
        return (f"{type(expected).__name__} {float(expected):.{d}g}",
                f"{type(got).__name__} {float(got):.{d}g}")
    if isinstance(expected, np.ndarray) and isinstance(got, np.ndarray):
        for precision in range(5, 18):
            a, b = (show(v, indent, precision) for v in (expected, got))
            if a != b:
                break
    return a, b


def show_named(value, pad):
    """:func:`show`, with a list of arrays shown array by array (a named output)."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        return f"a {type(value).__name__} of {len(value)} arrays\n{pad}" + f"\n{pad}".join(
            show(v, pad) for v in value)
    return show(value, pad)


def describe_args(args, names):
    parts = []
    for name, value in zip(names, args):
        if isinstance(value, np.ndarray):
            parts.append(f"{name}: shape {value.shape}, dtype {value.dtype}")
        elif isinstance(value, (int, float, str, bool, np.number, type(None))) or (
                isinstance(value, tuple) and len(repr(value)) <= 60):
            parts.append(f"{name} = {value!r}")
        elif type(value) not in (list, tuple, dict) and \
                type(value).__repr__ is not object.__repr__ and len(repr(value)) <= 100 \
                and " at 0x" not in repr(value):
            parts.append(f"{name} = {value!r}")   # a class with its own short repr
        elif isinstance(value, (list, tuple, dict)):
            parts.append(f"{name}: a {type(value).__name__} of {len(value)} items")
        else:
            parts.append(f"{name}: a {type(value).__name__}")
    return "; ".join(parts)



def problem(got, expected, rtol=1e-6, atol=1e-8, check_dtype=True):
    """None when ``got`` matches ``expected``, else a short reason."""
    if got is None:
        return "your function returned None: did you forget the `return` statement?"
    if isinstance(expected, np.ndarray):
        if isinstance(got, (list, tuple)):
            return f"returned a {type(got).__name__}; return a numpy array (np.array(...))"
        if np.isscalar(got) and expected.ndim > 0:
            return "returned a single number; expected an array of shape " \
                   f"{expected.shape}"
        if not isinstance(got, np.ndarray):
            return f"returned {kind(got)}; expected a numpy array"
        if got.shape != expected.shape:
            return f"wrong shape: expected {expected.shape}, got {got.shape}"
        if check_dtype and got.dtype != expected.dtype:
            return f"wrong dtype: expected {expected.dtype}, got {got.dtype}"
        if got.dtype.kind in "fc" and not np.all(np.isfinite(got)) \
                and np.all(np.isfinite(expected)):
            bad = np.argwhere(~np.isfinite(got))[0]
            return f"contains NaN or inf (first at index {tuple(int(i) for i in bad)})"
        with np.errstate(all="ignore"):
            close = np.isclose(got.astype(np.float64) if got.dtype.kind != "b" else got,
                               expected, rtol=rtol, atol=atol, equal_nan=True)
        if not np.all(close):
            n_bad = int(np.size(close) - np.count_nonzero(close))
            i = tuple(int(k) for k in np.argwhere(~close)[0])
            tol = "exact" if rtol == 0 and atol == 0 else f"rtol={rtol:g}, atol={atol:g}"
            e, g = expected[i].item(), got[i].item()
            d = _digits(e, g) if isinstance(e, float) and isinstance(g, float) else 6
            return (f"{n_bad} of {close.size} values differ (tolerance {tol}); first at "
                    f"index {i}: expected {e:.{d}g}, got {g:.{d}g}")
        return None
    if isinstance(expected, str):            # (a known mistake's text, or a pair of numbers)
        return None if got == expected else f"returned {kind(got)}; expected {expected!r}"
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"returned {kind(got)}; expected {len(expected)} items"
        return next((p for p in (problem(g, e, rtol, atol, check_dtype)
                                 for g, e in zip(got, expected)) if p), None)
    # a scalar answer
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]                 # a 0-d array is a number
    if isinstance(got, np.ndarray) and got.size == 1:
        return f"returned an array of shape {got.shape}; return a single number " \
               "(e.g. with float(...) or .item())"
    if isinstance(got, (list, tuple, np.ndarray)):
        return f"returned a {type(got).__name__}; expected a single number"
    if isinstance(got, (Opaque, str, dict)):
        return f"returned {kind(got)}; expected a number"
    try:
        g = float(got)
    except (TypeError, ValueError, OverflowError):
        return f"returned {kind(got)}; expected a number"
    if check_dtype and isinstance(expected, (int, np.integer)) \
            and not isinstance(expected, (bool, np.bool_)) and isinstance(got, (float, np.floating)):
        return f"returned a float ({got!r}); expected an int, a whole number: return int(...)"
    if np.isnan(g) and np.isnan(expected):
        return None
    if not np.isfinite(g) and np.isfinite(expected):
        return f"returned {g}: NaN or inf"
    if not np.isclose(g, expected, rtol=rtol, atol=atol):
        d = _digits(float(expected), g)
        return f"expected {float(expected):.{d}g}, got {g:.{d}g} (tolerance rtol={rtol:g})"
    return None


def agree(got, expected, rtol=1e-6, atol=1e-8, check_dtype=False):
    """True when ``got`` matches ``expected`` by :func:`problem`'s rule (never raises)."""
    try:
        return problem(got, expected, rtol, atol, check_dtype) is None
    except Exception:
        return False


def matches(got, wrong, rtol=1e-6, atol=1e-8):
    """True when ``got`` is a known mistake's output ``wrong``: values only (no dtype check),
    tuples and lists compared element by element."""
    if isinstance(wrong, (list, tuple)):
        return isinstance(got, (list, tuple)) and len(got) == len(wrong) and all(
            matches(g, w, rtol, atol) for g, w in zip(got, wrong))
    if isinstance(wrong, dict):
        return isinstance(got, dict) and got.keys() == wrong.keys() and all(
            matches(got[k], wrong[k], rtol, atol) for k in wrong)
    return agree(got, wrong, rtol, atol, check_dtype=False)


# --- several named outputs -----------------------------------------------------------------------

def as_named(value, names):
    """``value`` as a dict name -> output: a dict with every name, or a tuple/list of
    ``len(names)`` items; else None."""
    if isinstance(value, dict) and all(k in value for k in names):
        return {k: value[k] for k in names}
    if isinstance(value, (tuple, list)) and len(value) == len(names):
        return dict(zip(names, value))
    return None


def named_problems(got, expected, names, rtol, atol, compare=None):
    """name -> None or the reason ``got[name]`` differs from ``expected[name]``. ``compare``
    may give a name its own rule ``rule(got, expected, rtol, atol)``."""
    out = {}
    for k in names:
        rule = (compare or {}).get(k)
        if rule is not None:
            out[k] = rule(got[k], expected[k], rtol, atol)
        elif got[k] is None:
            out[k] = "is None: did you compute it and return it?"
        else:
            out[k] = problem(got[k], expected[k], rtol, atol, check_dtype=True)
    return out


def join(names):
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict_off(wrong, right):
    """'dW is off; dX and db are right.'"""
    if not right:
        return (f"{join(wrong)} are all off" if len(wrong) > 1 else f"{wrong[0]} is off") + "."
    return (f"{join(wrong)} {'is' if len(wrong) == 1 else 'are'} off; "
            f"{join(right)} {'is' if len(right) == 1 else 'are'} right.")


def verdict_wrong(wrong, right):
    """'dbeta is wrong (dX, dgamma right).'"""
    return (f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong"
            + (f" ({', '.join(right)} right)" if right else "") + ".")


def mistakes_behind(got, expected, outputs, names, wrong, rtol, atol, each=True):
    """The known mistakes behind a wrong named output. ``outputs`` is ``[(mistake, its named
    outputs)]``, mistakes that are wrong on this case. First a mistake that explains every
    output at once; else, per wrong output (every one with ``each``, else only the first), the
    first mistake whose output is exactly that one and differs from the right one."""
    whole = next((m for m, out in outputs
                  if all(matches(got[k], out[k], rtol, atol) for k in names)), None)
    if whole is not None:
        return [whole]
    found = []
    for k in (wrong if each else wrong[:1]):
        m = next((m for m, out in outputs if matches(got[k], out[k], rtol, atol)
                  and not matches(out[k], expected[k], rtol, atol)), None)
        if m is not None and m not in found:
            found.append(m)
    return found
