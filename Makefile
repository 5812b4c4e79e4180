# scoretrack: `make run` serves the app, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

# Translations: the .po files are the source, the .mo files build output
# (ignored by git), compiled by `make install` whenever their .po changes.
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=data --ignore=benchmarks --ignore=e2e
PO_FILES := $(wildcard scoretrack/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
FORMS_BUNDLE := scoretrack/collect/static/collect/build/fill.js

.PHONY: install install-dev run test lint format migrate worker bench bench-clean clean browser messages docs

install: $(VENV)/.installed node_modules/.installed $(MO_FILES) $(FORMS_BUNDLE)

scoretrack/locale/%/LC_MESSAGES/django.mo: scoretrack/locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	$(BIN)/scoretrack compilemessages --locale=$* $(I18N_IGNORE) --verbosity=0
	touch $@

# After marking new strings: refresh the catalogues, then translate their new entries.
messages: $(VENV)/.installed
	$(BIN)/scoretrack makemessages --locale=es --locale=fr --locale=id --locale=vi \
		--locale=zh_Hans $(I18N_IGNORE)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The browser forms (ODK Web Forms, the outbox, the service worker), bundled by esbuild
# into collect/static/collect/build/ (build output, not in git; about 2 s).
$(FORMS_BUNDLE): node_modules/.installed $(wildcard scoretrack/collect/js/*)
	npm run --silent build

install-dev: install $(VENV)/.installed-dev

$(VENV)/.installed-dev: pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

migrate: install
	$(BIN)/scoretrack migrate --noinput

# On an existing data folder it answers in a few seconds: nothing to install, no
# migration to apply, the static files collected only when their sources changed,
# and Django's system checks run once, by `serve` (they build the whole URL map).
run: install
	$(BIN)/scoretrack migrate --noinput --skip-checks
	$(BIN)/scoretrack demo --if-empty
	$(BIN)/scoretrack demo_admin
	# The worker (big imports) runs beside the server and stops with it.
	$(BIN)/scoretrack worker & worker=$$!; trap 'kill $$worker' EXIT; \
	$(BIN)/scoretrack serve --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/scoretrack worker

# docs/EXCHANGE.md and docs/INDICATORS.md are generated from the code; a test fails until
# they are regenerated after a change of the workbook schema or the indicator registry.
docs: install
	$(BIN)/scoretrack docs

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@if command -v chromium >/dev/null 2>&1 || [ -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is missing: the browser tests will be skipped (apt-get install chromium)"; fi

test: install-dev lint browser
	$(BIN)/scoretrack makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks (not part of `make test`): generated data sets are kept in BENCH_DIR
# (/tmp/bench-data) and PostgreSQL databases bench_*; results go to BENCHMARKS.md.
# BENCH_SIZES=10000 runs the small size only; see benchmarks/harness.py for the rest.
bench: install $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.harness

$(VENV)/.installed-bench: pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

# Drops the kept benchmark data sets (folders and bench_* databases).
bench-clean: install
	$(BIN)/python -m benchmarks.datasets --drop-all

clean:
	rm -rf $(VENV) node_modules staticfiles staticfiles.versions staticfiles.lock
