#pragma once
// Integration-test plumbing: the real lemlist-emulator binary as a child process on an
// ephemeral port (support/child_process.hpp, always stopped), a blocking HTTP client on las::http::client, and a
// local webhook receiver on las::http::server.

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "emu/text_util.hpp"
#include "http/client.hpp"
#include "http/server.hpp"
#include "support/child_process.hpp"

namespace lemlist_emu_it {

namespace asio = las::asio;
using namespace std::chrono_literals;

// The emulator binary on 127.0.0.1:0, stopped (SIGTERM, then SIGKILL) by the destructor.
class emulator_process {
public:
    explicit emulator_process(std::vector<std::string> extra = {})
        : emulator_(std::filesystem::path(LEMLIST_EMULATOR_BIN), "lemlist-emulator", with_quiet_log(std::move(extra))) {}

    unsigned short port() const { return emulator_.port(); }
    std::string base_url() const { return emulator_.base_url(); }
    // Exit status after a graceful stop (0 expected).
    int stop() { return emulator_.process().terminate(10s); }

private:
    static std::vector<std::string> with_quiet_log(std::vector<std::string> extra) {
        extra.insert(extra.begin(), {"--log-level", "warn"});
        return extra;
    }
    las::test::emulator emulator_;
};

// An io_context running on its own thread for the test's clients and receivers.
class io_thread {
public:
    io_thread() : guard_(asio::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}
    ~io_thread() {
        guard_.reset();
        ioc_.stop();
        thread_.join();
    }
    asio::io_context& context() { return ioc_; }

private:
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::thread thread_;
};

struct reply {
    unsigned status = 0;
    std::string body;
    las::http::client_response raw;
    std::string header(std::string_view name) const { return raw.header(name); }
};

class blocking_client {
public:
    blocking_client(io_thread& io, const std::string& base)
        : executor_(io.context().get_executor()), client_(executor_, base) {}

    reply call(las::http_proto::verb method, std::string target, std::string body = {},
               std::vector<std::pair<std::string, std::string>> headers = {}) {
        las::http::client_request rq;
        rq.method = method;
        rq.target = std::move(target);
        rq.body = std::move(body);
        rq.headers = std::move(headers);
        rq.timeout = 60s;
        using outcome = las::result<las::http::client_response, las::http::transport_error>;
        auto promise = std::make_shared<std::promise<outcome>>();
        auto future = promise->get_future();
        asio::co_spawn(executor_, send(&client_, std::move(rq), promise), asio::detached);
        REQUIRE(future.wait_for(90s) == std::future_status::ready);
        auto r = future.get();
        INFO("transport error: " << (r ? std::string() : r.error().message));
        REQUIRE(r.ok());
        reply out;
        out.status = r->status;
        out.body = r->body;
        out.raw = std::move(r.value());
        return out;
    }
    reply get(std::string target, std::vector<std::pair<std::string, std::string>> h = {}) {
        return call(las::http_proto::verb::get, std::move(target), {}, std::move(h));
    }
    reply post(std::string target, std::string body, std::vector<std::pair<std::string, std::string>> h = {}) {
        return call(las::http_proto::verb::post, std::move(target), std::move(body), std::move(h));
    }
    reply del(std::string target, std::vector<std::pair<std::string, std::string>> h = {}) {
        return call(las::http_proto::verb::delete_, std::move(target), {}, std::move(h));
    }

private:
    template <class P>
    static las::awaitable<void> send(las::http::client* c, las::http::client_request rq, std::shared_ptr<P> promise) {
        promise->set_value(co_await c->send(std::move(rq)));
    }

    asio::any_io_executor executor_;
    las::http::client client_;
};

// Records every POST body; answers `fail_first` requests with 503, then 200.
class receiver {
public:
    explicit receiver(io_thread& io, int fail_first = 0)
        : fail_first_(fail_first),
          server_(io.context(), las::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), las::http::server_limits{},
                  [this](las::http::request& req, const las::http::request_info&) -> las::awaitable<las::http::response> {
                      co_return handle(req);
                  }) {
        server_.start();
    }
    ~receiver() { server_.stop(); }

    std::string url(std::string_view path = "/webhooks/lemlist") const {
        return "http://127.0.0.1:" + std::to_string(server_.local_endpoint().port()) + std::string(path);
    }
    std::vector<std::string> bodies() const {
        std::lock_guard lock(mutex_);
        return bodies_;
    }
    std::size_t requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    las::http::response handle(las::http::request& req) {
        std::lock_guard lock(mutex_);
        ++requests_;
        if (fail_first_ > 0) {
            --fail_first_;
            return las::http::make_response(req, las::http_proto::status::service_unavailable, "busy", "text/plain");
        }
        bodies_.push_back(req.body());
        return las::http::make_response(req, las::http_proto::status::ok, "{}");
    }

    mutable std::mutex mutex_;
    int fail_first_;
    std::vector<std::string> bodies_;
    std::size_t requests_ = 0;
    las::http::server server_;
};

}  // namespace lemlist_emu_it
