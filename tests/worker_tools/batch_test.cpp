// for_each_bounded: every index once, never more than `concurrency` at a time, errors surface.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

#include "support.hpp"
#include "sync/enrollment_batch.hpp"

using namespace las;
using namespace std::chrono_literals;

namespace {

awaitable<void> pause_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(use_awaitable);
}

}  // namespace

TEST_CASE("every index runs once with at most `concurrency` in flight", "[batch]") {
    asio::io_context ctx;
    std::multiset<std::size_t> seen;
    std::size_t running = 0, peak = 0;
    tools_test::run_sync(ctx, [&]() -> awaitable<bool> {
        co_await sync::for_each_bounded(25, 4, [&](std::size_t i) -> awaitable<void> {
            ++running;
            peak = std::max(peak, running);
            co_await pause_for(std::chrono::milliseconds(i % 3));
            seen.insert(i);
            --running;
        });
        co_return true;
    }());
    CHECK(seen.size() == 25);
    for (std::size_t i = 0; i < 25; ++i) CHECK(seen.count(i) == 1);
    CHECK(peak == 4);
    CHECK(running == 0);
}

TEST_CASE("nothing to do, or fewer items than workers", "[batch]") {
    asio::io_context ctx;
    std::size_t calls = 0;
    auto count = [&](std::size_t n, std::size_t k) {
        return tools_test::run_sync(ctx, [&, n, k]() -> awaitable<bool> {
            co_await sync::for_each_bounded(n, k, [&](std::size_t) -> awaitable<void> {
                ++calls;
                co_return;
            });
            co_return true;
        }());
    };
    count(0, 4);
    CHECK(calls == 0);
    count(2, 8);
    CHECK(calls == 2);
    count(3, 0);  // at least one worker
    CHECK(calls == 5);
}

TEST_CASE("an exception is rethrown after every item finished", "[batch]") {
    asio::io_context ctx;
    std::size_t finished = 0;
    auto run = [&]() -> awaitable<bool> {
        co_await sync::for_each_bounded(10, 3, [&](std::size_t i) -> awaitable<void> {
            co_await pause_for(1ms);
            if (i == 4) throw std::runtime_error("boom");
            ++finished;
        });
        co_return true;
    };
    CHECK_THROWS_WITH(tools_test::run_sync(ctx, run()), "boom");
    // The worker that threw stops taking items; the others finish the rest.
    CHECK(finished == 9);
}
