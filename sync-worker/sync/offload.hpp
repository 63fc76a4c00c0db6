#pragma once
// Runs a blocking call (an idempotency-store or lock call: SQLite, Redis) on a small thread
// pool and resumes the calling coroutine on its own executor, so the worker's single I/O
// thread never waits on a disk or a Redis round trip.

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/asio.hpp"

namespace las::sync {

template <class F>
auto offload(asio::thread_pool& pool, F f) -> awaitable<std::invoke_result_t<F&>> {
    using value_type = std::invoke_result_t<F&>;
    auto home = co_await asio::this_coro::executor;
    auto answer = co_await asio::async_initiate<decltype(use_awaitable), void(std::exception_ptr, std::optional<value_type>)>(
        [&pool, home](auto handler, F fn) {
            asio::post(pool, [handler = std::move(handler), fn = std::move(fn), home]() mutable {
                std::optional<value_type> value;
                std::exception_ptr error;
                try {
                    value.emplace(fn());
                } catch (...) {
                    error = std::current_exception();
                }
                asio::post(home, [handler = std::move(handler), error, value = std::move(value)]() mutable {
                    std::move(handler)(error, std::move(value));
                });
            });
        },
        use_awaitable, std::move(f));
    co_return std::move(answer).value();
}

}  // namespace las::sync
