// The backlog signal the flusher shares the write budget by: contended only while the worker
// holds at least `backlog_at` events, released as each event settles.
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "sync/write_demand.hpp"

using las::sync::write_demand;

TEST_CASE("write demand: a backlog is half the window in hand, not one event") {
    write_demand demand(3);
    CHECK_FALSE(demand.contended());
    std::vector<write_demand::hold> held;
    held.push_back(demand.event_in_hand());
    held.push_back(demand.event_in_hand());
    CHECK(demand.waiting() == 2);
    CHECK_FALSE(demand.contended());  // steady traffic: flushes go as soon as they are due
    held.push_back(demand.event_in_hand());
    CHECK(demand.contended());
    held.pop_back();
    CHECK_FALSE(demand.contended());
    held.clear();
    CHECK(demand.waiting() == 0);
}

TEST_CASE("write demand: a moved-from hold releases nothing twice") {
    write_demand demand;  // one event in hand is a backlog
    std::optional<write_demand::hold> a(demand.event_in_hand());
    CHECK(demand.contended());
    write_demand::hold b(std::move(*a));
    a.reset();
    CHECK(demand.waiting() == 1);
    CHECK(demand.contended());
}
