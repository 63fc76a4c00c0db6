// las::http::client against the real server and against scripted misbehaving servers on
// loopback; TLS verification against an in-test TLS server with a self-signed fixture.

#include <catch2/catch.hpp>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <set>

#include "test_support.hpp"

using namespace las;
using namespace las::http;
using namespace las::http::test;

namespace {

using send_result = las::result<client_response, transport_error>;

client_request get(std::string target) {
    client_request r;
    r.target = std::move(target);
    return r;
}

client_request post(std::string target, std::string body) {
    client_request r;
    r.method = http_proto::verb::post;
    r.target = std::move(target);
    r.body = std::move(body);
    return r;
}

send_result send_sync(client& c, io_runner& io, client_request r) {
    return run_sync(io.executor(), c.send(std::move(r)));
}

std::string describe(const send_result& r) {
    if (r) return "status " + std::to_string(r->status);
    return std::string(to_string(r.error().kind)) + ": " + r.error().message;
}

// Remote ports seen by the server: one per TCP connection the client opened.
struct port_log {
    std::mutex mutex;
    std::multiset<unsigned short> ports;
    access_observer observer() {
        return [this](const access_record& r) {
            std::lock_guard lock(mutex);
            ports.insert(r.remote.port());
        };
    }
    std::size_t distinct() {
        std::lock_guard lock(mutex);
        return std::set<unsigned short>(ports.begin(), ports.end()).size();
    }
    std::size_t total() {
        std::lock_guard lock(mutex);
        return ports.size();
    }
};

}  // namespace

TEST_CASE("client and server round trip", "[http][client]") {
    test_server srv({}, [](request& req, const request_info&) -> awaitable<response> {
        // Echo what the client sent, so the test sees the request as the server did.
        std::string body = std::string(req.method_string()) + " " + std::string(req.target()) + "\n";
        for (auto name : {"Host", "User-Agent", "Content-Type", "Content-Length", "X-Custom"}) {
            auto it = req.find(name);
            body += std::string(name) + "=" + (it == req.end() ? "-" : std::string(it->value())) + "\n";
        }
        body += "body=" + req.body();
        auto res = make_response(req, http_proto::status::created, body, "text/plain");
        res.set("X-Reply", "yes");
        co_return res;
    });
    io_runner io;
    client c(io.executor(), srv.url() + "/base/");

    auto r = send_sync(c, io, post("/things?x=1", "{\"a\":1}"));
    REQUIRE(r.ok());
    CHECK(r->status == 201);
    CHECK(r->header("x-reply") == "yes");
    CHECK(r->header("absent") == "");
    CHECK_THAT(r->body, Catch::Contains("POST /base/things?x=1\n"));
    CHECK_THAT(r->body, Catch::Contains("Host=127.0.0.1:" + std::to_string(srv.port()) + "\n"));
    CHECK_THAT(r->body, Catch::Contains("User-Agent=lemlist-attio-sync/0.1\n"));
    CHECK_THAT(r->body, Catch::Contains("Content-Type=application/json\n"));
    CHECK_THAT(r->body, Catch::Contains("Content-Length=7\n"));
    CHECK_THAT(r->body, Catch::Contains("body={\"a\":1}"));

    client_request custom = post("rel", "a=b");
    custom.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Custom", "v"}};
    auto r2 = send_sync(c, io, std::move(custom));
    REQUIRE(r2.ok());
    CHECK_THAT(r2->body, Catch::Contains("POST /base/rel\n"));
    CHECK_THAT(r2->body, Catch::Contains("Content-Type=application/x-www-form-urlencoded\n"));
    CHECK_THAT(r2->body, Catch::Contains("X-Custom=v\n"));

    auto r3 = send_sync(c, io, get("/plain"));
    REQUIRE(r3.ok());
    CHECK_THAT(r3->body, Catch::Contains("Content-Type=-\n"));

    client_request injected = get("/x");
    injected.headers = {{"X-Evil", "a\r\nX-Injected: 1"}};
    auto r4 = send_sync(c, io, std::move(injected));
    REQUIRE_FALSE(r4.ok());
    CHECK(r4.error().kind == transport_error_kind::protocol_error);
}

TEST_CASE("client reuses one keep-alive connection for sequential requests", "[http][client][pool]") {
    port_log ports;
    test_server srv({}, echo_handler(), ports.observer());
    io_runner io;
    client c(io.executor(), srv.url());
    for (int i = 0; i < 10; ++i) {
        auto r = send_sync(c, io, i % 2 ? get("/g") : post("/p", "x"));
        REQUIRE(r.ok());
        CHECK(r->status == 200);
    }
    // The server reports a response after writing it: the record may trail the client a little.
    REQUIRE(eventually([&] { return ports.total() == 10; }));
    CHECK(ports.distinct() == 1);
    CHECK(srv.get().active_connections() == 1);

    c.close_idle();  // the pooled connection is closed, and the server sees it go
    CHECK(eventually([&] { return srv.get().active_connections() == 0; }));
}

TEST_CASE("100 concurrent requests share at most max_connections connections", "[http][client][pool]") {
    port_log ports;
    std::atomic<int> in_flight{0}, max_in_flight{0};
    test_server srv(
        {},
        [&](request& req, const request_info&) -> awaitable<response> {
            const int now = ++in_flight;
            int seen = max_in_flight.load();
            while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
            }
            asio::steady_timer t(co_await asio::this_coro::executor, 5ms);
            co_await t.async_wait(use_awaitable);
            --in_flight;
            co_return make_response(req, http_proto::status::ok, req.body(), "text/plain");
        },
        ports.observer());

    io_runner io(2);
    client_options opts;
    opts.max_connections = 4;
    client c(io.executor(), srv.url(), opts);

    constexpr int n = 100;
    std::atomic<int> ok{0}, bad{0}, done{0};
    std::promise<void> all_done;
    std::mutex errors_mutex;
    std::vector<std::string> errors;
    for (int i = 0; i < n; ++i) {
        asio::co_spawn(
            io.executor(),
            [&, i]() -> awaitable<void> {
                const std::string body = "req-" + std::to_string(i);
                auto r = co_await c.send(post("/", body));
                if (r && r->status == 200 && r->body == body) {
                    ++ok;
                } else {
                    ++bad;
                    std::lock_guard lock(errors_mutex);
                    errors.push_back(describe(r));
                }
                if (++done == n) all_done.set_value();
            },
            asio::detached);
    }
    REQUIRE(all_done.get_future().wait_for(30s) == std::future_status::ready);
    REQUIRE(eventually([&] { return ports.total() == n; }));
    INFO((errors.empty() ? std::string("no errors") : errors.front()));
    CHECK(ok.load() == n);
    CHECK(bad.load() == 0);
    CHECK(ports.distinct() <= 4);
    CHECK(ports.distinct() >= 2);  // they did run concurrently
    CHECK(max_in_flight.load() <= 4);
}

TEST_CASE("requests waiting for a connection time out at their deadline", "[http][client][pool]") {
    test_server srv({}, [](request& req, const request_info&) -> awaitable<response> {
        asio::steady_timer t(co_await asio::this_coro::executor, 1500ms);
        co_await t.async_wait(use_awaitable);
        co_return make_response(req, http_proto::status::ok, "late");
    });
    io_runner io;
    client_options opts;
    opts.max_connections = 1;
    client c(io.executor(), srv.url(), opts);

    std::promise<send_result> slow_result;
    asio::co_spawn(
        io.executor(),
        [&]() -> awaitable<void> { slow_result.set_value(co_await c.send(get("/slow"))); }, asio::detached);
    std::this_thread::sleep_for(100ms);  // let it take the only connection

    client_request quick = get("/quick");
    quick.timeout = 200ms;
    const auto started = clock_type::now();
    auto r = send_sync(c, io, std::move(quick));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == transport_error_kind::timeout);
    CHECK(clock_type::now() - started < 1400ms);  // gave up at its own deadline, not the slow one's
    auto slow = slow_result.get_future();
    REQUIRE(slow.wait_for(10s) == std::future_status::ready);
    CHECK(slow.get().ok());
}

TEST_CASE("client reports timeouts, closed connections and oversized responses as values", "[http][client][faults]") {
    io_runner io;

    SECTION("a server that accepts and never answers: timeout within the deadline") {
        scripted_server srv([](tcp::socket s) -> awaitable<void> {
            char buf[1024];
            boost::system::error_code ec;
            while (!ec) co_await s.async_read_some(asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
        });
        client_options opts;
        opts.request_timeout = 300ms;
        client c(io.executor(), srv.url(), opts);
        const auto started = clock_type::now();
        auto r = send_sync(c, io, get("/"));
        const auto elapsed = clock_type::now() - started;
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == transport_error_kind::timeout);
        CHECK(elapsed >= 250ms);
        CHECK(elapsed < 3s);
    }
    SECTION("a server that closes without answering: connection_closed") {
        scripted_server srv([](tcp::socket s) -> awaitable<void> {
            std::string buffer;
            co_await read_request_head(s, buffer);
            s.close();
        });
        client c(io.executor(), srv.url());
        auto r = send_sync(c, io, get("/"));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == transport_error_kind::connection_closed);
        CHECK(srv.accepted() == 1);  // a GET on a fresh connection is not retried
    }
    SECTION("a server that answers garbage: protocol_error") {
        scripted_server srv([](tcp::socket s) -> awaitable<void> {
            std::string buffer;
            co_await read_request_head(s, buffer);
            co_await asio::async_write(s, asio::buffer(std::string_view("SMTP ready\r\n\r\n")), use_awaitable);
        });
        client c(io.executor(), srv.url());
        auto r = send_sync(c, io, get("/"));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == transport_error_kind::protocol_error);
    }
    SECTION("a response over max_response_bytes: response_too_large") {
        test_server srv({}, [](request& req, const request_info&) -> awaitable<response> {
            co_return make_response(req, http_proto::status::ok, std::string(100'000, 'r'), "text/plain");
        });
        client_options opts;
        opts.max_response_bytes = 10'000;
        client c(io.executor(), srv.url(), opts);
        auto r = send_sync(c, io, get("/"));
        INFO(describe(r));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == transport_error_kind::response_too_large);

        client_options roomy;
        roomy.max_response_bytes = 200'000;
        client ok_client(io.executor(), srv.url(), roomy);
        auto fine = send_sync(ok_client, io, get("/"));
        REQUIRE(fine.ok());
        CHECK(fine->body.size() == 100'000);
    }
    SECTION("nothing listening: connect_failed") {
        unsigned short port;
        {
            tcp::acceptor a(io.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
            port = a.local_endpoint().port();
        }
        client c(io.executor(), "http://127.0.0.1:" + std::to_string(port));
        auto r = send_sync(c, io, get("/"));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == transport_error_kind::connect_failed);
    }
    SECTION("an unresolvable name: resolve_failed") {
        client c(io.executor(), "https://name-that-does-not-exist.invalid");
        auto r = send_sync(c, io, get("/"));
        REQUIRE_FALSE(r.ok());
        // Without network access the resolver may also time out.
        CHECK((r.error().kind == transport_error_kind::resolve_failed ||
               r.error().kind == transport_error_kind::connect_timeout));
    }
}

TEST_CASE("a server closing a kept-alive connection: idempotent requests retry once, POST does not",
          "[http][client][faults]") {
    // Each connection answers its first request with keep-alive, then reads the second
    // request and closes without a word: the fate of that second request is unknown.
    std::atomic<int> requests_seen{0};
    scripted_server srv([&requests_seen](tcp::socket s) -> awaitable<void> {
        std::string buffer;
        if (!co_await read_request_head(s, buffer)) co_return;
        ++requests_seen;
        co_await asio::async_write(s, asio::buffer(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")),
                                   use_awaitable);
        if (!co_await read_request_head(s, buffer)) co_return;
        ++requests_seen;
        s.close();
    });
    io_runner io;
    client c(io.executor(), srv.url());

    SECTION("GET is retried on a fresh connection") {
        REQUIRE(send_sync(c, io, get("/1")).ok());
        auto r = send_sync(c, io, get("/2"));
        INFO(describe(r));
        REQUIRE(r.ok());
        CHECK(r->status == 200);
        CHECK(srv.accepted() == 2);
        CHECK(requests_seen.load() == 3);  // 1, the lost 2, and 2 again
    }
    SECTION("POST is reported, never re-sent") {
        REQUIRE(send_sync(c, io, post("/1", "")).ok());
        auto r = send_sync(c, io, post("/2", ""));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == transport_error_kind::connection_closed);
        CHECK(srv.accepted() == 1);
        CHECK(requests_seen.load() == 2);
    }
}

TEST_CASE("connections the server closes are not reused", "[http][client][pool]") {
    SECTION("Connection: close") {
        port_log ports;
        test_server srv({}, [](request& req, const request_info&) -> awaitable<response> {
            auto res = make_response(req, http_proto::status::ok, "bye");
            res.keep_alive(false);
            co_return res;
        }, ports.observer());
        io_runner io;
        client c(io.executor(), srv.url());
        for (int i = 0; i < 3; ++i) REQUIRE(send_sync(c, io, post("/", "x")).ok());
        REQUIRE(eventually([&] { return ports.total() == 3; }));
        CHECK(ports.distinct() == 3);
    }
    SECTION("an idle connection the server timed out") {
        port_log ports;
        server_limits limits;
        limits.idle_timeout = 100ms;
        test_server srv(limits, echo_handler(), ports.observer());
        io_runner io;
        client c(io.executor(), srv.url());
        REQUIRE(send_sync(c, io, post("/", "x")).ok());
        std::this_thread::sleep_for(400ms);  // the server closes the idle connection meanwhile
        auto r = send_sync(c, io, post("/", "y"));  // a POST: must not hit the dead connection
        INFO(describe(r));
        REQUIRE(r.ok());
        REQUIRE(eventually([&] { return ports.total() == 2; }));
        CHECK(ports.distinct() == 2);
    }
    SECTION("an idle connection older than max_idle") {
        port_log ports;
        test_server srv({}, echo_handler(), ports.observer());
        io_runner io;
        client_options opts;
        opts.max_idle = 100ms;
        client c(io.executor(), srv.url(), opts);
        REQUIRE(send_sync(c, io, get("/")).ok());
        REQUIRE(send_sync(c, io, get("/")).ok());
        REQUIRE(eventually([&] { return ports.total() == 2; }));
        CHECK(ports.distinct() == 1);
        std::this_thread::sleep_for(300ms);
        REQUIRE(send_sync(c, io, get("/")).ok());
        REQUIRE(eventually([&] { return ports.total() == 3; }));
        CHECK(ports.distinct() == 2);
    }
}

TEST_CASE("a request in flight survives the destruction of its client", "[http][client]") {
    test_server srv({}, [](request& req, const request_info&) -> awaitable<response> {
        asio::steady_timer t(co_await asio::this_coro::executor, 200ms);
        co_await t.async_wait(use_awaitable);
        co_return make_response(req, http_proto::status::ok, "still here");
    });
    io_runner io;
    auto c = std::make_unique<client>(io.executor(), srv.url());
    auto pending = c->send(get("/"));  // created, not yet started
    auto result = std::make_shared<std::promise<send_result>>();
    auto f = result->get_future();
    asio::co_spawn(io.executor(), fulfil(result, std::move(pending)), asio::detached);
    std::this_thread::sleep_for(50ms);
    c.reset();
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    auto r = f.get();
    REQUIRE(r.ok());
    CHECK(r->body == "still here");
}

namespace {

// A minimal HTTPS server for the verification tests, using the fixture certificate.
class tls_server {
public:
    tls_server() : runner_(1), tls_(asio::ssl::context::tls_server),
                   acceptor_(runner_.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        tls_.use_certificate_chain_file(LAS_SOURCE_DIR "/tests/http/fixtures/localhost.crt");
        tls_.use_private_key_file(LAS_SOURCE_DIR "/tests/http/fixtures/localhost.key", asio::ssl::context::pem);
        asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
    }
    ~tls_server() {
        asio::post(acceptor_.get_executor(), [this] { acceptor_.close(); });
        runner_.stop();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    int handshakes_completed() const { return completed_.load(); }

private:
    awaitable<void> accept_loop() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket(asio::make_strand(runner_.context()));
            co_await acceptor_.async_accept(socket, asio::redirect_error(use_awaitable, ec));
            if (ec) co_return;
            auto executor = socket.get_executor();
            asio::co_spawn(executor, serve(std::move(socket)), asio::detached);
        }
    }
    awaitable<void> serve(tcp::socket socket) {
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls_);
        boost::system::error_code ec;
        beast::get_lowest_layer(stream).expires_after(5s);
        co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
        if (ec) co_return;
        ++completed_;
        beast::flat_buffer buffer;
        for (;;) {
            request req;
            co_await http_proto::async_read(stream, buffer, req, asio::redirect_error(use_awaitable, ec));
            if (ec) co_return;
            auto res = make_response(req, http_proto::status::ok, "secure " + std::string(req.target()), "text/plain");
            co_await http_proto::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
            if (ec) co_return;
        }
    }

    io_runner runner_;
    asio::ssl::context tls_;
    tcp::acceptor acceptor_;
    std::atomic<int> completed_{0};
};

}  // namespace

TEST_CASE("https verifies the certificate chain and the host name", "[http][client][tls]") {
    tls_server srv;
    io_runner io;
    const std::string port = std::to_string(srv.port());

    SECTION("a self-signed certificate is rejected with the system trust store") {
        client c(io.executor(), "https://localhost:" + port);
        auto r = send_sync(c, io, get("/"));
        REQUIRE_FALSE(r.ok());
        INFO(r.error().message);
        CHECK(r.error().kind == transport_error_kind::tls_handshake_failed);
        CHECK(srv.handshakes_completed() == 0);
    }
    SECTION("trusting the certificate, the right name passes and connections are reused") {
        client_options opts;
        opts.ca_file = LAS_SOURCE_DIR "/tests/http/fixtures/localhost.crt";
        client c(io.executor(), "https://localhost:" + port, opts);
        for (int i = 0; i < 3; ++i) {
            auto r = send_sync(c, io, get("/s" + std::to_string(i)));
            INFO(describe(r));
            REQUIRE(r.ok());
            CHECK(r->body == "secure /s" + std::to_string(i));
        }
        CHECK(srv.handshakes_completed() == 1);
    }
    SECTION("trusting the certificate, a name it does not carry is still rejected") {
        client_options opts;
        opts.ca_file = LAS_SOURCE_DIR "/tests/http/fixtures/localhost.crt";
        client c(io.executor(), "https://127.0.0.1:" + port, opts);
        auto r = send_sync(c, io, get("/"));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == transport_error_kind::tls_handshake_failed);
    }
    SECTION("a plain-http server on an https URL fails the handshake") {
        test_server plain({}, echo_handler());
        client c(io.executor(), "https://localhost:" + std::to_string(plain.port()));
        auto r = send_sync(c, io, get("/"));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == transport_error_kind::tls_handshake_failed);
    }
}
