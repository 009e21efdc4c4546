#!/usr/bin/env bash
# `make bench`: the report-submission benchmark (bench/submit.py) with its own server, on SQLite and then, when a
# PostgreSQL is available (scripts/pg.sh), on a throwaway PostgreSQL database that is dropped at the end.
# On demand only, never part of the tests. Extra arguments go to bench/submit.py (e.g. --workers 2).
#   BENCH_REQUESTS (300), BENCH_CONCURRENCY (16): the load; BENCH_POSTGRES=0 skips the PostgreSQL run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ARGS=(--requests "${BENCH_REQUESTS:-300}" --concurrency "${BENCH_CONCURRENCY:-16}" "$@")
status=0

echo "== benchmark on SQLite"
$BIN/python bench/submit.py "${ARGS[@]}" || status=$?

if [ "${BENCH_POSTGRES:-1}" = 0 ]; then
  echo "== PostgreSQL run skipped (BENCH_POSTGRES=0)"
  exit $status
fi
if ! command -v psql >/dev/null; then
  echo "== PostgreSQL run skipped: no psql (scripts/system-deps.sh installs it)"
  exit $status
fi

DB="withu_bench_$$_$RANDOM"
PG_ADMIN_URL=""
cleanup() {
  if [ -n "$PG_ADMIN_URL" ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if declare -F pg_cleanup >/dev/null; then pg_cleanup; fi
}
trap cleanup EXIT

# pg.sh finds the server on 127.0.0.1:5432 or starts a throwaway cluster; it sets PG_ADMIN_URL and pg_cleanup.
source scripts/pg.sh || true
if [ -z "$PG_ADMIN_URL" ] || ! psql "$PG_ADMIN_URL" -qtAc "select 1" >/dev/null 2>&1; then
  echo "== PostgreSQL run skipped: no PostgreSQL reachable"
  exit $status
fi

psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
PG_URL="postgresql+asyncpg://${PG_ADMIN_URL#postgresql://}"
PG_URL="${PG_URL%/*}/$DB"
echo "== benchmark on PostgreSQL (throwaway database $DB)"
$BIN/python bench/submit.py --database-url "$PG_URL" "${ARGS[@]}" || status=$?
exit $status
