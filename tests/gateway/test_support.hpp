#pragma once
// Helpers shared by the gateway tests: temp dirs, requests, running coroutines, fakes.

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/ports.hpp"
#include "core/asio.hpp"
#include "http/server.hpp"

namespace las::gateway::test {

// A fresh directory under /tmp, removed with its contents at scope exit.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Polls `done` every 10 ms until true or `timeout`; returns the last value.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(5));

http::request post(std::string target, std::string body, std::string content_type = "application/json");
http::request get(std::string target);

std::string read_file(const std::filesystem::path& p);
rapidjson::Document parse_json(const std::string& text);  // FAILs on invalid JSON

// Runs a coroutine to completion on a private io_context (two threads, like the gateway).
template <class T>
T run(std::function<awaitable<T>()> make) {
    asio::io_context ioc;
    std::promise<T> p;
    auto f = p.get_future();
    asio::co_spawn(ioc, make(), [&p](std::exception_ptr e, T v) {
        if (e) p.set_exception(e);
        else p.set_value(std::move(v));
    });
    std::thread other([&] { ioc.run(); });
    ioc.run();
    other.join();
    return f.get();
}

// A broker that completes inline with a scripted outcome.
class fake_broker final : public broker_port {
public:
    std::atomic<bool> up{true};
    std::function<amqp::publish_outcome(const amqp::publish_request&)> decide = [](const amqp::publish_request&) {
        return amqp::publish_outcome::confirmed;
    };
    std::function<amqp::call_result(const amqp::publish_request&)> reply;

    bool connected() const override { return up.load(); }
    std::size_t outstanding() const override { return 0; }
    void publish(amqp::publish_request m, std::function<void(amqp::publish_outcome)> done) override;
    void call(amqp::publish_request m, std::chrono::milliseconds timeout,
              std::function<void(amqp::call_result)> done) override;
    std::vector<amqp::publish_request> published() const;

private:
    mutable std::mutex mutex_;
    std::vector<amqp::publish_request> published_;
};

class fake_spool final : public spool_port {
public:
    std::atomic<append_status> next{append_status::stored};
    void append(const amqp::publish_request& m, std::function<void(append_status)> done) override;
    bool writable() const override { return next.load() == append_status::stored; }
    std::uint64_t events() const override;
    std::uint64_t bytes() const override { return 0; }
    std::vector<amqp::publish_request> stored() const;

private:
    mutable std::mutex mutex_;
    std::vector<amqp::publish_request> stored_;
};

}  // namespace las::gateway::test
