#!/usr/bin/env bash
# System packages and services the tests need; idempotent, skips what is already there.
set -euo pipefail
need=()
command -v psql >/dev/null || need+=(postgresql postgresql-client)
command -v redis-server >/dev/null || need+=(redis-server)
# Browser tests and Lighthouse: Debian's Chromium (never `playwright install`), CJK fonts for Korean in
# screenshots, Node.js with npm.
[ -x /usr/bin/chromium ] || need+=(chromium)
[ "$(dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null)" = "install ok installed" ] || need+=(fonts-noto-cjk)
command -v node >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
fi
command -v npm >/dev/null || { echo "node is installed but npm is not (install npm)" >&2; exit 1; }
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  mkdir -p /tmp/withu-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/withu-redis \
    --logfile /tmp/withu-redis/redis.log
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
