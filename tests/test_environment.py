"""environment.yml (conda, Binder) and pyproject.toml must list the same runtime packages."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _name_and_spec(requirement):
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def conda_dependencies():
    """The plain package lines of environment.yml (a tiny parser: no YAML library needed)."""
    deps, in_deps = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^  - [^:]+$", line):
            name, spec = _name_and_spec(line[4:])
            deps[name] = spec
        elif in_deps and line and not line.startswith(" "):
            break
    return deps


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = dict(_name_and_spec(r) for r in project["dependencies"])
    conda = conda_dependencies()
    conda.pop("pip")
    assert conda.pop("python") == ">=3.10" == project["requires-python"]
    assert conda == runtime


def test_runtime_set_is_the_design_cards():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name_and_spec(r)[0] for r in project["dependencies"]}
    assert names == {"jupyterlab", "numpy", "matplotlib", "ipywidgets", "nbval", "pytest"}
    test_only = {_name_and_spec(r)[0] for r in project["optional-dependencies"]["test"]}
    assert "hypothesis" in test_only and not test_only & names


def test_environment_yml_installs_nnlib_itself():
    assert "- -e ." in (ROOT / "environment.yml").read_text()
