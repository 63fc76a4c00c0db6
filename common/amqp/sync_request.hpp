#pragma once
// The gateway ↔ worker request/reply codec of `sync.requests` (topology.hpp): the queries and
// commands the Attio app sends through the gateway, answered by the worker over direct
// reply-to. Pure, so both sides unit-test it.
//
//   request  {"request":"campaigns"}
//            {"request":"enrollment_job","job_id":"job_<hex>"}
//            {"request":"subscriptions_sync","categories":["contacted",…]}
//   reply    {"status":<HTTP status>,"body":<the JSON the gateway answers with>}
//
// The worker decides the status (200, 404, 502, …) and the body; the gateway relays both,
// so it stays thin: no provider call, no knowledge of the answer's shape beyond this.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/message.hpp"
#include "core/result.hpp"

namespace las::amqp {

enum class request_kind { campaigns, enrollment_job, subscriptions_sync };
std::string_view to_string(request_kind k) noexcept;

struct sync_request {
    request_kind kind = request_kind::campaigns;
    std::string job_id;                   // enrollment_job
    std::vector<std::string> categories;  // subscriptions_sync (may be empty: remove our hooks)
};

std::string encode_request(const sync_request& request);
// The error names what is wrong (for the worker's 400 reply and its log line).
result<sync_request, std::string> parse_request(std::string_view body);

// The request as a message on `sync.requests`: default exchange, transient (a caller waits
// for it; a broker restart loses it and the caller gets a 504), expiring after `wait` so a
// request nobody took in time is never executed late.
publish_request request_message(const sync_request& request, std::string_view message_id,
                                std::chrono::milliseconds wait);

struct sync_reply {
    unsigned status = 200;
    std::string body = "{}";  // JSON text
};

std::string encode_reply(const sync_reply& reply);
// Fails on a body that is not {"status":100..599,"body":<object>}.
result<sync_reply, std::string> parse_reply(std::string_view body);

}  // namespace las::amqp
