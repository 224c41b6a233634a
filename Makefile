# sozialraum — two commands: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SOZ := $(VENV)/bin/sozialraum
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench stress lint format setup setup-test demo chromium catalogs postgresql clean

run: setup demo
	$(SOZ) serve --host $(HOST) --port $(PORT)

test: setup-test
	@$(PY) -m pytest -q -ra $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; exit $$rc

bench: setup-test
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# concurrency, kill -9 (200 rounds) and load against the production server (~15 minutes);
# its quick variant is part of `make test` (tests/test_stress.py)
stress: setup-test
	$(PY) benchmarks/stress.py $(STRESS_ARGS)

lint: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

setup: $(VENV)/.stamp-installed static/vendor/.stamp static/fonts/.stamp catalogs

setup-test: setup $(VENV)/.stamp-dev chromium postgresql

demo: setup
	$(SOZ) demo

$(VENV)/bin/python:
	@$(PYTHON) -c "import ensurepip" 2>/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; } || \
		{ echo "error: python3-venv is needed (apt-get install python3-venv)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.stamp-installed: $(VENV)/bin/python setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-installed setup.cfg
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

static/vendor/.stamp: package.json package-lock.json scripts/vendor_assets.py
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; } || \
		{ echo "error: npm is needed to install the front-end assets (apt-get install npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/vendor_assets.py
	@touch $@

# The handouts' fonts (Arabic/Persian: Noto Naskh Arabic; Latin, Cyrillic: DejaVu Sans) from Debian's
# packages, copied to static/fonts/ and served by the app (not committed).
FONT_PACKAGES := fonts-dejavu-core fonts-noto-core
static/fonts/.stamp: scripts/vendor_fonts.py sozialraum/handouts/fonts.py $(VENV)/.stamp-installed
	@if [ ! -f /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf ] || \
		[ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGES); \
		else echo "error: handout fonts missing; run as root or: sudo apt-get install $(FONT_PACKAGES)" >&2; exit 1; fi; \
	fi
	$(PY) scripts/vendor_fonts.py
	@touch $@

# The handout catalogs compiled (.po → .mo, not committed); a wheel build compiles its own.
catalogs: $(VENV)/.stamp-installed
	@$(PY) scripts/compile_catalogs.py

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; no browser download).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
		else echo "warning: /usr/bin/chromium missing; run as root or: sudo apt-get install chromium chromium-driver" >&2; fi; \
	fi

# Debian's PostgreSQL + PostGIS for the tests of the PostgreSQL backend (they start a throwaway
# cluster on a Unix socket; nothing is started here). `make run` never needs them.
PG_BIN := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))
PG_GIS := $(firstword $(wildcard /usr/share/postgresql/*/extension/postgis.control))
postgresql:
	@if [ -z "$(PG_BIN)" ] || [ -z "$(PG_GIS)" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-postgis; \
		elif [ "$${CI:-}" = true ]; then \
			echo "error: PostgreSQL/PostGIS missing; run as root or: sudo apt-get install postgresql postgresql-postgis" >&2; exit 1; \
		else echo "warning: PostgreSQL/PostGIS missing (the PostgreSQL tests are skipped); run as root or: sudo apt-get install postgresql postgresql-postgis" >&2; fi; \
	fi

clean:
	rm -rf $(VENV) node_modules static/vendor static/fonts .pytest_cache
	rm -f sozialraum/handouts/locale/*/LC_MESSAGES/*.mo
