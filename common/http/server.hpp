#pragma once
// HTTP/1.1 server base shared by the gateway, the emulators and the worker's metrics port.
// A listener accepts up to `max_connections`; each connection is a session running on its
// own strand of a multi-threaded io_context. Every read has a deadline (slowloris), the
// request line + headers and the body have size caps enforced while reading, keep-alive is
// honoured, and stop() drains: no new connections, in-flight requests finish.
//
// The application supplies one handler: a coroutine from request to response. It may be
// called concurrently from several io threads; it never sees a request that broke a limit
// (the server answers those itself: 413 body too large, 431 header too large, 400 bad
// request, 408 on a header/body read timeout).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/asio.hpp"

namespace las::http {

using request = http_proto::request<http_proto::string_body>;
using response = http_proto::response<http_proto::string_body>;

struct server_limits {
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_header_bytes = 16 * 1024;                  // request line + headers
    std::chrono::milliseconds header_timeout{10'000};           // whole header must arrive within
    std::chrono::milliseconds body_timeout{30'000};             // whole body must arrive within
    std::chrono::milliseconds idle_timeout{60'000};             // keep-alive wait for the next request
    std::chrono::milliseconds write_timeout{30'000};
    std::size_t max_connections = 10'000;                      // beyond it, accepted sockets are closed at once
};

struct request_info {
    tcp::endpoint remote;
    std::chrono::steady_clock::time_point started;  // when the header was complete
};

// One line per request, for access logs and metrics. Also reported for responses the
// server produced itself (limits, timeouts), with `target` possibly empty.
struct access_record {
    std::string method;
    std::string target;
    unsigned status = 0;
    std::size_t request_bytes = 0;
    std::size_t response_bytes = 0;
    std::chrono::microseconds duration{0};
    tcp::endpoint remote;
};

// Both are called on the connection's strand, so concurrently from several io threads.
// Exceptions escaping the handler become a generic 500 (and an error log line).
using handler = std::function<awaitable<response>(request&, const request_info&)>;
using access_observer = std::function<void(const access_record&)>;

class server {
public:
    // Nothing happens until start(); `on_access` may be empty.
    server(asio::io_context& ioc, tcp::endpoint listen, server_limits limits, handler handle,
           access_observer on_access = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds (SO_REUSEADDR) and starts accepting. Throws std::system_error when it cannot bind.
    void start();
    // The bound endpoint; with port 0 in `listen`, the ephemeral port chosen.
    tcp::endpoint local_endpoint() const;
    // Stops accepting and asks idle keep-alive connections to close; requests in flight
    // finish and their responses are written (with Connection: close). Thread-safe.
    void stop();
    std::size_t active_connections() const;
    // Connections accepted and closed at once because `max_connections` were open.
    std::size_t rejected_connections() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

// Helpers for handlers.
response make_response(const request& req, http_proto::status status, std::string body,
                       std::string_view content_type = "application/json");
// {"error":"<code>","message":"<message>"}
response make_error(const request& req, http_proto::status status, std::string_view code, std::string_view message);

// Now as an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted once a second per thread;
// the view stays valid until the calling thread's next call.
std::string_view http_date_now();

}  // namespace las::http
