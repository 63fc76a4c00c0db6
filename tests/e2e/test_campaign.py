#!/usr/bin/env python3
"""End to end: the Lemlist emulator plays a campaign across every channel (with duplicate
and out-of-order deliveries) into the gateway; one worker syncs it into the Attio emulator.
Then: exactly one entry per distinct event, no duplicated Person, every Person's state as the
contract derives it from the event log, and only lead-less events in the DLQ."""

import sys

from harness import Sandbox, log

LEADS = 300


def main():
    with Sandbox("campaign") as sb:
        play = sb.play(leads=LEADS, seed=11, duplicate_share=0.05, out_of_order_share=0.1, concurrency=8)
        progress = sb.wait_play(play)
        log(f"played {progress['generated']} events, {progress['delivered']} deliveries "
            f"({progress['duplicates_sent']} duplicates, {progress['out_of_order_sent']} out of order)")
        if progress["failed"]:
            sys.exit(f"FAIL: {progress['failed']} deliveries failed: {progress}")
        if progress["duplicates_sent"] == 0 or progress["out_of_order_sent"] == 0:
            sys.exit(f"FAIL: the play sent no duplicates or no out-of-order deliveries: {progress}")
        problems, summary = sb.settle_and_verify(play)
        log(f"summary: {summary}")
        sb.fail_on(problems)
    log("PASS")


if __name__ == "__main__":
    main()
