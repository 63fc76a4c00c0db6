#pragma once
// A Lemlist event (a webhook body, or an activity record from GET /activities) parsed and
// validated once: the gateway validates, keys and publishes it; the worker reads the fields
// it writes to Attio from it. Unknown and removed types are valid events.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/result.hpp"
#include "core/time.hpp"
#include "lemlist/event_type.hpp"
#include "lemlist/lead_identity.hpp"

namespace las::lemlist {

struct event {
    std::string type;
    std::string idempotency_key;  // derive_idempotency_key()
    classification cls;
    std::optional<std::string> activity_id;    // `_id`
    std::optional<std::string> campaign_id;    // `campaignId`
    std::optional<std::string> campaign_name;  // `campaignName`, else `name`
    std::optional<std::string> lead_id;        // `leadId`, else `lead._id`
    std::optional<std::string> sequence_id;
    std::optional<std::string> subject;
    std::optional<std::string> sender_email;   // `sendUserEmail`
    std::optional<std::string> team_id;
    std::optional<double> sequence_step;       // a number, or a string of digits
    std::optional<std::string> created_at;     // raw, as sent
    std::optional<sys_ms> occurred_at;         // created_at parsed (UTC); nullopt when unparsable
    lead_identity lead;
    std::shared_ptr<const rapidjson::Document> body;  // as received minus every top-level `secret`
};

// Stable codes for the gateway's 400 bodies and logs.
namespace validation_code {
inline constexpr std::string_view invalid_utf8 = "invalid_utf8";
inline constexpr std::string_view too_deep = "too_deep";
inline constexpr std::string_view invalid_json = "invalid_json";
inline constexpr std::string_view not_an_object = "not_an_object";
inline constexpr std::string_view missing_type = "missing_type";
inline constexpr std::string_view type_not_string = "type_not_string";
inline constexpr std::string_view empty_type = "empty_type";
inline constexpr std::string_view invalid_type = "invalid_type";  // > 128 bytes or outside [A-Za-z0-9_.-]
}  // namespace validation_code

struct validation_error {
    std::string code;     // one of validation_code
    std::string message;  // for the 400 body and the log line; never echoes field values
};

struct parse_options {
    std::size_t max_depth = 32;  // nesting of objects/arrays; real bodies stay under 10
};

// The two steps of parse_event, for a caller that looks at the document in between: the
// gateway checks secret_of(document) before event_from_document strips it, with one parse.
//
// parse_body checks, in order: UTF-8, depth (before anything is built), JSON syntax. The
// size limit is the caller's (the gateway answers 413 before reading the body).
result<rapidjson::Document, validation_error> parse_body(std::string_view raw_json, parse_options options = {});
// Checks the shape (an object with a valid `type`), strips `secret`, extracts. Also takes
// documents built elsewhere (reconcile pages GET /activities into documents).
result<event, validation_error> event_from_document(rapidjson::Document doc);

// parse_body, then event_from_document.
result<event, validation_error> parse_event(std::string_view raw_json, parse_options options = {});

// Compact JSON of event.body (no secret): the message body that gets published.
std::string serialize_body(const event& ev);

// The top-level `secret` string (the first, if the key repeats), for the gateway's check
// before the event is parsed and the secret stripped.
std::optional<std::string_view> secret_of(const rapidjson::Value& body);

}  // namespace las::lemlist
