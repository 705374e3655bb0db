# The two commands of the README: `make run` and `make test`. Everything they need is installed
# by `make setup`, which is idempotent (it only redoes a step whose inputs changed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
VIRTUOSO ?= /usr/bin/virtuoso-t

.PHONY: setup run test lint build chromium virtuoso bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: setup
	$(BIN)/kg build

run: build
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

# Debian's Chromium drives the browser tests (Playwright's own browser download cannot work here).
chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

# Debian's Virtuoso (the binaries only: no service, no password prompt) for the external-store tests;
# the tests start it themselves from an ini in a temporary folder (tests/virtuoso.py).
virtuoso:
	@test -x $(VIRTUOSO) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource-7-bin)

# ruff (style and bugs), mypy (types, strict: settings in pyproject.toml), ESLint (the explorer's
# JavaScript: eslint.config.js).
lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	node_modules/.bin/eslint src/kg/web/static/js

test: setup chromium virtuoso lint
	$(BIN)/pytest -q

bench: build
	$(BIN)/python bench/endpoint.py

clean:
	rm -rf build .build.versions .build.validated tests/artifacts
