"""Drivers for notebook 03, forward propagation."""

import sys


class _Watched:
    """Stands in for numpy (or one of its functions) while a plain-Python exercise runs: it
    works as numpy does and notes every use in ``used``."""

    def __init__(self, name, target, used):
        self._name, self._target, self._used = name, target, used

    def __getattr__(self, attr):
        if not attr.startswith("__"):        # `import numpy` itself reads __spec__ and such
            self._used.append(f"{self._name}.{attr}")
        return getattr(self._target, attr)

    def __call__(self, *args, **kwargs):
        self._used.append(f"{self._name}(...)")
        return self._target(*args, **kwargs)


def _is_numpy(value):
    name = getattr(value, "__name__", "") if type(value).__name__ == "module" else \
        getattr(value, "__module__", None) or ""
    return isinstance(name, str) and (name == "numpy" or name.startswith("numpy."))


def drive_watching_numpy(fn, *args):
    """``{"out": fn(*args), "numpy": [what of numpy fn used]}``: every global of ``fn`` that is
    numpy or one of its functions, and ``import numpy`` inside ``fn``, are watched during the
    call (and put back afterwards, whatever happens)."""
    namespace = getattr(fn, "__globals__", {})
    used = []
    numpy_module = sys.modules.get("numpy")
    watched = {k: v for k, v in list(namespace.items())
               if not k.startswith("__") and _is_numpy(v)}
    try:
        for k, v in watched.items():
            namespace[k] = _Watched(k, v, used)
        sys.modules["numpy"] = _Watched("numpy", numpy_module, used)
        out = fn(*args)
    finally:
        namespace.update(watched)
        sys.modules["numpy"] = numpy_module
    return {"out": out, "numpy": list(dict.fromkeys(used))[:5]}
