#!/usr/bin/env bash
# `make bench`: the benchmarks with their own servers, on SQLite and then, when a PostgreSQL is available
# (scripts/pg.sh), on throwaway PostgreSQL databases that are dropped at the end. On demand only, never part of the
# tests. bench/submit.py (report submission) gets the extra arguments (e.g. --workers 2); bench/separation_check.py
# (directory sync and separation check, about 1.5 min a database) gets BENCH_SEPARATION_ARGS.
#   BENCH_REQUESTS (300), BENCH_CONCURRENCY (16): the submission load; BENCH_POSTGRES=0 skips the PostgreSQL runs;
#   BENCH_SEPARATION=0 skips the separation benchmark; BENCH_SEPARATION_ARGS (e.g. "--employees 10000").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ARGS=(--requests "${BENCH_REQUESTS:-300}" --concurrency "${BENCH_CONCURRENCY:-16}" "$@")
read -r -a SEP_ARGS <<< "${BENCH_SEPARATION_ARGS:-}"
status=0

echo "== submission benchmark on SQLite"
$BIN/python bench/submit.py "${ARGS[@]}" || status=$?
if [ "${BENCH_SEPARATION:-1}" != 0 ]; then
  echo "== separation benchmark on SQLite"
  $BIN/python bench/separation_check.py "${SEP_ARGS[@]}" || status=$?
fi

if [ "${BENCH_POSTGRES:-1}" = 0 ]; then
  echo "== PostgreSQL runs skipped (BENCH_POSTGRES=0)"
  exit $status
fi
if ! command -v psql >/dev/null; then
  echo "== PostgreSQL runs skipped: no psql (scripts/system-deps.sh installs it)"
  exit $status
fi

DB="withu_bench_$$_$RANDOM"
PG_ADMIN_URL=""
cleanup() {
  if [ -n "$PG_ADMIN_URL" ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS ${DB}_sep WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if declare -F pg_cleanup >/dev/null; then pg_cleanup; fi
}
trap cleanup EXIT

# pg.sh finds the server on 127.0.0.1:5432 or starts a throwaway cluster; it sets PG_ADMIN_URL and pg_cleanup.
source scripts/pg.sh || true
if [ -z "$PG_ADMIN_URL" ] || ! psql "$PG_ADMIN_URL" -qtAc "select 1" >/dev/null 2>&1; then
  echo "== PostgreSQL runs skipped: no PostgreSQL reachable"
  exit $status
fi

pg_url() {  # the asyncpg URL of database $1 on the admin URL's server
  local url="postgresql+asyncpg://${PG_ADMIN_URL#postgresql://}"
  echo "${url%/*}/$1"
}
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
echo "== submission benchmark on PostgreSQL (throwaway database $DB)"
$BIN/python bench/submit.py --database-url "$(pg_url "$DB")" "${ARGS[@]}" || status=$?
if [ "${BENCH_SEPARATION:-1}" != 0 ]; then
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE ${DB}_sep" >/dev/null
  echo "== separation benchmark on PostgreSQL (throwaway database ${DB}_sep)"
  $BIN/python bench/separation_check.py --database-url "$(pg_url "${DB}_sep")" "${SEP_ARGS[@]}" || status=$?
fi
exit $status
