# The two commands: `make run` (set up, seed demo data, serve with the worker) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
BENCH_PEOPLE ?= 1000000
BENCH_CANDIDATES ?= 2000
SYSTEM_PACKAGES := libharfbuzz-subset0 chromium poppler-utils zbar-tools

.PHONY: setup run test lint translations system-deps bench

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

## setup: virtual environment, translations, secrets, database schema and the shipped data (idempotent)
setup: $(BIN)/.installed
	@$(BIN)/python -m lms.instance_keys
	@$(BIN)/pybabel compile -d lms/translations -D messages >/dev/null
	$(FLASK) db upgrade
	$(FLASK) curricula load
	$(FLASK) banks import

## run: setup, demo data, then the web server on $(HOST):$(PORT) with the background worker
run: setup
	$(FLASK) demo seed
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C stops the server and the worker)"
	@$(FLASK) worker & WORKER=$$!; trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

## test: setup, the system packages the suite needs, then the whole suite (browser tests included)
test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

lint: $(BIN)/.installed
	$(BIN)/ruff check .

## translations: extract strings and update the four catalogs (then translate the new entries)
translations: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lms/translations/messages.pot --no-location --sort-output .
	@for l in kk ru ky en; do \
	  if [ -f lms/translations/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations -l $$l --no-fuzzy-matching; \
	  else $(BIN)/pybabel init -i lms/translations/messages.pot -d lms/translations -l $$l; fi; \
	done
	$(BIN)/python -m lms.i18n_tools fill-en

$(BIN)/.bench-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@

## bench: measured timings (apart from the tests); results in bench/results/
bench: setup $(BIN)/.bench-installed
	$(FLASK) demo seed >/dev/null
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.certificates
	$(BIN)/python -m bench.item_analysis 100000
	$(BIN)/python -m bench.reports $(BENCH_PEOPLE)
	$(BIN)/python -m bench.load --people $(BENCH_PEOPLE) --candidates $(BENCH_CANDIDATES)
