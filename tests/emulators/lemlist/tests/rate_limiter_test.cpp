#include <catch2/catch.hpp>

#include "emu/rate_limiter.hpp"

using namespace las::lemlist_emu;
using namespace std::chrono_literals;

TEST_CASE("20 requests per 2 s pass and the 21st is refused", "[rate]") {
    rate_limiter limiter;  // defaults: the published 20 / 2 s
    const sys_ms t0 = *parse_iso8601("2026-01-01T00:00:00Z");
    for (int i = 1; i <= 20; ++i) {
        const auto d = limiter.acquire("key", t0 + std::chrono::milliseconds(i * 10));
        REQUIRE(d.allowed);
        CHECK(d.limit == 20);
        CHECK(d.remaining == 20 - i);
        CHECK(d.reset_at == t0 + 10ms + 2000ms);
        CHECK(d.retry_after_s == (i < 20 ? 0 : 2));
    }
    const auto refused = limiter.acquire("key", t0 + 1500ms);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.remaining == 0);
    CHECK(refused.retry_after_s == 1);  // 510 ms left, rounded up to whole seconds
    // Refusals do not extend the window.
    CHECK_FALSE(limiter.acquire("key", t0 + 2009ms).allowed);
    const auto after = limiter.acquire("key", t0 + 2010ms);
    CHECK(after.allowed);
    CHECK(after.remaining == 19);
}

TEST_CASE("keys are limited independently", "[rate]") {
    rate_limiter limiter(2, 1000ms);
    const sys_ms t0 = *parse_iso8601("2026-01-01T00:00:00Z");
    CHECK(limiter.acquire("a", t0).allowed);
    CHECK(limiter.acquire("a", t0).allowed);
    CHECK_FALSE(limiter.acquire("a", t0).allowed);
    CHECK(limiter.acquire("b", t0).allowed);
    limiter.clear();
    CHECK(limiter.acquire("a", t0).allowed);
}

TEST_CASE("a refused request right at the start waits the whole window", "[rate]") {
    rate_limiter limiter(1, 2000ms);
    const sys_ms t0 = *parse_iso8601("2026-01-01T00:00:00Z");
    CHECK(limiter.acquire("k", t0).allowed);
    const auto d = limiter.acquire("k", t0);
    CHECK_FALSE(d.allowed);
    CHECK(d.retry_after_s == 2);
}
