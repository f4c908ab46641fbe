# nnlib course: the two commands at the top of README.md live here.
#   make lab    set up (once) and open the course in JupyterLab
#   make test   set up (once) and run every test
# Set-up is a local virtual environment in .venv, reused while pyproject.toml is unchanged.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

# The course's runtime settings live in one place, nncourse/settings.py: the kernels' environment
# (fixed hash seed, one BLAS thread, OpenBLAS's kernels where the CPU runs the stored outputs'),
# the server's and JupyterLab's settings, the folder a lab
# serves and its start page. `nncourse settings` prints or writes them where the tools read them.
KERNEL_ENV = $(shell $(BIN)/python -m nncourse settings env)

.PHONY: lab teach hub test notebooks execute bench exercises clean help

help:
	@echo "make lab        set up and open the course in JupyterLab"
	@echo "make test       set up and run every test"
	@echo "make notebooks  regenerate notebooks/ from solutions/"
	@echo "make execute    re-execute solutions/ in place (refresh stored outputs)"
	@echo "make bench      run the benchmarks in benchmarks/"

# PYTHONWARNINGS=ignore: setuptools prints large banners about editable installs, which a learner
# need not read during set-up.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# matplotlib's font cache belongs to this environment (a cache left by another one may point to
# fonts that are gone) and is built at set-up, not by the first figure of a notebook (which would
# print "building the font cache" into that cell's output).
export MPLCONFIGDIR := $(abspath $(VENV))/matplotlib

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[course]"
	$(BIN)/python -c "import matplotlib.font_manager"
	touch $@

# JupyterLab settings for a classroom (no news prompt, no update checks: works offline), where
# JupyterLab reads them: the environment's share/jupyter/lab/settings/overrides.json.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_SETTINGS): nncourse/settings.py $(VENV)/.runtime
	$(BIN)/python -m nncourse settings lab --out $(dir $@)

# The server's settings (output rate limits, the terminal's shell and PATH, the served folder, the
# start page) as a jupyter_server_config.json in a folder of its own, put first on the server's
# config path with JUPYTER_CONFIG_PATH (jupyter_server_config.d/ would not do: only server
# extensions are read from there).
SERVER_CONFIG := $(abspath $(VENV))/etc/nncourse
config_path = JUPYTER_CONFIG_PATH="$(SERVER_CONFIG)/$(1)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}"

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[course,test]"
	touch $@

# Classroom containers often run as root, where JupyterLab needs --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# The learner's lab serves their own workspace, and only it (git-ignored, made from notebooks/ on
# first run; `$(BIN)/nncourse update` brings course updates in), never the tracked files; `/`
# opens the start page; its terminal finds `nncourse`. Teachers open the whole course,
# solutions/ included, with `make teach`.
WORKSPACE ?= workspace
LAB_FLAGS = --ip=127.0.0.1 --port=$(PORT) $(ALLOW_ROOT)
lab: $(VENV)/.runtime $(LAB_SETTINGS)
	$(BIN)/nncourse workspace --workspace $(WORKSPACE)
	$(BIN)/nncourse settings server --out $(SERVER_CONFIG)/lab --root $(WORKSPACE)
	PATH="$(CURDIR)/$(BIN):$$PATH" NNCOURSE_WORKSPACE=$(abspath $(WORKSPACE)) $(call config_path,lab) \
		$(KERNEL_ENV) $(BIN)/jupyter lab $(LAB_FLAGS)

teach: $(VENV)/.runtime $(LAB_SETTINGS)
	$(BIN)/nncourse settings server --out $(SERVER_CONFIG)/teach --root $(CURDIR) \
		--start solutions/00_start_here.ipynb
	PATH="$(CURDIR)/$(BIN):$$PATH" $(call config_path,teach) $(KERNEL_ENV) $(BIN)/jupyter lab $(LAB_FLAGS)

# A workshop JupyterHub on this machine (hub/README.md): learners log in with a shared password.
$(VENV)/.hub: pyproject.toml $(VENV)/.runtime
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[course,hub]"
	test -x .hub-node/node_modules/.bin/configurable-http-proxy || command -v configurable-http-proxy \
		|| npm install --silent --no-audit --no-fund --prefix .hub-node configurable-http-proxy
	touch $@

# make hub LEARNERS=names.txt: those learners' servers are started before they log in.
hub: $(VENV)/.hub $(LAB_SETTINGS)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(if $(LEARNERS),NNCOURSE_HUB_LEARNERS=$(abspath $(LEARNERS))) \
		$(BIN)/python hub/run.py

# Lint first (ruff, configured in pyproject.toml), then every test.
test: $(VENV)/.test $(LAB_SETTINGS)
	$(BIN)/ruff check .
	$(KERNEL_ENV) $(BIN)/python -m pytest -n 2 --dist loadscope \
		--nbval --nbval-current-env --nbval-cell-timeout=120 \
		--nbval-sanitize-with tests/nbval_sanitize.cfg \
		tests solutions

notebooks: $(VENV)/.runtime
	$(BIN)/python -m nncourse notebooks

execute: $(VENV)/.test
	$(BIN)/python -m nncourse execute

exercises: $(VENV)/.runtime
	$(BIN)/python -m nncourse exercises --json

# The bench extra: what train_speed.py compares nnlib with (scikit-learn, PyTorch's CPU build).
$(VENV)/.bench: pyproject.toml $(VENV)/.test
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[course,test,bench]"
	touch $@

# One run of every benchmark (benchmarks/README.md): one table, and the figures as JSON in
# benchmarks/results/ (BENCH_ARGS="--compare benchmarks/results/OLD.json" prints a run beside it).
# The hub's benchmark needs configurable-http-proxy, which the hub's set-up installs.
bench: $(VENV)/.bench $(VENV)/.hub
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
