#pragma once
// Helpers of the worker_tools unit tests: run a coroutine to completion, a provider
// transport answered by a test's function (and recording what was sent), a fresh temporary
// directory, and a delivery built by hand.

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "amqp/message.hpp"
#include "core/asio.hpp"
#include "outbound/gated_caller.hpp"
#include "support/http_answer.hpp"
#include "support/run_in.hpp"

namespace las::tools_test {

template <class T>
T run_sync(asio::io_context& ctx, awaitable<T> task) {
    std::optional<T> out;
    std::exception_ptr error;
    asio::co_spawn(
        ctx,
        [&]() -> awaitable<void> {
            try {
                out.emplace(co_await std::move(task));
            } catch (...) {
                error = std::current_exception();
            }
        },
        asio::detached);
    ctx.restart();
    ctx.run();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
}

using test::answer;
using test::run_in;

// An Attio record as the API renders one (`values` a JSON object), and the answer holding it.
inline std::string attio_record_object(const std::string& record_id, const std::string& values = "{}") {
    return R"({"id":{"workspace_id":"w","object_id":"o","record_id":")" + record_id + R"("},"values":)" + values + "}";
}
inline std::string attio_record(const std::string& record_id, const std::string& values = "{}") {
    return R"({"data":)" + attio_record_object(record_id, values) + "}";
}

// A transport whose answers come from `respond` (a transport error when it returns one);
// every request is recorded.
class fake_transport {
public:
    using reply = result<http::client_response, http::transport_error>;
    std::function<reply(const http::client_request&)> respond;

    outbound::transport as_transport() {
        return [this](http::client_request request) -> awaitable<reply> {
            sent_.push_back(request);
            co_return respond(sent_.back());
        };
    }

    const std::vector<http::client_request>& sent() const { return sent_; }
    std::size_t count(http_proto::verb method, std::string_view path_prefix) const {
        std::size_t n = 0;
        for (const auto& r : sent_) n += (r.method == method && r.target.starts_with(path_prefix)) ? 1 : 0;
        return n;
    }

private:
    std::vector<http::client_request> sent_;
};

// A directory removed when the object goes away.
class temp_dir {
public:
    temp_dir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("las-tools-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline amqp::delivery make_delivery(std::string message_id, std::string body, amqp::header_table headers = {}) {
    amqp::delivery d;
    d.message_id = std::move(message_id);
    d.body = std::move(body);
    d.content_type = "application/json";
    d.headers = std::move(headers);
    d.persistent = true;
    return d;
}

}  // namespace las::tools_test
