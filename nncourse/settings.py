"""The course's runtime settings, in one place: the kernels' environment, the Jupyter server's
and JupyterLab's settings, the folder a learner's lab serves and the page it opens on.

Everything that starts a kernel or a server reads them from here:

* ``make lab`` / ``make teach`` and Binder's ``postBuild`` write them with
  ``python -m nncourse settings server --out DIR --root FOLDER`` (a ``jupyter_server_config.json``
  in ``DIR``, a folder on the server's config path: the environment's ``etc/jupyter``, or one
  named by ``JUPYTER_CONFIG_PATH``) and ``python -m nncourse settings lab --out DIR``
  (JupyterLab's ``overrides.json``); ``python -m nncourse settings env`` prints the kernel
  environment as ``NAME=value`` words for the Makefile;
* ``hub/jupyterhub_config.py`` gives each learner's server :func:`kernel_env` and a server
  config written by :func:`write_server_config`; ``k8s/config.yaml`` holds the same values
  (``tests/classroom/test_settings.py`` fails when they differ);
* ``nncourse.build.execute`` (stored outputs) and the grading sandbox use :data:`KERNEL_ENV`.

Settings in ``jupyter_server_config.d/`` are *not* read by jupyter_server for its own options
(that folder only enables server extensions), so none are written there.
"""

import json
import os
import shlex
import sys
from pathlib import Path

# Stable, fast kernels: a fixed hash seed (set ordering) and one BLAS thread (the course's
# matrices are small: threads cost more than they save, and results do not then depend on how
# many cores a machine has). Never a fixed IPYKERNEL_CELL_NAME: each cell keeps its own name,
# so that a traceback shows the learner's line.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def blas_core(cpuinfo="/proc/cpuinfo"):
    """The OpenBLAS kernels the stored outputs were made with, where this CPU can run them.

    OpenBLAS picks its kernels by CPU model, and kernels round differently: notebook 11's
    exploding network, which amplifies the last bit, prints other digits with AMD EPYC's
    default kernels than with Intel Xeon's. Every CPU with AVX-512 runs the SkylakeX kernels
    (Intel's and AMD's alike), so there they are chosen; elsewhere OpenBLAS chooses.
    """
    try:
        with open(cpuinfo) as f:
            flags = next((line.split(":", 1)[1].split() for line in f
                          if line.startswith("flags")), [])
    except OSError:
        return None
    needed = {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"}
    return "SkylakeX" if needed <= set(flags) else None


# Chosen on the machine that starts the kernels, so values written for another machine (the
# Kubernetes values, an image built by repo2docker) leave it out.
MACHINE_DEPENDENT = ("OPENBLAS_CORETYPE",)
if blas_core():
    KERNEL_ENV["OPENBLAS_CORETYPE"] = blas_core()

START_PAGE = "00_start_here.ipynb"
DEFAULT_URL = f"/lab/tree/{START_PAGE}"
TEACHER_START = f"solutions/{START_PAGE}"

# Output limits: a print loop that never ends (a forgotten `i += 1`) is cut off with Jupyter's
# "IOPub data rate exceeded" notice instead of flooding and freezing the browser tab.
IOPUB_DATA_RATE_LIMIT = 50_000       # bytes per second, averaged over the window
IOPUB_MSG_RATE_LIMIT = 200           # messages per second
RATE_LIMIT_WINDOW = 3.0              # seconds

# JupyterLab's settings for a classroom (overrides.json): no news prompt, no update checks
# (works offline).
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
}
LAB_SETTINGS_DIR = Path("share", "jupyter", "lab", "settings")   # under an environment's prefix
SERVER_CONFIG = "jupyter_server_config.json"


def kernel_env():
    """The kernel environment, as a new dict."""
    return dict(KERNEL_ENV)


def bin_dir():
    """The folder of the course's Python and its commands (``nncourse``, ``jupyter``)."""
    return str(Path(sys.executable).parent)


def terminal_command(bin_path=None):
    """The lab terminal's shell: bash, with the course's ``bin`` first on PATH even where a
    login profile resets PATH (Debian's /etc/profile does): the shell runs the login profile,
    then puts the folder back; ``PROMPT_COMMAND`` (exported) does the same before every prompt,
    so a ``bash -l`` typed in the terminal finds ``nncourse`` and the course's Python too."""
    folder = bin_path or bin_dir()
    fix = f'case ":$PATH:" in *":{folder}:"*) ;; *) PATH="{folder}:$PATH";; esac'
    return ["bash", "-l", "-c",
            f"{fix}; export PATH PROMPT_COMMAND={shlex.quote(fix)}; exec bash -i"]


def server_config(root=None, start=START_PAGE, bin_path=None):
    """The jupyter_server config (a dict for ``jupyter_server_config.json``): output limits,
    the terminal, JupyterLab's classroom options and, with ``root``, the folder it serves
    (``root`` itself, nothing above it) and the page ``/`` opens (``start``, relative to it)."""
    config = {
        "ZMQChannelsWebsocketConnection": {
            "limit_rate": True,
            "iopub_data_rate_limit": IOPUB_DATA_RATE_LIMIT,
            "iopub_msg_rate_limit": IOPUB_MSG_RATE_LIMIT,
            "rate_limit_window": RATE_LIMIT_WINDOW,
        },
        "ServerApp": {"terminado_settings": {"shell_command": terminal_command(bin_path)}},
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "default_url": f"/lab/tree/{start}",
            "expose_app_in_browser": True,   # window.jupyterapp, for the browser tests
        },
    }
    if root is not None:
        root = Path(root).resolve()
        config["ServerApp"]["root_dir"] = str(root)
        # the learner's JupyterLab layout is kept with their workspace
        config["LabApp"]["workspaces_dir"] = str(root / ".nncourse" / "lab")
    return config


def _dump(data):
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _write(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path


def write_server_config(folder, root=None, start=START_PAGE, bin_path=None):
    """Write the course's settings into ``folder/jupyter_server_config.json`` (settings of other
    classes already in that file are kept); returns its path."""
    path = Path(folder) / SERVER_CONFIG
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError):
        config = {}
    if not isinstance(config, dict):
        config = {}
    config.update(server_config(root, start, bin_path))
    return _write(path, _dump(config))


def write_lab_settings(folder):
    """Write ``folder/overrides.json`` (``folder``: an environment's share/jupyter/lab/settings)."""
    return _write(Path(folder) / "overrides.json", _dump(LAB_OVERRIDES))


def env_words(env=None):
    """``NAME=value NAME=value`` (for a Makefile or a shell)."""
    return " ".join(f"{k}={v}" for k, v in (env or KERNEL_ENV).items())


# --- ``nncourse settings``: write the settings where the tools read them ------------------------

def cmd_settings(args):
    from nncourse.arguments import writable_folder
    if args.what == "env":
        print(env_words())
        return 0
    writable_folder(Path(args.out), "the settings folder")
    if args.what == "lab":
        print(write_lab_settings(args.out))
    else:
        print(write_server_config(args.out, root=args.root, start=args.start))
    return 0


def add_parser(sub):
    """The ``settings`` command, on the CLI's sub-parsers ``sub``."""
    p = sub.add_parser("settings", help="write the course's server or lab settings; print the "
                                        "kernel environment")
    p.add_argument("what", choices=("server", "lab", "env"),
                   help=f"server: {SERVER_CONFIG} into --out (a folder on the server's config "
                        "path); lab: JupyterLab's overrides.json into --out; env: print the "
                        "kernel environment")
    p.add_argument("--out", metavar="DIR", help="the folder to write into (server, lab)")
    p.add_argument("--root", metavar="DIR",
                   help="server: the one folder the server serves (default: where it starts)")
    p.add_argument("--start", default=START_PAGE,
                   help=f"server: the page / opens, relative to the root (default {START_PAGE})")
    p.set_defaults(func=_checked)


def _checked(args):
    from nncourse.arguments import UserError
    if args.what != "env" and not args.out:
        raise UserError(f"`nncourse settings {args.what}` needs --out DIR: the folder to write to")
    if args.root is not None and not Path(args.root).is_dir():
        raise UserError(f"--root {args.root} is not a folder: give the folder the lab serves")
    return cmd_settings(args)
