# The two commands of the README: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-deps client-deps morph-deps run build test lint clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Debian packages the tests use (chromium, raptor2-utils); needs root or sudo.
system-deps:
	tools/install-system-deps.sh

## Comunica, the JavaScript SPARQL client tests/test_clients.py runs, pinned by tools/comunica/package-lock.json.
## Without npm (or the npm registry) the Comunica test skips, and says why; the rest of `make test` runs.
COMUNICA_STAMP := tools/comunica/node_modules/.installed
client-deps: $(COMUNICA_STAMP)

$(COMUNICA_STAMP): tools/comunica/package.json tools/comunica/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		(cd tools/comunica && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
			&& touch node_modules/.installed) \
		|| echo "npm ci failed in tools/comunica: the Comunica client test will be skipped"; \
	else \
		echo "npm not found: the Comunica client test will be skipped (install Node 20 and npm)"; \
	fi

## Morph-KGC, the second RML engine tests/test_morph_kgc.py runs on the same mappings, in its own venv
## (it pins old pyoxigraph and rdflib), pinned by tools/morph/requirements.txt. Without PyPI the test skips, and says why.
MORPH_VENV := tools/morph/.venv
MORPH_STAMP := $(MORPH_VENV)/.installed
morph-deps: $(MORPH_STAMP)

$(MORPH_STAMP): tools/morph/requirements.txt
	@(python3 -m venv $(MORPH_VENV) \
		&& $(MORPH_VENV)/bin/pip install --quiet --requirement tools/morph/requirements.txt \
		&& touch $(MORPH_STAMP)) \
		|| echo "could not install Morph-KGC into $(MORPH_VENV): tests/test_morph_kgc.py will be skipped"

## Set up, build the graph into the embedded store, and serve it on http://127.0.0.1:8000/.
run: install
	$(BIN)/clusterkg build
	$(BIN)/clusterkg serve

build: install
	$(BIN)/clusterkg build

## Set up and run every check CI runs.
test: install system-deps client-deps morph-deps lint
	$(PY) -m pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/mypy

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
