#!/usr/bin/env bash
# The test command: install what is missing, build, start a private RabbitMQ and Redis,
# run every CTest tier (unit, integration, faults), stop what it started, and exit
# non-zero on any failure.
#   LAS_TEST_LABELS   regex of CTest labels to run (default: all tiers)
#   LAS_BUILD_DIR     build directory (default: build)
#   LAS_TEST_RABBITMQ_PORT / LAS_TEST_REDIS_PORT  (defaults 5673 / 6380, beside any broker you run)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

build_dir="${LAS_BUILD_DIR:-build}"
rabbit_port="${LAS_TEST_RABBITMQ_PORT:-5673}"
redis_port="${LAS_TEST_REDIS_PORT:-6380}"
labels="${LAS_TEST_LABELS:-unit|integration|faults}"
jobs=$(nproc)

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
bash deploy/install-deps.sh

step "build ($build_dir)"
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLAS_WERROR="$werror" >/dev/null
cmake --build "$build_dir" -j "$jobs"

cleanup() {
  step "stopping test services"
  RABBITMQ_PORT="$rabbit_port" bash deploy/rabbitmq.sh stop || true
  REDIS_PORT="$redis_port" bash deploy/redis.sh stop || true
}
trap cleanup EXIT

step "starting RabbitMQ on 127.0.0.1:$rabbit_port and Redis on 127.0.0.1:$redis_port"
# A fresh node each run: leftovers of an earlier run must not make tests pass or fail.
rm -rf "/tmp/las-rabbitmq-$rabbit_port/mnesia"
RABBITMQ_PORT="$rabbit_port" bash deploy/rabbitmq.sh start
REDIS_PORT="$redis_port" bash deploy/redis.sh start

export LAS_TEST_AMQP_URL="amqp://guest:guest@127.0.0.1:$rabbit_port/"
export LAS_TEST_RABBITMQ_PORT="$rabbit_port"
export LAS_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/"

status=0
step "deployment files (deploy/check-deploy.sh)"
bash deploy/check-deploy.sh || status=1

step "Attio app (deploy/attio-app/test.sh)"
bash deploy/attio-app/test.sh || status=1

step "unit tests"
if [[ "unit" =~ ^($labels)$ ]]; then
  ctest --test-dir "$build_dir" -L '^unit$' -j "$jobs" --output-on-failure --no-tests=error || status=1
fi
# Integration and fault tests share one broker and the contract's queue names: one at a time.
for tier in integration faults; do
  [[ "$tier" =~ ^($labels)$ ]] || continue
  step "$tier tests"
  ctest --test-dir "$build_dir" -L "^$tier\$" --output-on-failure --no-tests=ignore || status=1
done

if [ $status -ne 0 ]; then
  echo; echo "TESTS FAILED"; exit 1
fi
echo; echo "ALL TESTS PASSED"
