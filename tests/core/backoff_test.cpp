#include <catch2/catch.hpp>

#include "core/backoff.hpp"

using namespace las;
using namespace std::chrono_literals;

TEST_CASE("backoff grows exponentially to its cap") {
    const backoff_policy p{100ms, 5s};
    CHECK(backoff_delay(p, 0, 1.0) == 100ms);
    CHECK(backoff_delay(p, 1, 1.0) == 200ms);
    CHECK(backoff_delay(p, 3, 1.0) == 800ms);
    CHECK(backoff_delay(p, 10, 1.0) == 5s);
    CHECK(backoff_delay(p, 1000, 1.0) == 5s);
    const backoff_policy triple{100ms, 5s, 3};
    CHECK(backoff_delay(triple, 1, 1.0) == 300ms);
    CHECK(backoff_delay(triple, 2, 1.0) == 900ms);
    CHECK(backoff_delay(triple, 4, 1.0) == 5s);
}

TEST_CASE("jitter spreads delays but never below half the base") {
    const backoff_policy p{100ms, 5s};
    CHECK(backoff_delay(p, 5, 0.0) == 50ms);
    CHECK(backoff_delay(p, 5, 0.5) == 1600ms);
    backoff b(p);
    for (int i = 0; i < 50; ++i) {
        const auto d = b.next();
        CHECK(d >= 50ms);
        CHECK(d <= 5s);
    }
    CHECK(b.attempts() == 50);
    b.reset();
    CHECK(b.attempts() == 0);
}
