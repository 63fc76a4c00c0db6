#!/usr/bin/env python3
"""Strict mode (AUTO_CREATE_PEOPLE=false): events of leads that exist in Attio land on them;
events of unknown leads go to the DLQ with reason `unmatched` (replayable later), events that
name no lead with `no_lead_identity`. No Person is created."""

import sys

from harness import ATTIO_KEY, EVENTS_DLQ, EVENTS_QUEUE, Sandbox, http, log, wait_for
from verify import event_key, has_identity


def main():
    with Sandbox("strict", workers=0, worker_env={"AUTO_CREATE_PEOPLE": "false"}) as sb:
        play = sb.play(leads=40, seed=51, linkedin_only_share=0.0, duplicate_share=0.0)
        sb.wait_play(play)
        truth = sb.truth(play)
        wait_for(lambda: sb.broker.depth(EVENTS_QUEUE) >= len(truth), 30, "events queued")
        # Half of the leads exist in Attio before the worker starts.
        emails = sorted({(e["body"].get("leadEmail") or "").lower() for e in truth if e["body"].get("leadEmail")})
        known = set(emails[: len(emails) // 2])
        for email in known:
            status, body = http("POST", sb.attio_url + "/v2/objects/people/records",
                                {"data": {"values": {"email_addresses": [email]}}},
                                headers={"Authorization": f"Bearer {ATTIO_KEY}"})
            if status != 200:
                sys.exit(f"FAIL: could not create {email}: {status} {body}")
        sb.start_worker(0)

        def lead_email(e):
            b = e["body"]
            email = b.get("leadEmail") or b.get("email")
            if not email:
                for item in b.get("data", []) if isinstance(b.get("data"), list) else []:
                    email = item.get("data", {}).get("find_email", {}).get("email")
            return (email or "").lower()

        landing = [e for e in truth if has_identity(e["body"]) and lead_email(e) in known]
        unmatched = [e for e in truth if has_identity(e["body"]) and lead_email(e) not in known]
        lead_less = [e for e in truth if not has_identity(e["body"])]
        sb.wait_settled(len(landing), len(unmatched) + len(lead_less), timeout=180)

        problems = []
        # The operator's view of one event of each kind: `sync-worker trace`.
        if landing:
            key = event_key(landing[0])
            code, out = sb.worker_command(["trace", key])
            if code != 0 or "attempt 1 (webhook)  done → ack" not in out or "attio:      entry " not in out:
                problems.append(f"trace of a landed event ({code}):\n{out}")
        if unmatched:
            key = event_key(unmatched[0])
            code, out = sb.worker_command(["trace", key])
            if code != 1 or "dead letter: reason unmatched" not in out or "dead_letter: unmatched" not in out:
                problems.append(f"trace of a dead-lettered event ({code}):\n{out}")
        entries = sb.attio_entries()["data"]
        people = sb.attio_people()["data"]
        landed_keys = sorted(en["values"].get("activity_id") for en in entries)
        want_keys = sorted(event_key(e) for e in landing)
        if landed_keys != want_keys:
            problems.append(f"{len(landed_keys)} entries landed, expected {len(want_keys)}")
        if len(people) != len(known):
            problems.append(f"{len(people)} People, expected the {len(known)} created beforehand")
        reasons = {}
        for props, _ in sb.broker.take_all(EVENTS_DLQ):
            reason = (props.headers or {}).get("x-dlq-reason")
            reasons.setdefault(reason.decode() if isinstance(reason, bytes) else reason, set()).add(props.message_id)
        if reasons.get("unmatched", set()) != {event_key(e) for e in unmatched}:
            problems.append(f"unmatched in DLQ: {len(reasons.get('unmatched', ()))}, expected {len(unmatched)}")
        if reasons.get("no_lead_identity", set()) != {event_key(e) for e in lead_less}:
            problems.append(f"no_lead_identity in DLQ: {len(reasons.get('no_lead_identity', ()))}, "
                            f"expected {len(lead_less)}")
        log(f"landed {len(entries)}, unmatched {len(unmatched)}, lead-less {len(lead_less)}, DLQ reasons "
            f"{ {k: len(v) for k, v in reasons.items()} }")
        sb.fail_on(problems)
    log("PASS")


if __name__ == "__main__":
    main()
