#pragma once
// Every call to a provider goes through here: wait on the provider's rate gate, send, and on
// a 429 pause the gate for what Retry-After asks (so every caller of that provider in this
// worker, or in the pool with a shared gate, slows down), then send the same request again,
// a bounded number of times. A 429 means the request was not processed, so re-sending a
// POST is safe. Anything other than a 429 is handed back to the provider's client, which
// knows how to read its bodies; transport failures come back classified (call_error.hpp).
//
// The transport is a function so unit tests can script answers without a socket; the
// worker passes http_transport(client).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/asio.hpp"
#include "http/client.hpp"
#include "outbound/call_error.hpp"
#include "outbound/call_metrics.hpp"
#include "state/rate_gate.hpp"

namespace las::outbound {

using transport =
    std::function<awaitable<result<http::client_response, http::transport_error>>(http::client_request)>;

// Sends through `client`, which must outlive every call made with the returned transport.
transport http_transport(http::client& client);

struct call_policy {
    unsigned max_rate_limit_retries = 4;                 // 429s re-sent in-process per call
    std::chrono::milliseconds max_gate_wait{30'000};     // longest one call waits for the gate in total
    std::chrono::milliseconds default_retry_after{1'000};  // a 429 without a readable Retry-After
    // Attio's HTTP-date has one-second resolution and may name the current second: never
    // retry sooner than this. And never believe a clock so skewed it asks for more than max.
    std::chrono::milliseconds min_retry_after{100};
    std::chrono::milliseconds max_retry_after{60'000};
};

struct call_spec {
    std::string_view operation;  // label for metrics and logs; a string literal
    state::rate_gate& gate;      // the budget this call draws on (e.g. Attio writes)
    bool replay_safe = true;     // may be re-sent without risk of a duplicate effect (reads, PUT, PATCH)
};

class gated_caller {
public:
    // `provider` names log events ("attio.rate_limited"); `metrics` may be null.
    gated_caller(std::string provider, transport send, call_policy policy = {}, call_metrics* metrics = nullptr);

    // The provider's answer (any status but a 429), or a call_error: a transport failure, a
    // 429 that outlasted the retries, or a gate that asked for more than max_gate_wait.
    awaitable<result<http::client_response, call_error>> send(http::client_request request, call_spec spec);

    const call_policy& policy() const { return policy_; }
    const std::string& provider() const { return provider_; }

private:
    awaitable<std::optional<call_error>> acquire(const call_spec& spec, std::chrono::milliseconds& waited);

    std::string provider_;
    transport send_;
    call_policy policy_;
    call_metrics* metrics_;
};

// How long a 429 asks to wait: Retry-After in seconds (Lemlist) or as an HTTP-date (Attio),
// clamped to [min_retry_after, max_retry_after]; default_retry_after when absent or unreadable.
std::chrono::milliseconds retry_after_of(const http::client_response& response, const call_policy& policy,
                                         std::chrono::system_clock::time_point now);

// A header of the response, "" when absent (without needing the client's implementation).
std::string header_of(const http::client_response& response, std::string_view name);

}  // namespace las::outbound
