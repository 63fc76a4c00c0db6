#pragma once
// Reading Lemlist's answers, as pure functions (the client only adapts them to the network):
// its errors are mostly short text/plain bodies with no machine code, duplicates are
// recognised by their TEXT (the status changed over time: 400, 409, 500), and unknown routes
// answer 200 with the web app's HTML, which must never pass for success.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <rapidjson/document.h>

#include "outbound/call_error.hpp"

namespace las::outbound {

// One webhook subscription as GET /api/hooks shows it; keys Lemlist omits stay empty.
struct lemlist_hook {
    std::string id;           // hoo_…
    std::string target_url;
    std::string type;         // "" = every event type
    std::string campaign_id;  // "" = every campaign
    std::string created_at;
};

struct lemlist_campaign {
    std::string id;  // cam_…
    std::string name;
    std::string status;
};

// The documented answer to POST /campaigns/{id}/leads/: the lead now in the campaign.
struct enrolled {
    std::string lead_id;     // lea_…
    std::string contact_id;  // ctc_…, when given
};

// Lemlist refused because the lead is already there; not an error to retry, a result to show.
struct duplicate_lead {
    enum class scope { this_campaign, other_campaign };
    scope where = scope::this_campaign;
    unsigned status = 0;
    std::string message;  // Lemlist's text, verbatim (shortened)
};

// Lemlist refused this lead for this campaign (404 Campaign not found, 402 plan gated, 400 …).
struct rejected_lead {
    unsigned status = 0;
    std::string message;
};

using enrollment = std::variant<enrolled, duplicate_lead, rejected_lead>;

// True when the answer is JSON: a JSON Content-Type, or none and a body that starts like JSON.
// The SPA catch-all (text/html) never is.
bool is_json_answer(std::string_view content_type, std::string_view body);

// The error text of a Lemlist answer: the plain-text body, or `message`/`error` of a JSON
// body, shortened; a fixed phrase for an HTML page (never its content).
std::string error_text(std::string_view content_type, std::string_view body);

// A non-2xx answer as a call_error (generic status rules, Lemlist's text as message).
call_error error_from_answer(unsigned status, std::string_view content_type, std::string_view body,
                             bool replay_safe);

// A 2xx answer that is not JSON (e.g. the HTML of an unknown route) or not the expected
// shape: permanent, code "not_json" / "unexpected_answer".
call_error not_json_error(unsigned status, std::string_view content_type, std::string_view what);
call_error unexpected_answer(unsigned status, std::string_view what);

// Duplicate texts, case-insensitively anywhere in the body: "Lead already in the campaign",
// "Lead already in other campaign".
std::optional<duplicate_lead::scope> duplicate_scope(std::string_view body);

// The whole answer to the create-lead POST (any status but 429, which the caller retried):
//   2xx JSON with `_id`            → enrolled
//   duplicate text, any status     → duplicate_lead
//   408, 5xx                       → call_error transient / unknown_fate (a POST: it may have landed)
//   other 4xx (400, 402, 404, …)   → rejected_lead
//   2xx not JSON or without `_id`  → call_error permanent
call_result<enrollment> classify_enrollment(unsigned status, std::string_view content_type, std::string_view body);

// Shapes of successful answers (the body already known to be JSON text).
result<std::vector<lemlist_hook>, std::string> parse_hooks(std::string_view body);
result<lemlist_hook, std::string> parse_hook(std::string_view body);
// Both the documented bare array and the observed {campaigns, pagination} wrapper.
struct campaign_page {
    std::vector<lemlist_campaign> campaigns;
    std::optional<long> total_pages;  // from the wrapper's pagination.totalPage
};
result<campaign_page, std::string> parse_campaigns(std::string_view body);
// GET /activities: a JSON array, returned as is for the caller to read.
result<rapidjson::Document, std::string> parse_activities(std::string_view body);

}  // namespace las::outbound
