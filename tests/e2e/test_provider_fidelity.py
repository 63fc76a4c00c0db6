#!/usr/bin/env python3
"""What the real providers do, end to end (issue: correctness against the real providers).

1. Lemlist keeps one hook per targetUrl (a second POST /api/hooks with the same URL answers
   409). `subscriptions sync` gives each hook its own URL (PUBLIC_WEBHOOK_URL?type=<type>):
   every enabled type is subscribed, nothing is refused, a second run changes nothing. The
   group hook `interested` beside its member types' hooks delivers those activities twice:
   each still lands once.
2. Leads whose email has capitals (Lemlist keeps it as typed) land on one Person holding
   the address once, lower-case.
3. Past the idempotency window, `reconcile` re-sends every activity: nothing lands twice.
4. `[events] mode = "all"`: one hook without a type at PUBLIC_WEBHOOK_URL; the worker drops
   the disabled categories (acked, no entry).
"""

import os
import re
import time

from harness import EVENTS_DLQ, EVENTS_QUEUE, Sandbox, http, lemlist_auth, log, wait_for, WEBHOOK_SECRET
from verify import event_key, has_identity, ms

ALL_CATEGORIES = ["contacted", "hooked", "attracted", "warmed", "interested", "not_interested", "bounced",
                  "unsubscribed", "paused", "resumed", "stopped", "failed", "other"]
TTL = 60  # IDEMPOTENCY_TTL_SECONDS: the smallest the worker accepts


def write_config(path, categories, types=(), mode="per_type"):
    quoted = lambda xs: ", ".join(f'"{x}"' for x in xs)
    with open(path, "w") as f:
        f.write(f'[events]\nmode = "{mode}"\ncategories = [{quoted(categories)}]\ntypes = [{quoted(types)}]\n')


def hooks(sb):
    status, body = http("GET", sb.lemlist_url + "/api/hooks", headers=lemlist_auth())
    assert status == 200, (status, body)
    return body


def people_email_problems(people):
    problems = []
    for p in people:
        emails = [e.lower() for e in p["values"].get("email_addresses", [])]
        if len(emails) != len(set(emails)):
            problems.append(f"Person {p['record_id']} holds an address twice: {emails}")
        if any(e != e.lower() for e in p["values"].get("email_addresses", [])):
            problems.append(f"Person {p['record_id']} holds an address with capitals: {emails}")
    return problems


def main():
    config = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"las-fidelity-{os.getpid()}.toml")
    write_config(config, ALL_CATEGORIES, types=["interested"])
    env = {"CONFIG_FILE": config, "LEMLIST_WEBHOOK_SECRET": WEBHOOK_SECRET, "IDEMPOTENCY_TTL_SECONDS": str(TTL)}
    problems = []
    with Sandbox("fidelity", workers=0, worker_env=env, catch_all_hook=False) as sb:
        base = sb.gateway_url + "/webhooks/lemlist"
        sb.worker_env["PUBLIC_WEBHOOK_URL"] = base

        # 1. One hook per type, each at its own URL.
        code, out = sb.worker_command(["subscriptions", "sync"])
        log(out.strip().splitlines()[-1])
        if code != 0 or "refused" in out or "ERROR" in out:
            sb.fail_on([f"subscriptions sync failed ({code}):\n{out}"])
        listed = hooks(sb)
        urls = [h["targetUrl"] for h in listed]
        if len(set(urls)) != len(urls):
            problems.append("two hooks share a targetUrl")
        if not all(u.startswith(base + "?type=") and u == f"{base}?type={h['type']}" for u, h in zip(urls, listed)):
            problems.append(f"a hook is not at PUBLIC_WEBHOOK_URL?type=<its type>: {urls[:3]}")
        if "interested" not in {h.get("type") for h in listed} or len(listed) < 50:
            problems.append(f"{len(listed)} hooks subscribed, expected every documented type plus `interested`")
        code, again = sb.worker_command(["subscriptions", "sync"])
        if code != 0 or "in sync: nothing to change" not in again:
            problems.append(f"a second sync changed something:\n{again}")
        sb.fail_on(problems)

        sb.start_worker(0)
        play = sb.play(leads=60, seed=88, unknown_type_share=0.0, duplicate_share=0.05)
        progress = sb.wait_play(play)
        truth = sb.truth(play)
        log(f"{len(truth)} events, {progress.get('delivered')} deliveries over {len(listed)} hooks")
        found, summary = sb.settle_and_verify(play, timeout=300)
        problems += found
        log(summary)
        # Every fourth lead's email has capitals in Lemlist.
        capitalised = {e["body"]["leadEmail"] for e in truth if (e["body"].get("leadEmail") or "") != (e["body"].get("leadEmail") or "").lower()}
        if not capitalised:
            problems.append("the play had no email with capitals: the check below proves nothing")
        people = sb.attio_people()["data"]
        problems += people_email_problems(people)
        sb.fail_on(problems)
        landed = len(sb.attio_entries()["data"])
        settled_at = time.time()

        # 3. Past the window: reconcile re-sends the same activities.
        wait = TTL + 2 - (time.time() - settled_at)
        log(f"waiting {wait:.0f} s for the idempotency window to pass")
        time.sleep(max(0, wait))
        started_ms = int(time.time() * 1000)
        code, out = sb.worker_command(["reconcile", "--since", "7d"])
        if code != 0:
            sb.fail_on([f"reconcile failed ({code}): {out}"])
        summary_line = next((l for l in out.splitlines() if l.startswith("reconcile: ")), "")
        log(summary_line)
        # The window ends when reconcile starts: a play's later events are still in the future.
        activities = sum(1 for e in truth if e.get("is_activity") and has_identity(e["body"])
                         and ms(e["createdAt"]) <= started_ms)
        published = re.search(r"published=(\d+)", summary_line)
        if not published or int(published.group(1)) < activities:
            sb.fail_on([f"reconcile re-sent {published and published.group(1)} activities, expected at least "
                        f"{activities}: the check below would prove nothing\n{out}"])
        wait_for(lambda: sb.broker.depth(EVENTS_QUEUE) == 0 and sb.in_flight() == 0, 120, "reconciled events settled")
        time.sleep(1)
        wait_for(lambda: sb.broker.depth(EVENTS_QUEUE) == 0 and sb.in_flight() == 0, 60, "reconciled events settled")
        after = len(sb.attio_entries()["data"])
        if after != landed:
            problems.append(f"reconcile past the window: {after - landed} entries written twice "
                            f"({activities} activities re-sent)")
        sb.fail_on(problems)

        # 4. mode = "all": one hook, the disabled categories dropped by the worker.
        write_config(config, ["paused"], mode="all")
        sb.broker.take_all(EVENTS_DLQ)
        code, out = sb.worker_command(["subscriptions", "sync"])
        listed = hooks(sb)
        if code != 0 or len(listed) != 1 or listed[0]["targetUrl"] != base or listed[0].get("type"):
            sb.fail_on([f"mode all: expected one hook without a type at {base}, got {listed}:\n{out}"])
        sb.workers[0].stop()
        sb.start_worker(0)
        before = {en["values"].get("activity_id") for en in sb.attio_entries()["data"]}
        play = sb.play(leads=20, seed=89, unknown_type_share=0.0, duplicate_share=0.0, pause_share=0.5)
        sb.wait_play(play)
        truth = sb.truth(play)
        paused = {event_key(e) for e in truth if e["type"] == "paused" and has_identity(e["body"])}
        wait_for(lambda: sb.broker.depth(EVENTS_QUEUE) == 0 and sb.in_flight() == 0, 120, "play settled")
        time.sleep(1)
        wait_for(lambda: sb.broker.depth(EVENTS_QUEUE) == 0 and sb.in_flight() == 0, 60, "play settled")
        new = {en["values"].get("activity_id") for en in sb.attio_entries()["data"]} - before
        if not paused:
            problems.append("the play had no paused event: the check proves nothing")
        if new != paused:
            problems.append(f"mode all: {len(new)} new entries, expected the {len(paused)} paused events only")
        log(f"mode all: {len(truth)} events delivered, {len(new)} landed (paused only)")
        sb.fail_on(problems)
    os.remove(config)
    log("PASS")


if __name__ == "__main__":
    main()
