#pragma once
// What arrives on `attio.enrollments`, read and validated once (pure, unit-tested):
//
//   an enrollment job (the gateway's POST /v1/enrollments, message_id = job_id):
//     {"job_id":"job_<hex>","source":"api","campaign_id":"cam_…","record_ids":["<uuid>",…],
//      "options":{"findEmail":bool,…},"icebreaker":"…"?,"requested_at":"ISO"}
//     options the job leaves out take the TOML enrollment defaults;
//
//   a raw Attio webhook body (header x-source=attio_webhook):
//     {"webhook_id":"…","events":[{"event_type":"list-entry.created"|"list-entry.updated",
//       "id":{"workspace_id","list_id","entry_id"[,"attribute_id" on updated]},
//       "parent_object_id"|"parent_object":…,"parent_record_id":…,"actor":{…}}, …]}
//     only list-entry.created and .updated events matter (a rep fills in the campaign after
//     adding the entry); the entry itself is fetched (payloads carry ids only).
//
// And what goes back: the reply to a job that asked for one (direct reply-to).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "amqp/message.hpp"
#include "core/result.hpp"
#include "core/settings.hpp"
#include "outbound/lemlist_client.hpp"

namespace las::sync {

inline constexpr std::size_t max_job_records = 250;
inline constexpr std::string_view attio_webhook_source = "attio_webhook";

struct enrollment_job {
    std::string job_id;
    std::string source;  // "api", "cli", "attio_webhook"
    std::string campaign_id;
    std::vector<std::string> record_ids;  // de-duplicated, in order
    outbound::enrollment_flags flags;
    std::optional<std::string> icebreaker;
    std::optional<std::string> requested_at;
};

// The Lemlist create-lead flags from the TOML defaults.
outbound::enrollment_flags flags_from(const enrollment_defaults& defaults);

// A Lemlist campaign id as the API takes it: "cam_" and at least one more visible ASCII
// character (Lemlist answers 200 and stores nothing for an id without the prefix).
bool is_campaign_id(std::string_view id);

// Parses a job body. `message_id` (may be empty) must equal job_id when both are present.
// The error says which field is wrong.
result<enrollment_job, std::string> parse_enrollment_job(std::string_view body, std::string_view message_id,
                                                         const enrollment_defaults& defaults);

struct attio_entry_event {
    bool updated = false;          // list-entry.updated (else .created)
    std::string list_id;
    std::string entry_id;
    std::string attribute_id;      // updated: the attribute that changed (may be empty)
    std::string parent_object;     // parent_object_id (a uuid) or parent_object (a slug), as sent
    std::string parent_record_id;
};

struct attio_webhook {
    std::string webhook_id;
    std::vector<attio_entry_event> entries;  // the list-entry.created and .updated events
    std::size_t ignored = 0;                 // events of other types
};

result<attio_webhook, std::string> parse_attio_webhook(std::string_view body);

// True when the delivery is a raw Attio webhook body rather than a job: the gateway's
// x-source header (attio_webhook | api), else (no header, or a replay) a body with `events`
// and no `job_id`.
bool is_attio_webhook(const amqp::delivery& d);

// The text value of entry attribute `slug` in an entry's values (Attio output form:
// [{"value":"…"}]); nullopt when absent or empty.
std::optional<std::string> entry_text(const rapidjson::Value& values, std::string_view slug);

// The reply to a job: {"job_id":…,"results":[{"record_id","status","lead_id"?,"message"?},…]},
// plus "error":"…" when the job itself could not be processed (then results is empty).
struct reply_item {
    std::string record_id;
    std::string status;
    std::optional<std::string> lead_id;
    std::string message;
};
std::string reply_body(std::string_view job_id, const std::vector<reply_item>& items, std::string_view error = {});
// One item of it: {"record_id","status","lead_id"?,"message"?} (also what the job store keeps).
std::string reply_item_json(const reply_item& item);

}  // namespace las::sync
