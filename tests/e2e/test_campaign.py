#!/usr/bin/env python3
"""End to end: the Lemlist emulator plays a campaign across every channel (with duplicate
and out-of-order deliveries) into the gateway; one worker syncs it into the Attio emulator.
Then: exactly one entry per distinct event, no duplicated Person, every Person's state as the
contract derives it from the event log, and only lead-less events in the DLQ."""

import sys

from harness import EVENTS_DLQ, Sandbox, log, wait_for  # noqa: F401
from verify import has_identity, verify

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
        truth = sb.truth(play)
        landing = sum(1 for e in truth if has_identity(e["body"]))
        sb.wait_settled(landing, len(truth) - landing)
        problems, summary = verify(truth, sb.attio_entries()["data"], sb.attio_people()["data"],
                                   sb.broker.take_all(EVENTS_DLQ))
        log(f"summary: {summary}")
        if problems:
            sb.failed = True
            for p in problems:
                log(f"PROBLEM: {p}")
            sys.exit("FAIL")
    log("PASS")


if __name__ == "__main__":
    main()
