#pragma once
// AMQP_URL parsing: `amqp://user:pass@host:port/vhost?heartbeat=10&connection_timeout=5000`
// into plain settings, validated once at start-up. Error messages never contain the password.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace las::amqp {

// Everything needed to open one AMQP connection. Only the wiring (main) builds this.
struct connection_settings {
    std::string host = "localhost";
    std::uint16_t port = 5672;
    std::string user = "guest";
    std::string password = "guest";
    std::string vhost = "/";
    // Negotiated with the broker (the smaller non-zero value wins); 0 disables heartbeats.
    std::chrono::seconds heartbeat{10};
    // TCP connect + AMQP handshake (login) deadline.
    std::chrono::milliseconds connect_timeout{5000};
    // Deadline for any single blocking library call (RPC round trip, a publish write that
    // cannot make progress). rabbitmq-c 0.11 has no RPC timeout of its own: when this
    // passes, the socket is shut down and the call fails as a connection error.
    std::chrono::milliseconds io_timeout{15000};
    std::uint32_t frame_max = 131072;
};

// Parses an AMQP URI (RabbitMQ's URI spec, plain `amqp` only; `amqps` is refused):
//  - a host is required; user, password and vhost are percent-decoded; absent
//    credentials mean guest/guest;
//  - absent port means 5672; IPv6 literals go in brackets (`amqp://[::1]:5672/`);
//  - an absent, empty or `/` path means vhost `/`; `%2f` spells `/` inside a vhost name;
//  - query parameters `heartbeat` (s), `connection_timeout` (ms), `frame_max` (bytes)
//    override the defaults; unknown parameters are refused (a typo must not pass silently).
// The error text names what is wrong and shows the URL with its password masked.
result<connection_settings, std::string> parse_url(std::string_view url);

// `amqp://user@host:port/vhost` for logs: never the password.
std::string describe(const connection_settings& settings);

}  // namespace las::amqp
