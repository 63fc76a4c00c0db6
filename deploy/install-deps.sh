#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests, the benchmarks and the
# sandbox need. Idempotent: a machine that already has them all skips apt entirely.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build git ca-certificates curl
  libboost-dev libboost-system-dev
  librabbitmq-dev rapidjson-dev catch2 libssl-dev
  libhiredis-dev libsqlite3-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  zlib1g-dev
  rabbitmq-server redis-server wrk python3 python3-pika procps
  prometheus yamllint docker-compose python3-yaml
)
# deploy/attio-app/test.sh needs node >= 18 and npm; keep a node that is already installed.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The Debian rabbitmq-server/redis-server packages try to start their services;
# without systemd that fails harmlessly, and policy-rc.d stops the attempt outright.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
