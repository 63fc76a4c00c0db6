#!/usr/bin/env bash
# Worker backlog-drain benchmark (docs/benchmarks.md, "Worker"). Builds, starts a private
# RabbitMQ, runs tests/bench/worker/backlog.py, stops the broker.
#   tests/bench/worker/run.sh [--leads N] [--prefetch P] [--phase both|on|off] [--write-share PERCENT]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
build_dir="${BUILD_DIR:-build}"
port="${RABBITMQ_PORT:-5690}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target ingest-gateway sync-worker attio-emulator lemlist-emulator
trap 'RABBITMQ_PORT=$port bash deploy/rabbitmq.sh stop' EXIT
RABBITMQ_PORT="$port" bash deploy/rabbitmq.sh start
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
LAS_TEST_AMQP_URL="amqp://guest:guest@127.0.0.1:$port/" LAS_BINARY_DIR="$(cd "$build_dir" && pwd)" \
  /usr/bin/python3 -u tests/bench/worker/backlog.py "$@"
