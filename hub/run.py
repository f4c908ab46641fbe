"""``make hub``: start the workshop JupyterHub (hub/jupyterhub_config.py) from its state folder.

Without NNCOURSE_HUB_PASSWORD set, a password is made up and printed for the teacher to share.
"""

import os
import secrets
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    config = ROOT / "hub" / "jupyterhub_config.py"
    state = Path(os.environ.get("NNCOURSE_HUB_STATE") or ROOT / "hub" / "state")
    state.mkdir(parents=True, exist_ok=True)
    chp = ROOT / ".hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
    if not chp.exists() and not shutil.which("configurable-http-proxy"):
        sys.exit("configurable-http-proxy is missing: `npm install --prefix .hub-node "
                 "configurable-http-proxy` (needs Debian's nodejs and npm; .ci/run does this)")
    if len(os.environ.get("NNCOURSE_HUB_PASSWORD", "")) < 8:
        os.environ["NNCOURSE_HUB_PASSWORD"] = secrets.token_urlsafe(9)
        print(f"workshop password: {os.environ['NNCOURSE_HUB_PASSWORD']}  "
              "(set NNCOURSE_HUB_PASSWORD to choose one)")
    port = os.environ.get("NNCOURSE_HUB_PORT", "8000")
    print(f"learners open http://{os.environ.get('NNCOURSE_HUB_IP', '127.0.0.1')}:{port}/ and log "
          "in with any name and the workshop password")
    hub = Path(sys.executable).parent / "jupyterhub"
    if os.geteuid() == 0:
        os.umask(0o077)     # the hub's database and secrets: root's alone (learners have accounts)
    os.chdir(state)
    os.execv(str(hub), [str(hub), "-f", str(config)])


if __name__ == "__main__":
    main()
