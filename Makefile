# Claimtrail: `make demo` runs the workbench on SQLite with sample data; `make test` runs the suite.
# Both set themselves up: a virtual environment in .venv with the project installed (make demo:
# what the app needs to run; make test: that and the test tools).

VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Django 6.1 needs Python 3.12 or newer: take the first one found.
PYTHON ?= $(shell for p in python3.13 python3.12 $(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3 /root/.pyenv/versions/3.1[23]*/bin/python3 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: demo test install install-test browser-deps bench-ingest bench-annotate bench-admin bench-api bench-export bench-verify bench-desk bench-claims bench-revisions lint serve

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "error: Python 3.12 or newer is required (Django 6.1)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Two stamps: what the app needs to run (make demo, the benchmarks), and that plus the test
# tools (Playwright, schemathesis, hypothesis, frictionless...: make test, make lint).
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run

install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py import_factchecks fixtures/demo_factchecks.jsonl --origin "demo sample"
	$(BIN)/python manage.py embed_factchecks --no-progress
	$(BIN)/python manage.py demo
	@echo "Claimtrail is running: http://$(HOST):$(PORT)/admin/ (Ctrl-C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

# Benchmarks need PostgreSQL databases claimtrail_bench_ingest / claimtrail_bench_annotate
# (see bench/RESULTS.md); BENCH_ARGS=--quick runs them small.
bench-ingest: install
	$(BIN)/python bench/ingest.py $(BENCH_ARGS)

bench-annotate: install
	$(BIN)/python bench/annotate.py $(BENCH_ARGS)

bench-admin: install
	$(BIN)/python bench/admin.py $(BENCH_ARGS)

# verify_ledger on 1,000,000 events (and 100,000 imported segments) in claimtrail_bench_verify
# (createdb -O claimtrail claimtrail_bench_verify). BENCH_ARGS=--quick for 50,000.
bench-verify: install
	$(BIN)/python bench/verify.py $(BENCH_ARGS)

# Drives Debian's Chromium through Playwright (a test extra) over a throwaway SQLite workbench.
bench-desk: install-test
	$(BIN)/python bench/desk.py --write $(BENCH_ARGS)

# CheckThat! 2021 Task 2B (matching) on ../shared/claims, on a throwaway SQLite workbench.
bench-claims: install
	$(BIN)/python bench/claims_match.py --write $(BENCH_ARGS)

# Revisions: 10,000 annotations carried across revisions of a 2,000-segment transcript, on
# PostgreSQL (createdb -O claimtrail claimtrail_bench_revisions; BENCH_ARGS=--sqlite without).
bench-revisions: install
	$(BIN)/python bench/revisions.py --write $(BENCH_ARGS)

bench-api: install
	$(BIN)/python bench/api.py $(BENCH_ARGS)

# Export: 1,000,000 segments / 200,000 annotations and 1/10 in claimtrail_bench_export
# (createdb -O claimtrail claimtrail_bench_export; migrate). BENCH_ARGS=--quick for 100,000.
bench-export: install
	$(BIN)/python bench/export.py --record $(BENCH_ARGS)
