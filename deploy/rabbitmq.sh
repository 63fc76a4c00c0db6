#!/usr/bin/env bash
# A private RabbitMQ node on loopback, no systemd: its own name, port, data and log dirs.
#   deploy/rabbitmq.sh start|stop|status|wait
# Parameters (environment):
#   RABBITMQ_PORT  AMQP port (default 5672)
#   RABBITMQ_DIR   base dir for data, logs and pid file (default /tmp/las-rabbitmq-$RABBITMQ_PORT)
#   RABBITMQ_COOKIE  the Erlang cookie (default: a random one per node); nodes of one cluster
#                  share it (deploy/rabbitmq-cluster.sh)
# The dist port is derived (AMQP port + 20000) so nodes on different ports do not clash.
set -euo pipefail

port="${RABBITMQ_PORT:-5672}"
base="${RABBITMQ_DIR:-/tmp/las-rabbitmq-$port}"
node="las$port@localhost"
bin=/usr/lib/rabbitmq/bin

export RABBITMQ_NODENAME="$node"
export RABBITMQ_NODE_PORT="$port"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_DIST_PORT=$((port + 20000))
export RABBITMQ_MNESIA_BASE="$base/mnesia"
export RABBITMQ_LOG_BASE="$base/log"
export RABBITMQ_PID_FILE="$base/rabbitmq.pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$base/rabbitmq"   # .conf appended by rabbitmq
export HOME="$base/home"
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_CRASH_DUMP="$base/erl_crash.dump"   # not in the caller's working directory

ctl() { "$bin/rabbitmqctl" -n "$node" "$@"; }

start() {
  if ctl status >/dev/null 2>&1; then
    echo "rabbitmq: $node already running on 127.0.0.1:$port"
    return 0
  fi
  mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE" "$HOME"
  # The Erlang cookie must be private and shared by server and rabbitmqctl (both use $HOME).
  if [ -n "${RABBITMQ_COOKIE:-}" ]; then
    rm -f "$HOME/.erlang.cookie"
    printf '%s' "$RABBITMQ_COOKIE" > "$HOME/.erlang.cookie"
    chmod 400 "$HOME/.erlang.cookie"
  elif [ ! -f "$HOME/.erlang.cookie" ]; then
    head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$HOME/.erlang.cookie"
    chmod 400 "$HOME/.erlang.cookie"
  fi
  echo "[]." > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$port
loopback_users = none
log.console = false
log.file.level = warning
disk_free_limit.absolute = 50MB
CONF
  echo "rabbitmq: starting $node on 127.0.0.1:$port (data in $base)"
  "$bin/rabbitmq-server" -detached
  wait_ready
}

wait_ready() {
  local deadline=$((SECONDS + ${RABBITMQ_START_TIMEOUT:-60}))
  until [ -s "$RABBITMQ_PID_FILE" ]; do
    if [ $SECONDS -ge $deadline ]; then echo "rabbitmq: no pid file at $RABBITMQ_PID_FILE" >&2; tail -20 "$RABBITMQ_LOG_BASE"/*.log >&2 || true; return 1; fi
    sleep 0.2
  done
  if ! ctl wait --timeout "${RABBITMQ_START_TIMEOUT:-60}" "$RABBITMQ_PID_FILE" >/dev/null; then
    echo "rabbitmq: $node did not become ready" >&2
    tail -20 "$RABBITMQ_LOG_BASE"/*.log >&2 || true
    return 1
  fi
  echo "rabbitmq: ready on 127.0.0.1:$port"
}

stop() {
  if [ ! -s "$RABBITMQ_PID_FILE" ]; then echo "rabbitmq: $node not running"; return 0; fi
  local pid; pid=$(cat "$RABBITMQ_PID_FILE")
  ctl stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$RABBITMQ_PID_FILE"
  echo "rabbitmq: $node stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  wait) wait_ready ;;
  status) ctl status >/dev/null 2>&1 && echo "rabbitmq: $node running" || { echo "rabbitmq: $node not running"; exit 1; } ;;
  ctl) shift; ctl "$@" ;;
  *) echo "usage: $0 start|stop|status|wait|ctl ARGS…" >&2; exit 2 ;;
esac
