#include "sync/disposition.hpp"

#include "core/time.hpp"

namespace las::sync {
namespace {

// The retry queue for attempt `n`, moved up the ladder while its delay is shorter than what
// a 429's Retry-After asked for.
const std::string& retry_queue(const amqp::pipeline& p, unsigned n, std::optional<std::chrono::milliseconds> at_least) {
    auto rung = amqp::retry_rung_for_attempt(n);
    while (at_least && rung + 1 < amqp::retry_ladder.size() && amqp::retry_ladder[rung].delay < *at_least) ++rung;
    return p.retry_queue(rung);
}

std::string truncate(std::string s, std::size_t max) {
    if (s.size() > max) s.resize(max);
    return s;
}

}  // namespace

std::string_view to_string(disposition::kind k) {
    switch (k) {
        case disposition::kind::ack: return "ack";
        case disposition::kind::retry: return "retry";
        case disposition::kind::deferred: return "deferred";
        case disposition::kind::dead_letter: return "dead_letter";
    }
    return "ack";
}

amqp::publish_request republished_copy(const amqp::delivery& delivery, std::string routing_key,
                                       amqp::header_table overrides) {
    amqp::publish_request r;
    r.exchange = "";  // retry and DLQ queues are addressed through the default exchange
    r.routing_key = std::move(routing_key);
    r.body = delivery.body;
    r.message_id = delivery.message_id;
    r.content_type = delivery.content_type.empty() ? "application/json" : delivery.content_type;
    r.headers = delivery.headers;
    for (auto& [k, v] : overrides) r.headers.insert_or_assign(k, std::move(v));
    return r;
}

disposition plan_disposition(const processing_outcome& outcome, const amqp::delivery& delivery,
                             const amqp::pipeline& pipeline, unsigned max_attempts,
                             std::chrono::system_clock::time_point now) {
    using kind = processing_outcome::kind;
    const auto previous = amqp::header_int(delivery.headers, amqp::header::attempts).value_or(0);
    const unsigned attempts = previous < 0 ? 0u : static_cast<unsigned>(previous);
    const std::string failed_at = format_iso8601(std::chrono::time_point_cast<std::chrono::milliseconds>(now));

    auto to_dlq = [&](std::string reason, unsigned n) {
        disposition d;
        d.what = disposition::kind::dead_letter;
        d.attempts = n;
        d.republish = republished_copy(
            delivery, pipeline.dlq(),
            {{std::string(amqp::header::dlq_reason), std::move(reason)},
             {std::string(amqp::header::last_error), truncate(outcome.detail, 1024)},
             {std::string(amqp::header::attempts), static_cast<std::int64_t>(n)},
             {std::string(amqp::header::failed_at), failed_at}});
        return d;
    };

    switch (outcome.what) {
        case kind::done:
        case kind::duplicate:
        case kind::filtered: return {std::nullopt, disposition::kind::ack, attempts};
        case kind::deferred: {
            disposition d;
            d.what = disposition::kind::deferred;
            d.attempts = attempts;
            d.republish = republished_copy(delivery, pipeline.retry_queue(0), {});
            return d;
        }
        case kind::dead_letter: return to_dlq(outcome.reason, attempts + 1);
        case kind::retry: {
            const unsigned next = attempts + 1;
            if (next >= max_attempts) return to_dlq("retries_exhausted", next);
            disposition d;
            d.what = disposition::kind::retry;
            d.attempts = next;
            d.republish = republished_copy(
                delivery, retry_queue(pipeline, next, outcome.retry_after),
                {{std::string(amqp::header::attempts), static_cast<std::int64_t>(next)},
                 {std::string(amqp::header::last_error), truncate(outcome.reason + ": " + outcome.detail, 1024)}});
            return d;
        }
    }
    return {std::nullopt, disposition::kind::ack, attempts};
}

}  // namespace las::sync
