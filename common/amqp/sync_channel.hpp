#pragma once
// A blocking, single-threaded channel for operator tools (`sync-worker dlq list|show|
// replay|purge`, `enroll`, `reconcile`) and tests. Not for the services' hot paths: every
// call is one round trip (bounded by io_timeout / the given timeout).
//
// Patterns:
//   list:    get() repeatedly without acking, then requeue_unacked() (or just close): the
//            broker puts everything back, in order, marked redelivered.
//   replay:  get() -> publish_confirmed(copy to the main queue) -> ack() only if confirmed:
//            the message exists in at least one queue at every moment (a crash in between
//            leaves a duplicate, which the worker's idempotency absorbs).
//
// After a channel error (e.g. 404 on queue_depth of a missing queue) the channel is
// reopened on the next call; deliveries got before that were requeued by the broker, and
// acking them fails with an error saying so (their generation is gone).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "amqp/confirm_tracker.hpp"
#include "amqp/connection.hpp"
#include "amqp/error.hpp"
#include "amqp/message.hpp"
#include "amqp/publish_outcome.hpp"
#include "amqp/url.hpp"

namespace las::amqp {

class sync_channel {
public:
    // Connects and opens one channel in confirm mode.
    static result<sync_channel, error> open(const connection_settings& settings,
                                            std::string_view connection_name = "las-tool");

    sync_channel(sync_channel&&) noexcept = default;
    sync_channel& operator=(sync_channel&&) noexcept = default;

    // basic.get with manual ack: the next message, or nullopt when the queue is empty.
    result<std::optional<delivery>, error> get(std::string_view queue);
    status ack(const delivery& d);
    // requeue=false drops it (or dead-letters it per the queue's policy).
    status reject(const delivery& d, bool requeue);
    // Gives back everything got and not acked (closes and reopens the channel).
    status requeue_unacked();

    // Publishes and waits for the broker's confirm, at most `timeout`.
    publish_outcome publish_confirmed(const publish_request& request,
                                      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

    // Messages ready in `queue` (passive declare; a missing queue is a 404 channel error).
    result<std::uint32_t, error> queue_depth(std::string_view queue);
    // Deletes every ready message; returns how many.
    result<std::uint32_t, error> purge(std::string_view queue);
    // For tests and teardown.
    status delete_queue(std::string_view queue);
    status delete_exchange(std::string_view exchange);

    // The underlying connection (e.g. for declare_topology).
    connection& conn() noexcept { return conn_; }

private:
    explicit sync_channel(connection conn) : conn_(std::move(conn)) {}
    status ensure_channel();
    status check(std::string_view what);

    connection conn_;
    amqp_channel_t ch_ = 0;
    std::uint64_t generation_ = 0;  // bumps on every (re)open: tags of older ones are void
    confirm_tracker<int> tracker_;
    std::vector<amqp_table_entry_t> scratch_;
};

}  // namespace las::amqp
