# The two commands of the README: `make run` and `make test`. Both install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Install, migrate the embedded SQLite database, seed demo data (logins printed), serve on :8000.
run: $(STAMP)
	$(BIN)/withu migrate
	$(BIN)/withu demo seed
	@echo "WithU on http://127.0.0.1:8000 — the reporter's app at /, the case team's dashboard at /admin/ (demo logins above;"
	@echo "  TOTP code: .venv/bin/withu demo totp EMAIL), API docs at /docs; the worker delivers webhooks"
	$(BIN)/withu worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/withu serve --host 127.0.0.1 --port 8000

## Install and run every check and test: lint, layers, migrations, SQLite, PostgreSQL, Redis, browser.
test: $(STAMP)
	bash scripts/test-all.sh

lint: $(STAMP)
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/lint-imports

## Benchmarks, on demand (never part of the tests).
bench: $(STAMP)
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) var test-output tools/lighthouse/node_modules
