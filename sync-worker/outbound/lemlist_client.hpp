#pragma once
// Typed client for the Lemlist REST API (https://api.lemlist.com/api/…): webhook
// subscriptions, campaigns, lead enrollment, activities. Basic auth with an empty user
// (`base64(":" + key)`). Every call waits on the Lemlist gate (20 requests / 2 s per API key
// by default; one gate for all routes) and honours a 429's Retry-After (seconds) for the
// whole gate. Answers that are not what the route documents (the HTML catch-all of an
// unknown route above all) are errors, never successes.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "core/asio.hpp"
#include "outbound/call_error.hpp"
#include "outbound/gated_caller.hpp"
#include "outbound/lemlist_answers.hpp"
#include "state/rate_gate.hpp"

namespace las::outbound {

// The published limit, for building the gate: 20 requests per 2 s per API key.
inline constexpr std::size_t lemlist_default_limit = 20;
inline constexpr std::chrono::milliseconds lemlist_default_window{2'000};

struct lemlist_options {
    std::string api_key;
    call_policy policy{.default_retry_after = std::chrono::milliseconds(2'000)};
    std::size_t campaign_page_limit = 100;  // per page, max 100
    std::size_t max_campaign_pages = 100;   // a bound on paging, whatever the server says
};

// The lead to create. Empty optionals are not sent; `variables` become custom variables
// (top-level keys of the body), and must not reuse the names above.
struct lead_input {
    std::optional<std::string> email;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> company_name;
    std::optional<std::string> linkedin_url;
    std::optional<std::string> phone;
    std::optional<std::string> icebreaker;
    std::vector<std::pair<std::string, std::string>> variables;
};

// Query flags of the create-lead call (Lemlist's defaults are all false).
struct enrollment_flags {
    bool deduplicate = false;
    bool find_email = false;
    bool verify_email = false;
    bool find_phone = false;
    bool linkedin_enrichment = false;
};

// GET /activities?version=v2 filters; unset ones are not sent.
struct activity_query {
    std::optional<std::string> type;
    std::optional<std::string> campaign_id;
    std::optional<std::string> lead_id;
    std::optional<std::string> min_date;  // ISO-8601 or Unix seconds, on createdAt
    std::optional<std::string> max_date;
    std::size_t offset = 0;
    std::size_t limit = 100;  // clamped to 1..100
};

enum class delete_outcome { deleted, already_gone };

class lemlist_client {
public:
    // `gate` and `metrics` (may be null) must outlive the client.
    lemlist_client(transport send, state::rate_gate& gate, lemlist_options options,
                   call_metrics* metrics = nullptr);

    // GET /api/hooks: every hook of the team (ours and others').
    awaitable<call_result<std::vector<lemlist_hook>>> list_hooks();
    // POST /api/hooks {targetUrl, type?, secret?}. `type` empty = every event type.
    awaitable<call_result<lemlist_hook>> create_hook(std::string target_url, std::string type,
                                                     std::optional<std::string> secret);
    // DELETE /api/hooks/{id}; a 404 means someone already deleted it.
    awaitable<call_result<delete_outcome>> delete_hook(std::string hook_id);

    // GET /api/campaigns?version=v2, every page.
    awaitable<call_result<std::vector<lemlist_campaign>>> list_campaigns();

    // POST /api/campaigns/{id}/leads/?deduplicate=…: enrolled, duplicate or rejected, or a
    // call_error (transient / rate_limited / unknown_fate: a 5xx or a lost connection after
    // sending may have created the lead).
    awaitable<call_result<enrollment>> enroll_lead(std::string campaign_id, lead_input lead, enrollment_flags flags);

    // GET /api/activities?version=v2&…: one page, a JSON array (newest first).
    awaitable<call_result<rapidjson::Document>> list_activities(activity_query query);

private:
    awaitable<call_result<http::client_response>> call(std::string_view operation, http_proto::verb method,
                                                       std::string target, std::string body, bool replay_safe);

    gated_caller caller_;
    state::rate_gate& gate_;
    lemlist_options options_;
    std::string authorization_;
};

// "Basic " + base64(":" + key): the user is empty, the key is the password.
std::string lemlist_authorization(std::string_view api_key);

// The JSON body of the create-lead call (exposed for tests).
std::string lead_body(const lead_input& lead);

}  // namespace las::outbound
