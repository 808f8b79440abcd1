# The two commands of the README: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-deps run build test lint clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Debian packages the tests use (chromium, raptor2-utils); needs root or sudo.
system-deps:
	tools/install-system-deps.sh

## Set up, build the graph into the embedded store, and serve it on http://127.0.0.1:8000/.
run: install
	$(BIN)/clusterkg build
	$(BIN)/clusterkg serve

build: install
	$(BIN)/clusterkg build

## Set up and run every check CI runs.
test: install system-deps lint
	$(PY) -m pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/mypy

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
