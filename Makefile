# Two entry points for a fresh machine with python3, pip and make:
#   make build   install kg into .venv, build the graph and the cluster map from data/
#   make test    install kg with its test extras into .venv and run the test suite
#   make bench   measure speed and memory (several minutes) and put the table into README.md
#   make readme  run the README's example commands and put their output into README.md
#   make screenshots  a PNG of each view of the web explorer (docs/screenshots/)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The query page's editor and the pages' font, from the npm registry (frontend/package-lock.json);
# without npm the pages still work (a plain text box, the machine's fonts) and say why.
FRONTEND := kg/serve/static/build/editor.js
UNAVAILABLE := kg/serve/static/build/unavailable.txt

.PHONY: build test bench readme install install-dev fonts frontend screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python fonts
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python fonts
	$(BIN)/pip install --quiet -e '.[dev]'

# Charts (kg figures --chart, the notebook) need a font with Chinese glyphs: Debian's
# fonts-wqy-microhei (5 MB). Installed where apt-get can (root or sudo); else say how.
fonts:
	@fc-list 2>/dev/null | grep -qiE 'wqy|Noto Sans CJK|Source Han Sans' || { \
	  if command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then \
	    SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
	      { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null; }; \
	  else echo "make: no CJK font found; charts need one: apt-get install fonts-wqy-microhei" >&2; fi; }

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

readme: build
	$(BIN)/kg examples --readme README.md

screenshots: install-dev frontend
	$(BIN)/kg build
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf build $(VENV) frontend/node_modules kg/serve/static/build
