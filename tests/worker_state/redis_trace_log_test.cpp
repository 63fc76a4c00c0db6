// Integration: the pool's trace log against a real Redis (LAS_TEST_REDIS_URL).
#include <catch2/catch.hpp>

#include "state/redis_trace_log.hpp"
#include "test_support.hpp"
#include "trace_log_contract.hpp"

using namespace las::state;
using namespace std::chrono_literals;

TEST_CASE("redis trace log: lines per key in order, capped at the newest, expiring with the window") {
    auto client = std::make_shared<redis_client>(test::redis_url());
    const auto prefix = test::unique_prefix();
    redis_trace_log log(client, 3600s, prefix);

    test::check_trace_log_contract(log);

    auto ttl = client->command({"TTL", prefix + "trace:act_1"});
    REQUIRE(ttl.ok());
    CHECK(ttl->integer > 3500);
    CHECK(ttl->integer <= 3600);
}
