#pragma once
// How one confirmed publish ended. Exactly one outcome per publish.

#include <cstdint>
#include <string_view>

namespace las::amqp {

enum class publish_outcome : std::uint8_t {
    // basic.ack: the broker took responsibility (for a persistent message to a durable or
    // quorum queue: written to disk / replicated). The only outcome that earns a 200.
    confirmed,
    // basic.nack: the broker refused it (queue-internal error). Not stored; safe to retry.
    nacked,
    // basic.return (mandatory): no queue is bound for that exchange/routing key, so it was
    // dropped; the ack the broker sends after the return does not make it a success.
    returned,
    // The connection died with the message written but unconfirmed: fate UNKNOWN (it may
    // be stored). At-least-once: publish again (spool) and let the consumer dedupe.
    connection_lost,
    // The broker closed the channel (e.g. 404: publishing to a missing exchange). The
    // culprit was not stored; anything else in flight on that channel has an unknown fate.
    channel_closed,
    // No confirm before the deadline (counted from publish()): fate unknown. A later ack is
    // ignored.
    timed_out,
    // Never written: the publisher is disconnected, blocked by a broker resource alarm, or
    // stopping. Fails fast so the gateway can spool instead of waiting.
    rejected_not_connected,
    // Never written: too many publishes are already waiting (options.max_queued).
    rejected_overloaded,
    // Never written: the request cannot be encoded (an exchange, routing key or property
    // over 255 bytes, a header table too big). A caller bug; retrying cannot help.
    rejected_invalid,
};

constexpr std::string_view to_string(publish_outcome o) noexcept {
    switch (o) {
        case publish_outcome::confirmed: return "confirmed";
        case publish_outcome::nacked: return "nacked";
        case publish_outcome::returned: return "returned";
        case publish_outcome::connection_lost: return "connection_lost";
        case publish_outcome::channel_closed: return "channel_closed";
        case publish_outcome::timed_out: return "timed_out";
        case publish_outcome::rejected_not_connected: return "rejected_not_connected";
        case publish_outcome::rejected_overloaded: return "rejected_overloaded";
        case publish_outcome::rejected_invalid: return "rejected_invalid";
    }
    return "unknown";
}

constexpr bool is_confirmed(publish_outcome o) noexcept { return o == publish_outcome::confirmed; }

// True when the message certainly did not reach a queue (a retry cannot duplicate it).
constexpr bool certainly_not_stored(publish_outcome o) noexcept {
    return o == publish_outcome::nacked || o == publish_outcome::returned ||
           o == publish_outcome::rejected_not_connected || o == publish_outcome::rejected_overloaded ||
           o == publish_outcome::rejected_invalid;
}

}  // namespace las::amqp
