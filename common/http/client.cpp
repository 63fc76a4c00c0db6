// Keep-alive HTTP(S) client with a bounded connection pool.
//
// Threading: the pool (idle list, open count, waiter queue) is guarded by one std::mutex that
// is never held across a suspension. Each connection has its own strand and every exchange
// on it runs as a coroutine spawned on that strand: beast::tcp_stream's timeout handler runs
// on the operation's executor, so a stream's operations and timer must share one strand.
// Lifetime: every coroutine holds the impl through a shared_ptr, so a request in flight when
// the client object is destroyed finishes safely (its connection is then discarded).

#include "http/client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <mutex>
#include <stdexcept>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include "core/log.hpp"
#include "http/wakeup.hpp"

namespace las::http {
namespace {

using clock_type = std::chrono::steady_clock;
using error_code = boost::system::error_code;
namespace ssl = asio::ssl;
using strand_type = asio::strand<asio::any_io_executor>;
using request_message = http_proto::request<http_proto::string_body>;
using send_result = result<client_response, transport_error>;

constexpr std::uint32_t response_header_limit = 64 * 1024;

transport_error make_error(transport_error_kind kind, std::string message) { return {kind, std::move(message)}; }

struct connection {
    connection(strand_type s, ssl::context* tls_context) : strand(std::move(s)) {
        if (tls_context)
            tls.emplace(strand, *tls_context);
        else
            plain.emplace(strand);
    }
    beast::tcp_stream& tcp() { return tls ? tls->next_layer() : *plain; }

    strand_type strand;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    clock_type::time_point last_used;
};

// An idle pooled connection is worth reusing only if the server has neither closed it nor
// sent anything unsolicited (a TLS close_notify, a stray byte) while it sat in the pool.
bool idle_connection_usable(connection& c) {
    auto& socket = c.tcp().socket();
    if (!socket.is_open()) return false;
    char byte;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n >= 0) return false;  // 0: orderly close; >0: unsolicited bytes
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

bool is_idempotent(http_proto::verb v) {
    using http_proto::verb;
    return v == verb::get || v == verb::head || v == verb::put || v == verb::delete_ || v == verb::options;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n", 0) != std::string_view::npos || s.find('\0') != std::string_view::npos; }

bool is_ip_literal(const std::string& host) {
    error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

struct waiter {
    explicit waiter(asio::any_io_executor ex) : wake(std::move(ex)) {}
    detail::wakeup wake;
    bool granted = false;               // guarded by the pool mutex
    std::shared_ptr<connection> conn;   // handed over with the grant; null = open a new one
};

// Outcome of one try on one connection.
struct attempt_outcome {
    std::optional<send_result> res;
    bool write_failed = false;
    bool response_started = false;
    bool reusable = false;
};

// What an exchange hands back to send(); default-constructible for co_spawn.
struct exchange_outcome {
    std::optional<send_result> res;
    std::shared_ptr<connection> conn;  // the connection now holding the slot
    bool reusable = false;
};

transport_error_kind read_error_kind(const error_code& ec) {
    if (ec == beast::error::timeout) return transport_error_kind::timeout;
    if (ec == http_proto::error::body_limit || ec == http_proto::error::header_limit ||
        ec == http_proto::error::buffer_overflow)
        return transport_error_kind::response_too_large;
    if (ec == http_proto::error::end_of_stream || ec == http_proto::error::partial_message ||
        ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == asio::error::connection_aborted || ec == asio::error::operation_aborted ||
        ec == ssl::error::stream_truncated || ec == asio::error::not_connected || ec == asio::error::bad_descriptor)
        return transport_error_kind::connection_closed;
    if (ec.category() == http_proto::make_error_code(http_proto::error::bad_version).category())
        return transport_error_kind::protocol_error;
    return transport_error_kind::connection_closed;
}

}  // namespace

std::string client_response::header(std::string_view name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string{} : std::string(it->value());
}

std::string_view to_string(transport_error_kind kind) {
    switch (kind) {
        case transport_error_kind::resolve_failed: return "resolve_failed";
        case transport_error_kind::connect_failed: return "connect_failed";
        case transport_error_kind::connect_timeout: return "connect_timeout";
        case transport_error_kind::tls_handshake_failed: return "tls_handshake_failed";
        case transport_error_kind::timeout: return "timeout";
        case transport_error_kind::connection_closed: return "connection_closed";
        case transport_error_kind::response_too_large: return "response_too_large";
        case transport_error_kind::protocol_error: return "protocol_error";
    }
    return "unknown";
}

struct client::impl {
    impl(asio::any_io_executor ex, parsed_url url, client_options opts)
        : executor(std::move(ex)), base(std::move(url)), options(std::move(opts)) {
        const bool v6 = base.host.find(':') != std::string::npos;
        host_header = v6 ? "[" + base.host + "]" : base.host;
        const bool default_port = (base.scheme == "https" && base.port == "443") ||
                                  (base.scheme == "http" && base.port == "80");
        if (!default_port) host_header += ":" + base.port;
        host_is_ip = is_ip_literal(base.host);
        if (base.scheme == "https") {
            tls_context = std::make_unique<ssl::context>(ssl::context::tls_client);
            tls_context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
            tls_context->set_default_verify_paths();
            if (!options.ca_file.empty()) tls_context->load_verify_file(options.ca_file);
            tls_context->set_verify_mode(ssl::verify_peer);
        }
    }

    static awaitable<send_result> send(std::shared_ptr<impl> self, client_request request);
    static awaitable<exchange_outcome> exchange(std::shared_ptr<impl> self, std::shared_ptr<connection> conn,
                                                bool reused, client_request request,
                                                clock_type::time_point deadline);
    static awaitable<attempt_outcome> attempt(std::shared_ptr<impl> self, connection& conn, bool connected,
                                              const request_message& msg, clock_type::time_point deadline);
    static awaitable<std::optional<transport_error>> establish(std::shared_ptr<impl> self, connection& conn,
                                                               clock_type::time_point deadline);

    // Pool. acquire() yields a pooled connection, or null meaning "a slot is yours: open one".
    awaitable<result<std::shared_ptr<connection>, transport_error>> acquire(clock_type::time_point deadline);
    // Returns the slot: the connection goes back to the pool when reusable, else is dropped.
    void release(std::shared_ptr<connection> conn, bool reusable);
    std::vector<std::shared_ptr<connection>> take_idle();

    asio::any_io_executor executor;
    parsed_url base;
    client_options options;
    std::string host_header;
    bool host_is_ip = false;
    std::unique_ptr<ssl::context> tls_context;

    std::mutex mutex;  // guards the pool state below; never held across a suspension
    std::vector<std::shared_ptr<connection>> idle;  // most recently used at the back
    std::deque<std::shared_ptr<waiter>> waiters;    // FIFO
    std::size_t open = 0;                           // slots taken: idle + busy + connecting
    bool closed = false;                            // the client object is gone: pool nothing
};

awaitable<result<std::shared_ptr<connection>, transport_error>> client::impl::acquire(
    clock_type::time_point deadline) {
    const auto waiter_executor = co_await asio::this_coro::executor;
    std::shared_ptr<waiter> w;
    for (;;) {
        std::shared_ptr<connection> candidate;
        {
            std::lock_guard lock(mutex);
            if (!idle.empty()) {
                candidate = std::move(idle.back());
                idle.pop_back();
            } else if (open < options.max_connections) {
                ++open;
                co_return std::shared_ptr<connection>{};
            } else {
                w = std::make_shared<waiter>(waiter_executor);
                waiters.push_back(w);
                break;
            }
        }
        // Checked outside the lock: it is a system call.
        if (clock_type::now() - candidate->last_used <= options.max_idle && idle_connection_usable(*candidate))
            co_return candidate;
        release(nullptr, false);  // stale: drop it, its slot may go to a waiter
    }

    co_await w->wake.wait_until(deadline);
    std::shared_ptr<connection> granted;
    {
        std::lock_guard lock(mutex);
        if (!w->granted) {
            waiters.erase(std::find(waiters.begin(), waiters.end(), w));
            co_return fail(make_error(transport_error_kind::timeout, "no free connection before the deadline"));
        }
        granted = std::move(w->conn);
    }
    if (clock_type::now() < deadline) co_return granted;
    // Granted just as the deadline passed: hand the slot on rather than spend a good
    // connection on a request that can only time out.
    const bool reusable = granted != nullptr;
    release(std::move(granted), reusable);
    co_return fail(make_error(transport_error_kind::timeout, "no free connection before the deadline"));
}

void client::impl::release(std::shared_ptr<connection> conn, bool reusable) {
    std::shared_ptr<connection> dropped;  // destroyed (closed) after the lock is released
    std::lock_guard lock(mutex);
    if (!reusable || closed) {
        dropped = std::move(conn);
        conn.reset();
    } else {
        conn->last_used = clock_type::now();
    }
    if (!waiters.empty()) {
        auto w = std::move(waiters.front());
        waiters.pop_front();
        w->conn = std::move(conn);  // null when the slot is handed over without a connection
        w->granted = true;
        w->wake.fire();
    } else if (conn) {
        idle.push_back(std::move(conn));
    } else {
        --open;
    }
}

std::vector<std::shared_ptr<connection>> client::impl::take_idle() {
    std::lock_guard lock(mutex);
    std::vector<std::shared_ptr<connection>> out;
    out.swap(idle);
    open -= out.size();
    return out;
}

awaitable<std::optional<transport_error>> client::impl::establish(std::shared_ptr<impl> self, connection& conn,
                                                                  clock_type::time_point deadline) {
    const auto& opts = self->options;
    const auto now = clock_type::now();
    // The connect phase (resolve, connect, TLS handshake) has its own budget inside the
    // request's; which one ran out decides between connect_timeout and timeout.
    const bool request_deadline_first = deadline < now + opts.connect_timeout;
    const auto connect_deadline = request_deadline_first ? deadline : now + opts.connect_timeout;
    const auto timeout_kind =
        request_deadline_first ? transport_error_kind::timeout : transport_error_kind::connect_timeout;

    // Resolution runs on Asio's resolver thread and cannot be interrupted, so the deadline is
    // a race between its callback and a wake-up timer; the callback owns what it writes.
    struct resolve_state {
        explicit resolve_state(asio::any_io_executor ex) : done(std::move(ex)) {}
        detail::wakeup done;
        std::mutex mutex;
        error_code ec;
        tcp::resolver::results_type results;
    };
    auto state = std::make_shared<resolve_state>(conn.strand);
    auto resolver = std::make_shared<tcp::resolver>(conn.strand);
    resolver->async_resolve(self->base.host, self->base.port,
                            [state, resolver](error_code ec, tcp::resolver::results_type results) {
                                {
                                    std::lock_guard lock(state->mutex);
                                    state->ec = ec;
                                    state->results = std::move(results);
                                }
                                state->done.fire();
                            });
    if (!co_await state->done.wait_until(connect_deadline)) {
        resolver->cancel();
        co_return make_error(timeout_kind, "resolving " + self->base.host + " timed out");
    }
    tcp::resolver::results_type endpoints;
    {
        std::lock_guard lock(state->mutex);
        if (state->ec) co_return make_error(transport_error_kind::resolve_failed,
                                            "resolving " + self->base.host + ": " + state->ec.message());
        endpoints = state->results;
    }

    error_code ec;
    auto& tcp = conn.tcp();
    tcp.expires_at(connect_deadline);
    co_await tcp.async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
    if (ec == beast::error::timeout)
        co_return make_error(timeout_kind, "connecting to " + self->host_header + " timed out");
    if (ec) co_return make_error(transport_error_kind::connect_failed,
                                 "connecting to " + self->host_header + ": " + ec.message());
    tcp.socket().set_option(tcp::no_delay(true), ec);

    if (conn.tls) {
        auto& stream = *conn.tls;
        // SNI carries names only, never IP literals (RFC 6066).
        if (!self->host_is_ip && !SSL_set_tlsext_host_name(stream.native_handle(), self->base.host.c_str()))
            co_return make_error(transport_error_kind::tls_handshake_failed, "cannot set SNI host name");
        stream.set_verify_mode(ssl::verify_peer);
        stream.set_verify_callback(ssl::host_name_verification(self->base.host));
        co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
        if (ec == beast::error::timeout)
            co_return make_error(timeout_kind, "TLS handshake with " + self->host_header + " timed out");
        if (ec) co_return make_error(transport_error_kind::tls_handshake_failed,
                                     "TLS handshake with " + self->host_header + ": " + ec.message());
    }
    tcp.expires_never();
    co_return std::nullopt;
}

awaitable<attempt_outcome> client::impl::attempt(std::shared_ptr<impl> self, connection& conn, bool connected,
                                                 const request_message& msg, clock_type::time_point deadline) {
    attempt_outcome out;
    if (!connected) {
        if (auto failure = co_await establish(self, conn, deadline)) {
            out.res.emplace(fail(std::move(*failure)));
            co_return out;
        }
    }
    const auto timed_out = [&](const error_code& ec) {
        return ec == beast::error::timeout || clock_type::now() >= deadline;
    };

    error_code ec;
    conn.tcp().expires_at(deadline);
    if (conn.tls)
        co_await http_proto::async_write(*conn.tls, msg, asio::redirect_error(use_awaitable, ec));
    else
        co_await http_proto::async_write(*conn.plain, msg, asio::redirect_error(use_awaitable, ec));
    if (ec) {
        out.write_failed = true;
        out.res.emplace(fail(make_error(timed_out(ec) ? transport_error_kind::timeout
                                                      : transport_error_kind::connection_closed,
                                        "sending the request: " + ec.message())));
        co_return out;
    }

    const bool head = msg.method() == http_proto::verb::head;
    std::optional<http_proto::response_parser<http_proto::string_body>> parser;
    for (;;) {
        parser.emplace();
        parser->header_limit(response_header_limit);
        parser->body_limit(self->options.max_response_bytes);
        if (head) parser->skip(true);
        // Header first, then the body: Beast 1.74 loses the body_limit error for a response
        // whose Content-Length is over the limit when header and body are parsed in one eager
        // pass (what a single async_read does), so the check must happen on the header alone.
        if (conn.tls)
            co_await http_proto::async_read_header(*conn.tls, conn.buffer, *parser,
                                                   asio::redirect_error(use_awaitable, ec));
        else
            co_await http_proto::async_read_header(*conn.plain, conn.buffer, *parser,
                                                   asio::redirect_error(use_awaitable, ec));
        if (!ec && !parser->is_done()) {
            if (const auto length = parser->content_length(); length && *length > self->options.max_response_bytes)
                ec = http_proto::error::body_limit;
        }
        if (!ec && !parser->is_done()) {
            if (conn.tls)
                co_await http_proto::async_read(*conn.tls, conn.buffer, *parser, asio::redirect_error(use_awaitable, ec));
            else
                co_await http_proto::async_read(*conn.plain, conn.buffer, *parser, asio::redirect_error(use_awaitable, ec));
        }
        out.response_started = out.response_started || parser->got_some() || conn.buffer.size() > 0;
        if (ec) {
            const auto kind = timed_out(ec) ? transport_error_kind::timeout : read_error_kind(ec);
            out.res.emplace(fail(make_error(kind, "reading the response: " + ec.message())));
            co_return out;
        }
        // Interim responses (100 Continue, 103 Early Hints) precede the real one.
        const unsigned status = parser->get().result_int();
        if (status / 100 != 1 || status == 101) break;
    }
    conn.tcp().expires_never();

    auto message = parser->release();
    client_response response;
    response.status = message.result_int();
    response.body = std::move(message.body());
    // A connection is reused only when the server left it in a clean state.
    out.reusable = !message.need_eof() && conn.buffer.size() == 0;
    response.headers = std::move(static_cast<http_proto::fields&>(message));
    out.res.emplace(std::move(response));
    co_return out;
}

awaitable<exchange_outcome> client::impl::exchange(std::shared_ptr<impl> self, std::shared_ptr<connection> conn,
                                                   bool reused, client_request request,
                                                   clock_type::time_point deadline) {
    exchange_outcome out;
    out.conn = conn;

    std::string target = self->base.path;
    if (request.target.empty() || (request.target.front() != '/' && request.target.front() != '?')) target += '/';
    target += request.target;
    bool bad_header = has_line_break(target) || target.find(' ') != std::string::npos;
    for (const auto& [name, value] : request.headers) bad_header = bad_header || has_line_break(name) || has_line_break(value);
    if (bad_header) {
        out.res.emplace(fail(make_error(transport_error_kind::protocol_error,
                                        "request target or header contains a line break, NUL or space")));
        out.reusable = reused;  // nothing was sent: the connection is as good as it was
        co_return out;
    }

    request_message msg{request.method, target, 11};
    msg.set(http_proto::field::host, self->host_header);
    msg.set(http_proto::field::user_agent, self->options.user_agent);
    for (const auto& [name, value] : request.headers) msg.set(name, value);
    if (!request.body.empty() && msg.find(http_proto::field::content_type) == msg.end())
        msg.set(http_proto::field::content_type, "application/json");
    msg.body() = std::move(request.body);
    msg.keep_alive(true);
    msg.prepare_payload();

    auto tried = co_await attempt(self, *conn, reused, msg, deadline);
    // A reused connection may have been closed by the server while idle. Try once more on a
    // fresh connection only when the request cannot have been processed twice.
    if (!tried.res->ok() && reused && clock_type::now() < deadline &&
        tried.res->error().kind != transport_error_kind::timeout &&
        (tried.write_failed || (is_idempotent(msg.method()) && !tried.response_started))) {
        log::debug("http.client.retry", {{"host", self->base.host},
                                         {"method", msg.method_string()},
                                         {"reason", tried.res->error().message}});
        conn = std::make_shared<connection>(conn->strand, self->tls_context.get());
        out.conn = conn;
        tried = co_await attempt(self, *conn, false, msg, deadline);
    }
    out.reusable = tried.reusable;
    out.res = std::move(tried.res);
    co_return out;
}

awaitable<send_result> client::impl::send(std::shared_ptr<impl> self, client_request request) {
    const auto deadline = clock_type::now() + request.timeout.value_or(self->options.request_timeout);

    auto acquired = co_await self->acquire(deadline);
    if (!acquired) co_return fail(std::move(acquired.error()));

    // The slot goes back whatever happens below, exceptions included.
    struct slot_guard {
        impl& pool;
        std::shared_ptr<connection> conn;
        bool reusable = false;
        ~slot_guard() { pool.release(std::move(conn), reusable); }
    } slot{*self, std::move(*acquired)};

    const bool reused = slot.conn != nullptr;
    if (!reused) slot.conn = std::make_shared<connection>(asio::make_strand(self->executor), self->tls_context.get());

    auto strand = slot.conn->strand;
    auto out = co_await asio::co_spawn(strand, exchange(self, slot.conn, reused, std::move(request), deadline),
                                       use_awaitable);
    slot.conn = std::move(out.conn);
    slot.reusable = out.reusable;
    co_return std::move(*out.res);
}

client::client(asio::any_io_executor executor, std::string_view base_url, client_options options) {
    auto parsed = parse_base_url(base_url);
    if (!parsed) throw std::invalid_argument("invalid base URL: " + parsed.error());
    if (parsed->scheme == "http" && !is_loopback_host(parsed->host))
        throw std::invalid_argument("plain http:// is allowed only for loopback hosts, not " + parsed->host);
    if (options.max_connections == 0) throw std::invalid_argument("client_options.max_connections must be at least 1");
    impl_ = std::make_shared<impl>(std::move(executor), std::move(*parsed), std::move(options));
}

client::~client() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->closed = true;
    }
    close_idle();
}

awaitable<result<client_response, transport_error>> client::send(client_request request) {
    // Not a coroutine itself: the impl is copied into the coroutine frame right now, so the
    // request stays valid even if this client is destroyed before it is awaited.
    return impl::send(impl_, std::move(request));
}

const parsed_url& client::base() const { return impl_->base; }

void client::close_idle() { impl_->take_idle(); }

}  // namespace las::http
