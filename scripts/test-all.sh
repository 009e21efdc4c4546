#!/usr/bin/env bash
# Every check and test: lint, import layers, migrations (no drift), the suite on SQLite and on PostgreSQL
# (Redis-backed rate limits included; the browser tests in tests/e2e run in the SQLite run), Lighthouse on the
# start page, and a smoke run of the benchmark. Any failure fails the run.
# tests/chaos runs in the SQLite run and covers both engines itself: each chaos test makes a fresh SQLite file and a
# fresh PostgreSQL database on PG_ADMIN_URL (below) — running it again in the PostgreSQL run would only repeat it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
OUT=test-output
mkdir -p "$OUT"
bash scripts/system-deps.sh

echo "== ruff";          $BIN/ruff check app tests bench migrations
echo "== import layers"; $BIN/lint-imports

source scripts/pg.sh   # sets PG_ADMIN_URL and pg_cleanup
DB="withu_test_$$_$RANDOM"
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
export WITHU_TEST_PG_URL="postgresql+asyncpg://${PG_ADMIN_URL#postgresql://}"
WITHU_TEST_PG_URL="${WITHU_TEST_PG_URL%/*}/$DB"
cleanup() { psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true; pg_cleanup; }
trap cleanup EXIT

echo "== alembic check (SQLite and PostgreSQL)"
SQLITE_CHECK="$(mktemp -d)/check.db"
WITHU_DATABASE_URL="sqlite+aiosqlite:///$SQLITE_CHECK" $BIN/alembic upgrade head
WITHU_DATABASE_URL="sqlite+aiosqlite:///$SQLITE_CHECK" $BIN/alembic check
WITHU_DATABASE_URL="$WITHU_TEST_PG_URL" $BIN/alembic upgrade head
WITHU_DATABASE_URL="$WITHU_TEST_PG_URL" $BIN/alembic check
WITHU_DATABASE_URL="$WITHU_TEST_PG_URL" $BIN/alembic downgrade base

run_pytest() {
  local label=$1; shift
  echo "== tests on $label"
  set +e
  "$@"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then echo "no tests ran on $label" >&2; exit 1; fi
  if [ $rc -ne 0 ]; then echo "tests failed on $label" >&2; exit $rc; fi
}
run_pytest SQLite env WITHU_TEST_DATABASE=sqlite $BIN/pytest -q -p no:cacheprovider
run_pytest PostgreSQL env WITHU_TEST_DATABASE=postgresql WITHU_TEST_DATABASE_URL="$WITHU_TEST_PG_URL" \
  $BIN/pytest -q -p no:cacheprovider tests/api tests/db

echo "== lighthouse (start page, mobile)"
bash scripts/lighthouse.sh

echo "== benchmark smoke run"
$BIN/python bench/submit.py --smoke
$BIN/python bench/separation_check.py --smoke
$BIN/python bench/case_queue.py --smoke
$BIN/python bench/flood.py --smoke
echo "== all checks passed"
