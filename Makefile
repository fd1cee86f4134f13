# Two commands: `make run` (install + open the app on the demo feeds) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean bench bench-quick

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Python 3.11 is required)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/tuireader

lint: $(STAMP)
	$(BIN)/ruff check tuireader tests benchmarks
	$(BIN)/mypy tuireader tests

test: $(STAMP)
	$(BIN)/ruff check tuireader tests benchmarks
	$(BIN)/mypy tuireader tests
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	bash benchmarks/setup.sh --run

bench-quick: $(STAMP)
	bash benchmarks/setup.sh --run --quick

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
