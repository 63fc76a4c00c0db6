// Integration: the pool's pending Person state against a real Redis (LAS_TEST_REDIS_URL).
#include <catch2/catch.hpp>

#include "pending_state_contract.hpp"
#include "state/redis_pending_state.hpp"
#include "test_support.hpp"

using namespace las::state;
using namespace std::chrono_literals;

TEST_CASE("redis pending state: queues by priority, settle up to what was loaded, expiring with the window") {
    auto client = std::make_shared<redis_client>(test::redis_url());
    const auto prefix = test::unique_prefix();
    redis_pending_state store(client, 3600s, prefix);

    test::check_pending_state_contract(store);

    for (const auto& key : {prefix + "pending:rec_b", prefix + "written:rec_a"}) {
        auto ttl = client->command({"TTL", key});
        REQUIRE(ttl.ok());
        CHECK(ttl->integer > 3500);
        CHECK(ttl->integer <= 3600);
    }
}
