# Joint Events — `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app

.DEFAULT_GOAL := help
.PHONY: help run test lint fmt translations migrate browser pdf bench clean

help: ## Print this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

MO := events/translations/ru/LC_MESSAGES/messages.mo

# Compiled only when a catalogue changed, so that two `make test` at once (CI) never write it
# while the other reads it.
$(MO): $(BIN)/.installed $(wildcard events/translations/*/*.po)
	@$(BIN)/flask compile-translations >/dev/null

translations: $(MO) ## Compile the Russian/English catalogues

migrate: translations ## Apply migrations to the configured database
	$(BIN)/flask db upgrade heads

# The web app and the worker that delivers its mail, together; Ctrl-C stops both. The worker
# has no request to take the address from, so the links in the mail it writes (reminders,
# nudges) are given the address `make run` serves on.
run: migrate ## Create the venv, migrate, load demo data if empty, serve on HOST:PORT with the worker
	-@$(MAKE) --no-print-directory pdf
	@$(BIN)/flask seed-demo --if-empty
	@export MAIL_BACKEND=$${MAIL_BACKEND:-console}; \
	  $(BIN)/flask welcome --url http://$(HOST):$(PORT) || exit 1; \
	  SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask worker & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT)

AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js

$(AXE):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@4

ICALJS := $(VENV)/icaljs/node_modules/ical.js/dist/ical.js

$(ICALJS):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/icaljs ical.js@2

# Text widths (and so the 390 px overflow checks) depend on real fonts: fonts-liberation.
BROWSER_FONT := /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf

browser: $(AXE) $(ICALJS) ## Install Debian's Chromium and fonts (axe-core, ical.js) for the tests when missing
	@if ! command -v chromium >/dev/null 2>&1 || [ ! -e $(BROWSER_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium and fonts-liberation (browser tests)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null; \
	  else echo "chromium or fonts-liberation missing: install these Debian packages" >&2; exit 1; fi; \
	fi

# WeasyPrint draws the annual report with Pango; DejaVu Sans has the Cyrillic it needs.
pdf: ## Install Pango and the DejaVu fonts for the annual report PDF when missing
	@{ ldconfig -p | grep -q 'libpangoft2-1.0.so' && command -v fc-list >/dev/null 2>&1 \
	   && fc-list | grep -qi 'DejaVu Sans'; } || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing pango and fonts (annual report PDF)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-dejavu-core >/dev/null; \
	  else echo "PDF export needs the Debian packages libpango-1.0-0 libpangoft2-1.0-0" \
	    "fontconfig fonts-dejavu-core" >&2; exit 1; fi; }

test: translations browser pdf ## Run the whole test suite (DATABASE_URL picks PostgreSQL)
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(BIN)/.installed ## Ruff checks
	$(BIN)/ruff check .

fmt: $(BIN)/.installed ## Ruff autofix and import sorting
	$(BIN)/ruff check --fix .

bench: translations ## Run every benchmark in bench/ (slow; figures in bench/README.md)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## Remove the venv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
