#pragma once
// A one-shot wake-up: one coroutine waits for it with a deadline, any thread fires it.
// Built from a steady_timer that fire() cancels. The timer is only ever touched under the
// mutex, and the wait is started inside the initiation under that mutex too, so a fire()
// racing with the start of the wait is never lost (the wait then completes at once).
// Used by the client's connection pool (waiters for a free connection) and to put a
// deadline on name resolution.

#include <chrono>
#include <mutex>

#include "core/asio.hpp"

namespace las::http::detail {

class wakeup {
public:
    using clock_type = std::chrono::steady_clock;

    explicit wakeup(asio::any_io_executor executor) : timer_(std::move(executor)) {}
    wakeup(const wakeup&) = delete;
    wakeup& operator=(const wakeup&) = delete;

    // True when fired (before or during the wait), false when the deadline passed first.
    // One waiter at a time.
    awaitable<bool> wait_until(clock_type::time_point deadline) {
        boost::system::error_code ec;  // operation_aborted (fired) or success (deadline): the flag tells
        auto token = asio::redirect_error(use_awaitable, ec);
        co_await asio::async_initiate<decltype(token), void(boost::system::error_code)>(
            [this, deadline](auto handler) {
                std::lock_guard lock(mutex_);
                timer_.expires_at(fired_ ? clock_type::time_point{} : deadline);
                timer_.async_wait(std::move(handler));
            },
            token);
        std::lock_guard lock(mutex_);
        co_return fired_;
    }

    void fire() {
        std::lock_guard lock(mutex_);
        fired_ = true;
        timer_.cancel();
    }

    bool fired() const {
        std::lock_guard lock(mutex_);
        return fired_;
    }

private:
    mutable std::mutex mutex_;
    asio::steady_timer timer_;
    bool fired_ = false;
};

}  // namespace las::http::detail
