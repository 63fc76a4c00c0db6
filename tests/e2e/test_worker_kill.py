#!/usr/bin/env python3
"""Fault: SIGKILL workers again and again while a campaign flows through them, first one
worker on SQLite, then a pool of three on Redis. Events lost or duplicated must be zero,
and every Person's state must still be what the events say."""

import random
import sys
import time

from harness import EVENTS_QUEUE, RETRY_QUEUES, Sandbox, log


def run(name, workers, redis, leads, seed):
    rng = random.Random(seed)
    # A short lease so the events a dead worker held are taken over within seconds.
    with Sandbox(name, workers=workers, redis=redis, worker_env={"CLAIM_LEASE_SECONDS": "5"}) as sb:
        play = sb.play(leads=leads, seed=seed, concurrency=4, rate=300)
        kills = 0
        deadline = time.time() + 240
        while time.time() < deadline:
            time.sleep(rng.uniform(1.0, 2.5))
            progress = sb.play_progress(play)
            busy = sb.broker.depth(EVENTS_QUEUE) + sum(sb.broker.depth(q) for q in RETRY_QUEUES[:1])
            if progress["state"] != "running" and busy == 0 and kills >= 4:
                break
            victim = rng.randrange(workers)
            sb.workers[victim].kill()
            kills += 1
            log(f"SIGKILL {sb.workers[victim].name} (kill {kills}, queue {busy})")
            time.sleep(rng.uniform(0.2, 1.0))
            sb.start_worker(victim)
        progress = sb.wait_play(play)
        if progress["failed"]:
            sys.exit(f"FAIL: {progress['failed']} deliveries failed")
        problems, summary = sb.settle_and_verify(play, timeout=300)
        log(f"{name}: {kills} kills, {summary}")
        if kills < 4:
            problems.append(f"only {kills} kills happened during the run")
        sb.fail_on(problems)


def main():
    run("kill-single-sqlite", workers=1, redis=False, leads=120, seed=31)
    run("kill-pool-redis", workers=3, redis=True, leads=160, seed=32)
    log("PASS")


if __name__ == "__main__":
    main()
