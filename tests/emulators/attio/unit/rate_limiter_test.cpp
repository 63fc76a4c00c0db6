#include <catch2/catch.hpp>

#include "attio_emulator/rate_limiter.hpp"
#include "core/retry_after.hpp"
#include "test_support.hpp"

using namespace las::attio_emulator;
using namespace std::chrono;

namespace {
const system_clock::time_point t0 = system_clock::time_point(seconds(1767225600)) + milliseconds(100);
}

TEST_CASE("the 26th write within one second is refused, the next second admits again") {
    rate_limiter rl;
    for (int i = 0; i < 25; ++i) REQUIRE_FALSE(rl.admit("k", request_kind::write, t0 + milliseconds(i * 30)));
    const auto retry = rl.admit("k", request_kind::write, t0 + milliseconds(800));
    REQUIRE(retry);
    CHECK(*retry == system_clock::time_point(seconds(1767225601)));  // the next window
    CHECK_FALSE(rl.admit("k", request_kind::write, t0 + milliseconds(900)));  // 900 ms after t0: next second
}

TEST_CASE("the 101st read within one second is refused - reads and writes are counted apart") {
    rate_limiter rl;
    for (int i = 0; i < 100; ++i) REQUIRE_FALSE(rl.admit("k", request_kind::read, t0));
    CHECK(rl.admit("k", request_kind::read, t0));
    // Writes have their own budget.
    for (int i = 0; i < 25; ++i) CHECK_FALSE(rl.admit("k", request_kind::write, t0));
    CHECK(rl.admit("k", request_kind::write, t0));
    // Another token has its own budget too.
    CHECK_FALSE(rl.admit("other", request_kind::read, t0));
    CHECK_FALSE(rl.admit("k", request_kind::read, t0 + seconds(1)));
}

TEST_CASE("refused requests do not use up the next window") {
    rate_limiter rl;
    for (int i = 0; i < 25; ++i) REQUIRE_FALSE(rl.admit("k", request_kind::write, t0));
    for (int i = 0; i < 50; ++i) REQUIRE(rl.admit("k", request_kind::write, t0));
    for (int i = 0; i < 25; ++i) CHECK_FALSE(rl.admit("k", request_kind::write, t0 + seconds(1)));
    CHECK(rl.admit("k", request_kind::write, t0 + seconds(1)));
}

TEST_CASE("scale and off") {
    rate_limiter rl({true, 2.0});
    CHECK(rl.limit(request_kind::read) == 200);
    CHECK(rl.limit(request_kind::write) == 50);
    for (int i = 0; i < 50; ++i) REQUIRE_FALSE(rl.admit("k", request_kind::write, t0));
    CHECK(rl.admit("k", request_kind::write, t0));
    rl.configure({true, 0.01});
    CHECK(rl.limit(request_kind::write) == 1);
    rl.configure({false, 1.0});
    for (int i = 0; i < 1000; ++i) REQUIRE_FALSE(rl.admit("k", request_kind::write, t0));
}

TEST_CASE("over HTTP: 429 with Attio's body and Retry-After as an HTTP-date") {
    attio_test::harness h(true);
    for (int i = 0; i < 25; ++i) {
        REQUIRE(h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})").status == 200);
    }
    auto r = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})");
    CHECK(r.status == 429);
    CHECK(r.code() == "rate_limit_exceeded");
    CHECK(std::string(r.json["type"].GetString()) == "rate_limit_error");
    CHECK(std::string(r.json["message"].GetString()) == "Rate limit exceeded, please try again later");
    const auto retry_after = r.header("Retry-After");
    CHECK(retry_after == "Thu, 01 Jan 2026 00:00:01 GMT");
    CHECK(las::parse_http_date(retry_after) == std::optional<system_clock::time_point>(system_clock::time_point(seconds(1767225601))));
    // A query is a read: still admitted.
    CHECK(h.call("POST", "/v2/objects/people/records/query", "{}").status == 200);
    h.clock.advance(milliseconds(750));
    CHECK(h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})").status == 200);
    CHECK(h.svc->counters().snapshot().rate_limited == 1);
    CHECK(h.call("GET", "/__emulator/people").data().Size() == 26);  // the refused one did nothing
}
