#!/usr/bin/env python3
"""The gateway routes the Attio app calls (docs/attio-app.md, "The gateway contract"), driven
against the emulators through the real gateway and worker, with the requests and example
answers of the shared fixture tests/fixtures/attio-app/contract.json (the app's vitest tests
read the same file): campaigns listed; one record enrolled with ?wait=true; a bulk job
accepted, then polled to done with per-record results; a subscriptions sync answered with
what it created, a second one with everything kept, a plan-gated Lemlist's refusal relayed
verbatim, an empty list removing our hooks; every invalid request of the fixture answered
with its status; and a silent worker answered 504. Answers are checked for field names and
JSON types against the fixture's examples, not for ids."""

import json
import os
import sys
import time

from harness import (ADMIN_TOKEN, ATTIO_KEY, Sandbox, http, lemlist_auth, log, wait_for)

FIXTURE = os.path.join(os.environ.get("LAS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                       "tests", "fixtures", "attio-app", "contract.json")
OPTIONAL = {"lead_id", "message", "field", "error"}
PLAN_GATED_TEXT = "route is available starting emailPro plan"

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
        log(f"PROBLEM: {what}")
    return cond


def shape_problems(got, want, at="$"):
    """Field names and JSON types of `got` against the example `want`."""
    out = []
    if isinstance(want, bool) or isinstance(got, bool):
        if type(got) is not type(want):
            out.append(f"{at}: {type(got).__name__}, the contract has {type(want).__name__}")
        return out
    if isinstance(want, (int, float)):
        if not isinstance(got, (int, float)):
            out.append(f"{at}: {type(got).__name__}, the contract has a number")
        return out
    if type(got) is not type(want):
        return [f"{at}: {type(got).__name__}, the contract has {type(want).__name__}"]
    if isinstance(want, dict):
        for k, v in got.items():
            if k not in want:
                out.append(f"{at}.{k}: not in the contract")
            else:
                out += shape_problems(v, want[k], f"{at}.{k}")
        for k in want:
            if k not in got and k not in OPTIONAL:
                out.append(f"{at}.{k}: missing")
    elif isinstance(want, list) and want:
        # Items like the examples' union (one example may lack an optional key another has).
        model = want[0]
        if isinstance(model, dict):
            model = {}
            for item in want:
                for k, v in item.items():
                    model.setdefault(k, v)
        for i, item in enumerate(got):
            out += shape_problems(item, model, f"{at}[{i}]")
    return out


def check_shape(got, want, what):
    found = shape_problems(got, want)
    check(not found, f"{what}: shape differs from the contract: {found[:5]}")


def main():
    with open(FIXTURE, encoding="utf-8") as f:
        contract = json.load(f)
    routes = {r["name"]: r for r in contract["routes"]}

    def example(route, case):
        for r in routes[route]["responses"]:
            if r["case"] == case:
                return r
        sys.exit(f"FAIL: no example {case} of {route} in contract.json")

    with Sandbox("app-routes", workers=0, catch_all_hook=False) as sb:
        public_url = sb.gateway_url + "/webhooks/lemlist"
        sb.worker_env["PUBLIC_WEBHOOK_URL"] = public_url
        sb.start_worker(0)
        auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

        def gw(method, path, body=None, headers=auth, timeout=60):
            return http(method, sb.gateway_url + path, body, headers=headers, timeout=timeout)

        # -- campaigns ----------------------------------------------------------------------
        status, listed = gw("GET", routes["campaigns"]["request"]["path"])
        log(f"GET /v1/campaigns → {status}: {len((listed or {}).get('campaigns', []))} campaign(s)")
        if check(status == 200, f"campaigns: status {status} {listed}"):
            check_shape(listed, example("campaigns", "listed")["body"], "campaigns")
            _, truth = http("GET", sb.lemlist_url + "/api/campaigns?version=v2", headers=lemlist_auth())
            truth = truth["campaigns"] if isinstance(truth, dict) else truth
            check(sorted(c["id"] for c in listed["campaigns"]) == sorted(c["_id"] for c in truth),
                  f"campaigns: {[c['id'] for c in listed['campaigns']]} is not Lemlist's list")
        campaign = next(c["id"] for c in listed["campaigns"] if c["status"] == "running")

        def person(first, email=None):
            values = {"name": [{"first_name": first, "last_name": "Routes", "full_name": f"{first} Routes"}]}
            if email:
                values["email_addresses"] = [email]
            status, body = http("POST", sb.attio_url + "/v2/objects/people/records", {"data": {"values": values}},
                                headers={"Authorization": f"Bearer {ATTIO_KEY}"})
            if status != 200:
                sys.exit(f"FAIL: could not create {first}: {status} {body}")
            return body["data"]["id"]["record_id"]

        # -- one record, ?wait=true ---------------------------------------------------------
        ada = person("Ada", "ada.routes@example.com")
        one = dict(routes["enroll_one"]["request"]["body"], campaign_id=campaign, record_ids=[ada])
        status, answer = gw("POST", routes["enroll_one"]["request"]["path"], one)
        log(f"POST /v1/enrollments?wait=true → {status}: {answer}")
        if check(status == 200, f"enroll one: status {status} {answer}"):
            check_shape(answer, example("enroll_one", "enrolled")["body"], "enroll one")
            results = answer["result"]["results"]
            check(len(results) == 1 and results[0]["record_id"] == ada and results[0]["status"] == "enrolled"
                  and results[0].get("lead_id", "").startswith("lea_"), f"enroll one: {results}")

        # -- a bulk job, polled -------------------------------------------------------------
        bob = person("Bob", "bob.routes@example.com")
        nobody = person("Nobody")  # no email, no LinkedIn: rejected before Lemlist
        ghost = "0badf00d-0000-4000-8000-00000000abcd"  # not in Attio: failed
        records = [bob, ada, nobody, ghost]  # ada again: already in the campaign → duplicate
        batch = dict(routes["enroll_batch"]["request"]["body"], campaign_id=campaign, record_ids=records)
        status, accepted = gw("POST", routes["enroll_batch"]["request"]["path"], batch)
        log(f"POST /v1/enrollments → {status}: {accepted}")
        check(status == 202 and accepted.get("stored") == "broker", f"bulk: {status} {accepted}")
        job_id = accepted["job_id"]
        seen_states = []

        def job_done():
            status, job = gw("GET", f"/v1/enrollments/{job_id}")
            if status == 404:
                return None  # not reached a worker yet: the app keeps polling
            if not check(status == 200, f"job status: {status} {job}"):
                return job
            seen_states.append(job["state"])
            return job if job["state"] == "done" else None
        job = wait_for(job_done, 90, f"job {job_id} done", interval=0.5)
        log(f"GET /v1/enrollments/{job_id} → states {sorted(set(seen_states))}, results {job.get('results')}")
        check_shape(job, example("enrollment_job", "done")["body"], "job done")
        got = {r["record_id"]: r["status"] for r in job.get("results", [])}
        want = {bob: "enrolled", ada: "duplicate", nobody: "rejected", ghost: "failed"}
        check(got == want, f"job results {got}, expected {want}")
        check(all(r.get("message") for r in job["results"] if r["status"] != "enrolled"),
              "job: a result other than enrolled carries no message")
        status, unknown = gw("GET", "/v1/enrollments/job_00000000000000000000beef")
        check(status == 404, f"unknown job: {status} {unknown}")
        check_shape(unknown, example("enrollment_job", "not_found")["body"], "unknown job")
        sb.broker.take_all("attio.enrollments.dlq")  # the ghost's job, dead-lettered for an operator

        # -- subscriptions sync -------------------------------------------------------------
        sync_path = routes["subscriptions_sync"]["request"]["path"]
        categories = routes["subscriptions_sync"]["request"]["body"]["categories"]
        status, first = gw("POST", sync_path, {"categories": categories})
        log(f"POST /v1/subscriptions/sync {categories} → {status}: created {len((first or {}).get('created', []))}")
        if check(status == 200, f"sync: {status} {first}"):
            check_shape(first, example("subscriptions_sync", "applied")["body"], "sync")
            check(first["mode"] == "per_type" and first["target_url"] == public_url, f"sync: {first['mode']} "
                  f"{first['target_url']}")
            check(first["created"] and not first["deleted"] and not first["refused"] and not first["skipped"],
                  f"sync: expected creations only: {first}")
            check(all(h["target_url"] == f"{public_url}?type={h['type']}" for h in first["created"]),
                  "sync: a hook is not at PUBLIC_WEBHOOK_URL?type=<type>")
            _, hooks = http("GET", sb.lemlist_url + "/api/hooks", headers=lemlist_auth())
            check(sorted(h["_id"] for h in hooks) == sorted(h["hook_id"] for h in first["created"]),
                  "sync: Lemlist's hooks are not what the sync says it created")

        status, again = gw("POST", sync_path, {"categories": categories})
        log(f"POST /v1/subscriptions/sync again → {status}: kept {len((again or {}).get('kept', []))}")
        if check(status == 200, f"second sync: {status} {again}"):
            check_shape(again, example("subscriptions_sync", "in_sync")["body"], "second sync")
            check(not again["created"] and not again["deleted"] and not again["refused"] and not again["skipped"],
                  f"second sync changed something: {again}")
            check(sorted(h["hook_id"] for h in again["kept"]) == sorted(h["hook_id"] for h in first["created"]),
                  "second sync: kept is not what the first created")

        # -- plan gated ---------------------------------------------------------------------
        status, _ = http("POST", sb.lemlist_url + "/__emulator/config", {"plan_gated_hooks": True})
        check(status == 200, f"emulator config: {status}")
        status, gated = gw("POST", sync_path, {"categories": categories + ["unsubscribed"]})
        log(f"POST /v1/subscriptions/sync (plan gated) → {status}: refused {(gated or {}).get('refused')}")
        if check(status == 200, f"gated sync: {status} {gated}"):
            check_shape(gated, example("subscriptions_sync", "plan_gated")["body"], "gated sync")
            refused = gated["refused"]
            check(len(refused) == 1 and refused[0]["status"] == 402 and refused[0]["message"] == PLAN_GATED_TEXT
                  and refused[0]["action"] == "create", f"gated sync: refusal not verbatim: {refused}")
            check(all(s["reason"] == "skipped: Lemlist refused an earlier call with HTTP 402" for s in gated["skipped"]),
                  f"gated sync: skipped {gated['skipped']}")
            check(not gated["created"] and len(gated["kept"]) == len(first["created"]),
                  f"gated sync: created {gated['created']}, kept {len(gated['kept'])}")
        http("POST", sb.lemlist_url + "/__emulator/config", {"plan_gated_hooks": False})

        status, removed = gw("POST", sync_path, {"categories": []})
        log(f"POST /v1/subscriptions/sync [] → {status}: deleted {len((removed or {}).get('deleted', []))}")
        if check(status == 200, f"empty sync: {status} {removed}"):
            check(sorted(h["hook_id"] for h in removed["deleted"]) == sorted(h["hook_id"] for h in first["created"])
                  and all(h["reason"] == "type not enabled" for h in removed["deleted"]),
                  f"empty sync: deleted {removed['deleted']}")
            _, hooks = http("GET", sb.lemlist_url + "/api/hooks", headers=lemlist_auth())
            check(hooks == [], f"empty sync: Lemlist still has {hooks}")

        # -- the fixture's invalid requests -------------------------------------------------
        for name, route in routes.items():
            for case in route.get("invalid_requests", []):
                req = case["request"]
                headers = {} if case.get("omit_auth") else auth
                status, body = gw(req["method"], req["path"], req.get("body"), headers=headers)
                want = case["response"]
                ok = status == want["status"] and isinstance(body, dict) and body.get("error") == want["body"]["error"] \
                    and body.get("field") == want["body"].get("field")
                check(ok, f"{name}/{case['case']}: {status} {body}, the contract says {want['status']} {want['body']}")
                log(f"{name}/{case['case']}: {status} {body.get('error') if isinstance(body, dict) else body}")

        # -- a silent worker ----------------------------------------------------------------
        sb.workers[0].stop()
        started = time.time()
        status, silent = gw("GET", "/v1/campaigns")
        log(f"GET /v1/campaigns with no worker → {status} after {time.time() - started:.1f}s: {silent}")
        if check(status == 504, f"no worker: {status} {silent}"):
            check_shape(silent, example("campaigns", "worker_timeout")["body"], "no worker")
        # The expired request is gone, not waiting to run when a worker comes back.
        wait_for(lambda: sb.broker.depth("sync.requests") == 0, 10, "the expired request dropped")

        if problems:
            sb.failed = True
            sys.exit(f"FAIL: {len(problems)} problem(s)")
    log("PASS")


if __name__ == "__main__":
    main()
