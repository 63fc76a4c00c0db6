// The single node's pending Person state: durable across a restart, queues by priority.
#include <catch2/catch.hpp>

#include "pending_state_contract.hpp"
#include "state/sqlite_pending_state.hpp"
#include "test_support.hpp"

using namespace las::state;
using las::state::test::temp_dir;

TEST_CASE("sqlite pending state: queues by priority, settle up to what was loaded, survives a reopen") {
    temp_dir dir;
    sqlite_pending_options o;
    o.directory = dir.path() / "state";
    {
        sqlite_pending_state store(o);
        test::check_pending_state_contract(store);
    }
    // Reopened (a worker restarted after SIGKILL): the pending update and the written state are there.
    sqlite_pending_state reopened(o);
    auto b = reopened.load("rec_b");
    REQUIRE(b.ok());
    CHECK(b->updates == std::vector<std::string>{"b1", "b2"});
    CHECK(reopened.pending_people(pending_priority::background).value() == 1);
    CHECK(reopened.load("rec_a")->written == std::optional<std::string>("merged-a2"));
}
