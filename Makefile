# Everyday commands; CI (.ci/run) uses the same targets.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: install install-test system-test run demo test lint bench bench-query bench-webhooks bench-sales bench-documents bench-ui wrk clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python system-test
	$(BIN)/pip install -q -e '.[test]'

# the system packages the tests need, from the distribution when missing: pdftotext (poppler-utils)
# reads the PDFs back; WeasyPrint needs Pango and a font, and HarfBuzz-subset to embed fonts
# fast (without it fontTools subsets them: a one-page invoice takes 350 ms instead of 100);
# the browser tests (tests/web/, Playwright) drive Debian's Chromium at /usr/bin/chromium
SYSTEM_TEST_PACKAGES = poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core libharfbuzz-subset0 chromium
system-test:
	@command -v pdftotext >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q DejaVu && \
	  ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset && [ -x /usr/bin/chromium ] || \
	  ! command -v apt-get >/dev/null 2>&1 || \
	  apt-get install -y -q $(SYSTEM_TEST_PACKAGES) >/dev/null 2>&1 || \
	  (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(SYSTEM_TEST_PACKAGES) >/dev/null 2>&1) || \
	  echo "could not install $(SYSTEM_TEST_PACKAGES): the PDF and browser tests will fail"

run: install
	$(BIN)/comptoir serve --demo

test:
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint:
	$(BIN)/ruff check src tests
	$(BIN)/mypy

bench: install-test wrk
	$(BIN)/python bench/run.py

# make bench-query N=1000000 [ARGS="--no-postgres --runs 50"]: bench/query.py (bench/RESULTS.md)
N ?= 1000000
bench-query: install-test wrk
	$(BIN)/python bench/query.py --accounts $(N) $(ARGS)

# commit-to-first-attempt latency of webhooks while another endpoint hangs (bench/RESULTS.md)
bench-webhooks: install-test
	$(BIN)/python bench/webhooks.py $(ARGS)

# issuing a 20-line invoice and allocating a payment, as ratios to a create (bench/RESULTS.md)
bench-sales: install-test
	$(BIN)/python bench/sales.py $(ARGS)

# rendering a one-page and a 100-line invoice, as ratios to a bare WeasyPrint render (docs/documents.md)
bench-documents: install-test
	$(BIN)/python bench/documents.py $(ARGS)

# the web interface's list and record pages at N accounts, as ratios to the REST calls behind them
bench-ui: install-test
	$(BIN)/python bench/ui.py --accounts $(N) $(ARGS)

# wrk from the distribution when missing; without it the benches use a Python client
wrk:
	@command -v wrk >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
	  apt-get install -y -q wrk >/dev/null 2>&1 || \
	  (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wrk >/dev/null 2>&1) || \
	  echo "could not install wrk: the benchmarks will use their Python load generator"

clean:
	rm -rf $(VENV) comptoir.db comptoir.db-wal comptoir.db-shm
