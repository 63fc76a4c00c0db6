#pragma once
// Runs fn(0) … fn(count-1) as coroutines on the caller's executor with at most
// `concurrency` in flight, and completes when all have (Boost 1.74 has no parallel_group).
// For the records of an enrollment job and of `sync-worker enroll`. The caller's executor
// must be single-threaded (the worker's I/O thread): the shared counters are not atomic.
// The first exception of any fn is rethrown after all have finished.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>

#include "core/asio.hpp"

namespace las::sync {

inline awaitable<void> for_each_bounded(std::size_t count, std::size_t concurrency,
                                        std::function<awaitable<void>(std::size_t)> fn) {
    const std::size_t workers = std::min(count, std::max<std::size_t>(concurrency, 1));
    if (workers == 0) co_return;
    auto ex = co_await asio::this_coro::executor;
    struct shared_state {
        explicit shared_state(asio::any_io_executor e) : all_done(e, asio::steady_timer::time_point::max()) {}
        std::size_t next = 0;
        std::size_t running = 0;
        std::exception_ptr error;
        asio::steady_timer all_done;
    };
    auto state = std::make_shared<shared_state>(ex);
    state->running = workers;
    for (std::size_t w = 0; w < workers; ++w) {
        asio::co_spawn(
            ex,
            [state, &fn, count]() -> awaitable<void> {
                while (state->next < count) {
                    const std::size_t i = state->next++;
                    co_await fn(i);
                }
            },
            [state](std::exception_ptr e) {
                if (e && !state->error) state->error = e;
                if (--state->running == 0) state->all_done.cancel();
            });
    }
    // co_spawn posts: the workers start once this coroutine suspends here, so the cancel
    // cannot come before the wait (checked anyway).
    if (state->running > 0) {
        boost::system::error_code ec;
        co_await state->all_done.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (state->error) std::rethrow_exception(state->error);
}

}  // namespace las::sync
