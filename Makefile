# Two entry points for a fresh machine with python3, pip and make:
#   make build   install kg into .venv, build the graph and the cluster map from data/
#   make test    install kg with its test extras into .venv and run the test suite
#   make bench   measure speed and memory (several minutes) and put the table into README.md
#   make eval    score the extractor on the seeds and on the development set (data/dev/)
#   make readme  run the README's example commands and put their output into README.md
#   make bench-large  the same with the 1,000x corpus and a 10 M-triple graph (about an hour)
#   make screenshots  a PNG of each view of the web explorer (docs/screenshots/)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The query page's editor and the pages' font, from the npm registry (frontend/package-lock.json);
# without npm the pages still work (a plain text box, the machine's fonts) and say why.
FRONTEND := kg/serve/static/build/editor.js
UNAVAILABLE := kg/serve/static/build/unavailable.txt

# The development set's texts are rebuilt outside the repository (data/dev/SOURCES.md).
DEV_TEXTS ?= $(HOME)/.cache/kg-dev

.PHONY: build test bench eval readme-eval readme bench-large install install-dev fonts frontend screenshots clean

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

eval: install
	@echo "== seeds (data/gold, data/corpus)"
	@$(BIN)/kg eval
	@echo "== development set (data/dev/gold, $(DEV_TEXTS))"
	@if python3 data/dev/check $(DEV_TEXTS) >/dev/null 2>&1; then \
	    $(BIN)/kg eval --gold data/dev/gold --corpus $(DEV_TEXTS); \
	else \
	    echo "the development texts are missing or differ in $(DEV_TEXTS):"; \
	    python3 data/dev/check $(DEV_TEXTS) | grep -E "MISSING|DIFFER|differ" | head -25; \
	    echo "rebuild them as data/dev/SOURCES.md says (never commit them), or point DEV_TEXTS=... at them"; \
	    exit 1; \
	fi

readme-eval: install
	$(BIN)/kg eval --readme README.md
	python3 data/dev/check $(DEV_TEXTS) >/dev/null && \
	    $(BIN)/kg eval --gold data/dev/gold --corpus $(DEV_TEXTS) --readme README.md --section eval-dev

readme: build
	$(BIN)/kg examples --readme README.md

bench-large: install
	$(BIN)/kg bench --large --readme README.md

screenshots: install-dev frontend
	$(BIN)/kg build
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf build $(VENV) frontend/node_modules kg/serve/static/build
