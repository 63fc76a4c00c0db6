#pragma once
// The RabbitMQ topology contract (ARCHITECTURE.md, "RabbitMQ topology"), as names and as a
// declaration plan, so the gateway, the worker and the tools never spell a queue name.
//
// For a pipeline with base name B (`lemlist.events`, `attio.enrollments`):
//   exchange B            direct, durable
//   queue    B            quorum, durable, bound to exchange B with routing key B
//   queue    B.retry.<d>  classic, durable, x-message-ttl = d, dead-lettering to exchange B
//                         with routing key B (a message waits d, then is back on queue B)
//   queue    B.dlq        quorum, durable (dead letters; headers x-dlq-reason, x-last-error,
//                         x-attempts, x-failed-at)
// Retry and dead-letter queues are published to through the default exchange "" with the
// queue name as routing key: `publish_request{.exchange = "", .routing_key = p.retry_queue_for_attempt(n)}`.

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/connection.hpp"
#include "amqp/error.hpp"

namespace las::amqp {

struct retry_rung {
    std::chrono::seconds delay;
    std::string_view suffix;  // the <delay> in the queue name
};

// The fixed ladder of retry delays. Changing a rung's delay means a new queue name, since
// RabbitMQ refuses to redeclare a queue with a different x-message-ttl.
inline constexpr std::array<retry_rung, 5> retry_ladder{{
    {std::chrono::seconds(5), "5s"},
    {std::chrono::seconds(30), "30s"},
    {std::chrono::seconds(120), "2m"},
    {std::chrono::seconds(600), "10m"},
    {std::chrono::seconds(3600), "1h"},
}};

// The ladder rung used by the n-th retry (1-based: the first retry waits 5 s); retries
// beyond the ladder stay on the last rung. retry_number 0 is treated as 1.
std::size_t retry_rung_for_attempt(unsigned retry_number);
std::chrono::seconds retry_delay_for_attempt(unsigned retry_number);

// The names of one pipeline.
class pipeline {
public:
    explicit pipeline(std::string base);

    const std::string& exchange() const noexcept { return base_; }
    const std::string& queue() const noexcept { return base_; }
    // Routing key for publishes to exchange() (= the queue name).
    const std::string& routing_key() const noexcept { return base_; }
    const std::string& dlq() const noexcept { return dlq_; }
    const std::string& retry_queue(std::size_t rung) const { return retry_queues_.at(rung); }
    // The delay queue the n-th retry goes to (see retry_rung_for_attempt).
    const std::string& retry_queue_for_attempt(unsigned retry_number) const {
        return retry_queues_[retry_rung_for_attempt(retry_number)];
    }
    const std::array<std::string, retry_ladder.size()>& retry_queues() const noexcept { return retry_queues_; }

private:
    std::string base_;
    std::string dlq_;
    std::array<std::string, retry_ladder.size()> retry_queues_;
};

inline constexpr std::string_view lemlist_events_name = "lemlist.events";
inline constexpr std::string_view attio_enrollments_name = "attio.enrollments";
const pipeline& lemlist_events();
const pipeline& attio_enrollments();

// The gateway's queries and commands for the Attio app (GET /v1/campaigns, GET
// /v1/enrollments/{job_id}, POST /v1/subscriptions/sync; codec in sync_request.hpp): one
// queue, published to through the default exchange, answered over direct reply-to. Classic,
// not quorum: each request has a caller waiting a few seconds and carries a per-message
// expiration of that wait, so a lost request is a 504 the caller retries; replicating it
// buys nothing, and no retry ladder or DLQ (a request is answered or it expires).
inline constexpr std::string_view sync_requests_name = "sync.requests";

// --- the declarations as data (pure, unit-testable) ---

struct exchange_declaration {
    std::string name;
    std::string type = "direct";
};

enum class queue_kind { quorum, classic };

struct queue_declaration {
    std::string name;
    queue_kind kind = queue_kind::quorum;
    std::optional<std::chrono::milliseconds> message_ttl;  // x-message-ttl
    std::optional<std::string> dead_letter_exchange;       // x-dead-letter-exchange
    std::optional<std::string> dead_letter_routing_key;    // x-dead-letter-routing-key
};

struct binding_declaration {
    std::string queue;
    std::string exchange;
    std::string routing_key;
};

struct topology_plan {
    std::vector<exchange_declaration> exchanges;
    std::vector<queue_declaration> queues;
    std::vector<binding_declaration> bindings;
};

// Everything one pipeline needs (the pattern above).
topology_plan plan_for(const pipeline& p);
// The whole contract: lemlist.events and attio.enrollments, and the sync.requests queue.
topology_plan contract_topology();

// Declares `plan` idempotently on a private channel of `conn` (opened and closed here), so a
// failure never disturbs the caller's channels. Everything is durable. Stops at the first
// failure; a queue or exchange that exists with other arguments (406 PRECONDITION_FAILED)
// is reported as "queue X exists with other arguments: <broker text>"; that is a channel
// error and `conn` stays usable.
status declare(connection& conn, const topology_plan& plan);
// declare(conn, contract_topology()).
status declare_topology(connection& conn);

}  // namespace las::amqp
