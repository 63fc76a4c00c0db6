#!/usr/bin/env python3
"""Fault: while a campaign flows, Attio answers 20% 5xx, times out, drops connections after
applying writes, answers 409 conflicts and bursts of 429s; then it recovers. Everything must
land exactly once anyway, what climbed the retry ladder included."""

import sys
import time

from harness import Sandbox, http, log


def main():
    # Requests slower than 120 ms time out (about one in seven): a create whose answer never came.
    with Sandbox("attio-faults", worker_env={"HTTP_TIMEOUT_MS": "120"}) as sb:
        # Faults start once the workspace is provisioned and the worker runs.
        status, plan = http("POST", sb.attio_url + "/__emulator/faults",
                            {"error_5xx_share": 0.2, "latency_ms": [0, 140], "drop_after_write_share": 0.03,
                             "conflict_409_share": 0.02, "burst_429_ms": 1500})
        if status != 200:
            sys.exit(f"FAIL: fault plan refused: {status} {plan}")
        play = sb.play(leads=60, seed=41, concurrency=4)
        for _ in range(3):
            time.sleep(4)
            http("POST", sb.attio_url + "/__emulator/faults", {"burst_429_ms": 1500})
            log("429 burst")
        progress = sb.wait_play(play)
        if progress["failed"]:
            sys.exit(f"FAIL: {progress['failed']} deliveries failed")
        # The outage outlasts the campaign by a while (the first retries meet it too), then
        # Attio recovers: what went up the ladder must come back down and land exactly once.
        time.sleep(10)
        http("POST", sb.attio_url + "/__emulator/faults",
             {"error_5xx_share": 0, "latency_ms": 0, "drop_after_write_share": 0, "conflict_409_share": 0,
              "burst_429_ms": 0})
        log("Attio recovered")
        problems, summary = sb.settle_and_verify(play, timeout=400)
        _, stats = http("GET", sb.attio_url + "/__emulator/stats")
        log(f"summary: {summary}; emulator faults: {stats.get('faults', stats)}")
        sb.fail_on(problems)
    log("PASS")


if __name__ == "__main__":
    main()
