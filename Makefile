# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint bench clean browser pgclient demo
# `make demo`: a database of demonstration data of its own (never the real one), then the bot on it.
DEMO_DB ?= sqlite+aiosqlite:///$(CURDIR)/var/demo.db
# axe-core (accessibility rules) from the npm registry, for the browser tests only (git-ignored folder).
AXE_DIR := tests/output/npm

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

test: setup browser pgclient
	$(BIN)/htxbot content check
	$(BIN)/htxbot rules check
	$(BIN)/lint-imports
	$(BIN)/pytest -q

# Browser tests use Debian's Chromium, and axe-core checks every page's accessibility; when either cannot
# be installed the tests that need it are skipped and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	  || echo "chromium could not be installed: browser tests will be skipped"; }
	@test -f $(AXE_DIR)/node_modules/axe-core/axe.min.js || { \
	  command -v npm >/dev/null 2>&1 && npm install --prefix $(AXE_DIR) --no-audit --no-fund --silent axe-core@4 >/dev/null 2>&1; } \
	  || echo "axe-core could not be installed with npm: accessibility checks will be skipped"

# A demonstration anyone can open: one province's cooperatives and a year of updates in var/demo.db, a
# sign-in link for a demonstration official, then the bot (open the link while it runs).
demo: setup
	DATABASE_URL=$(DEMO_DB) $(BIN)/htxbot demo
	DATABASE_URL=$(DEMO_DB) $(BIN)/htxbot run

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/eligibility.py
	$(BIN)/python bench/faq.py
	$(BIN)/python bench/geo.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) var .pytest_cache

# The backup test (tests/ops/test_backup.py) uses pg_dump and pg_restore; when they cannot be
# installed it is skipped and says why.
pgclient:
	@command -v pg_restore >/dev/null 2>&1 || { \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client) >/dev/null 2>&1 \
	  || echo "postgresql-client could not be installed: the backup test will be skipped"; }
