# Two entry points for a fresh machine with python3, pip and make:
#   make build   install kg into .venv, build the graph and the cluster map from data/
#   make test    install kg with its test extras into .venv and run the test suite
#   make bench   measure speed and memory (several minutes) and put the table into README.md
#   make screenshots  a PNG of each view of the web explorer (docs/screenshots/)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The query page's editor and the pages' font, from the npm registry (frontend/package-lock.json);
# without npm the pages still work (a plain text box, the machine's fonts) and say why.
FRONTEND := kg/serve/static/build/editor.js
UNAVAILABLE := kg/serve/static/build/unavailable.txt

.PHONY: build test bench install install-dev frontend screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

$(FRONTEND): frontend/package-lock.json frontend/build.mjs frontend/src/editor.js
	@mkdir -p $(dir $(FRONTEND))
	@if ! command -v npm >/dev/null 2>&1; then \
	    echo "npm (Node.js) was not found when kg was built" > $(UNAVAILABLE); \
	    echo "make: npm not found: the query page will use a plain text box"; \
	elif ! (cd frontend && npm ci --no-audit --no-fund --loglevel=error && node build.mjs); then \
	    echo "npm ci or the bundling in frontend/ failed when kg was built" > $(UNAVAILABLE); \
	    echo "make: the editor could not be built: the query page will use a plain text box"; \
	fi

frontend: $(FRONTEND)

build: install frontend
	$(BIN)/kg build

test: install-dev frontend
	$(BIN)/python -m pytest -n 2

bench: install
	$(BIN)/kg bench --readme README.md

screenshots: install-dev frontend
	$(BIN)/kg build
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf build $(VENV) frontend/node_modules kg/serve/static/build
