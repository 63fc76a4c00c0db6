#pragma once
// Runs a coroutine to completion on an io_context that other test objects are bound to.

#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

#include "core/asio.hpp"

namespace las::test {

// Runs `task` on `ctx` (whose executor other objects, e.g. an http::client, are bound to)
// until it completes; other work left on `ctx` (idle connections) does not keep it waiting.
template <class T>
T run_in(asio::io_context& ctx, awaitable<T> task) {
    std::optional<T> out;
    std::exception_ptr error;
    bool done = false;
    asio::co_spawn(
        ctx,
        [&]() -> awaitable<void> {
            try {
                out.emplace(co_await std::move(task));
            } catch (...) {
                error = std::current_exception();
            }
            done = true;
        },
        asio::detached);
    while (!done) {
        if (ctx.run_one() == 0) {
            ctx.restart();
            if (!done && ctx.poll() == 0 && !done) throw std::runtime_error("run_in: the io_context ran out of work");
        }
    }
    if (error) std::rethrow_exception(error);
    return std::move(*out);
}

}  // namespace las::test
