#include <catch2/catch.hpp>

#include "state/local_rate_gate.hpp"
#include "state/redis_store.hpp"
#include "state/shared_limiter.hpp"
#include "state/sqlite_store.hpp"
#include "state/store_factory.hpp"
#include "test_support.hpp"

using namespace las::state;
using namespace std::chrono_literals;

TEST_CASE("factory: without REDIS_URL, SQLite under STATE_DIR and local gates") {
    las::state::test::temp_dir dir;
    las::worker_settings settings;
    settings.state_dir = (dir.path() / "state").string();
    settings.idempotency_ttl = 600s;

    auto state = make_worker_state(settings);
    REQUIRE(state.idempotency);
    REQUIRE(state.locks);
    CHECK_FALSE(state.redis);
    CHECK(dynamic_cast<sqlite_store*>(state.idempotency.get()) != nullptr);
    CHECK(std::filesystem::exists(dir.path() / "state" / "idempotency.sqlite3"));

    auto c = state.idempotency->claim("evt", 10s);
    REQUIRE(c.ok());
    CHECK(c->status == claim_status::claimed);
    CHECK(state.idempotency->check().ok());

    auto gate = state.make_gate("lemlist", 20, 2s);
    CHECK(dynamic_cast<local_rate_gate*>(gate.get()) != nullptr);
    CHECK(gate->name() == "lemlist");

    auto single = make_idempotency_store(settings);  // a second object on the same file
    auto again = single->claim("evt", 10s);
    REQUIRE(again.ok());
    CHECK(again->status == claim_status::held_elsewhere);
}

TEST_CASE("factory: with REDIS_URL, Redis stores and shared gates (no connection needed to build them)") {
    las::worker_settings settings;
    settings.redis_url = "redis://127.0.0.1:1/";
    auto state = make_worker_state(settings);
    REQUIRE(state.redis);
    CHECK(dynamic_cast<redis_store*>(state.idempotency.get()) != nullptr);
    CHECK(dynamic_cast<shared_limiter*>(state.make_gate("attio-read", 80, 1s).get()) != nullptr);
    CHECK(dynamic_cast<redis_store*>(make_idempotency_store(settings).get()) != nullptr);
}

TEST_CASE("factory: a malformed REDIS_URL stops start-up naming the setting") {
    las::worker_settings settings;
    settings.redis_url = "http://127.0.0.1:6379";
    try {
        make_worker_state(settings);
        FAIL("no exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).rfind("REDIS_URL", 0) == 0);
    }
}
