#!/usr/bin/env bash
# Every check and test: lint, import layers, migrations (no drift), the suite on SQLite and on PostgreSQL
# (Redis-backed rate limits included; the browser tests in tests/e2e run in the SQLite run), Lighthouse on the
# start page, and a smoke run of the benchmark. Any failure fails the run.
# tests/chaos runs once, beside the others, and covers both engines itself: each chaos test makes a fresh SQLite file
# and a fresh PostgreSQL database on PG_ADMIN_URL (below).
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
DB2="${DB}_pg"   # the PostgreSQL run's own database: it runs beside the SQLite run, which uses $DB for its PG tests
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DB2" >/dev/null
PG_RUN_URL="${WITHU_TEST_PG_URL%/*}/$DB2"
BACKGROUND=()
cleanup() {
  for job in "${BACKGROUND[@]}"; do kill "$job" 2>/dev/null || true; done
  for name in "$DB" "$DB2"; do
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  done
  pg_cleanup
}
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
# Three runs side by side (the machine has 2 cores; each run is mostly one Python process, the chaos suite mostly
# waits for the processes it kills and restarts): the PostgreSQL run and the chaos suite in the background, each
# with its log in test-output/, the SQLite run in front. Each fails the whole on its own.
echo "== tests on PostgreSQL and the chaos suite: in the background ($OUT/postgresql.log, $OUT/chaos.log)"
env WITHU_TEST_DATABASE=postgresql WITHU_TEST_DATABASE_URL="$PG_RUN_URL" WITHU_TEST_PG_URL="$PG_RUN_URL" \
  WITHU_TEST_REDIS_URL=redis://127.0.0.1:6379/14 $BIN/pytest -q -p no:cacheprovider tests/api tests/db >"$OUT/postgresql.log" 2>&1 &
BACKGROUND+=($!)
# The chaos tests make their own SQLite files and PostgreSQL databases (both engines in this one run).
env WITHU_TEST_DATABASE=sqlite $BIN/pytest -q -p no:cacheprovider tests/chaos >"$OUT/chaos.log" 2>&1 &
BACKGROUND+=($!)
run_pytest SQLite env WITHU_TEST_DATABASE=sqlite $BIN/pytest -q -p no:cacheprovider --ignore=tests/chaos
wait_for() {
  local label=$1 job=$2 log=$3
  echo "== tests on $label (waiting for the background run)"
  set +e
  wait "$job"
  local rc=$?
  set -e
  tail -n 40 "$log"
  if [ $rc -eq 5 ]; then echo "no tests ran on $label" >&2; exit 1; fi
  if [ $rc -ne 0 ]; then echo "tests failed on $label" >&2; exit $rc; fi
}
wait_for PostgreSQL "${BACKGROUND[0]}" "$OUT/postgresql.log"
wait_for "the chaos suite" "${BACKGROUND[1]}" "$OUT/chaos.log"

echo "== lighthouse (start page, mobile)"
bash scripts/lighthouse.sh

echo "== benchmark smoke run"
$BIN/python bench/submit.py --smoke
$BIN/python bench/separation_check.py --smoke
$BIN/python bench/case_queue.py --smoke
$BIN/python bench/case_read.py --smoke
$BIN/python bench/flood.py --smoke
$BIN/python bench/check_batch.py --smoke
echo "== all checks passed"
