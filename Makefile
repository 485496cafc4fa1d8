# Everyday commands; CI (.ci/run) uses the same targets.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: install install-test run demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

run: install
	$(BIN)/comptoir serve --demo

test:
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint:
	$(BIN)/ruff check src tests
	$(BIN)/mypy

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) comptoir.db comptoir.db-wal comptoir.db-shm
