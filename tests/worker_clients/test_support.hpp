#pragma once
// Shared helpers of the worker_clients tests: run a coroutine to completion on a private
// io_context, a scripted transport that answers from a queue and records what was sent, and
// a rate gate that always grants and records pauses.

#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/asio.hpp"
#include "outbound/gated_caller.hpp"
#include "state/rate_gate.hpp"
#include "support/http_answer.hpp"
#include "support/run_in.hpp"

namespace las::test {

template <class T>
T run_sync(awaitable<T> task) {
    asio::io_context ctx;
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
    ctx.run();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
}

// Answers from a script, in order; records every request. When the script runs out it
// answers with `fallback` (a 500 by default, so a test that sends too much notices).
class scripted_transport {
public:
    using reply = result<http::client_response, http::transport_error>;

    void push(http::client_response r) { script_.emplace_back(std::move(r)); }
    void push_error(http::transport_error_kind kind) { script_.emplace_back(fail(http::transport_error{kind, "scripted"})); }

    outbound::transport as_transport() {
        return [this](http::client_request request) -> awaitable<reply> {
            sent_.push_back(request);
            if (script_.empty()) co_return answer(500, "script exhausted", "text/plain");
            auto next = std::move(script_.front());
            script_.pop_front();
            co_return next;
        };
    }

    const std::vector<http::client_request>& sent() const { return sent_; }
    std::size_t remaining() const { return script_.size(); }

private:
    std::deque<reply> script_;
    std::vector<http::client_request> sent_;
};

// Grants everything (or refuses with `refuse_wait` when set); records pauses.
class recording_gate final : public state::rate_gate {
public:
    state::gate_answer try_acquire() override {
        ++acquires;
        state::gate_answer a;
        if (refuse_wait) a.wait = *refuse_wait;
        if (store_failure) a.error = state::store_error{state::store_error::kind::unreachable, "scripted"};
        return a;
    }
    std::optional<state::store_error> pause_for(std::chrono::milliseconds d) override {
        pauses.push_back(d);
        return std::nullopt;
    }
    const std::string& name() const override { return name_; }

    std::size_t acquires = 0;
    std::vector<std::chrono::milliseconds> pauses;
    std::optional<std::chrono::milliseconds> refuse_wait;
    bool store_failure = false;

private:
    std::string name_ = "recording";
};

}  // namespace las::test
