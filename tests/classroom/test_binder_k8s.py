"""Beyond one server: Binder (repo2docker) and Zero to JupyterHub.

* repo2docker (from PyPI) prints the Dockerfile it would build, without Docker: it must build
  from environment.yml and run postBuild (it reads the root's files only while there is no
  binder/ folder);
* postBuild, run into a temporary prefix, makes the learner's workspace, which the server
  then serves alone (the settings it writes: test_settings.py);
* k8s/config.yaml parses, and the values that can be checked here are checked (the start page,
  the workspace, limits, culling, the start hook, which is also run here).
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REPO2DOCKER = shutil.which("repo2docker", path=str(BIN)) or shutil.which("repo2docker")
COURSE = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.skipif(REPO2DOCKER is None, reason="repo2docker missing: pip install -e .[hub]")
def test_repo2docker_builds_from_environment_yml_and_runs_postbuild(tmp_path):
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), \
        "a binder/ folder makes repo2docker ignore environment.yml and postBuild at the root"
    res = subprocess.run([REPO2DOCKER, "--no-build", "--debug", "--user-id", "1000",
                          "--user-name", "jovyan", str(ROOT)],
                         capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    dockerfile = res.stdout
    assert re.search(r'env update -p \$\{NB_PYTHON_PREFIX\} --file "environment.yml"', dockerfile)
    copy = dockerfile.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    assert copy < dockerfile.index('--file "environment.yml"'), \
        "environment.yml's `-e .` needs the repository copied first"
    assert "RUN ./postBuild" in dockerfile
    assert os.access(ROOT / "postBuild", os.X_OK)


def test_postbuild_into_a_temporary_prefix(tmp_path):
    prefix, ws = tmp_path / "prefix", tmp_path / "ws"
    env = dict(os.environ, NB_PYTHON_PREFIX=str(prefix), NNCOURSE_WORKSPACE=str(ws),
               PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    res = subprocess.run(["bash", str(ROOT / "postBuild")], env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    # the settings themselves: test_settings.py
    served = json.loads((prefix / "etc" / "jupyter" / "jupyter_server_config.json").read_text())
    assert served["ServerApp"]["root_dir"] == str(ws)
    assert served["LabApp"]["default_url"] == "/lab/tree/00_start_here.ipynb"
    assert sorted(p.name for p in ws.glob("*.ipynb")) == COURSE
    assert not (ws / "solutions").exists()


def test_readme_launch_link_opens_the_start_page():
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"https://mybinder\.org/v2/[^\s)]+", readme)
    assert links, "README.md has no Binder launch link"
    assert all("urlpath=lab/tree/00_start_here.ipynb" in link or
               "urlpath=lab%2Ftree%2F00_start_here.ipynb" in link for link in links), links


def bytes_of(size):
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    return int(float(size[:-1]) * units[size[-1]]) if size[-1] in units else int(size)


def test_zero_to_jupyterhub_values(tmp_path):
    values = yaml.safe_load((ROOT / "k8s" / "config.yaml").read_text())
    assert set(values) == {"hub", "singleuser", "cull", "scheduling"}
    hub = values["hub"]["config"]
    assert hub["JupyterHub"]["authenticator_class"] == "shared-password"
    assert "SharedPasswordAuthenticator" not in hub, "the password is set at install, not stored"
    user = values["singleuser"]
    assert user["defaultUrl"] == "/lab/tree/00_start_here.ipynb"
    assert user["notebookDir"] == user["extraEnv"]["NNCOURSE_WORKSPACE"]
    assert user["notebookDir"].startswith("/home/jovyan/")   # on the learner's persistent volume
    assert user["cmd"] == "jupyterhub-singleuser"
    assert bytes_of(user["memory"]["guarantee"]) <= bytes_of(user["memory"]["limit"])
    assert bytes_of(user["memory"]["limit"]) >= 512 * 2**20
    assert 0 < user["cpu"]["guarantee"] <= user["cpu"]["limit"]
    assert all(isinstance(v, str) for v in user["extraEnv"].values())   # k8s env values
    cull = values["cull"]
    assert cull["enabled"] is True and cull["timeout"] >= 600 and cull["every"] <= cull["timeout"]
    # the start hook is nncourse update on the workspace; run it here on a stand-in home
    command = user["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[:4] == ["python", "-m", "nncourse", "update"]
    ws = tmp_path / "home" / "workspace"
    local = [sys.executable] + command[1:-1] + [str(ws)]
    assert command[-1] == user["notebookDir"]
    for _ in range(2):   # first start creates, a restart finds it up to date
        out = subprocess.run(local, capture_output=True, text=True, check=True, timeout=120).stdout
    assert "up to date" in out
    assert sorted(p.name for p in ws.glob("*.ipynb")) == COURSE
