#pragma once
// The job store's contract (state/job_store.hpp), checked the same way on both backends:
// job_store_test.cpp (SQLite, unit) and redis_store_test.cpp (Redis, integration).

#include <catch2/catch.hpp>

#include "state/job_store.hpp"

namespace las::state::test {

inline job_progress must_get(job_store& store, std::string_view job_id) {
    auto r = store.get_job(job_id);
    if (!r) FAIL("get_job failed: " << r.error().to_string());
    if (!r.value()) FAIL("job " << job_id << " not found");
    return *r.value();
}

inline bool must_do(las::result<bool, store_error> r) {
    if (!r) FAIL("job store call failed: " << r.error().to_string());
    return *r;
}

inline void check_job_store_contract(job_store& store) {
    SECTION("an unseen job is not found") {
        auto r = store.get_job("job_unseen");
        REQUIRE(r);
        CHECK_FALSE(r.value().has_value());
    }
    SECTION("running, records as they settle (first verdict kept), queued, done") {
        must_do(store.begin_job("job_1", 3));
        auto p = must_get(store, "job_1");
        CHECK(p.state == job_state::running);
        CHECK(p.total == 3);
        CHECK(p.results.empty());

        CHECK(must_do(store.settle_record("job_1", "rec_b", R"({"record_id":"rec_b","status":"enrolled"})")));
        CHECK_FALSE(must_do(store.settle_record("job_1", "rec_b", R"({"record_id":"rec_b","status":"duplicate"})")));
        CHECK(must_do(store.settle_record("job_1", "rec_a", R"({"record_id":"rec_a","status":"rejected"})")));
        p = must_get(store, "job_1");
        REQUIRE(p.results.size() == 2);
        CHECK(p.results[0].first == "rec_a");  // by record id
        CHECK(p.results[1].second == R"({"record_id":"rec_b","status":"enrolled"})");

        must_do(store.set_job_state("job_1", job_state::queued));
        CHECK(must_get(store, "job_1").state == job_state::queued);
        must_do(store.begin_job("job_1", 3));  // the retry keeps what settled
        p = must_get(store, "job_1");
        CHECK(p.state == job_state::running);
        CHECK(p.results.size() == 2);

        must_do(store.settle_record("job_1", "rec_c", R"({"record_id":"rec_c","status":"failed"})"));
        must_do(store.set_job_state("job_1", job_state::done));
        p = must_get(store, "job_1");
        CHECK(p.state == job_state::done);
        CHECK(p.results.size() == 3);

        // A replay of a done job starts over.
        must_do(store.begin_job("job_1", 3));
        p = must_get(store, "job_1");
        CHECK(p.state == job_state::running);
        CHECK(p.results.empty());
    }
    SECTION("jobs do not see each other's records") {
        must_do(store.begin_job("job_x", 1));
        must_do(store.begin_job("job_y", 1));
        must_do(store.settle_record("job_x", "r", "{}"));
        CHECK(must_get(store, "job_x").results.size() == 1);
        CHECK(must_get(store, "job_y").results.empty());
    }
}

}  // namespace las::state::test
