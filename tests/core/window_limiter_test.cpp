#include <catch2/catch.hpp>

#include <deque>

#include "core/window_limiter.hpp"

using namespace las;
using namespace std::chrono_literals;
using clock_type = window_limiter::clock;

TEST_CASE("the limiter grants exactly `limit` per window") {
    window_limiter limiter(25, 1s);
    const auto t0 = clock_type::time_point{} + 100s;
    for (int i = 0; i < 25; ++i) CHECK(limiter.try_acquire(t0) == clock_type::duration::zero());
    const auto wait = limiter.try_acquire(t0 + 10ms);
    CHECK(wait == 990ms);
    CHECK(limiter.try_acquire(t0 + 999ms) > clock_type::duration::zero());
    CHECK(limiter.try_acquire(t0 + 1s) == clock_type::duration::zero());
}

TEST_CASE("no interval of one window ever sees more than `limit` grants") {
    // Drive the limiter with requests every 7 ms for 10 s and check every sliding window.
    window_limiter limiter(20, 2s);
    std::deque<clock_type::time_point> granted;
    const auto start = clock_type::time_point{} + 1000s;
    std::size_t total = 0;
    for (auto t = start; t < start + 10s; t += 7ms) {
        if (limiter.try_acquire(t) == clock_type::duration::zero()) {
            granted.push_back(t);
            ++total;
            while (t - granted.front() >= 2s) granted.pop_front();
            REQUIRE(granted.size() <= 20);
        }
    }
    // The budget is used: 5 windows of 20.
    CHECK(total == 100);
}

TEST_CASE("a pause from a 429 blocks until its end") {
    window_limiter limiter(100, 1s);
    const auto t0 = clock_type::time_point{} + 50s;
    limiter.pause_until(t0 + 300ms);
    CHECK(limiter.try_acquire(t0) == 300ms);
    CHECK(limiter.try_acquire(t0 + 299ms) == 1ms);
    CHECK(limiter.try_acquire(t0 + 300ms) == clock_type::duration::zero());
    limiter.pause_until(t0 + 100ms);  // an earlier pause does not shorten a later one
    CHECK(limiter.try_acquire(t0 + 301ms) == clock_type::duration::zero());
}

TEST_CASE("the limiter rejects nonsense configuration") {
    CHECK_THROWS(window_limiter(0, 1s));
    CHECK_THROWS(window_limiter(1, 0s));
}
