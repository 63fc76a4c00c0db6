#!/usr/bin/env python3
"""Fault: the pool's Redis (claims, Person locks, shared rate limits) restarts while a campaign
flows through two workers. Redis runs as production should, with an append-only file, so the
restart keeps what it knew; while it is away nothing is acked without its claim, and no call is
made without a grant. Events lost or duplicated must be zero.

The Redis is private to this test (port LAS_TEST_REDIS_RESTART_PORT, default 6391)."""

import os
import subprocess
import time

from harness import Sandbox, log, wait_for

SOURCE = os.environ.get("LAS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PORT = int(os.environ.get("LAS_TEST_REDIS_RESTART_PORT", "6391"))


def redis(action):
    p = subprocess.run(["bash", os.path.join(SOURCE, "deploy", "redis.sh"), action],
                       env=dict(os.environ, REDIS_PORT=str(PORT), REDIS_AOF="yes",
                                REDIS_DIR=f"/tmp/las-redis-restart-{PORT}"),
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"redis.sh {action}: {p.stdout}{p.stderr}")


def main():
    redis("stop")
    subprocess.run(["rm", "-rf", f"/tmp/las-redis-restart-{PORT}"], check=True)
    redis("start")
    try:
        with Sandbox("redis-restart", workers=2, redis=True, redis_url=f"redis://127.0.0.1:{PORT}/",
                     worker_env={"CLAIM_LEASE_SECONDS": "5"}) as sb:
            play = sb.play(leads=120, seed=71, concurrency=4, rate=200)
            wait_for(lambda: sb.play_progress(play)["delivered"] > 250, 120, "a fifth of the campaign delivered")
            log(f"stopping Redis at {sb.play_progress(play)['delivered']} deliveries")
            redis("stop")
            time.sleep(6)
            redis("start")
            log(f"Redis is back at {sb.play_progress(play)['delivered']} deliveries")
            progress = sb.wait_play(play)
            problems = []
            if progress["failed"]:
                problems.append(f"{progress['failed']} deliveries were not answered 200")
            found, summary = sb.settle_and_verify(play, timeout=400)
            problems += found
            log(f"redis restart: {summary}")
            sb.fail_on(problems)
    finally:
        redis("stop")
    log("PASS")


if __name__ == "__main__":
    main()
