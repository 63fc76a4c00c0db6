#pragma once
// Keep-alive HTTP/1.1 client for one base URL (Attio, Lemlist, a webhook target), on Beast.
// HTTPS verifies the certificate chain and the host name (SNI set); plain http:// is allowed
// only for loopback hosts (the emulators). Connections are pooled up to
// `max_connections`; callers beyond it wait for a free one. Every request has a connect
// deadline and an overall deadline. Transport failures come back as values; any HTTP status
// (including 4xx/5xx) is a successful exchange for the client.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "core/asio.hpp"

namespace las::http {

struct client_options {
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds request_timeout{30'000};   // send + full response
    std::size_t max_connections = 16;                    // per client (one host)
    std::chrono::milliseconds max_idle{20'000};          // pooled connections idle longer are closed, not reused
    std::size_t max_response_bytes = 32 * 1024 * 1024;
    std::string user_agent = "lemlist-attio-sync/0.1";
    std::string ca_file;  // extra trusted CA (PEM) on top of the system store: a private CA, tests
};

struct client_request {
    http_proto::verb method = http_proto::verb::get;
    std::string target;  // path + query, e.g. "/v2/objects/people/records/query"
    std::string body;    // sent with Content-Type application/json when non-empty (unless a header overrides)
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<std::chrono::milliseconds> timeout;  // overrides client_options::request_timeout
};

struct client_response {
    unsigned status = 0;
    http_proto::fields headers;
    std::string body;
    std::string header(std::string_view name) const;  // "" when absent
};

enum class transport_error_kind {
    resolve_failed,
    connect_failed,
    connect_timeout,
    tls_handshake_failed,
    timeout,             // request/response deadline passed
    connection_closed,   // peer closed or reset mid-exchange
    response_too_large,
    protocol_error,      // unparseable response
};

struct transport_error {
    transport_error_kind kind;
    std::string message;
};
std::string_view to_string(transport_error_kind kind);

struct parsed_url {
    std::string scheme;  // "http" | "https"
    std::string host;
    std::string port;    // always set ("443"/"80" by default)
    std::string path;    // base path without trailing slash, may be ""
};
// Parses "https://host[:port][/base]". Fails with a message naming what is wrong.
result<parsed_url, std::string> parse_base_url(std::string_view url);
bool is_loopback_host(std::string_view host);

// Thread-safe: one client may be shared by many coroutines on a multi-threaded io_context.
class client {
public:
    // Throws std::invalid_argument for a malformed base URL or http:// to a non-loopback host,
    // and boost::system::system_error when `ca_file` cannot be loaded.
    client(asio::any_io_executor executor, std::string_view base_url, client_options options = {});
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // Sends one request, reusing an idle pooled connection when there is one. A request on a
    // reused connection is retried once on a fresh one only when it cannot have been
    // processed twice: the write itself failed, or the method is idempotent (GET, HEAD, PUT,
    // DELETE, OPTIONS) and no byte of the response arrived. A POST whose fate is unknown is
    // reported as an error: the caller decides (the worker checks Attio before re-creating).
    awaitable<result<client_response, transport_error>> send(client_request request);

    const parsed_url& base() const;
    // Closes idle connections; requests in flight finish.
    void close_idle();

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace las::http
