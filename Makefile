# The two commands of the README: `make run` and `make test`. Both install what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres lint bench check-rules install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Install, migrate the embedded SQLite database, seed demo data (logins printed), serve on :8000. In development,
## said explicitly: without WITHU_ENVIRONMENT the service runs as production (placeholder secrets and demo refused).
run: export WITHU_ENVIRONMENT := development
# The walkthroughs' webhook receiver runs on this machine (scripts/webhook-receiver.py): allow loopback here only.
run: export WITHU_WEBHOOK_ALLOWED_HOSTS ?= 127.0.0.1,[::1],localhost
run: $(STAMP)
	$(BIN)/withu migrate
	$(BIN)/withu demo seed
	@echo "WithU on http://127.0.0.1:8000 — the reporter's app at /, the case team's dashboard at /admin/ (demo logins above;"
	@echo "  TOTP code: WITHU_ENVIRONMENT=development .venv/bin/withu demo totp EMAIL), API docs at /docs; the worker"
	@echo "  delivers webhooks"
	$(BIN)/withu worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/withu serve --host 127.0.0.1 --port 8000

## Install and run every check and test: lint, layers, migrations, SQLite, PostgreSQL, Redis, browser.
test: $(STAMP)
	bash scripts/test-all.sh

lint: $(STAMP)
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/lint-imports

## The model checker of the rules (tests/rules), long: 500 random histories of 40 steps (`make test` runs 25 × 20).
check-rules: $(STAMP)
	WITHU_TEST_DATABASE=sqlite WITHU_RULES_PROFILE=long $(BIN)/pytest -q -p no:cacheprovider tests/rules

## Benchmarks, on demand (never part of the tests).
bench: $(STAMP)
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) var test-output tools/lighthouse/node_modules
