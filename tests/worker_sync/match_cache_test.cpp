#include <catch2/catch.hpp>

#include "sync/match_cache.hpp"

using namespace las::sync;
using namespace std::chrono_literals;

namespace {
struct fake_clock {
    std::chrono::steady_clock::time_point now{std::chrono::steady_clock::time_point{} + 1h};
    match_cache::clock_fn fn() {
        return [this] { return now; };
    }
};
}  // namespace

TEST_CASE("the match cache returns what was stored until the TTL") {
    fake_clock clock;
    match_cache cache(10, 5min, clock.fn());
    cache.put(email_identity("a@x.com"), "rec_a");
    CHECK(cache.get(email_identity("a@x.com")) == "rec_a");
    CHECK_FALSE(cache.get(linkedin_identity("a@x.com")));
    clock.now += 4min;
    CHECK(cache.get(email_identity("a@x.com")) == "rec_a");
    clock.now += 1min;
    CHECK_FALSE(cache.get(email_identity("a@x.com")));
    CHECK(cache.size() == 0);
}

TEST_CASE("the match cache evicts the least recently used when full") {
    fake_clock clock;
    match_cache cache(2, 1h, clock.fn());
    cache.put("a", "1");
    cache.put("b", "2");
    CHECK(cache.get("a") == "1");  // a is now the most recent
    cache.put("c", "3");
    CHECK(cache.get("a") == "1");
    CHECK_FALSE(cache.get("b"));
    CHECK(cache.get("c") == "3");
    CHECK(cache.size() == 2);
}

TEST_CASE("forgetting a record drops every identity pointing at it") {
    fake_clock clock;
    match_cache cache(10, 1h, clock.fn());
    cache.put(email_identity("a@x.com"), "rec_1");
    cache.put(linkedin_identity("https://linkedin.com/in/a"), "rec_1");
    cache.put(email_identity("b@x.com"), "rec_2");
    cache.forget_record("rec_1");
    CHECK_FALSE(cache.get(email_identity("a@x.com")));
    CHECK_FALSE(cache.get(linkedin_identity("https://linkedin.com/in/a")));
    CHECK(cache.get(email_identity("b@x.com")) == "rec_2");
}

TEST_CASE("putting an identity again refreshes it") {
    fake_clock clock;
    match_cache cache(10, 10min, clock.fn());
    cache.put("a", "1");
    clock.now += 9min;
    cache.put("a", "2");
    clock.now += 9min;
    CHECK(cache.get("a") == "2");
}
