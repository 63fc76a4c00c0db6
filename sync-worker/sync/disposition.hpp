#pragma once
// What becomes of a delivery once its event was processed, decided in one place:
//   done, duplicate      → ack
//   deferred             → republish to the first retry rung, same attempt count, then ack
//   retry                → republish to the retry rung for attempt n+1, then ack; or, once
//                          MAX_ATTEMPTS is reached, to the DLQ with reason retries_exhausted
//   dead_letter          → republish to the DLQ with the reason, then ack
// The original is acked only after the republish is confirmed (the consumer does that), so a
// failure in between leaves the original to be redelivered: nothing is lost, at worst a copy
// is processed twice and the idempotency store drops it. Pure, unit-tested.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "amqp/message.hpp"
#include "amqp/topology.hpp"
#include "sync/event_processor.hpp"

namespace las::sync {

struct disposition {
    enum class kind { ack, retry, deferred, dead_letter };
    std::optional<amqp::publish_request> republish;  // nothing: just ack
    kind what = kind::ack;
    unsigned attempts = 0;  // x-attempts of the republished copy (or of the delivery)
};

// The label logs and metrics carry: ack | retry | deferred | dead_letter.
std::string_view to_string(disposition::kind k);

disposition plan_disposition(const processing_outcome& outcome, const amqp::delivery& delivery,
                             const amqp::pipeline& pipeline, unsigned max_attempts,
                             std::chrono::system_clock::time_point now);

// The copy of a delivery that goes back to the broker: body, message id, content type and
// headers kept (x-received-at, x-source), with `headers` overriding.
amqp::publish_request republished_copy(const amqp::delivery& delivery, std::string routing_key,
                                       amqp::header_table overrides);

}  // namespace las::sync
