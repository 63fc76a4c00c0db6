#pragma once
// What every pending_state_store must do, checked the same way on SQLite and on Redis.

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "state/pending_state_store.hpp"

namespace las::state::test {

inline void check_pending_state_contract(pending_state_store& store) {
    using namespace std::chrono_literals;
    using pp = pending_priority;
    const auto t0 = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'000));

    CHECK(store.pending_people(pp::rep).value() == 0);
    REQUIRE(store.add("rec_b", "b1", pp::background, t0).ok());
    REQUIRE(store.add("rec_a", "a1", pp::background, t0 + 1s).ok());
    REQUIRE(store.add("rec_a", "a2", pp::rep, t0 + 2s).ok());
    REQUIRE(store.add("rec_b", "b2", pp::background, t0 + 3s).ok());

    // Queues: longest-waiting first, scored by the oldest pending update of that priority.
    auto background = store.oldest(pp::background, 10);
    REQUIRE(background.ok());
    REQUIRE(background->size() == 2);
    CHECK((*background)[0].record_id == "rec_b");
    CHECK((*background)[0].since == t0);
    CHECK((*background)[1].record_id == "rec_a");
    CHECK(store.oldest(pp::background, 1)->size() == 1);
    auto rep = store.oldest(pp::rep, 10);
    REQUIRE(rep->size() == 1);
    CHECK((*rep)[0].record_id == "rec_a");
    CHECK((*rep)[0].since == t0 + 2s);
    CHECK(store.pending_people(pp::background).value() == 2);
    CHECK(store.pending_people(pp::rep).value() == 1);

    // load: every update of the Person, in order, nothing written yet.
    auto a = store.load("rec_a");
    REQUIRE(a.ok());
    CHECK(a->updates == std::vector<std::string>{"a1", "a2"});
    CHECK_FALSE(a->written.has_value());

    // An update arriving during the write stays pending after the settle, and keeps its Person queued.
    REQUIRE(store.add("rec_a", "a3", pp::background, t0 + 4s).ok());
    REQUIRE(store.settle("rec_a", a->upto, "merged-a", t0 + 5s).ok());
    a = store.load("rec_a");
    CHECK(a->updates == std::vector<std::string>{"a3"});
    CHECK(a->written == std::optional<std::string>("merged-a"));
    CHECK(store.pending_people(pp::rep).value() == 0);  // a2 was the only rep update
    background = store.oldest(pp::background, 10);
    REQUIRE(background->size() == 2);
    CHECK((*background)[0].record_id == "rec_b");

    // Settled completely: the Person leaves every queue; its written state stays for the next flush.
    REQUIRE(store.settle("rec_a", a->upto, "merged-a2", t0 + 6s).ok());
    a = store.load("rec_a");
    CHECK(a->updates.empty());
    CHECK(a->written == std::optional<std::string>("merged-a2"));
    CHECK(store.pending_people(pp::background).value() == 1);

    // A stale settle (its load was overtaken by a later flush's load and settle) removes
    // nothing that arrived after the later load.
    REQUIRE(store.add("rec_c", "c1", pp::rep, t0 + 7s).ok());
    auto stale = store.load("rec_c");
    REQUIRE(store.add("rec_c", "c2", pp::rep, t0 + 8s).ok());
    auto fresh = store.load("rec_c");
    REQUIRE(store.settle("rec_c", fresh->upto, "merged-c2", t0 + 9s).ok());
    REQUIRE(store.add("rec_c", "c3", pp::rep, t0 + 10s).ok());
    REQUIRE(store.settle("rec_c", stale->upto, "merged-c1", t0 + 11s).ok());
    CHECK(store.load("rec_c")->updates == std::vector<std::string>{"c3"});
    CHECK(store.pending_people(pp::rep).value() == 1);

    // Unknown Person: nothing.
    auto none = store.load("rec_unknown");
    REQUIRE(none.ok());
    CHECK(none->updates.empty());
    CHECK_FALSE(none->written.has_value());
}

}  // namespace las::state::test
