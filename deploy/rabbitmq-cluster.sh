#!/usr/bin/env bash
# A private 3-node RabbitMQ cluster on loopback (for the cluster fault test), no systemd:
# three deploy/rabbitmq.sh nodes on consecutive AMQP ports sharing one Erlang cookie, the
# second and third joined to the first.
#   deploy/rabbitmq-cluster.sh start|stop|stop-node N|start-node N|leader QUEUE|nodes
# Parameters (environment):
#   LAS_CLUSTER_PORT  AMQP port of node 1 (default 5701); nodes 2 and 3 take the next two
#   LAS_CLUSTER_DIR   base dir (default /tmp/las-rabbitmq-cluster-$LAS_CLUSTER_PORT)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
first="${LAS_CLUSTER_PORT:-5701}"
base="${LAS_CLUSTER_DIR:-/tmp/las-rabbitmq-cluster-$first}"
ports=("$first" $((first + 1)) $((first + 2)))

node_of() { echo "las$1@localhost"; }
port_of() { echo "${ports[$(($1 - 1))]}"; }
node_env() {
  local port; port=$(port_of "$1")
  echo "RABBITMQ_PORT=$port RABBITMQ_DIR=$base/node$1 RABBITMQ_COOKIE=$(cat "$base/cookie")"
}
on() {  # on N command…: deploy/rabbitmq.sh for node N
  local n="$1"; shift
  env $(node_env "$n") bash "$here/rabbitmq.sh" "$@"
}

start() {
  mkdir -p "$base"
  [ -s "$base/cookie" ] || head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$base/cookie"
  for n in 1 2 3; do on "$n" start; done
  for n in 2 3; do
    if on "$n" ctl cluster_status 2>/dev/null | grep -q "$(node_of "${ports[0]}")"; then continue; fi
    # rabbitmqctl chatters on stderr while a node joins: keep it, show it only on failure.
    if ! { on "$n" ctl stop_app && on "$n" ctl reset && on "$n" ctl join_cluster "$(node_of "${ports[0]}")" &&
           on "$n" ctl start_app; } >"$base/join$n.log" 2>&1; then
      echo "rabbitmq-cluster: node $n could not join:" >&2
      cat "$base/join$n.log" >&2
      return 1
    fi
  done
  echo "rabbitmq-cluster: 3 nodes on 127.0.0.1:${ports[0]},${ports[1]},${ports[2]}"
}

stop() {
  [ -d "$base" ] || { echo "rabbitmq-cluster: not running"; return 0; }
  for n in 3 2 1; do on "$n" stop || true; done
  rm -rf "$base"
}

# The node (1, 2 or 3) holding the quorum queue's leader.
leader() {
  local queue="$1" n row
  for n in 1 2 3; do
    row=$(on "$n" ctl list_queues name leader --no-table-headers --quiet 2>/dev/null | awk -v q="$queue" '$1 == q {print $2}') || continue
    [ -n "$row" ] || continue
    for m in 1 2 3; do
      [ "$row" = "$(node_of "$(port_of "$m")")" ] && { echo "$m"; return 0; }
    done
  done
  echo "rabbitmq-cluster: no leader found for $queue" >&2
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  stop-node) on "$2" stop ;;
  start-node) on "$2" start ;;
  leader) leader "$2" ;;
  nodes) echo "${ports[@]}" ;;
  *) echo "usage: $0 start|stop|stop-node N|start-node N|leader QUEUE|nodes" >&2; exit 2 ;;
esac
