# Two commands on a fresh machine (Python >= 3.11 and make):
#   make report   executes every notebook on the local and grpc backends into reports/
#   make test     ruff (lint, format) + the whole test suite (notebooks and browser test included)
# Both create .venv from pyproject.toml (pinned by .ci/constraints.txt) on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml .ci/constraints.txt | cksum | cut -d' ' -f1)

.PHONY: help venv test report lab proto bench lock clean

help:
	@echo "make test | make report | make lab | make proto | make bench | make lock | make clean"

$(STAMP): pyproject.toml .ci/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c .ci/constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -p no:cacheprovider

report: $(STAMP)
	$(BIN)/hftlab report --out reports

lab: $(STAMP)
	mkdir -p $(VENV)/etc/ipython
	echo "c.InteractiveShellApp.extensions = ['hftlab']" > $(VENV)/etc/ipython/ipython_kernel_config.py
	$(BIN)/jupyter lab --notebook-dir=notebooks

proto: $(STAMP)
	$(BIN)/python proto/generate.py

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

# Refresh the CI lock from the current resolution of pyproject.toml's ranges.
lock:
	rm -rf /tmp/hftlab-lock && $(PYTHON) -m venv /tmp/hftlab-lock
	/tmp/hftlab-lock/bin/pip install --quiet '.[dev]'
	/tmp/hftlab-lock/bin/pip freeze --exclude hftlab > .ci/constraints.txt

clean:
	rm -rf $(VENV) reports
