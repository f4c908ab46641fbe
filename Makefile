# nnlib course: the two commands at the top of README.md live here.
#   make lab    set up (once) and open the course in JupyterLab
#   make test   set up (once) and run every test
# Set-up is a local virtual environment in .venv, reused while pyproject.toml is unchanged.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

# Stable, fast notebook kernels (as nncourse/execute.py sets them): fixed hash seed and
# one BLAS thread (the course's matrices are small). Cells keep their own names, so tracebacks
# show the learner's line.
KERNEL_ENV := PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

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

# JupyterLab settings for a classroom: no news prompt, no update checks (works offline).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# Server settings (jupyter/jupyter_server_config.json): output rate limits, so that a print loop
# that never ends cannot flood and freeze the browser tab.
SERVER_SETTINGS := $(VENV)/etc/jupyter/jupyter_server_config.d/nncourse.json
$(LAB_SETTINGS): jupyter/overrides.json jupyter/jupyter_server_config.json | $(BIN)/python
	mkdir -p $(dir $@) $(dir $(SERVER_SETTINGS))
	cp jupyter/overrides.json $@
	cp jupyter/jupyter_server_config.json $(SERVER_SETTINGS)

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[course,test]"
	touch $@

# Classroom containers often run as root, where JupyterLab needs --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# The learner's lab opens their own workspace (git-ignored, made from notebooks/ on first run;
# `$(BIN)/nncourse update` brings course updates in), never the tracked files; its terminal finds
# `nncourse` on PATH. Teachers open the whole course, solutions/ included, with `make teach`.
WORKSPACE ?= workspace
LAB_FLAGS = --ip=127.0.0.1 --port=$(PORT) $(ALLOW_ROOT) --LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate
lab: $(VENV)/.runtime $(LAB_SETTINGS)
	$(BIN)/nncourse workspace --workspace $(WORKSPACE)
	PATH="$(CURDIR)/$(BIN):$$PATH" NNCOURSE_WORKSPACE=$(abspath $(WORKSPACE)) \
		$(KERNEL_ENV) $(BIN)/jupyter lab $(LAB_FLAGS) \
		--ServerApp.root_dir=$(abspath $(WORKSPACE)) \
		--LabApp.workspaces_dir=$(abspath $(WORKSPACE))/.nncourse/lab \
		--LabApp.default_url=/lab/tree/00_start_here.ipynb

teach: $(VENV)/.runtime $(LAB_SETTINGS)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(KERNEL_ENV) $(BIN)/jupyter lab $(LAB_FLAGS) \
		--ServerApp.root_dir=$(CURDIR) solutions/00_start_here.ipynb

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

bench: $(VENV)/.bench
	$(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/course_speed.py
	$(BIN)/python benchmarks/grading_speed.py
	$(BIN)/python benchmarks/hub_speed.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
