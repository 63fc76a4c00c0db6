#pragma once
// The outcome of a failed call to a provider (Attio or Lemlist), classified once, here, for
// every caller: the clients, the operator tools and the pipeline's ack / retry / dead-letter
// decision all read `failure` and nothing else to decide what to do.
//
//   transient     not processed, or safe to send again: connection refused, timeout on a
//                 read or an idempotent write, 408, 5xx on a replay-safe call, Attio 409
//                 other than slug_conflict (a concurrent write conflict)
//   rate_limited  429 (after the in-process retries), or the rate gate asked for a longer wait
//                 than the call may spend; `retry_after` says how long
//   permanent     the provider refused this request and will refuse it again: other 4xx,
//                 validation errors, a 200 that is not the documented answer
//   unknown_fate  a non-replay-safe write (POST create) that may have been processed: the
//                 connection was lost or timed out after sending, or a 5xx came back. Check
//                 what landed before writing again (e.g. look up the entry by activity_id).
//
// Messages are the provider's short error text, or ours; never a request or response body
// beyond that, never a secret.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/client.hpp"

namespace las::outbound {

enum class failure { transient, rate_limited, permanent, unknown_fate };

std::string_view to_string(failure f);

// Worth trying again later (the pipeline's delayed-retry ladder); permanent is not.
constexpr bool is_retryable(failure f) { return f != failure::permanent; }

struct call_error {
    failure kind = failure::permanent;
    unsigned status = 0;   // HTTP status; 0 when no answer was received
    std::string code;      // the provider's error code (Attio `code`), the transport failure
                           // ("timeout", "connect_failed"), or ours ("not_json", "unexpected_answer")
    std::string message;   // short, human; the provider's text when it gave one
    std::optional<std::chrono::milliseconds> retry_after;  // rate_limited: when to try again

    // "rate_limited (429 rate_limit_exceeded): Rate limit exceeded, please try again later"
    std::string describe() const;
};

template <class T>
using call_result = result<T, call_error>;

// Generic status classification for a non-2xx answer: 429 → rate_limited; 408 → transient;
// 5xx → transient when the call is replay-safe, unknown_fate otherwise; other codes →
// permanent. Providers refine it (Attio's 409, Lemlist's duplicate texts) before falling back.
failure classify_status(unsigned status, bool replay_safe);

// A transport failure. Failures before the request could reach the server (resolve, connect,
// TLS) are transient; after it may have (timeout, connection lost, unreadable or oversized
// answer) a non-replay-safe call is unknown_fate, a replay-safe one transient.
failure classify_transport(http::transport_error_kind kind, bool replay_safe);
call_error from_transport(const http::transport_error& error, bool replay_safe);

// Shortens provider text for `message`: trimmed, control characters replaced, at most
// `max_bytes` (cut on a UTF-8 boundary, "…" appended).
std::string short_text(std::string_view text, std::size_t max_bytes = 300);

}  // namespace las::outbound
