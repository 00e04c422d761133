# The two commands: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test lint deps deps-test venv demo-reset screenshots bench soak installer msi clean

run: deps $(INSTALLED)
	$(PY) -m dim_revision demo

test: deps-test $(INSTALLED) lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check dim_revision ui tests benchmarks
	$(VENV)/bin/ruff format --check -q dim_revision ui tests benchmarks scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

deps:
	@bash scripts/debian-deps.sh run

deps-test:
	@bash scripts/debian-deps.sh test

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@# Python < 3.12 uses PySide6 6.11 (see pyproject.toml): drop a 6.12 PySide6-Pdf left by an older venv.
	$(PY) -c 'import sys; sys.exit(sys.version_info >= (3, 12))' && $(PY) -m pip uninstall -y -q PySide6-Pdf 2>/dev/null || true
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The main states of the window at 1366x768 and 1920x1080 as PNGs in docs/screenshots/, each size
# under its own Xvfb screen (xvfb-run; QT_QPA_PLATFORM=offscreen forces the offscreen fallback).
screenshots: $(INSTALLED)
	$(PY) scripts/screenshots.py --out docs/screenshots

demo-reset: $(INSTALLED)
	$(PY) -m dim_revision demo --reset --no-gui

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

# Performance against DESIGN §7's budgets, each case beside its peer (a few minutes; see docs/performance.md).
# BENCH_ARGS=--full adds the 1M-request queue (generated once into build/bench-data/, ~1.5 min);
# BENCH_ARGS=--quick is the smoke run. The report rewrites docs/performance.md's generated part.
BENCH_ARGS ?=
bench: $(INSTALLED)
	QT_QPA_PLATFORM=offscreen $(PY) -m benchmarks.run --json build/bench.json $(BENCH_ARGS); \
	status=$$?; $(PY) -m benchmarks.report build/bench.json docs/performance.md docs/performance.png; \
	exit $$status

# Never twice, never lost, under fault injection and kill -9, on SQLite and PostgreSQL
# (DIM_REVISION_TEST_PG_URL); see docs/reliability.md. SOAK_ARGS=--quick for a short run.
soak: $(INSTALLED)
	$(PY) -m benchmarks.soak --json build/soak.json $(SOAK_ARGS)
	$(PY) -m benchmarks.intake_memory

# The one-folder PyInstaller build in dist/dim-revision/ (both executables; a few minutes) by the
# portable script (the same command on Windows: see docs/install.md).
# `make installer INSTALLER_ARGS=--msi` also builds the MSI (wixl from Debian's msitools here).
INSTALLER_ARGS ?=
installer: $(INSTALLED)
	$(PY) -m pip install -q -e '.[installer]'
	$(PY) -m scripts.build_installer $(INSTALLER_ARGS)

# The folder and the MSI dist/dim-revision-<version>-x64.msi, with Debian's wixl (installed here).
msi: $(INSTALLED)
	@bash scripts/debian-deps.sh installer
	$(MAKE) installer INSTALLER_ARGS=--msi
