# facegate: `make run` serves, `make test` tests; both set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MODELS := build/models

.PHONY: run test models clients lint format bench-accuracy bench-speed bench-http clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Run-time dependencies plus the build-time converter (onnx), the generated Python client and the `facegate`
# command line built on it.
$(VENV)/.run-deps: pyproject.toml clients/python/pyproject.toml clients/cli/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[models]' -e clients/python -e clients/cli
	touch $@

# Everything: tests, lint, benchmarks, and the reference implementations the tests compare against.
$(VENV)/.dev-deps: pyproject.toml clients/python/pyproject.toml clients/cli/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e clients/python -e clients/cli
	touch $@ $(VENV)/.run-deps

# The TypeScript client's pinned generators and compiler (clients/typescript/package-lock.json); the tests that
# need them skip where Node.js is missing.
NODE_MODULES := clients/typescript/node_modules/.package-lock.json
NPM := $(shell command -v npm)
$(NODE_MODULES): clients/typescript/package-lock.json
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error

# Regenerates clients/ from the OpenAPI document of the code (tests/clients fail until it is run after a change).
clients: $(VENV)/.dev-deps $(NODE_MODULES)
	$(BIN)/python clients/generate.py

$(MODELS)/.built: $(VENV)/.run-deps $(wildcard models/*.py models/measured/*.json)
	$(BIN)/python -m models.build --out $(MODELS) --cache build
	touch $@

models: $(MODELS)/.built

# Migrates the database (a SQLite file under ./data/ unless FACEGATE_DATABASE_URL says otherwise), then serves
# on FACEGATE_HOST:FACEGATE_PORT (127.0.0.1:8000).
run: $(MODELS)/.built
	$(BIN)/python -m app serve

test: $(VENV)/.dev-deps $(MODELS)/.built $(if $(NPM),$(NODE_MODULES))
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(VENV)/.dev-deps
	$(BIN)/ruff format .

bench-accuracy: $(VENV)/.dev-deps $(MODELS)/.built
	$(BIN)/python -m bench.accuracy

bench-speed: $(VENV)/.dev-deps $(MODELS)/.built
	$(BIN)/python -m bench.speed

bench-http: $(VENV)/.dev-deps $(MODELS)/.built
	$(BIN)/python -m bench.http

clean:
	rm -rf build $(VENV)
