#pragma once
// RAII over one rabbitmq-c connection (`amqp_connection_state_t`) and its channels.
//
// Threading: NOT thread-safe. Exactly one thread owns a connection and every channel on
// it (rabbitmq-c keeps per-connection frame buffers and pools without locks). The
// publisher and the consumer each own one on their private thread; other threads talk to
// them through queues. Moving a connection to another thread is fine; sharing it is not.
//
// Every blocking call made through this class is bounded: the TCP connect and the login by
// `connect_timeout`, every RPC by `io_timeout` (see watchdog.hpp for how, since 0.11 has
// no RPC deadline). Every failure comes back as an `amqp::error` saying whether only the
// channel or the whole connection died; after a connection error the object is `!alive()`
// and every further call fails fast with the same error.

#include <amqp.h>

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "amqp/error.hpp"
#include "amqp/url.hpp"
#include "amqp/watchdog.hpp"
#include "core/result.hpp"

namespace las::amqp {

class connection {
public:
    // TCP connect (non-blocking, `connect_timeout`), login with the heartbeat and frame_max
    // of `settings`, advertising the capabilities we rely on (consumer_cancel_notify so a
    // deleted queue cancels our consumer visibly; connection.blocked so a broker resource
    // alarm is reported rather than silently blocking writes). No channel is open yet.
    // `connection_name` shows up in the management UI / rabbitmqctl list_connections.
    static result<connection, error> open(const connection_settings& settings, std::string_view connection_name);

    connection(connection&& other) noexcept;
    connection& operator=(connection&& other) noexcept;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    // Closes gracefully (connection.close, bounded by a short deadline) if still alive.
    ~connection();

    // Graceful close now (idempotent). Unacked deliveries on its channels are requeued by
    // the broker; unconfirmed publishes have an unknown fate.
    void close();

    bool alive() const noexcept { return state_ != nullptr && !dead_; }
    // The error that killed the connection (meaningful when !alive() after an error).
    const error& last_error() const noexcept { return last_error_; }
    const connection_settings& settings() const noexcept { return settings_; }
    // The heartbeat the broker agreed to (0 = disabled).
    std::chrono::seconds heartbeat() const;

    // Escape hatch for the frame loops in this area (publisher, consumer, sync channel).
    amqp_connection_state_t native() const noexcept { return state_; }
    int fd() const noexcept;

    // Arms the watchdog for one blocking call: the socket is shut down if the call is
    // still running after `io_timeout` (or `timeout`).
    io_deadline deadline() const { return io_deadline(fd(), settings_.io_timeout); }
    io_deadline deadline(std::chrono::milliseconds timeout) const { return io_deadline(fd(), timeout); }

    // Opens the lowest free channel id (1, 2, ...).
    result<amqp_channel_t, error> open_channel();
    // Graceful channel.close (bounded); a channel the broker already closed is just freed.
    status close_channel(amqp_channel_t channel);
    bool channel_open(amqp_channel_t channel) const noexcept;
    // Puts the channel in publisher-confirm mode (sequence numbers restart at 1).
    status confirm_select(amqp_channel_t channel);
    // basic.qos with a per-consumer prefetch count.
    status qos(amqp_channel_t channel, std::uint16_t prefetch);

    // --- error plumbing, shared by everything that drives the frame loop ---

    // Turns the reply of an RPC on `channel` into ok or a typed error. A broker
    // channel.close / connection.close is answered with close-ok and recorded, so the
    // caller only has to look at the scope of the error. `what` names the operation for
    // the message ("queue.declare lemlist.events").
    status check(amqp_rpc_reply_t reply, amqp_channel_t channel, std::string_view what);
    // Same for functions that return a pointer and leave their reply in amqp_get_rpc_reply.
    status check_last_rpc(amqp_channel_t channel, std::string_view what);
    // A negative amqp_status_enum from a non-RPC call (publish, ack, wait_frame): the
    // connection is dead (rabbitmq-c cannot recover a half-written frame).
    error fail_connection(int library_status, std::string_view what);
    // An asynchronous broker close seen in a frame loop: answers close-ok, records it.
    error on_channel_close(amqp_channel_t channel, const amqp_channel_close_t& close, std::string_view what);
    error on_connection_close(const amqp_connection_close_t& close, std::string_view what);

private:
    connection(amqp_connection_state_t state, const connection_settings& settings);
    void destroy() noexcept;
    error dead_error(std::string_view what) const;

    amqp_connection_state_t state_ = nullptr;
    connection_settings settings_;
    std::bitset<256> channels_;  // open channel ids; we never need more than a few
    bool dead_ = false;
    error last_error_;
};

// "404 NOT_FOUND - no exchange 'x' in vhost '/'" from the broker's reply text.
std::string reply_text(const amqp_bytes_t& bytes);
// The library's description of a negative amqp_status_enum.
std::string library_error_text(int library_status);

}  // namespace las::amqp
