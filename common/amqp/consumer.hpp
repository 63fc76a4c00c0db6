#pragma once
// A manual-ack consumer: at-least-once, said out loud.
//
// One consumer owns ONE thread and ONE connection: basic.qos(prefetch) then basic.consume
// with manual ack on one queue. Each delivery is copied out of the library's buffers and
// handed to options.on_delivery ON THE CONSUMER THREAD: hand it off (to a worker pool)
// and return quickly; the thread also services heartbeats and acks.
//
// ack()/reject() may be called from any thread, any time later (they are queued to the
// owner thread). Delivery tags belong to one channel of one connection, so every delivery
// carries the `generation` of the channel it came from; after a reconnect, acks for an
// older generation are dropped silently: the broker has already requeued that delivery
// and will redeliver it (the worker's idempotency makes the second run harmless).
//
// Failures: channel.close, connection.close, a socket/heartbeat failure, or a basic.cancel
// from the broker (e.g. the queue was deleted) end the session; the consumer reconnects
// with exponential backoff and rebuilds everything (connection, options.on_connect for
// topology, qos, consume) under a new generation.
//
// stop(): basic.cancel, then keeps the connection open up to `drain` so deliveries already
// handed out can still be acked; whatever is unacked when it closes is requeued by the
// broker. Deliveries that arrive after the cancel are not handed out (rejected with
// requeue at once).
//
// Keep handlers well under RabbitMQ's consumer_timeout (30 min): long waits belong in the
// retry queues, not in a held delivery.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "amqp/connection.hpp"
#include "amqp/error.hpp"
#include "amqp/message.hpp"
#include "amqp/url.hpp"
#include "amqp/wakeup.hpp"
#include "core/backoff.hpp"

namespace las::amqp {

enum class consumer_state : std::uint8_t { disconnected, consuming, stopped };

constexpr std::string_view to_string(consumer_state s) noexcept {
    switch (s) {
        case consumer_state::disconnected: return "disconnected";
        case consumer_state::consuming: return "consuming";
        case consumer_state::stopped: return "stopped";
    }
    return "unknown";
}

// Enough to ack a delivery after the delivery itself was moved away.
struct delivery_ref {
    std::uint64_t generation = 0;
    std::uint64_t delivery_tag = 0;
};

inline delivery_ref ref(const delivery& d) noexcept { return {d.generation, d.delivery_tag}; }

struct consumer_options {
    std::string queue;
    // Unacked deliveries the broker may push at once (basic.qos, per consumer).
    std::uint16_t prefetch = 32;
    std::string connection_name = "las-consumer";
    // Reconnect pacing.
    backoff_policy reconnect{std::chrono::milliseconds(200), std::chrono::milliseconds(10000)};
    // Owner thread, after every (re)connect, before consuming (declare the topology here).
    // A failure counts as a failed connection attempt.
    std::function<status(connection&)> on_connect;
    // Owner thread, once per delivery. Required.
    std::function<void(delivery)> on_delivery;
    // Owner thread, on every state change (reason empty when consuming).
    std::function<void(consumer_state, std::string_view reason)> on_state_change;
};

class consumer {
public:
    // Starts the owner thread, which connects and starts consuming in the background.
    consumer(connection_settings settings, consumer_options options);
    // stop() with the default drain time.
    ~consumer();
    consumer(const consumer&) = delete;
    consumer& operator=(const consumer&) = delete;

    // Any thread. Acks of an older generation are dropped (see above).
    void ack(delivery_ref d);
    void ack(const delivery& d) { ack(ref(d)); }
    // Any thread. requeue=false dead-letters or drops per the queue's policy; we publish
    // to our own retry/DLQ queues before acking instead, so the worker rarely needs it.
    void reject(delivery_ref d, bool requeue);
    void reject(const delivery& d, bool requeue) { reject(ref(d), requeue); }

    consumer_state state() const noexcept { return state_.load(std::memory_order_acquire); }
    bool consuming() const noexcept { return state() == consumer_state::consuming; }
    // The generation of the current (or last) channel; 0 before the first consume.
    std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }
    // Deliveries handed out on the current generation and not yet acked/rejected.
    std::size_t unacked() const noexcept { return unacked_.load(std::memory_order_acquire); }
    // Acks/rejects dropped because their generation was gone (observability, tests).
    std::uint64_t stale_acks_dropped() const noexcept { return stale_dropped_.load(std::memory_order_acquire); }
    // Blocks the caller until consuming or `timeout`; for start-up and tests.
    bool wait_consuming(std::chrono::milliseconds timeout) const;

    // Cancels consuming, waits up to `drain` for handed-out deliveries to be acked, closes
    // and joins. Idempotent; must not be called from on_delivery.
    void stop(std::chrono::milliseconds drain = std::chrono::milliseconds(5000));

private:
    enum class command_kind : std::uint8_t { ack, reject, requeue };
    struct command {
        command_kind kind;
        delivery_ref target;
    };
    class session;

    void submit(command c);
    std::vector<command> take_commands();
    void run();
    void set_state(consumer_state s, std::string_view reason);

    connection_settings settings_;
    consumer_options options_;

    mutable std::mutex mutex_;
    mutable std::condition_variable state_cv_;
    std::vector<command> commands_;  // guarded by mutex_
    wakeup wake_;

    std::atomic<consumer_state> state_{consumer_state::disconnected};
    std::atomic<bool> stopping_{false};
    std::atomic<std::int64_t> drain_ms_{5000};
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<std::size_t> unacked_{0};
    std::atomic<std::uint64_t> stale_dropped_{0};

    std::mutex stop_mutex_;
    std::thread thread_;
};

}  // namespace las::amqp
