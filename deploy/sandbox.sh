#!/usr/bin/env bash
# The run command: the whole product on loopback, end to end, with no API keys and no
# internet. Installs what is missing, builds, starts a private RabbitMQ, the local Attio and
# Lemlist emulators, the ingest-gateway and a sync-worker; provisions Attio, subscribes the
# gateway to Lemlist's webhooks, plays a sample campaign and shows it landing in Attio.
# Then it keeps running until Ctrl-C (or exits at once with --once) and stops everything.
#
#   bash deploy/sandbox.sh [--once] [--leads N]
#   Ports (environment): SANDBOX_RABBITMQ_PORT 5672, SANDBOX_GATEWAY_PORT 8080,
#   SANDBOX_ATTIO_PORT 9001, SANDBOX_LEMLIST_PORT 9002, SANDBOX_METRICS_PORT 9090.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

once=0
leads=25
while [ $# -gt 0 ]; do
  case "$1" in
    --once) once=1 ;;
    --leads) leads="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "sandbox: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

rabbit_port="${SANDBOX_RABBITMQ_PORT:-5672}"
gateway_port="${SANDBOX_GATEWAY_PORT:-8080}"
attio_port="${SANDBOX_ATTIO_PORT:-9001}"
lemlist_port="${SANDBOX_LEMLIST_PORT:-9002}"
metrics_port="${SANDBOX_METRICS_PORT:-9090}"
build_dir="${LAS_BUILD_DIR:-build}"
dir="${SANDBOX_DIR:-/tmp/las-sandbox}"
py=/usr/bin/python3

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

say "dependencies"
bash deploy/install-deps.sh

say "build ($build_dir)"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target ingest-gateway sync-worker attio-emulator lemlist-emulator

rm -rf "$dir"
mkdir -p "$dir/logs"
pids=()
cleanup() {
  say "stopping the sandbox"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  RABBITMQ_PORT="$rabbit_port" RABBITMQ_DIR="$dir/rabbitmq" bash deploy/rabbitmq.sh stop || true
  echo "logs: $dir/logs"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME READY_TEXT COMMAND… : runs in the background, logs to $dir/logs/NAME.log.
start() {
  local name="$1" ready="$2"; shift 2
  "$@" >"$dir/logs/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 300); do
    if grep -q "$ready" "$dir/logs/$name.log" 2>/dev/null; then echo "$name: running (pid $!)"; return 0; fi
    if ! kill -0 "$!" 2>/dev/null; then echo "$name failed to start:"; tail -20 "$dir/logs/$name.log"; exit 1; fi
    sleep 0.1
  done
  echo "$name did not become ready:"; tail -20 "$dir/logs/$name.log"; exit 1
}

say "RabbitMQ on 127.0.0.1:$rabbit_port"
RABBITMQ_PORT="$rabbit_port" RABBITMQ_DIR="$dir/rabbitmq" bash deploy/rabbitmq.sh start

say "the local Attio and Lemlist (emulators)"
bin="$build_dir"
start attio-emulator "listening on" "$bin/tests/emulators/attio/attio-emulator" --listen "127.0.0.1:$attio_port" \
  --api-key attio-sandbox-key
start lemlist-emulator "listening on" "$bin/tests/emulators/lemlist/lemlist-emulator" --listen "127.0.0.1:$lemlist_port" \
  --api-key lemlist-sandbox-key --rate-limit off

export AMQP_URL="amqp://guest:guest@127.0.0.1:$rabbit_port/"
export LEMLIST_WEBHOOK_SECRET=sandbox-webhook-secret
export ADMIN_API_TOKEN=sandbox-admin-token
export ATTIO_BASE_URL="http://127.0.0.1:$attio_port" ATTIO_API_KEY=attio-sandbox-key
export LEMLIST_BASE_URL="http://127.0.0.1:$lemlist_port" LEMLIST_API_KEY=lemlist-sandbox-key
export PUBLIC_WEBHOOK_URL="http://127.0.0.1:$gateway_port/webhooks/lemlist"
export STATE_DIR="$dir/state" SPOOL_DIR="$dir/spool" CONFIG_FILE="$root/deploy/config/example.toml"

say "ingest-gateway on 127.0.0.1:$gateway_port"
GATEWAY_LISTEN="127.0.0.1:$gateway_port" start ingest-gateway "listening on" "$bin/ingest-gateway/ingest-gateway"

say "sync-worker provision (Attio list, attributes, options)"
"$bin/sync-worker/sync-worker" provision

say "sync-worker subscriptions sync (Lemlist hooks → the gateway)"
"$bin/sync-worker/sync-worker" subscriptions sync

say "sync-worker run"
METRICS_LISTEN="127.0.0.1:$metrics_port" start sync-worker "worker.running" "$bin/sync-worker/sync-worker" run

say "playing a campaign of $leads leads in the Lemlist emulator (webhooks → gateway → RabbitMQ → worker → Attio)"
SANDBOX_LEMLIST="http://127.0.0.1:$lemlist_port" SANDBOX_ATTIO="http://127.0.0.1:$attio_port" \
SANDBOX_METRICS="http://127.0.0.1:$metrics_port" SANDBOX_LEADS="$leads" "$py" - <<'PY'
import json, os, time, urllib.request

def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())

lemlist, attio, metrics = os.environ["SANDBOX_LEMLIST"], os.environ["SANDBOX_ATTIO"], os.environ["SANDBOX_METRICS"]
play = call("POST", lemlist + "/__emulator/play?wait=120", {"leads": int(os.environ["SANDBOX_LEADS"]), "seed": 2026})
print(f"Lemlist played {play['generated']} events over {play['hooks']} hook(s): {play['delivered']} webhooks delivered "
      f"({play['duplicates_sent']} duplicates, {play['out_of_order_sent']} out of order), {play['failed']} failed")
truth = call("GET", lemlist + f"/__emulator/events?play={play['id']}&limit=100000")["events"]

def samples(name):
    """{label value: sample} of one of the worker's one-label metrics."""
    text = urllib.request.urlopen(metrics + "/metrics", timeout=10).read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith(name + '{'):
            out[line.split('"')[1]] = float(line.split()[-1])
    return out

def outcomes():
    return {k: int(v) for k, v in samples("worker_events_total").items()}

def state_pending():
    # People whose state is acked but not yet written (the write-behind flusher's queue).
    return sum(samples("worker_person_state_pending").values())

def settled_count():
    # Every delivery ends as done, duplicate or dead_letter (retries and deferrals come back).
    o = outcomes()
    return o.get("done", 0) + o.get("duplicate", 0) + o.get("dead_letter", 0)

deadline, last = time.time() + 300, -1
while time.time() < deadline:
    n = settled_count()
    if n >= play["delivered"] and n == last and state_pending() == 0:
        break
    if n != last:
        print(f"  worker settled {int(n)}/{play['delivered']} deliveries")
    last = n
    time.sleep(2)

entries = call("GET", attio + "/__emulator/entries?list=lemlist_events")["data"]
people = call("GET", attio + "/__emulator/people")["data"]
o = outcomes()
print(f"\nThe worker wrote {o.get('done', 0)} events to Attio, dropped {o.get('duplicate', 0)} duplicate deliveries "
      f"and dead-lettered {o.get('dead_letter', 0)} (events that name no lead).")
print(f"Attio now holds {len(entries)} entries in list lemlist_events on {len(people)} People "
      f"(Lemlist generated {len(truth)} events; only the types of the enabled categories are subscribed).")
lag = samples("worker_person_state_worst_lag_seconds")
print(f"Person state landed at most {lag.get('rep', 0):.1f} s (changes reps act on) and "
      f"{lag.get('background', 0):.1f} s (timestamps) after its event was processed.")
sample = next((e for e in truth if e["type"] == "emailsReplied" and e["body"].get("leadEmail")), truth[0])
entry = next((en for en in entries if en["values"].get("activity_id") == sample["_id"]), None)
print(f"\nOne event's journey: Lemlist {sample['type']} {sample['_id']} for {sample['body'].get('leadEmail')}")
if entry:
    person = next(p for p in people if p["record_id"] == entry["parent_record_id"])
    print("  entry in lemlist_events:", json.dumps({k: entry["values"][k] for k in sorted(entry["values"])}, indent=None))
    state = {k: v for k, v in sorted(person["values"].items()) if k.startswith("lemlist_") or k in ("name", "email_addresses")}
    print("  its Person in Attio:", json.dumps(state, indent=2))
else:
    print("  (not in Attio: it named no lead, see the dead-letter queue)")
PY

say "the sandbox is running"
cat <<EOF
  gateway         http://127.0.0.1:$gateway_port   (POST /webhooks/lemlist, /v1/enrollments; GET /metrics)
  worker metrics  http://127.0.0.1:$metrics_port/metrics
  Attio emulator  http://127.0.0.1:$attio_port/__emulator/people   /__emulator/entries?list=lemlist_events
  Lemlist emu.    http://127.0.0.1:$lemlist_port/__emulator/play   (POST {"leads": 50} to play more)
  dead letters    AMQP_URL=$AMQP_URL ATTIO_BASE_URL=$ATTIO_BASE_URL ATTIO_API_KEY=$ATTIO_API_KEY $bin/sync-worker/sync-worker dlq list
  logs            $dir/logs
EOF
if [ "$once" -eq 1 ]; then exit 0; fi
echo "Press Ctrl-C to stop."
wait "${pids[@]}"
