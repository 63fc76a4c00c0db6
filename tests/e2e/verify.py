"""What Attio must hold after a campaign went through the product, computed from the
Lemlist emulator's ground truth (every distinct event it generated) independently of the
product's code: exactly one entry per event that names a lead, no duplicated Person, every
Person's Lemlist state equal to the state the contract derives from its events, and the DLQ
holding exactly the events that name no lead."""

from datetime import datetime, timezone

# The contract's lead-state groups and state-moving categories, per documented type.
STATUS_RANK = {"contacted": 1, "hooked": 2, "attracted": 3, "warmed": 4}
CATEGORY = {}
for t in ("contacted emailsSent linkedinSent linkedinInviteDone linkedinVoiceNoteDone whatsappMessageSent "
          "whatsappMessageDelivered smsSent smsDelivered aircallCreated aircallDone apiDone").split():
    CATEGORY[t] = "contacted"
for t in "hooked emailsOpened linkedinOpened whatsappMessageOpened".split():
    CATEGORY[t] = "hooked"
for t in "attracted emailsClicked linkedinInviteAccepted".split():
    CATEGORY[t] = "attracted"
for t in "warmed emailsReplied linkedinReplied whatsappReplied smsReplied".split():
    CATEGORY[t] = "warmed"
for t in ("interested emailsInterested linkedinInterested aircallInterested apiInterested "
          "manualInterested").split():
    CATEGORY[t] = "interested"
for t in ("notInterested emailsNotInterested linkedinNotInterested aircallNotInterested apiNotInterested "
          "manualNotInterested").split():
    CATEGORY[t] = "not_interested"
CATEGORY.update({"paused": "paused", "resumed": "resumed", "emailsUnsubscribed": "unsubscribed",
                 "emailsBounced": "bounced"})


def ms(iso):
    if iso is None:
        return None
    s = iso.strip().replace("Z", "+00:00")
    if "." in s:
        head, rest = s.split(".", 1)
        digits = "".join(c for c in rest if c.isdigit())
        tz = rest[len(digits):]
        s = f"{head}.{(digits + '000000')[:6]}{tz}"
    return int(datetime.fromisoformat(s).astimezone(timezone.utc).timestamp() * 1000)


def has_identity(body):
    """Mirrors the contract's identity sources loosely: an email field or a LinkedIn URL."""
    for key in ("leadEmail", "email", "linkedinUrl"):
        if isinstance(body.get(key), str) and body[key].strip():
            return True
    for item in body.get("data", []) if isinstance(body.get("data"), list) else []:
        if isinstance(item, dict) and item.get("data", {}).get("find_email", {}).get("email"):
            return True
    return False


def expected_state(events):
    """events: (type, time_ms, campaign, lead_id) tuples. The registers of the contract."""
    st = {"status": None, "interest": None, "interest_at": None, "paused_at": None, "resumed_at": None,
          "unsubscribed_at": None, "bounced_at": None, "last_at": None, "last_type": None,
          "campaign_at": None, "campaign": None, "lead_id": None}

    def key(v):
        return (v is not None, v or "")

    for (typ, t, campaign, lead_id) in events:
        cat = CATEGORY.get(typ)
        if cat in STATUS_RANK and (st["status"] is None or STATUS_RANK[cat] > STATUS_RANK[st["status"]]):
            st["status"] = cat
        if cat in ("interested", "not_interested"):
            if st["interest_at"] is None or (t, cat) > (st["interest_at"], st["interest"]):
                st["interest"], st["interest_at"] = cat, t
        for c, field in (("paused", "paused_at"), ("resumed", "resumed_at"), ("unsubscribed", "unsubscribed_at"),
                         ("bounced", "bounced_at")):
            if cat == c and (st[field] is None or t > st[field]):
                st[field] = t
        if st["last_at"] is None or (t, typ) > (st["last_at"], st["last_type"]):
            st["last_at"], st["last_type"] = t, typ
        if campaign is not None or lead_id is not None:
            if st["campaign_at"] is None or (t, key(campaign), key(lead_id)) > (
                    st["campaign_at"], key(st["campaign"]), key(st["lead_id"])):
                st["campaign_at"], st["campaign"], st["lead_id"] = t, campaign, lead_id
    st["paused"] = st["paused_at"] is not None and (st["resumed_at"] is None or st["paused_at"] >= st["resumed_at"])
    return st


def observed_state(values):
    def one(slug):
        v = values.get(slug)
        return v[0] if isinstance(v, list) and v else v

    return {"status": one("lemlist_status"), "interest": one("lemlist_interest"),
            "paused_at": ms(one("lemlist_last_paused_at")), "resumed_at": ms(one("lemlist_last_resumed_at")),
            "unsubscribed_at": ms(one("lemlist_unsubscribed_at")), "bounced_at": ms(one("lemlist_bounced_at")),
            "last_at": ms(one("lemlist_last_event_at")), "last_type": one("lemlist_last_event_type"),
            "campaign": one("lemlist_last_campaign"), "lead_id": one("lemlist_lead_id"),
            "paused": bool(one("lemlist_paused"))}


COMPARED = ("status", "interest", "paused_at", "resumed_at", "unsubscribed_at", "bounced_at", "last_at",
            "last_type", "campaign", "lead_id", "paused")


def event_key(truth_event):
    """The key the contract gives: `_id`; for enrichment bodies (no `_id`), what identifies
    them: their sorted enrichment ids (`enr:<type>:<id>,<id>`)."""
    if truth_event.get("_id"):
        return truth_event["_id"]
    ids = sorted({item["id"] for item in truth_event["body"].get("data", []) if isinstance(item, dict) and "id" in item})
    return f"enr:{truth_event['type']}:" + ",".join(ids)


def verify(truth, entries, people, dlq_messages):
    """Returns a list of problems (empty when Attio holds exactly what it should)."""
    problems = []
    should_land = [e for e in truth if has_identity(e["body"])]
    no_identity = [e for e in truth if not has_identity(e["body"])]

    by_activity = {}
    for en in entries:
        by_activity.setdefault(en["values"].get("activity_id"), []).append(en)

    lost, duplicated, matched_entry = [], [], {}
    for ev in should_land:
        key = event_key(ev)
        found = by_activity.get(key, [])
        if not found:
            lost.append(key)
        elif len(found) > 1:
            duplicated.append(key)
        else:
            matched_entry[key] = found[0]
    if lost:
        problems.append(f"{len(lost)} events lost (no entry), e.g. {lost[:5]}")
    if duplicated:
        problems.append(f"{len(duplicated)} events duplicated, e.g. {duplicated[:5]}")
    if len(entries) != len(should_land):
        problems.append(f"{len(entries)} entries for {len(should_land)} events that name a lead")

    # Each entry is on the right Person: one holding the event's email when it has one.
    person_by_id = {p["record_id"]: p for p in people}
    wrong_person = []
    for ev in should_land:
        en = matched_entry.get(event_key(ev))
        email = (ev["body"].get("leadEmail") or ev["body"].get("email") or "").strip().lower()
        if en and email:
            emails = person_by_id.get(en["parent_record_id"], {}).get("values", {}).get("email_addresses", [])
            if email not in [e.lower() for e in emails]:
                wrong_person.append(event_key(ev))
    if wrong_person:
        problems.append(f"{len(wrong_person)} entries on a Person without the event's email, e.g. {wrong_person[:5]}")

    # No duplicated Person: one per lead that has an identity.
    leads = {e.get("originLeadId") or e.get("leadId") for e in should_land}
    if len(people) != len(leads):
        problems.append(f"{len(people)} People for {len(leads)} leads")
    seen_emails = {}
    for p in people:
        for e in p["values"].get("email_addresses", []):
            if e in seen_emails:
                problems.append(f"email {e} on two People")
            seen_emails[e] = p["record_id"]

    # Person state = the contract's merge of the events that landed on the Person.
    per_person = {}
    for ev in should_land:
        en = matched_entry.get(event_key(ev))
        if not en:
            continue
        body = ev["body"]
        t = ms(body.get("createdAt")) if body.get("createdAt") else ms(en["values"].get("occurred_at"))
        campaign = body.get("campaignName") or body.get("name") or body.get("campaignId")
        per_person.setdefault(en["parent_record_id"], []).append((ev["type"], t, campaign, body.get("leadId")))
    mismatched = []
    for record_id, evs in per_person.items():
        want = expected_state(evs)
        got = observed_state(person_by_id.get(record_id, {}).get("values", {}))
        diff = {k: (want[k], got[k]) for k in COMPARED if want[k] != got[k]}
        if diff:
            mismatched.append((record_id, diff))
    if mismatched:
        problems.append(f"{len(mismatched)} People with a wrong state, e.g. {mismatched[:3]}")

    # The DLQ holds exactly the events that name no lead (a duplicate delivery of one is
    # dead-lettered again: count distinct message ids), each with its reason.
    dlq_ids, reasons = set(), set()
    for props, _ in dlq_messages:
        reason = (props.headers or {}).get("x-dlq-reason")
        reasons.add(reason.decode() if isinstance(reason, bytes) else reason)
        dlq_ids.add(props.message_id)
    want_ids = {event_key(e) for e in no_identity}
    if dlq_ids != want_ids or (dlq_messages and reasons != {"no_lead_identity"}):
        problems.append(f"DLQ holds {len(dlq_ids)} distinct events with reasons {reasons}, "
                        f"expected {len(want_ids)} × no_lead_identity; unexpected {sorted(dlq_ids - want_ids)[:5]}, "
                        f"missing {sorted(want_ids - dlq_ids)[:5]}")
    return problems, {"events": len(truth), "landed": len(should_land), "no_identity": len(no_identity),
                      "entries": len(entries), "people": len(people)}
