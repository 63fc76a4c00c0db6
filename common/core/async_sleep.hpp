#pragma once
// Waiting inside a coroutine without blocking its thread: the one timer idiom every retry
// and poll loop uses (redirect_error, so a cancelled wait returns instead of throwing).

#include <chrono>

#include "core/asio.hpp"

namespace las {

inline awaitable<void> async_sleep(std::chrono::steady_clock::duration d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
}

}  // namespace las
