#pragma once
// The confirming publisher: the gateway's 200 depends on it.
//
// One publisher owns ONE thread and ONE connection with ONE channel in confirm mode. Any
// thread calls publish(); it never touches the network (it enqueues and wakes the owner
// thread) and the completion is invoked exactly once with a publish_outcome.
//
// On the owner thread, publishes are pipelined: up to `max_in_flight` messages are written
// before their confirms arrive; acks (single or `multiple`), nacks and returns are read in
// batches and settled through a confirm_tracker; the loop keeps polling while idle so
// heartbeats are serviced, and treats a heartbeat timeout as connection loss.
// Writes do not go through amqp_basic_publish (which in 0.11 can block forever on a frozen
// broker, and costs three send(2) calls per message): a batch of publishes is encoded into
// one buffer (frame_encoder.hpp) and written with non-blocking sends bounded by
// settings.io_timeout; a broker that stops reading for that long is a lost connection.
// Every remaining blocking library call (RPCs, reading a returned message) is bounded by
// the watchdog (watchdog.hpp).
//
// Connection loss: everything in flight completes as `connection_lost` (fate unknown),
// everything accepted but not yet written as `rejected_not_connected`; the owner thread
// reconnects with exponential backoff and rebuilds everything (connection, channel,
// confirm.select, sequence numbers from 1, options.on_connect for topology, the reply
// consumer). While disconnected (or blocked by a broker resource alarm, or stopping),
// publish() fails fast with `rejected_not_connected` so the caller can spool.
//
// Completions run on the owner thread, except fast rejections (`rejected_not_connected`,
// `rejected_overloaded` decided inside publish()), which run inline on the calling
// thread before publish() returns. When the connection drops, the state changes to
// `disconnected` before the in-flight completions run. Completions must be quick and must not block; they may
// call publish() again. For Asio callers see async_publish.hpp.
//
// Direct reply-to (RabbitMQ `amq.rabbitmq.reply-to`, for the gateway's `?wait=true`): with
// options.direct_reply_to, call() publishes a request whose reply_to is the pseudo-queue
// and whose correlation_id identifies it, and completes when the reply arrives, the
// publish fails, or the reply deadline passes. The replier publishes its answer to the
// default exchange "" with routing key = the request's reply_to and the same
// correlation_id, mandatory = false (a caller that gave up leaves no queue behind).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "amqp/connection.hpp"
#include "amqp/error.hpp"
#include "amqp/message.hpp"
#include "amqp/publish_outcome.hpp"
#include "amqp/url.hpp"
#include "amqp/wakeup.hpp"
#include "core/backoff.hpp"

namespace las::amqp {

enum class publisher_state : std::uint8_t {
    disconnected,  // connecting or backing off; publish() fails fast
    connected,     // publishing
    blocked,       // connected, but the broker blocked publishers (memory/disk alarm); publish() fails fast
    stopped,       // stop() was called
};

constexpr std::string_view to_string(publisher_state s) noexcept {
    switch (s) {
        case publisher_state::disconnected: return "disconnected";
        case publisher_state::connected: return "connected";
        case publisher_state::blocked: return "blocked";
        case publisher_state::stopped: return "stopped";
    }
    return "unknown";
}

// The result of call(): `reply` is set when the reply arrived in time (then `publish` is
// `confirmed`, even if the confirm itself was overtaken by the reply). Without a reply,
// `publish` says what happened to the request: `confirmed` means the request is queued
// but no reply came before the deadline; anything else is the publish failure.
struct call_result {
    publish_outcome publish = publish_outcome::timed_out;
    std::optional<delivery> reply;
};

struct publisher_options {
    // Shown by `rabbitmqctl list_connections` / the management UI.
    std::string connection_name = "las-publisher";
    // Default deadline of a publish, counted from publish(): no confirm by then => timed_out.
    std::chrono::milliseconds confirm_timeout{5000};
    // Written but unconfirmed messages at most (the pipelining window).
    std::size_t max_in_flight = 10000;
    // Accepted but not yet written at most; beyond it publish() fails with rejected_overloaded.
    std::size_t max_queued = 100000;
    // Reconnect pacing.
    backoff_policy reconnect{std::chrono::milliseconds(200), std::chrono::milliseconds(10000)};
    // Runs on the owner thread after every (re)connect, before publishing resumes (declare
    // the topology here, e.g. `[](connection& c) { return declare_topology(c); }`). A
    // failure counts as a failed connection attempt (logged, backoff, retry).
    std::function<status(connection&)> on_connect;
    // Runs on the owner thread on every state change, with a reason for the logs (empty
    // when connected). For the readiness probe, metrics and spool draining.
    std::function<void(publisher_state, std::string_view reason)> on_state_change;
    // Consume `amq.rabbitmq.reply-to` on the publishing channel so call() works.
    bool direct_reply_to = false;
};

class publisher {
public:
    using completion = std::function<void(publish_outcome)>;
    using call_completion = std::function<void(call_result)>;

    // Starts the owner thread, which connects in the background (see wait_connected).
    publisher(connection_settings settings, publisher_options options = {});
    // stop() with the default drain time.
    ~publisher();
    publisher(const publisher&) = delete;
    publisher& operator=(const publisher&) = delete;

    // Thread-safe, never blocks on the network. `done` is invoked exactly once.
    void publish(publish_request request, completion done);
    // Same with an explicit deadline instead of options.confirm_timeout.
    void publish(publish_request request, std::chrono::milliseconds confirm_timeout, completion done);

    // Thread-safe request/reply over direct reply-to (options.direct_reply_to must be set,
    // otherwise it completes with rejected_not_connected). Sets request.reply_to, and
    // request.correlation_id when empty (a unique id). `done` is invoked exactly once, by
    // `timeout` at the latest.
    void call(publish_request request, std::chrono::milliseconds timeout, call_completion done);

    // True while publishes are being accepted (state() == connected).
    bool connected() const noexcept { return state_.load(std::memory_order_acquire) == publisher_state::connected; }
    publisher_state state() const noexcept { return state_.load(std::memory_order_acquire); }
    // Accepted publishes whose completion has not run yet (queued + in flight).
    std::size_t outstanding() const noexcept { return outstanding_.load(std::memory_order_acquire); }
    // How many connections have been established so far (1 after the first connect).
    std::uint64_t connection_generation() const noexcept { return generation_.load(std::memory_order_acquire); }
    // Blocks the caller until connected or `timeout`; for start-up and tests.
    bool wait_connected(std::chrono::milliseconds timeout) const;

    // Stops accepting publishes, keeps writing what was accepted and waits up to `drain`
    // for outstanding confirms, then completes whatever is left (timed_out for in-flight,
    // rejected_not_connected for unwritten), closes the connection and joins the thread.
    // Idempotent; must not be called from a completion.
    void stop(std::chrono::milliseconds drain = std::chrono::milliseconds(5000));

private:
    struct call_registration;
    struct item;
    struct inflight;
    struct pending_call;
    class session;

    void enqueue(item&& it);
    void run();
    void set_state(publisher_state s, std::string_view reason);
    void complete(completion& done, publish_outcome outcome) noexcept;
    void complete_call(call_completion& done, call_result result) noexcept;
    std::vector<item> take_queue();
    void reject_all_queued();

    connection_settings settings_;
    publisher_options options_;

    mutable std::mutex mutex_;
    mutable std::condition_variable state_cv_;  // wait_connected
    std::vector<item> queue_;                   // guarded by mutex_
    wakeup wake_;

    std::atomic<publisher_state> state_{publisher_state::disconnected};
    std::atomic<bool> stopping_{false};
    std::atomic<std::int64_t> drain_ms_{5000};
    std::atomic<std::size_t> outstanding_{0};
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<std::uint64_t> next_correlation_{0};
    std::string correlation_prefix_;

    std::mutex stop_mutex_;
    std::thread thread_;
};

}  // namespace las::amqp
