# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint bench clean browser

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/htxbot db upgrade
	$(BIN)/htxbot content check
	$(BIN)/htxbot run

test: setup browser
	$(BIN)/htxbot content check
	$(BIN)/htxbot rules check
	$(BIN)/lint-imports
	$(BIN)/pytest -q

# Browser tests use Debian's Chromium; when it cannot be installed they are skipped and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	  || echo "chromium could not be installed: browser tests will be skipped"; }

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/eligibility.py
	$(BIN)/python bench/faq.py
	$(BIN)/python bench/geo.py
	$(BIN)/python bench/broadcast.py

clean:
	rm -rf $(VENV) var .pytest_cache
