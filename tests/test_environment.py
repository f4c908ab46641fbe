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
    assert "- -e .[course]" in (ROOT / "environment.yml").read_text()


def _third_party_imports(package):
    """Top-level names of the non-standard-library modules a package's files import."""
    import ast
    names = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names}


# import name -> distribution name, where they differ
_DISTRIBUTION = {"IPython": "ipython", "ipykernel": "ipykernel", "jupyter_client": "jupyter-client"}


def test_nnlib_needs_only_numpy_and_matplotlib():
    # IPython and ipywidgets only for live training views in a notebook (both in the runtime set).
    allowed = {"numpy", "matplotlib", "IPython", "ipywidgets", "nnlib"}
    assert _third_party_imports("nnlib") <= allowed


def test_nncourse_declares_what_it_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name_and_spec(r)[0] for r in
                project["dependencies"] + project["optional-dependencies"]["course"]}
    # IPython and jupyter_client come with ipykernel, which the course extra declares.
    declared |= {"ipython", "jupyter-client"}
    used = {_DISTRIBUTION.get(n, n.lower()) for n in _third_party_imports("nncourse")}
    assert used - {"nnlib", "nncourse"} <= declared


def test_blas_kernels_fixed_where_the_cpu_runs_the_stored_outputs_kernels(tmp_path):
    """The Makefile's KERNEL_ENV and execute.py agree on OpenBLAS's kernels (SkylakeX with
    AVX-512, OpenBLAS's own choice elsewhere)."""
    import subprocess

    from nncourse.build.execute import STABLE_ENV, blas_core
    avx512 = tmp_path / "avx512"
    avx512.write_text("processor\t: 0\n"
                      "flags\t\t: fpu sse2 avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl\n")
    avx2 = tmp_path / "avx2"
    avx2.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 fma\n")
    assert blas_core(avx512) == "SkylakeX"
    assert blas_core(avx2) is None and blas_core(tmp_path / "missing") is None
    make = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True).stdout
    line = next(x for x in make.splitlines() if "pytest" in x)
    fixed = STABLE_ENV.get("OPENBLAS_CORETYPE") == "SkylakeX"
    assert ("OPENBLAS_CORETYPE=SkylakeX" in line) == fixed
