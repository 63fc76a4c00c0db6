// Integration: the pool's trace log against a real Redis (LAS_TEST_REDIS_URL).
#include <catch2/catch.hpp>

#include "state/redis_trace_log.hpp"
#include "test_support.hpp"

using namespace las::state;
using namespace std::chrono_literals;

TEST_CASE("redis trace log: lines per key in order, capped at the newest, expiring with the window") {
    auto client = std::make_shared<redis_client>(test::redis_url());
    const auto prefix = test::unique_prefix();
    redis_trace_log log(client, 3600s, prefix);

    REQUIRE(log.append("act_1", R"({"attempt":1})").ok());
    REQUIRE(log.append("act_2", R"({"x":1})").ok());
    REQUIRE(log.append("act_1", R"({"attempt":2})").ok());
    auto lines = log.lines("act_1");
    REQUIRE(lines.ok());
    CHECK(*lines == std::vector<std::string>{R"({"attempt":1})", R"({"attempt":2})"});
    CHECK(log.lines("act_unknown")->empty());

    for (std::size_t i = 0; i < max_trace_lines + 5; ++i) REQUIRE(log.append("act_many", std::to_string(i)).ok());
    lines = log.lines("act_many");
    REQUIRE(lines->size() == max_trace_lines);
    CHECK(lines->front() == "5");

    auto ttl = client->command({"TTL", prefix + "trace:act_1"});
    REQUIRE(ttl.ok());
    CHECK(ttl->integer > 3500);
    CHECK(ttl->integer <= 3600);
}
