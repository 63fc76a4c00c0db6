#!/usr/bin/env bash
# A private redis-server on loopback, no systemd.
#   deploy/redis.sh start|stop|status
# Parameters: REDIS_PORT (default 6379), REDIS_DIR (default /tmp/las-redis-$REDIS_PORT),
#   REDIS_AOF=yes for an append-only file fsync'ed every second (what production runs: a
#   restart keeps the idempotency keys; without it a restart forgets them).
set -euo pipefail

port="${REDIS_PORT:-6379}"
base="${REDIS_DIR:-/tmp/las-redis-$port}"
pidfile="$base/redis.pid"

start() {
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "redis: already running on 127.0.0.1:$port"; return 0
  fi
  mkdir -p "$base"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --pidfile "$pidfile" \
    --dir "$base" --logfile "$base/redis.log" --save "" \
    --appendonly "${REDIS_AOF:-no}" --appendfsync everysec
  for _ in $(seq 1 100); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
      echo "redis: ready on 127.0.0.1:$port"; return 0
    fi
    sleep 0.1
  done
  echo "redis: did not start on port $port; log: $base/redis.log" >&2; return 1
}

stop() {
  if [ ! -s "$pidfile" ]; then echo "redis: not running"; return 0; fi
  local pid; pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "redis: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && echo "redis: running on $port" || { echo "redis: not running"; exit 1; } ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
