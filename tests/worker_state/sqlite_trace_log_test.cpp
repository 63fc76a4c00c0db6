// The single-node trace log: lines per key, oldest first, capped, forgotten with the window.
#include <catch2/catch.hpp>

#include "state/sqlite_trace_log.hpp"
#include "test_support.hpp"
#include "trace_log_contract.hpp"

using namespace las::state;
using namespace std::chrono_literals;
using las::state::test::fake_clock;
using las::state::test::temp_dir;
using las::state::test::check_trace_log_contract;

TEST_CASE("sqlite trace log: lines per key in order, capped at the newest, gone past the window") {
    temp_dir dir;
    fake_clock clock;
    sqlite_trace_options o;
    o.directory = dir.path() / "state";
    o.ttl = 1h;
    o.clock = clock.fn();
    o.purge_every = 3;  // purges run during the contract: they must not drop live lines
    sqlite_trace_log log(o);

    check_trace_log_contract(log);

    // Reopened (a restart): still there. Past the window: forgotten.
    sqlite_trace_log reopened(o);
    CHECK(reopened.lines("act_2")->size() == 1);
    clock.advance(61min);
    CHECK(reopened.lines("act_2")->empty());
}
