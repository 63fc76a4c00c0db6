#pragma once
// The consumer side of `sync-worker run`: deliveries from `lemlist.events` (handed over by
// the AMQP consumer thread) are processed concurrently as coroutines on the worker's I/O
// thread, each bounded by the broker's prefetch; each ends in exactly one of ack, or
// republish-confirmed-then-ack (retry / DLQ), or reject-with-requeue when the republish
// could not be confirmed (so nothing is ever dropped: the broker redelivers).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "amqp/consumer.hpp"
#include "amqp/publisher.hpp"
#include "amqp/topology.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "core/asio.hpp"
#include "sync/event_processor.hpp"

namespace las::sync {

struct pipeline_settings {
    unsigned max_attempts = 8;
    std::uint16_t prefetch = 64;
    // Hears one line (compact JSON) per settled delivery, for `sync-worker trace`: must not
    // block (the worker posts it to its blocking pool).
    std::function<void(std::string key, std::string line)> trace;
};

// The trace line of one settled delivery: {"at","source","received_at","attempt","outcome",
// "disposition","reason"?,"error"?,"record_id"?,"entry_id"?,"type"}.
std::string trace_line(const processing_outcome& outcome, std::string_view disposition, std::string_view type,
                       std::string_view source, std::string_view received_at, unsigned attempt, sys_ms at);

class event_pipeline {
public:
    event_pipeline(asio::io_context& io, amqp::connection_settings broker, amqp::publisher& publisher,
                   event_processor& processor, metrics::registry& registry, pipeline_settings settings);
    ~event_pipeline();

    // Starts consuming (the consumer thread connects in the background).
    void start();
    // Stops taking deliveries and waits up to `drain` for those in flight to be settled.
    // Blocks: call it off the I/O thread.
    void stop(std::chrono::milliseconds drain);

    bool consuming() const;
    std::size_t in_flight() const { return in_flight_.load(); }

private:
    awaitable<void> handle(amqp::delivery delivery);

    asio::io_context& io_;
    amqp::connection_settings broker_;
    amqp::publisher& publisher_;
    event_processor& processor_;
    pipeline_settings settings_;
    std::unique_ptr<amqp::consumer> consumer_;
    std::atomic<std::size_t> in_flight_{0};

    metrics::family<metrics::counter>& outcomes_;
    metrics::family<metrics::counter>& dead_letters_;
    metrics::counter& republish_failures_;
    metrics::counter& people_created_;
    metrics::histogram& lag_;
    metrics::histogram& duration_;
};

}  // namespace las::sync
