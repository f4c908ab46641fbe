"""Run notebooks in a fresh kernel, the way the tests and the grader do.

Stored outputs must reproduce exactly, so the kernel gets a fixed environment: a fixed hash
seed (set ordering) and a fixed cell file name in warnings and tracebacks.
"""

import os
import subprocess
from pathlib import Path

import nbformat
from nbclient import NotebookClient

STABLE_ENV = {"PYTHONHASHSEED": "0", "IPYKERNEL_CELL_NAME": "<IPY-INPUT>"}


def stable_environment():
    """Set the variables (in this process, so that kernels inherit them)."""
    os.environ.update(STABLE_ENV)
    os.environ.pop("MPLBACKEND", None)


def execute(nb, cwd, timeout=120, allow_errors=False, allow_error_names=()):
    """Execute a notebook object in place in a fresh python3 kernel started in ``cwd``."""
    stable_environment()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            allow_error_names=list(allow_error_names),
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own start-up chatter
    return nb


def execute_file(path, timeout=120):
    """Re-execute a solution notebook and store its outputs in the file."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    execute(nb, path.parent, timeout=timeout)
    nbformat.write(nb, path)
    return nb
