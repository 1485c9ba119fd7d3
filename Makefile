# VoiceConsole: `make run` starts the product, `make test` runs the tests. Both install first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUN := .tools/node_modules/.bin/bun
BUN_VERSION := 1.4.5
PORT ?= 3000
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false

.PHONY: install run test test-unit test-e2e lint fmt worker demo benchmark clean

install: $(VENV)/.installed $(BUN) .tools/.chromium  ## Set up everything (idempotent)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

$(BUN):
	npm install --silent --no-audit --no-fund --prefix .tools bun@$(BUN_VERSION)

# Chromium for the browser tests, from Debian (Playwright downloads no browser here).
.tools/.chromium:
	@mkdir -p .tools
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: install Chromium (e.g. 'sudo apt-get install chromium') to run the browser tests"; fi
	@touch $@

run: install  ## Migrate, create the demo, start worker + app on http://localhost:$(PORT)
	PORT=$(PORT) ./scripts/run.sh

worker: install
	$(VENV)/bin/voiceconsole worker

demo: install
	$(VENV)/bin/voiceconsole db upgrade && $(VENV)/bin/voiceconsole demo

test: install lint  ## The linters and contracts, unit, API and job tests, then the browser tests
	$(PY) -m pytest tests --ignore=tests/e2e -q
	$(PY) -m pytest tests/e2e -q

# The habits CI checks: ruff (lint + format), the import-layer contracts, the type checker.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

fmt: install  ## Format the code and apply ruff's safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-unit: install
	$(PY) -m pytest tests --ignore=tests/e2e -q

test-e2e: install
	$(PY) -m pytest tests/e2e -q

# Two web and two worker hosts in network namespaces (loopback where that is impossible) on one PostgreSQL and
# Redis: tests/cluster/test_multi_host.py. About 3 minutes; root for the namespaces. Not part of `make test`.
.PHONY: test-cluster
test-cluster: install
	VC_CLUSTER=1 $(PY) -m pytest tests/cluster -v -s -p no:cacheprovider

benchmark: install
	$(PY) benchmarks/api_latency.py

clean:
	rm -rf .web .states data
