# Two entry points for a fresh machine with python3, pip and make:
#   make build   install kg into .venv, build the graph and the cluster map from data/
#   make test    install kg with its test extras into .venv and run the test suite
#   make bench   measure speed and memory (several minutes) and put the table into README.md
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

build: install
	$(BIN)/kg build

test: install-dev
	$(BIN)/python -m pytest -n 2

bench: install
	$(BIN)/kg bench --readme README.md

clean:
	rm -rf build $(VENV)
