// The SQLite job store (enrollment job progress): the shared contract, and the TTL.
#include <catch2/catch.hpp>

#include "job_store_checks.hpp"
#include "state/sqlite_store.hpp"
#include "test_support.hpp"

using namespace las::state;
using namespace std::chrono_literals;

namespace {

sqlite_store make(const test::temp_dir& dir, test::fake_clock& clock, std::chrono::seconds ttl = 3600s) {
    sqlite_store_options o;
    o.directory = dir.path();
    o.ttl = ttl;
    o.clock = clock.fn();
    return sqlite_store(o);
}

}  // namespace

TEST_CASE("sqlite job store: the contract") {
    test::temp_dir dir;
    test::fake_clock clock;
    auto store = make(dir, clock);
    test::check_job_store_contract(store);
}

TEST_CASE("sqlite job store: a job lives the TTL from its last update, then is gone (and purged)") {
    test::temp_dir dir;
    test::fake_clock clock;
    auto store = make(dir, clock, 60s);
    test::must_do(store.begin_job("job_t", 2));
    clock.advance(50s);
    test::must_do(store.settle_record("job_t", "r1", "{}"));  // refreshes the TTL
    clock.advance(50s);
    CHECK(test::must_get(store, "job_t").results.size() == 1);
    clock.advance(11s);
    auto gone = store.get_job("job_t");
    REQUIRE(gone);
    CHECK_FALSE(gone.value().has_value());
    auto purged = store.purge_expired();
    REQUIRE(purged);
    CHECK(*purged >= 1);
    // A job seen again after its TTL starts over.
    test::must_do(store.begin_job("job_t", 2));
    CHECK(test::must_get(store, "job_t").results.empty());
}

TEST_CASE("sqlite job store: the file is shared by two stores (a restarted worker sees its jobs)") {
    test::temp_dir dir;
    test::fake_clock clock;
    {
        auto store = make(dir, clock);
        test::must_do(store.begin_job("job_p", 1));
        test::must_do(store.settle_record("job_p", "r", R"({"record_id":"r","status":"enrolled"})"));
        test::must_do(store.set_job_state("job_p", job_state::done));
    }
    auto reopened = make(dir, clock);
    const auto p = test::must_get(reopened, "job_p");
    CHECK(p.state == job_state::done);
    REQUIRE(p.results.size() == 1);
}
