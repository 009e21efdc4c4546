# Sourced: find a PostgreSQL to test against. WITHU_TEST_PG_ADMIN_URL if set; else the server on
# 127.0.0.1:5432 (trust auth, as on these machines); else a throwaway cluster of our own on port 55432.
PG_ADMIN_URL="${WITHU_TEST_PG_ADMIN_URL:-}"
_PG_OWN_DIR=""
pg_cleanup() {
  if [ -n "$_PG_OWN_DIR" ]; then
    runuser -u postgres -- "$_PG_BIN/pg_ctl" -D "$_PG_OWN_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$_PG_OWN_DIR"
  fi
}
if [ -z "$PG_ADMIN_URL" ]; then
  if psql "postgresql://postgres@127.0.0.1:5432/postgres" -qtAc "select 1" >/dev/null 2>&1; then
    PG_ADMIN_URL="postgresql://postgres@127.0.0.1:5432/postgres"
  else
    _PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    _PG_OWN_DIR=$(mktemp -d /tmp/withu-pg.XXXXXX)
    chown postgres "$_PG_OWN_DIR"
    runuser -u postgres -- "$_PG_BIN/initdb" -D "$_PG_OWN_DIR/data" -A trust -U postgres >/dev/null
    runuser -u postgres -- "$_PG_BIN/pg_ctl" -D "$_PG_OWN_DIR/data" -l "$_PG_OWN_DIR/log" -w \
      -o "-p 55432 -k $_PG_OWN_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    PG_ADMIN_URL="postgresql://postgres@127.0.0.1:55432/postgres"
  fi
fi
export PG_ADMIN_URL
