#!/usr/bin/env bash
# Gateway benchmark (not a test): wrk against the real ingest-gateway with the broker on the
# same machine, then the broker's own confirmed-publish ceiling as the reference, then the
# spool path with the broker stopped. Prints the figures docs/benchmarks.md records.
#   BUILD_DIR      build directory with ingest-gateway and amqp_publish_bench (default build)
#   RABBITMQ_PORT  private broker (default 5704; started if not running, stopped again if so)
#   DURATION       seconds per wrk run (default 15)
#   GATEWAY_PORT   listen port (default 18080)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
here="$root/tests/bench/gateway"
build="${BUILD_DIR:-$root/build}"
rport="${RABBITMQ_PORT:-5704}"
duration="${DURATION:-15}"
gport="${GATEWAY_PORT:-18080}"
amqp_url="amqp://guest:guest@127.0.0.1:$rport/"
work=$(mktemp -d /tmp/las-gateway-bench-XXXXXX)
rabbit() { RABBITMQ_PORT="$rport" bash "$root/deploy/rabbitmq.sh" "$@"; }

started_broker=0
if ! rabbit status >/dev/null 2>&1; then rabbit start; started_broker=1; fi
gw_pid=""
cleanup() {
  [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
  rabbit status >/dev/null 2>&1 || rabbit start >/dev/null
  [ "$started_broker" = 1 ] && rabbit stop >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== machine"
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "mem: $(free -g | awk '/Mem:/ {print $2}') GiB; kernel $(uname -r); fs of /tmp: $(df -T /tmp | awk 'NR==2 {print $2}')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

start_gateway() {
  rm -rf "$work/spool"
  GATEWAY_LISTEN="127.0.0.1:$gport" AMQP_URL="$amqp_url" SPOOL_DIR="$work/spool" \
    LEMLIST_WEBHOOK_SECRET=bench-secret LOG_LEVEL=info \
    "$build/ingest-gateway/ingest-gateway" >"$work/gateway.out" 2>"$work/gateway.log" &
  gw_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$gport/readyz" | grep -q '"broker_connected":true' && return 0
    sleep 0.1
  done
  echo "gateway did not connect" >&2; tail "$work/gateway.log" >&2; exit 1
}
stop_gateway() { kill "$gw_pid"; wait "$gw_pid" || true; gw_pid=""; }
rss() { awk '/VmRSS|VmHWM/ {printf "%s %s kB  ", $1, $2}' "/proc/$gw_pid/status"; echo; }
# CPU seconds (user+system) a process has used so far.
cpu_of() { [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] && awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat" || echo 0; }
broker_pid() { cat "/tmp/las-rabbitmq-$rport/rabbitmq.pid" 2>/dev/null || true; }
purge() { rabbit ctl purge_queue lemlist.events >/dev/null 2>&1 || true; }
# The broker refreshes queue stats every 5 s: wait for a fresh figure.
depth() { sleep 6; rabbit ctl list_queues name messages 2>/dev/null | awk '$1=="lemlist.events" {print $2}'; }

run_wrk() {  # label conns [extra env]
  local label=$1 conns=$2; shift 2
  echo; echo "== $label: $conns connections, ${duration}s"
  local g0 b0 g1 b1
  g0=$(cpu_of "$gw_pid"); b0=$(cpu_of "$(broker_pid)")
  env "$@" THREADS=2 wrk -t2 -c"$conns" -d"${duration}s" --latency --timeout 10s \
    -s "$here/post_event.lua" "http://127.0.0.1:$gport" | grep -E "Requests/sec|Latency |50%|90%|99%|requests in|Non-2xx|Socket errors"
  g1=$(cpu_of "$gw_pid"); b1=$(cpu_of "$(broker_pid)")
  echo "cpu seconds during the run: gateway $(echo "$g1 - $g0" | bc), broker $(echo "$b1 - $b0" | bc) (of $((2 * duration)) available)"
  echo -n "gateway memory: "; rss
}

echo; echo "== broker ceiling: amqp_publish_bench 200000 messages, 1200-byte bodies, 5000 in flight"
LAS_TEST_AMQP_URL="$amqp_url" "$build/tests/amqp/amqp_publish_bench" 200000 5000 1200 2 2>&1 | tail -3 || echo "(amqp_publish_bench not built)"

start_gateway
purge
run_wrk "broker path (closed loop)" 64
echo "queue depth after run: $(depth)"
purge
run_wrk "broker path (closed loop)" 256
echo "queue depth after run: $(depth)"
purge
run_wrk "broker path, paced at 2000 req/s" 32 RATE=2000
purge
echo; curl -s "http://127.0.0.1:$gport/metrics" | grep -E '^gateway_(stored_total|unavailable_total|publish_outcomes_total\{outcome="confirmed"\})' || true

echo; echo "== stopping the broker: spool path"
rabbit stop >/dev/null
sleep 1
run_wrk "spool path (broker down)" 64
run_wrk "spool path (broker down)" 256
run_wrk "spool path (broker down), paced at 2000 req/s" 32 RATE=2000
spooled=$(curl -s "http://127.0.0.1:$gport/metrics" | awk '/^gateway_spool_events / {print $2}')
echo "spooled events: $spooled; spool on disk: $(du -sh "$work/spool" | cut -f1)"
echo; echo "== restarting the broker: drain"
t0=$(date +%s.%N)
rabbit start >/dev/null
for _ in $(seq 1 600); do
  left=$(curl -s "http://127.0.0.1:$gport/metrics" | awk '/^gateway_spool_events / {print $2}')
  [ "$left" = "0" ] && break
  sleep 0.5
done
t1=$(date +%s.%N)
echo "spool drained: ${spooled} events in $(echo "$t1 - $t0" | bc) s (broker start included); queue depth $(depth)"
stop_gateway
purge
echo; echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
