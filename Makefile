# OrderFlow: `make run` and `make test` are all a new machine needs (Python 3.11+, make).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
DEPS_HASH := $(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
RUNTIME := $(VENV)/.runtime-$(DEPS_HASH)
TESTDEPS := $(VENV)/.test-$(DEPS_HASH)

.PHONY: run test test-clocks lint bench install clean demo-reset screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(RUNTIME): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(TESTDEPS): $(RUNTIME)
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(RUNTIME)

## Serve console, customer pages and API on http://127.0.0.1:8000 with the worker and demo sinks.
run: $(RUNTIME)
	$(BIN)/orderflow run

## The whole suite, SQLite and PostgreSQL, browser tests included where Chromium is present.
test: $(TESTDEPS)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=15 $(PYTEST_ARGS)

## The date-sensitive tests (marker `clock`) at shifted instants of the application's clock:
## a working day before and after the 16:00 cut-off (Shanghai), a weekend, a 调休 working
## Saturday (2026-10-10) and 23:59:59 in Shanghai. `make test` runs them at the first one.
## CLOCK_MARK narrows the set (CI: "clock and not postgres", the dates are computed in Python).
CLOCK_INSTANTS ?= 2026-12-07T06:30:00Z 2026-12-07T08:30:00Z 2026-12-05T04:00:00Z \
	2026-10-10T02:00:00Z 2026-12-07T15:59:59Z
CLOCK_MARK ?= clock
test-clocks: $(TESTDEPS)
	for at in $(CLOCK_INSTANTS); do \
	  echo "== clock at $$at"; \
	  $(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "$(CLOCK_MARK)" --clock-at=$$at \
	    $(PYTEST_ARGS) || exit 1; \
	done

## Re-take the console screenshots in docs/screenshots (both languages) with Chromium.
screenshots: $(TESTDEPS)
	ORDERFLOW_SCREENSHOTS=1 $(BIN)/python -m pytest -n 2 -q tests/e2e

lint: $(TESTDEPS)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## Every benchmark in bench/ (each ends with one JSON line); BENCH_ARGS=--quick for short runs.
bench: $(TESTDEPS)
	for f in bench/*.py; do $(BIN)/python $$f $(BENCH_ARGS) || exit 1; done

demo-reset:
	rm -rf var/

clean:
	rm -rf $(VENV) var/ .pytest_cache .mypy_cache .ruff_cache
