# Cuepress: `make build` sets everything up and builds the demo site; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE ?= .

.PHONY: chromium build test lint typecheck unit serve clean golden bench bench-quick stress

build: $(VENV)/.installed
	$(BIN)/cuepress build --site $(SITE)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

test: $(VENV)/.installed-test chromium lint typecheck unit bench-quick

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests tools bench
	$(BIN)/ruff format --check generator tests tools bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

unit: $(VENV)/.installed-test chromium
	$(BIN)/pytest

# Regenerate the golden demo site in tests/golden/ on purpose, after a deliberate output change.
golden: $(VENV)/.installed-test
	$(BIN)/python -m tests.golden

# A live-reloading preview of the site at http://127.0.0.1:8000/ (under base_url's path).
serve: $(VENV)/.installed
	$(BIN)/cuepress serve --site $(SITE)

# Benchmarks measure speed; tests never do. bench-quick proves they still run.
bench: $(VENV)/.installed-test chromium
	$(BIN)/python -m bench.parsers 200
	$(BIN)/python -m bench.preview . 20

bench-quick: $(VENV)/.installed-test chromium
	$(BIN)/python -m bench.parsers 3
	$(BIN)/python -m bench.preview . 2

clean:
	rm -rf output .cache
