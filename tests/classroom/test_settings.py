"""One source for the runtime settings (nncourse/settings.py), and every consumer agrees with it:
the Makefile's `make lab` / `make teach` (as make would run them), Binder's postBuild (run into a
temporary prefix), the workshop hub's config (loaded as JupyterHub loads it), the Kubernetes
values, the notebooks' executor and the grader's sandbox. No copy of the settings is kept
anywhere else, and what the environment holds is what the settings say (not stale).

That a server started this way really applies them is tested in test_lab_server.py.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nncourse import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def make_dry_run(target, **variables):
    """The commands `make TARGET` would run (make -n), settings expanded as make expands them."""
    args = ["make", "-n", "--no-print-directory", target] + \
        [f"{k}={v}" for k, v in variables.items()]
    res = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.replace("\\\n", " ")   # one line per command


def test_settings_are_what_the_readme_promises():
    core = {"OPENBLAS_CORETYPE": "SkylakeX"} if settings.blas_core() else {}
    assert settings.KERNEL_ENV == {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1",
                                   "OMP_NUM_THREADS": "1", **core}
    assert "IPYKERNEL_CELL_NAME" not in settings.KERNEL_ENV
    config = settings.server_config(root=ROOT / "workspace")
    limits = config["ZMQChannelsWebsocketConnection"]
    assert limits["limit_rate"] and limits["iopub_data_rate_limit"] == 50_000
    assert "50 kB/s" in (ROOT / "README.md").read_text()
    assert config["LabApp"]["default_url"] == settings.DEFAULT_URL
    assert settings.DEFAULT_URL == "/lab/tree/00_start_here.ipynb"
    assert config["ServerApp"]["root_dir"] == str((ROOT / "workspace").resolve())
    shell = config["ServerApp"]["terminado_settings"]["shell_command"]
    assert shell[0] == "bash" and str(BIN) in shell[-1]


@pytest.mark.skipif(not os.path.exists(BIN / "nncourse"), reason="nncourse is not installed")
def test_make_lab_and_teach_write_and_read_the_settings(tmp_path):
    ws = tmp_path / "ws"
    lab = make_dry_run("lab", WORKSPACE=ws, PORT=8999)
    env = settings.env_words()
    run = next(line for line in lab.splitlines() if "jupyter lab" in line)
    assert env in run and "NNCOURSE_WORKSPACE=" in run
    assert "JUPYTER_CONFIG_PATH=" in run and "/etc/nncourse/lab" in run
    assert "--port=8999" in run
    # no setting repeated as a flag: the server config holds them all
    assert "--LabApp" not in run and "--ServerApp" not in run
    assert f"nncourse settings server --out {BIN.parent.resolve()}/etc/nncourse/lab --root {ws}" \
        in lab
    teach = make_dry_run("teach", PORT=8999)
    assert env in teach and "/etc/nncourse/teach" in teach
    assert "--start solutions/00_start_here.ipynb" in teach
    test = make_dry_run("test")
    assert env in next(line for line in test.splitlines() if "pytest" in line)


def test_the_settings_command_writes_what_settings_hold(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    py = [sys.executable, "-m", "nncourse", "settings"]
    out = subprocess.run(py + ["env"], capture_output=True, text=True, check=True).stdout
    assert out.split() == [f"{k}={v}" for k, v in settings.KERNEL_ENV.items()]
    conf = tmp_path / "conf"
    # another program's setting in the same file is kept
    conf.mkdir()
    (conf / "jupyter_server_config.json").write_text('{"MappingKernelManager": {"x": 1}}')
    subprocess.run(py + ["server", "--out", str(conf), "--root", str(ws)], check=True,
                   capture_output=True)
    written = json.loads((conf / "jupyter_server_config.json").read_text())
    assert written.pop("MappingKernelManager") == {"x": 1}
    assert written == settings.server_config(root=ws)
    subprocess.run(py + ["lab", "--out", str(tmp_path / "lab")], check=True, capture_output=True)
    assert json.loads((tmp_path / "lab" / "overrides.json").read_text()) == settings.LAB_OVERRIDES
    # a typo is one line and exit status 2
    bad = subprocess.run(py + ["server", "--out", str(conf), "--root", str(tmp_path / "nope")],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "is not a folder" in bad.stderr and "Traceback" not in bad.stderr
    bad = subprocess.run(py + ["server"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--out" in bad.stderr


def test_postbuild_writes_the_settings_where_the_server_reads_them(tmp_path):
    prefix, ws = tmp_path / "prefix", tmp_path / "ws"
    env = dict(os.environ, NB_PYTHON_PREFIX=str(prefix), NNCOURSE_WORKSPACE=str(ws),
               PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    res = subprocess.run(["bash", str(ROOT / "postBuild")], env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    lab = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(lab.read_text()) == settings.LAB_OVERRIDES
    # etc/jupyter is on the config path of the environment's server; the .d folder is not read
    server = json.loads((prefix / "etc" / "jupyter" / "jupyter_server_config.json").read_text())
    assert server == settings.server_config(root=ws, bin_path=str(BIN))
    assert not (prefix / "etc" / "jupyter" / "jupyter_server_config.d").exists()


def test_hub_gives_learner_servers_the_settings(tmp_path, monkeypatch):
    pytest.importorskip("jupyterhub")
    from traitlets.config import Config
    monkeypatch.setenv("NNCOURSE_HUB_PASSWORD", "a-long-password")
    monkeypatch.setenv("NNCOURSE_HUB_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("NNCOURSE_HUB_USERS", "shared")   # no accounts for a config read
    config = Config()
    code = (ROOT / "hub" / "jupyterhub_config.py").read_text()
    exec(compile(code, "jupyterhub_config.py", "exec"), {"get_config": lambda: config,
                                                         "__file__": str(ROOT / "hub" / "x")})
    spawner = config.Spawner
    assert spawner.default_url == settings.DEFAULT_URL
    for key, value in settings.KERNEL_ENV.items():
        assert spawner.environment[key] == value
    assert spawner.environment["PATH"].startswith(f"{BIN}:")
    conf = Path(spawner.environment["JUPYTER_CONFIG_PATH"]) / "jupyter_server_config.json"
    assert json.loads(conf.read_text()) == settings.server_config(bin_path=str(BIN))
    assert not any(a.startswith(("--LabApp.news", "--LabApp.check_for", "--ServerApp.iopub"))
                   for a in spawner.args), "settings repeated as flags"


def test_kubernetes_values_agree():
    user = yaml.safe_load((ROOT / "k8s" / "config.yaml").read_text())["singleuser"]
    assert user["defaultUrl"] == settings.DEFAULT_URL
    for key, value in settings.KERNEL_ENV.items():
        if key not in settings.MACHINE_DEPENDENT:   # the cluster's nodes are not this machine
            assert user["extraEnv"][key] == value


def test_executor_and_sandbox_use_the_kernel_env():
    from nncourse.build import execute
    from nncourse.grading.sandbox import worker_environment
    assert execute.STABLE_ENV == settings.KERNEL_ENV
    env = worker_environment("/nonexistent-home")
    assert {k: env[k] for k in settings.KERNEL_ENV} == settings.KERNEL_ENV


def test_no_other_copy_of_the_settings_and_none_stale():
    """The settings appear in no other file of the course (one source), and the environment's
    installed lab settings are today's (make installs them when settings.py changes)."""
    for name in ("jupyter/jupyter_server_config.json", "jupyter/overrides.json"):
        assert not (ROOT / name).exists(), f"{name}: a second copy of nncourse/settings.py"
    for path in [ROOT / "Makefile", ROOT / "postBuild", ROOT / "hub" / "jupyterhub_config.py",
                 ROOT / "nncourse" / "build" / "execute.py",
                 ROOT / "nncourse" / "grading" / "sandbox.py"]:
        text = path.read_text()
        assert "PYTHONHASHSEED" not in text and "iopub_data_rate_limit" not in text, path
        assert "/lab/tree/00_start_here" not in text, path
    installed = BIN.parent / settings.LAB_SETTINGS_DIR / "overrides.json"
    if installed.exists():
        assert json.loads(installed.read_text()) == settings.LAB_OVERRIDES, \
            f"{installed} is stale: run make (it is rewritten from nncourse/settings.py)"
