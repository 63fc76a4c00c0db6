#!/usr/bin/env python3
"""Worker benchmark: drain a backlog of queued Lemlist events into Attio.

Phase 1 (limits on): the Attio emulator enforces Attio's documented limits (100 reads/s,
25 writes/s); the worker runs at the same published figures. Reports the share of the write
budget used, the 429s received, Attio writes per event by route, the drain time (until the
last Person's pending state is written), the floor (entries + People touched, at 25
writes/s) and the drain's ratio to it, and the worst Person-state lag per priority.
Phase 2 (limits off): the same backlog with no limits: events/s per worker and CPU per event.

Prints figures; it is not a test. Needs a broker (LAS_TEST_AMQP_URL) and a build
(LAS_BINARY_DIR); run it through tests/bench/worker/run.sh."""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "e2e"))
from harness import EVENTS_QUEUE, RETRY_QUEUES, Sandbox, http, log, wait_for  # noqa: E402


def proc_stats(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                rss = int(line.split()[1]) / 1024
    return cpu, rss


def metric(text, name):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.split()[-1])
    return total


def labelled(text, name):
    """{label value: sample} of a one-label metric."""
    out = {}
    for line in text.splitlines():
        if line.startswith(name + "{"):
            label = line[line.index('"') + 1:line.rindex('"')]
            out[label] = float(line.split()[-1])
    return out


def drain(limits_on, leads, prefetch, write_share):
    scale = 1 if limits_on else None
    env = {"WORKER_PREFETCH": str(prefetch), "LOG_LEVEL": "warn"}
    if write_share is not None:
        env["PERSON_STATE_WRITE_SHARE"] = str(write_share)
    with Sandbox("bench-limits-on" if limits_on else "bench-limits-off", workers=0, rate_scale=scale,
                 worker_env=env) as sb:
        play = sb.play(leads=leads, seed=77, concurrency=16, duplicate_share=0.0)
        progress = sb.wait_play(play, timeout=900)
        wait_for(lambda: sb.broker.depth(EVENTS_QUEUE) >= progress["delivered"], 120, "backlog queued")
        backlog = sb.broker.depth(EVENTS_QUEUE)
        _, before = http("GET", sb.attio_url + "/__emulator/stats")
        log(f"backlog of {backlog} events queued; starting one worker (limits {'on' if limits_on else 'off'})")
        t0 = time.time()
        worker = sb.start_worker(0)
        busy = lambda: sb.broker.depth(EVENTS_QUEUE) + sum(sb.broker.depth(q) for q in RETRY_QUEUES)  # noqa: E731
        last = [0.0]

        def drained():
            if time.time() - last[0] > 15:
                last[0] = time.time()
                log(f"  {busy()} events left")
            return busy() == 0
        wait_for(drained, 3600, "backlog drained", interval=0.5)
        # Done once no delivery is held and no Person has state still to write.
        def settled():
            text = http("GET", worker.metrics_url + "/metrics")[1]
            return metric(text, "worker_in_flight") == 0 and metric(text, "worker_person_state_pending{") == 0
        wait_for(settled, 600, "in-flight and pending state settled", interval=0.2)
        elapsed = time.time() - t0
        cpu, rss = proc_stats(worker.proc.pid)
        _, after = http("GET", sb.attio_url + "/__emulator/stats")
        text = http("GET", worker.metrics_url + "/metrics")[1]
        events = metric(text, 'worker_events_total{outcome="done"}')
        writes = after["writes_accepted"] - before["writes_accepted"]
        reads = after["reads_accepted"] - before["reads_accepted"]
        refused = after["rate_limited"] - before["rate_limited"]
        def route_delta(route):
            """Requests to `route` the emulator accepted (2xx) during the drain."""
            def accepted(stats):
                return sum(n for status, n in stats["by_route"].get(route, {}).items() if status.startswith("2"))
            return accepted(after) - accepted(before)
        entry_creates = route_delta("POST /v2/lists/{list}/entries")
        person_patches = route_delta("PATCH /v2/objects/{object}/records/{record_id}")
        person_asserts = route_delta("PUT /v2/objects/{object}/records")
        people_touched = len({e["parent_record_id"] for e in sb.attio_entries()["data"]})
        floor = (entry_creates + people_touched) / 25
        worst_lag = labelled(text, "worker_person_state_worst_lag_seconds")
        # The figures count only when every entry and every Person's state is what the event log gives.
        problems, _ = sb.settle_and_verify(play, timeout=120)
        figures = {
            "backlog_events": backlog,
            "verify_problems": len(problems),
            "events_done": int(events),
            "drain_seconds": round(elapsed, 1),
            "events_per_second": round(events / elapsed, 1),
            "attio_writes": writes,
            "attio_reads": reads,
            "writes_per_event": round(writes / max(events, 1), 3),
            "entry_creates_per_event": round(entry_creates / max(events, 1), 3),
            "person_patches_per_event": round(person_patches / max(events, 1), 3),
            "person_asserts_per_event": round(person_asserts / max(events, 1), 3),
            "reads_per_event": round(reads / max(events, 1), 3),
            "people_touched": people_touched,
            "person_flushes": {k: int(v) for k, v in labelled(text, "worker_person_writes_total").items()},
            "person_updates": {k: int(v) for k, v in labelled(text, "worker_person_updates_total").items()},
            "worst_state_lag_rep_s": round(worst_lag.get("rep", 0.0), 2),
            "worst_state_lag_background_s": round(worst_lag.get("background", 0.0), 2),
            "429_received": refused,
            "worker_cpu_seconds": round(cpu, 2),
            "cpu_ms_per_event": round(1000 * cpu / max(events, 1), 3),
            "worker_peak_rss_mb": round(rss, 1),
        }
        if limits_on:
            figures["floor_seconds"] = round(floor, 1)
            figures["drain_to_floor"] = round(elapsed / floor, 3)
            figures["write_budget_used"] = f"{100 * writes / (25 * elapsed):.1f}%"
            figures["read_budget_used"] = f"{100 * reads / (100 * elapsed):.1f}%"
        return figures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=850, help="about 11.7 events per lead")
    ap.add_argument("--prefetch", type=int, default=64)
    ap.add_argument("--phase", choices=["both", "on", "off"], default="both")
    ap.add_argument("--write-share", type=int, default=None,
                    help="PERSON_STATE_WRITE_SHARE for the worker (default: the worker's own)")
    args = ap.parse_args()
    for limits_on in ([True, False] if args.phase == "both" else [args.phase == "on"]):
        figures = drain(limits_on, args.leads, args.prefetch, args.write_share)
        print(f"\n## limits {'on (Attio 100 reads/s, 25 writes/s)' if limits_on else 'off'}")
        for k, v in figures.items():
            print(f"{k:>28}: {v}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
