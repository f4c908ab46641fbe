"""A learner's single-user server: their workspace made or brought up to date, then JupyterHub's
single-user server (the jupyter_server extension ``jupyterhub-singleuser`` runs).

Runs as the learner (their own account when the hub is root), in their home, so the workspace
update writes the learner's own files and its cost falls on the learner's own CPU and memory
limits, not on the hub. Started either by the fork server (hub/forkserver.py, which has imported
everything below once) or as ``python hub/singleuser.py ARGS`` (``NNCOURSE_HUB_FORKSERVER=0``).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


PRELOAD = [
    "jupyter_server.serverapp", "jupyter_server_terminals", "jupyterlab.labapp",
    "jupyterhub.singleuser.extension", "nncourse.learner.workspace",
    # imported later by a starting server (its handlers, the hub's API client, kernels, terminals)
    "httpx", "jinja2.ext", "jupyter_core.migrate", "jupyter_server.kernelspecs.handlers",
    "jupyter_server.nbconvert.handlers", "jupyter_server.view.handlers",
    "jupyter_client.provisioning", "jupyter_server.services.kernels.connection.channels",
    "terminado",
]


def preload():
    """Import what every server start needs (what the fork server imports once for all)."""
    import importlib
    for name in PRELOAD:
        importlib.import_module(name)


def update_workspace(home="."):
    """Make or update the learner's workspace in ``home``; log what changed (never raises: a
    server whose update failed still opens, with the learner's files as they were)."""
    try:
        from nncourse.learner.workspace import Workspace
        for change in Workspace(Path(home)).update():
            if change.action != "unchanged":
                print(f"[nncourse] workspace: {change.describe()}", file=sys.stderr)
    except Exception as e:   # noqa: BLE001  (reported, and the server starts anyway)
        print(f"[nncourse] workspace update failed: {type(e).__name__}: {e}", file=sys.stderr)


def run(argv):
    """Update the workspace, then run the single-user server with ``argv``; returns its status."""
    update_workspace()
    from jupyterhub.singleuser.extension import main
    sys.argv = ["jupyterhub-singleuser", *argv]
    return main()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(run(sys.argv[1:]))
