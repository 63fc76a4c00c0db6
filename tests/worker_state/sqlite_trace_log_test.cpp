// The single-node trace log: lines per key, oldest first, capped, forgotten with the window.
#include <catch2/catch.hpp>

#include "state/sqlite_trace_log.hpp"
#include "test_support.hpp"

using namespace las::state;
using namespace std::chrono_literals;
using las::state::test::fake_clock;
using las::state::test::temp_dir;

TEST_CASE("sqlite trace log: lines per key in order, capped at the newest, gone past the window") {
    temp_dir dir;
    fake_clock clock;
    sqlite_trace_options o;
    o.directory = dir.path() / "state";
    o.ttl = 1h;
    o.clock = clock.fn();
    o.purge_every = 3;
    sqlite_trace_log log(o);

    REQUIRE(log.append("act_1", R"({"attempt":1})").ok());
    REQUIRE(log.append("act_2", R"({"attempt":1,"other":true})").ok());
    REQUIRE(log.append("act_1", R"({"attempt":2})").ok());
    auto lines = log.lines("act_1");
    REQUIRE(lines.ok());
    CHECK(*lines == std::vector<std::string>{R"({"attempt":1})", R"({"attempt":2})"});
    CHECK(log.lines("act_unknown")->empty());

    for (std::size_t i = 0; i < max_trace_lines + 5; ++i) REQUIRE(log.append("act_many", std::to_string(i)).ok());
    lines = log.lines("act_many");
    REQUIRE(lines->size() == max_trace_lines);
    CHECK(lines->front() == "5");  // the oldest went
    CHECK(lines->back() == std::to_string(max_trace_lines + 4));

    // Reopened (a restart): still there. Past the window: forgotten.
    sqlite_trace_log reopened(o);
    CHECK(reopened.lines("act_2")->size() == 1);
    clock.advance(61min);
    CHECK(reopened.lines("act_2")->empty());
}
