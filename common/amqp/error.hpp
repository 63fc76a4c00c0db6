#pragma once
// AMQP failures as values that say what survived (SimpleAmqpClient-style): a channel error
// (e.g. 404 NOT_FOUND, 406 PRECONDITION_FAILED) kills only that channel; a connection error
// (socket, heartbeat, 320 CONNECTION_FORCED, a missed deadline) kills the connection and
// every channel on it.

#include <string>
#include <variant>

#include "core/result.hpp"

namespace las::amqp {

enum class error_scope {
    channel,     // the channel is closed; the connection and its other channels are fine
    connection,  // the connection is unusable: reconnect and rebuild everything
};

struct error {
    error_scope scope = error_scope::connection;
    // AMQP reply code from the broker's channel.close/connection.close (404, 406, 320, ...),
    // 0 when the failure is local (socket, timeout, protocol).
    int reply_code = 0;
    // rabbitmq-c status (amqp_status_enum, negative) for local failures, 0 otherwise.
    int library_status = 0;
    // One line for logs: what was attempted and why it failed. Never contains secrets.
    std::string message;

    // A connection error also kills every channel; a channel error only its own channel.
    bool connection_dead() const noexcept { return scope == error_scope::connection; }
};

// Success-or-error for operations that return nothing.
using status = result<std::monostate, error>;
inline status ok() { return std::monostate{}; }

// Standard AMQP reply codes worth naming.
inline constexpr int reply_not_found = 404;
inline constexpr int reply_precondition_failed = 406;
inline constexpr int reply_resource_locked = 405;
inline constexpr int reply_access_refused = 403;
inline constexpr int reply_connection_forced = 320;

}  // namespace las::amqp
