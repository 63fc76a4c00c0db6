#pragma once
// The idempotency key of a Lemlist event: the AMQP `message_id`, the idempotency store's
// claim key and the Attio `activity_id`. The same event always gets the same key
// (redelivered, re-serialised in another key order, with another `secret`, or fetched back
// by reconcile from GET /activities); two different events never share one.
//
// Schemes, in order of preference:
//   act_…        the activity `_id` verbatim, when it is visible ASCII without ':' (≤ 255
//                bytes), so webhooks and GET /activities records of one activity collide
//   i1:<sha256>  an `_id` that is not (spaces, control bytes, ':', too long)
//   f1:<type>|<campaignId>|<leadId>|<createdAt>
//                no `_id`, all four present (strings); '\' and '|' inside a field are
//                escaped with '\', so the join is unambiguous
//   enr:<type>:<ids>
//                enrichment bodies `{type, data:[{id:"enr_…"}]}`: the sorted distinct ids,
//                comma-joined (used only when every item has an id of [A-Za-z0-9_-])
//   h1:<sha256>  anything else: SHA-256 of canonical_json(body)
//   k1:<sha256>  an f1/enr key longer than 255 bytes or holding bytes outside visible
//                ASCII: SHA-256 of that key
// Verbatim ids never contain ':' and every other key starts with a distinct `<scheme>:`,
// so keys of different schemes cannot meet.
//
// Deliberately no key from a partial field set (e.g. type + createdAt + leadEmail for a
// third-party reply, which has no campaignId/leadId): a reply's createdAt has one-second
// precision, so two replies could share it and one would be dropped as a duplicate. The
// body hash can only err the safe way (a duplicate entry if Lemlist altered a redelivered body).

#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace las::lemlist {

inline constexpr std::size_t max_idempotency_key_bytes = 255;  // AMQP shortstr

std::string derive_idempotency_key(const rapidjson::Value& body, std::string_view type);

// The body as canonical JSON: object members sorted by name (bytewise; duplicates by value),
// the top-level `secret` left out, no whitespace, integral numbers written as integers
// (1, 1.0 and 1e0 are one value) and other numbers with 17 significant digits, strings
// re-escaped from their decoded bytes (so "\u00e9" and "é" agree).
std::string canonical_json(const rapidjson::Value& body);

}  // namespace las::lemlist
