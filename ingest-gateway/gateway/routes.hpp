#pragma once
// The gateway's pure layer (Beast's handle_request): one HTTP request in, one decision out,
// without sockets, broker or disk, so every status is unit-testable.
//
//   immediate_response  answer now (400/401/404/405/413/415/422, with a JSON error body)
//   publish_action      store this message durably (broker confirm or spool), then answer
//   probe               /healthz, /readyz, /metrics: answered from live state by the service
//   query_action        the Attio app's queries and commands (GET /v1/campaigns, GET
//                       /v1/enrollments/{job_id}, POST /v1/subscriptions/sync): asked of the
//                       worker over `sync.requests` and answered with its reply; never spooled

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "amqp/message.hpp"
#include "amqp/sync_request.hpp"
#include "core/time.hpp"
#include "http/server.hpp"

namespace las::gateway {

// What the routes need from the settings (secrets included; never logged).
struct route_config {
    std::optional<std::string> lemlist_secret;  // when set, the body's `secret` must equal it
    std::optional<std::string> attio_secret;    // when set, Attio-Signature must be the body's HMAC
    std::optional<std::string> admin_token;     // when unset, /v1/enrollments answers 401 to everyone
    std::size_t max_body_bytes = 262'144;
};

// Per-request inputs that are not in the request, injected so tests are deterministic.
struct request_context {
    sys_ms now;
    std::function<std::string()> new_job_id;  // "job_<hex>"
};

struct immediate_response {
    http_proto::status status = http_proto::status::ok;
    std::string body;   // JSON
    std::string allow;  // the Allow header of a 405
};

enum class answer_kind {
    event_accepted,  // 200 {"status":"accepted","message_id":…}
    job_accepted,    // 202 {"job_id":…}
};

struct publish_action {
    amqp::publish_request message;
    answer_kind answer = answer_kind::event_accepted;
    std::string id;               // the message_id (the job_id for jobs)
    bool wait_for_reply = false;  // /v1/enrollments?wait=true with one record: direct reply-to
    // A Lemlist webhook whose URL's `?type=` does not deliver its body's type (lemlist::
    // hook_delivers): still accepted (refusing would lose the event), logged and counted.
    std::string unexpected_hook_type;
};

enum class probe { health, ready, metrics };

// A request for the worker, answered over direct reply-to while the caller waits. Queries
// and commands with a waiting caller: a broker that cannot take it means 503, not the spool.
struct query_action {
    amqp::sync_request request;
};

using decision = std::variant<immediate_response, publish_action, probe, query_action>;

decision route(const http::request& req, const route_config& config, const request_context& ctx);

// The contract routes.
inline constexpr std::string_view lemlist_path = "/webhooks/lemlist";
inline constexpr std::string_view attio_path = "/webhooks/attio";
inline constexpr std::string_view enrollments_path = "/v1/enrollments";
inline constexpr std::string_view enrollment_job_prefix = "/v1/enrollments/";  // + job_id
inline constexpr std::string_view campaigns_path = "/v1/campaigns";
inline constexpr std::string_view subscriptions_sync_path = "/v1/subscriptions/sync";

// "job_" and 1..64 hex digits: what new_job_id makes, and what GET /v1/enrollments/{id} takes.
bool is_job_id(std::string_view id);

// The event categories POST /v1/subscriptions/sync takes: the `event_category` options minus
// `other` (Lemlist has no types of its own for it).
bool is_subscribable_category(std::string_view slug);

// The request target without its query string.
std::string_view path_of(std::string_view target);
// The path (no query) when it is one of ours ("/v1/enrollments/{job_id}" for a job), else
// "other": a bounded metrics label.
std::string_view route_label(std::string_view target);

// {"error":"<code>","message":"<message>"[,"field":"<field>"]}
std::string error_body(std::string_view code, std::string_view message, std::string_view field = {});

// `application/json`, case-insensitive, parameters (charset) allowed.
bool is_json_content_type(std::string_view value);

// x-source values.
inline constexpr std::string_view webhook_source = "webhook";
inline constexpr std::string_view attio_source = "attio_webhook";
inline constexpr std::string_view api_source = "api";

// Headers every message of ours carries: x-received-at (ISO-8601 UTC), x-source, x-attempts=0.
amqp::header_table contract_headers(sys_ms received_at, std::string_view source);

}  // namespace las::gateway
