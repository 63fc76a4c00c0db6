// The HTTP/1.1 server: a listener coroutine and one session coroutine per connection, each
// connection on its own strand. Deadlines come from a per-connection watchdog (below) rather
// than beast::tcp_stream: a tcp_stream closes the socket when its timer fires, which would
// leave no way to answer 408, and it re-arms a timer on every read and write.

#include "http/server.hpp"

#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <unordered_map>

#include "core/log.hpp"

namespace las::http {
namespace {

using clock_type = std::chrono::steady_clock;
using error_code = boost::system::error_code;

constexpr std::string_view server_name = "lemlist-attio-sync";
constexpr std::size_t first_read_size = 4096;
// After an answer that ends the connection, unread input is drained for a moment before
// closing: closing with unread bytes sends a reset that can destroy the answer in flight
// (a 413 while the client is still sending its body).
constexpr auto linger_time = std::chrono::seconds(1);
constexpr std::size_t linger_bytes = 1 << 20;

// What the watchdog does when the deadline passes.
enum class on_expiry {
    close,           // nothing more to say: close the socket (idle wait, writes)
    interrupt_read,  // stop reading but keep the socket writable, so a 408 can go out
};

enum class conn_state { reading, idle, busy, closed };

struct connection {
    explicit connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}

    // Moves the deadline. Later deadlines cost nothing (the watchdog notices when it wakes);
    // only an earlier one than the timer's wakes the watchdog to re-arm.
    void arm(clock_type::time_point when, on_expiry what) {
        deadline = when;
        action = what;
        if (when < timer.expiry()) timer.cancel();
    }
    void disarm() { deadline = clock_type::time_point::max(); }

    tcp::socket socket;
    asio::steady_timer timer;
    tcp::endpoint remote;
    clock_type::time_point deadline = clock_type::time_point::max();
    on_expiry action = on_expiry::close;
    bool timed_out = false;
    conn_state state = conn_state::reading;
};

// Runs on the connection's strand next to the session, so it touches the socket safely.
// The deadline is absolute: a slowloris trickling one byte at a time is cut off when the
// deadline passes, however short the gaps between its bytes.
awaitable<void> watchdog(std::shared_ptr<connection> c) {
    error_code ec;
    while (c->state != conn_state::closed) {
        if (c->deadline <= clock_type::now()) {
            c->timed_out = true;
            c->deadline = clock_type::time_point::max();
            if (c->action == on_expiry::interrupt_read) {
                // shutdown(receive) also fails a read the composed operation starts later.
                c->socket.shutdown(tcp::socket::shutdown_receive, ec);
                c->socket.cancel(ec);
            } else {
                c->socket.close(ec);
            }
        }
        c->timer.expires_at(c->deadline);
        co_await c->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
}

bool is_parse_error(const error_code& ec) { return ec.category() == http_proto::make_error_code(http_proto::error::end_of_stream).category(); }

// Maps a failed request read to the status the server answers with; 0 = close silently
// (the peer went away or never said anything).
unsigned failed_read_status(const error_code& ec, bool timed_out) {
    if (timed_out) return 408;
    if (ec == http_proto::error::header_limit || ec == http_proto::error::buffer_overflow) return 431;
    if (ec == http_proto::error::body_limit) return 413;
    if (ec == http_proto::error::end_of_stream || ec == http_proto::error::partial_message) return 0;
    if (is_parse_error(ec)) return 400;
    return 0;
}

std::string_view error_code_for(unsigned status) {
    switch (status) {
        case 400: return "bad_request";
        case 408: return "request_timeout";
        case 413: return "payload_too_large";
        case 431: return "header_too_large";
        default: return "internal_error";
    }
}

std::string_view error_message_for(unsigned status) {
    switch (status) {
        case 400: return "malformed HTTP request";
        case 408: return "request not received in time";
        case 413: return "request body too large";
        case 431: return "request header too large";
        default: return "internal server error";
    }
}

void log_spawn_failure(std::string_view what, std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        log::error("http.server.bug", {{"where", what}, {"what", ex.what()}});
    } catch (...) {
        log::error("http.server.bug", {{"where", what}, {"what", "unknown exception"}});
    }
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

struct server::impl : std::enable_shared_from_this<impl> {
    impl(asio::io_context& io, tcp::endpoint ep, server_limits l, handler h, access_observer o)
        : ioc(io),
          listen_endpoint(std::move(ep)),
          limits(l),
          handle(std::move(h)),
          on_access(std::move(o)),
          acceptor_strand(asio::make_strand(io)),
          acceptor(acceptor_strand) {}

    static awaitable<void> listen(std::shared_ptr<impl> self);
    static awaitable<void> session(std::shared_ptr<impl> self, std::shared_ptr<connection> c);
    // Writes a response the server produced itself, reports it, then closes.
    static awaitable<void> answer_and_close(std::shared_ptr<impl> self, std::shared_ptr<connection> c,
                                            unsigned status, unsigned version, std::string_view method,
                                            std::string_view target, std::size_t request_bytes,
                                            clock_type::time_point started);
    static awaitable<void> linger_close(std::shared_ptr<connection> c);

    void report(std::string_view method, std::string_view target, unsigned status, std::size_t request_bytes,
                std::size_t response_bytes, clock_type::time_point started, const tcp::endpoint& remote) const;
    void finalize(response& res, bool keep_alive) const;

    asio::io_context& ioc;
    tcp::endpoint listen_endpoint;
    server_limits limits;
    handler handle;
    access_observer on_access;
    asio::strand<asio::io_context::executor_type> acceptor_strand;
    tcp::acceptor acceptor;
    tcp::endpoint bound;

    std::atomic<bool> stopping{false};
    std::atomic<std::size_t> active{0};
    std::atomic<std::size_t> rejected{0};

    // Live sessions, so stop() can wake the idle ones. Touched once per connection.
    std::mutex sessions_mutex;
    std::unordered_map<connection*, std::weak_ptr<connection>> sessions;
};

void server::impl::report(std::string_view method, std::string_view target, unsigned status,
                          std::size_t request_bytes, std::size_t response_bytes, clock_type::time_point started,
                          const tcp::endpoint& remote) const {
    if (!on_access) return;
    access_record r;
    r.method = std::string(method);
    r.target = std::string(target);
    r.status = status;
    r.request_bytes = request_bytes;
    r.response_bytes = response_bytes;
    r.duration = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - started);
    r.remote = remote;
    try {
        on_access(r);
    } catch (const std::exception& e) {
        log::error("http.server.observer_failed", {{"what", e.what()}});
    } catch (...) {
        log::error("http.server.observer_failed", {{"what", "unknown exception"}});
    }
}

void server::impl::finalize(response& res, bool keep_alive) const {
    if (res.find(http_proto::field::server) == res.end()) res.set(http_proto::field::server, server_name);
    if (res.find(http_proto::field::date) == res.end()) res.set(http_proto::field::date, http_date_now());
    const unsigned status = res.result_int();
    if (status / 100 == 1 || status == 204 || status == 304) res.body().clear();
    res.keep_alive(keep_alive);
    res.prepare_payload();
}

awaitable<void> server::impl::linger_close(std::shared_ptr<connection> c) {
    error_code ec;
    c->socket.shutdown(tcp::socket::shutdown_send, ec);
    if (!ec) {
        c->arm(clock_type::now() + linger_time, on_expiry::close);
        char sink[4096];
        std::size_t drained = 0;
        while (drained < linger_bytes) {
            const std::size_t n =
                co_await c->socket.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
            if (ec) break;
            drained += n;
        }
    }
    c->socket.close(ec);
}

awaitable<void> server::impl::answer_and_close(std::shared_ptr<impl> self, std::shared_ptr<connection> c,
                                               unsigned status, unsigned version, std::string_view method,
                                               std::string_view target, std::size_t request_bytes,
                                               clock_type::time_point started) {
    request req;
    req.version(version == 10 ? 10 : 11);
    auto res = make_error(req, static_cast<http_proto::status>(status), error_code_for(status),
                          error_message_for(status));
    self->finalize(res, false);
    error_code ec;
    c->arm(clock_type::now() + self->limits.write_timeout, on_expiry::close);
    const std::size_t written =
        co_await http_proto::async_write(c->socket, res, asio::redirect_error(use_awaitable, ec));
    self->report(method, target, status, request_bytes, ec ? 0 : written, started, c->remote);
    if (!ec) co_await linger_close(c);
}

awaitable<void> server::impl::session(std::shared_ptr<impl> self, std::shared_ptr<connection> c) {
    // Whatever way the session ends, the connection is released and the watchdog stops.
    struct release_guard {
        impl& owner;
        connection& conn;
        ~release_guard() {
            error_code ignored;
            conn.state = conn_state::closed;
            conn.socket.close(ignored);
            conn.timer.cancel();
            {
                std::lock_guard lock(owner.sessions_mutex);
                owner.sessions.erase(&conn);
            }
            owner.active.fetch_sub(1, std::memory_order_relaxed);
        }
    } guard{*self, *c};

    {
        std::lock_guard lock(self->sessions_mutex);
        self->sessions.emplace(c.get(), c);
    }
    const auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, watchdog(c), [](std::exception_ptr e) { log_spawn_failure("watchdog", e); });

    error_code ec;
    c->remote = c->socket.remote_endpoint(ec);
    if (ec) co_return;

    const server_limits& limits = self->limits;
    const auto accepted = clock_type::now();
    beast::flat_buffer buffer;  // one per connection, reused by every request on it
    std::optional<http_proto::request_parser<http_proto::string_body>> parser;
    bool first = true;

    for (;;) {
        // Keep-alive wait for the first byte of the next request (the first request's header
        // deadline already runs from accept).
        if (buffer.size() == 0) {
            // Checked on the strand before going idle, so a stop() racing with this cannot
            // leave an idle session unwoken (stop() sets the flag before it wakes sessions).
            if (self->stopping.load()) co_return;
            c->state = conn_state::idle;
            c->arm(first ? accepted + limits.header_timeout : clock_type::now() + limits.idle_timeout,
                   on_expiry::close);
            const std::size_t n = co_await c->socket.async_read_some(buffer.prepare(first_read_size),
                                                                     asio::redirect_error(use_awaitable, ec));
            buffer.commit(n);
            if (ec) co_return;  // peer closed, idle deadline, or stop()
        }
        c->state = conn_state::reading;
        const auto request_start = clock_type::now();
        c->arm((first ? accepted : request_start) + limits.header_timeout, on_expiry::interrupt_read);

        parser.emplace();
        parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
        parser->body_limit(limits.max_body_bytes);
        std::size_t request_bytes = co_await http_proto::async_read_header(c->socket, buffer, *parser,
                                                                           asio::redirect_error(use_awaitable, ec));
        if (ec) {
            // A Content-Length above the body limit fails here, before any body is read.
            const unsigned status = failed_read_status(ec, c->timed_out);
            if (status != 0)
                co_await answer_and_close(self, c, status, 11, {}, {}, request_bytes + buffer.size(), request_start);
            co_return;
        }

        if (!parser->is_done()) {
            auto& head = parser->get();
            if (head.version() == 11 && beast::iequals(head[http_proto::field::expect], "100-continue")) {
                static constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
                c->arm(clock_type::now() + limits.write_timeout, on_expiry::close);
                co_await asio::async_write(c->socket, asio::buffer(interim.data(), interim.size()),
                                           asio::redirect_error(use_awaitable, ec));
                if (ec) co_return;
            }
            c->arm(clock_type::now() + limits.body_timeout, on_expiry::interrupt_read);
            request_bytes += co_await http_proto::async_read(c->socket, buffer, *parser,
                                                             asio::redirect_error(use_awaitable, ec));
            if (ec) {
                const unsigned status = failed_read_status(ec, c->timed_out);
                if (status != 0) {
                    const auto& h = parser->get();
                    co_await answer_and_close(self, c, status, h.version(), h.method_string(), h.target(),
                                              request_bytes + buffer.size(), request_start);
                }
                co_return;
            }
        }
        c->disarm();  // the handler has its own deadlines
        c->state = conn_state::busy;

        request req = parser->release();
        const request_info info{c->remote, clock_type::now()};
        std::optional<response> res;
        try {
            res.emplace(co_await self->handle(req, info));
        } catch (const std::exception& e) {
            log::error("http.server.handler_failed",
                       {{"method", req.method_string()}, {"path", path_of(req.target())}, {"what", e.what()}});
        } catch (...) {
            log::error("http.server.handler_failed",
                       {{"method", req.method_string()}, {"path", path_of(req.target())}, {"what", "unknown exception"}});
        }
        if (!res) res.emplace(make_error(req, http_proto::status::internal_server_error, "internal_error",
                                         "internal server error"));

        const bool keep_alive = req.keep_alive() && res->keep_alive() && !self->stopping.load();
        self->finalize(*res, keep_alive);

        c->arm(clock_type::now() + limits.write_timeout, on_expiry::close);
        std::size_t written = 0;
        if (req.method() == http_proto::verb::head) {
            http_proto::response_serializer<http_proto::string_body> sr{*res};
            written = co_await http_proto::async_write_header(c->socket, sr, asio::redirect_error(use_awaitable, ec));
        } else {
            written = co_await http_proto::async_write(c->socket, *res, asio::redirect_error(use_awaitable, ec));
        }
        self->report(req.method_string(), req.target(), res->result_int(), request_bytes, ec ? 0 : written,
                     info.started, c->remote);
        if (ec) co_return;
        if (!keep_alive || res->need_eof()) {
            co_await linger_close(c);
            co_return;
        }
        first = false;
    }
}

awaitable<void> server::impl::listen(std::shared_ptr<impl> self) {
    error_code ec;
    asio::steady_timer backoff(self->acceptor_strand);
    for (;;) {
        // Each connection gets its own strand: its session and watchdog never run at once.
        tcp::socket socket(asio::make_strand(self->ioc));
        co_await self->acceptor.async_accept(socket, asio::redirect_error(use_awaitable, ec));
        if (self->stopping.load() || !self->acceptor.is_open()) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted) co_return;
            // Out of descriptors and the like: pause instead of spinning on the error.
            log::warn("http.server.accept_failed", {{"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(asio::redirect_error(use_awaitable, ec));
            continue;
        }
        if (self->active.load(std::memory_order_relaxed) >= self->limits.max_connections) {
            self->rejected.fetch_add(1, std::memory_order_relaxed);
            socket.close(ec);
            continue;
        }
        self->active.fetch_add(1, std::memory_order_relaxed);
        auto c = std::make_shared<connection>(std::move(socket));
        auto executor = c->socket.get_executor();
        asio::co_spawn(executor, session(self, std::move(c)),
                       [](std::exception_ptr e) { log_spawn_failure("session", e); });
    }
}

server::server(asio::io_context& ioc, tcp::endpoint listen, server_limits limits, handler handle,
               access_observer on_access)
    : impl_(std::make_shared<impl>(ioc, std::move(listen), limits, std::move(handle), std::move(on_access))) {}

server::~server() { stop(); }

void server::start() {
    auto& s = *impl_;
    error_code ec;
    auto fail = [&](const char* what) {
        throw std::system_error(std::error_code(ec.value(), std::system_category()),
                                std::string(what) + " " + s.listen_endpoint.address().to_string() + ":" +
                                    std::to_string(s.listen_endpoint.port()));
    };
    s.acceptor.open(s.listen_endpoint.protocol(), ec);
    if (ec) fail("open");
    s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) fail("setsockopt");
    s.acceptor.bind(s.listen_endpoint, ec);
    if (ec) fail("bind");
    s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail("listen");
    s.bound = s.acceptor.local_endpoint(ec);
    if (ec) fail("getsockname");
    asio::co_spawn(s.acceptor_strand, impl::listen(impl_),
                   [](std::exception_ptr e) { log_spawn_failure("listener", e); });
}

tcp::endpoint server::local_endpoint() const { return impl_->bound; }

void server::stop() {
    auto self = impl_;
    if (self->stopping.exchange(true)) return;
    asio::post(self->acceptor_strand, [self] {
        error_code ec;
        self->acceptor.close(ec);
    });
    std::vector<std::shared_ptr<connection>> live;
    {
        std::lock_guard lock(self->sessions_mutex);
        live.reserve(self->sessions.size());
        for (auto& [ptr, weak] : self->sessions)
            if (auto c = weak.lock()) live.push_back(std::move(c));
    }
    // Idle sessions are woken to close; the others see `stopping` after their response.
    for (auto& c : live) {
        asio::post(c->socket.get_executor(), [c] {
            if (c->state == conn_state::idle) {
                error_code ec;
                c->socket.cancel(ec);
            }
        });
    }
}

std::size_t server::active_connections() const { return impl_->active.load(); }
std::size_t server::rejected_connections() const { return impl_->rejected.load(); }

}  // namespace las::http
