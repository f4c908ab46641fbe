# nnlib course: the two commands at the top of README.md live here.
#   make lab    set up (once) and open the course in JupyterLab
#   make test   set up (once) and run every test
# Set-up is a local virtual environment in .venv, reused while pyproject.toml is unchanged.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

# Stable, fast notebook kernels (as nncourse/execute.py sets them): fixed hash seed, fixed
# cell names in tracebacks, one BLAS thread (the course's matrices are small).
KERNEL_ENV := PYTHONHASHSEED=0 IPYKERNEL_CELL_NAME='<IPY-INPUT>' OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

.PHONY: lab test notebooks execute bench exercises clean help

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

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[course]"
	touch $@

# JupyterLab settings for a classroom: no news prompt, no update checks (works offline).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_SETTINGS): jupyter/overrides.json | $(BIN)/python
	mkdir -p $(dir $@)
	cp $< $@

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[course,test]"
	touch $@

# Classroom containers often run as root, where JupyterLab needs --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.runtime $(LAB_SETTINGS)
	$(KERNEL_ENV) $(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(ALLOW_ROOT) \
		--LabApp.news_url=None \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		--ServerApp.root_dir=$(CURDIR) notebooks/00_start_here.ipynb

test: $(VENV)/.test $(LAB_SETTINGS)
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

bench: $(VENV)/.test
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/course_speed.py
	$(BIN)/python benchmarks/grading_speed.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
