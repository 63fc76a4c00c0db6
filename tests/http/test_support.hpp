#pragma once
// Helpers for the HTTP tests: an io_context run by background threads, a las::http::server
// on an ephemeral loopback port, a blocking raw socket client with bounded waits (POSIX,
// because Asio's synchronous reads ignore SO_RCVTIMEO), and a "scripted" server whose
// connections run a test-supplied coroutine (to misbehave on purpose).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "core/asio.hpp"
#include "http/client.hpp"
#include "http/server.hpp"

namespace las::http::test {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// An io_context run by `threads` background threads until destroyed.
class io_runner {
public:
    explicit io_runner(int threads = 2) : work_(asio::make_work_guard(ioc_)) {
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
    }
    ~io_runner() { stop(); }
    io_runner(const io_runner&) = delete;
    io_runner& operator=(const io_runner&) = delete;

    void stop() {
        work_.reset();
        ioc_.stop();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    asio::io_context& context() { return ioc_; }
    asio::any_io_executor executor() { return ioc_.get_executor(); }

private:
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::vector<std::thread> threads_;
};

template <class T>
awaitable<void> fulfil(std::shared_ptr<std::promise<T>> promise, awaitable<T> work) {
    try {
        promise->set_value(co_await std::move(work));
    } catch (...) {
        promise->set_exception(std::current_exception());
    }
}

// Runs a coroutine on `executor` and waits for its result; throws if it takes longer than
// `limit` (a hung test fails instead of hanging the suite).
template <class T>
T run_sync(asio::any_io_executor executor, awaitable<T> work, std::chrono::milliseconds limit = 30s) {
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    asio::co_spawn(executor, fulfil(promise, std::move(work)), asio::detached);
    if (future.wait_for(limit) != std::future_status::ready) throw std::runtime_error("run_sync: timed out");
    return future.get();
}

// Polls `pred` until true or `limit` passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
    const auto deadline = clock_type::now() + limit;
    while (clock_type::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

// A las::http::server on 127.0.0.1:<ephemeral>, run by its own io threads.
class test_server {
public:
    test_server(server_limits limits, handler h, access_observer observer = {}, int threads = 2)
        : runner_(threads), server_(runner_.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), limits,
                                    std::move(h), std::move(observer)) {
        server_.start();
    }
    ~test_server() {
        server_.stop();
        runner_.stop();
    }
    unsigned short port() const { return server_.local_endpoint().port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
    server& get() { return server_; }

private:
    io_runner runner_;
    server server_;
};

// A trivial handler: 200 with the request body echoed, or "ok" when there is none.
inline handler echo_handler() {
    return [](request& req, const request_info&) -> awaitable<response> {
        co_return make_response(req, http_proto::status::ok, req.body().empty() ? std::string("ok") : req.body(),
                                "text/plain");
    };
}

// Blocking raw TCP client with bounded waits.
class raw_client {
public:
    raw_client() = default;
    explicit raw_client(unsigned short port) {
        if (!connect(port)) throw std::runtime_error("raw_client: connect failed");
    }
    ~raw_client() { close(); }
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;

    bool connect(unsigned short port) {
        close();
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            close();
            return false;
        }
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return true;
    }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    // Half-close: tell the server we are done sending.
    void shutdown_send() { ::shutdown(fd_, SHUT_WR); }

    bool send(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    enum class read_status { data, closed, timeout };
    // Waits up to `limit` for data; appends what arrived to `out`.
    read_status read_some(std::string& out, std::chrono::milliseconds limit) {
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(limit.count()));
        if (ready == 0) return read_status::timeout;
        char buf[16384];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return read_status::closed;  // EOF or reset
        out.append(buf, static_cast<std::size_t>(n));
        return read_status::data;
    }

    // Reads until the server closes (true) or `limit` passes (false).
    bool read_until_closed(std::string& out, std::chrono::milliseconds limit) {
        const auto deadline = clock_type::now() + limit;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
            if (left.count() <= 0) return false;
            switch (read_some(out, left)) {
                case read_status::closed: return true;
                case read_status::timeout: return false;
                case read_status::data: break;
            }
        }
    }

    // Reads one complete response (bytes beyond it stay buffered for the next call).
    // nullopt when the connection closed or `limit` passed before a whole response arrived.
    std::optional<http_proto::response<http_proto::string_body>> read_response(std::chrono::milliseconds limit = 5s,
                                                                               bool head = false) {
        http_proto::response_parser<http_proto::string_body> parser;
        parser.eager(true);
        parser.body_limit(64 * 1024 * 1024);
        if (head) parser.skip(true);
        const auto deadline = clock_type::now() + limit;
        for (;;) {
            if (!pending_.empty()) {
                boost::system::error_code ec;
                const std::size_t used = parser.put(asio::buffer(pending_), ec);
                pending_.erase(0, used);
                if (ec && ec != http_proto::error::need_more) return std::nullopt;
                if (parser.is_done()) return parser.release();
                if (used > 0 && !pending_.empty()) continue;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
            if (left.count() <= 0) return std::nullopt;
            switch (read_some(pending_, left)) {
                case read_status::closed: {
                    if (parser.got_some() && !parser.is_done()) {
                        boost::system::error_code ec;
                        parser.put_eof(ec);
                        if (!ec && parser.is_done()) return parser.release();
                    }
                    return std::nullopt;
                }
                case read_status::timeout: return std::nullopt;
                case read_status::data: break;
            }
        }
    }

    int fd() const { return fd_; }

private:
    int fd_ = -1;
    std::string pending_;
};

// A server whose every connection runs `script(socket)`: for tests of the client against
// servers that misbehave. Counts accepted connections.
class scripted_server {
public:
    using script = std::function<awaitable<void>(tcp::socket)>;

    explicit scripted_server(script s, int threads = 1)
        : runner_(threads), acceptor_(runner_.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          script_(std::move(s)) {
        asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
    }
    ~scripted_server() {
        asio::post(acceptor_.get_executor(), [this] { acceptor_.close(); });
        runner_.stop();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
    int accepted() const { return accepted_.load(); }

private:
    awaitable<void> accept_loop() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket(asio::make_strand(runner_.context()));
            co_await acceptor_.async_accept(socket, asio::redirect_error(use_awaitable, ec));
            if (ec) co_return;
            ++accepted_;
            auto executor = socket.get_executor();
            asio::co_spawn(executor, script_(std::move(socket)), asio::detached);
        }
    }

    io_runner runner_;
    tcp::acceptor acceptor_;
    script script_;
    std::atomic<int> accepted_{0};
};

// Reads one request header ("...\r\n\r\n") from a raw socket, keeping leftovers in `buffer`.
// Returns false when the peer closed first.
inline awaitable<bool> read_request_head(tcp::socket& socket, std::string& buffer) {
    for (;;) {
        const auto end = buffer.find("\r\n\r\n");
        if (end != std::string::npos) {
            buffer.erase(0, end + 4);
            co_return true;
        }
        char chunk[4096];
        boost::system::error_code ec;
        const std::size_t n = co_await socket.async_read_some(asio::buffer(chunk), asio::redirect_error(use_awaitable, ec));
        if (ec) co_return false;
        buffer.append(chunk, n);
    }
}

}  // namespace las::http::test
