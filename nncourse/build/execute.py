"""Run notebooks in a fresh kernel, the way the tests and the grader do.

Stored outputs must reproduce exactly, so the kernel gets a fixed environment: a fixed hash
seed (set ordering) and one BLAS thread.
"""

import os
import subprocess
import time
from pathlib import Path
from queue import Empty

import nbformat
from nbclient import NotebookClient

from nncourse.settings import KERNEL_ENV, blas_core  # noqa: F401  (blas_core: for the tests)

# The course's kernel environment (nncourse/settings.py: a fixed hash seed, one BLAS thread,
# OpenBLAS's kernels where the CPU can run the stored outputs'), the same the lab, the hub and
# the grader's sandbox give their kernels.
STABLE_ENV = KERNEL_ENV


def stable_environment():
    """Set the variables (in this process, so that kernels inherit them)."""
    os.environ.update(STABLE_ENV)
    os.environ.pop("MPLBACKEND", None)
    # Each cell keeps its own code name (ipykernel's default), so that an error in a learner's
    # function shows the learner's own line; never one fixed IPYKERNEL_CELL_NAME for all cells.
    os.environ.pop("IPYKERNEL_CELL_NAME", None)


POLL_SLICE = 0.25  # seconds


class Client(NotebookClient):
    """nbclient's NotebookClient, waiting for each reply in short slices.

    With ipykernel 6 and 7, a cell's ``execute_reply`` is sometimes noticed only when the wait
    for it times out (seen after ipywidgets cells in about one run in ten: the cell took 13 ms,
    the client then waited out the whole timeout). Polling again every quarter second picks the
    reply up at once; a cell that really runs long still ends at its timeout.
    """

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        channel = kc.shell_channel
        wait = channel.get_msg

        async def get_msg(timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = POLL_SLICE if deadline is None else deadline - time.monotonic()
                try:
                    return await wait(timeout=max(0.0, min(POLL_SLICE, left)))
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise

        channel.get_msg = get_msg
        return kc


def execute(nb, cwd, timeout=120, allow_errors=False, allow_error_names=()):
    """Execute a notebook object in place in a fresh python3 kernel started in ``cwd``."""
    stable_environment()
    client = Client(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                    allow_error_names=list(allow_error_names), record_timing=False,
                    resources={"metadata": {"path": str(cwd)}})
    client.execute(stderr=subprocess.DEVNULL)  # the kernel's own start-up chatter
    return nb


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalize_outputs(nb):
    """Make stored outputs depend on the code only, not on timing or chance:

    * drop ipywidgets views and their saved state: they carry random model ids (so every run
      would rewrite the file) and are live only once the cell runs again anyway;
    * merge consecutive prints to the same stream, however the kernel happened to chunk them.
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            if WIDGET_VIEW in out.get("data", {}):
                continue
            if out.output_type == "stream" and outputs and \
                    outputs[-1].output_type == "stream" and outputs[-1].name == out.name:
                outputs[-1].text += out.text
            else:
                outputs.append(out)
        cell.outputs = outputs
    return nb


def execute_file(path, timeout=120):
    """Re-execute a solution notebook and store its outputs in the file."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    execute(nb, path.parent, timeout=timeout)
    nbformat.write(normalize_outputs(nb), path)
    return nb
