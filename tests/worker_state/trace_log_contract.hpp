#pragma once
// What every trace_log must do, checked the same way on SQLite and on Redis.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "state/trace_log.hpp"

namespace las::state::test {

inline void check_trace_log_contract(trace_log& log) {
    REQUIRE(log.append("act_1", R"({"attempt":1})").ok());
    REQUIRE(log.append("act_2", R"({"other":true})").ok());
    REQUIRE(log.append("act_1", R"({"attempt":2})").ok());
    auto lines = log.lines("act_1");
    REQUIRE(lines.ok());
    CHECK(*lines == std::vector<std::string>{R"({"attempt":1})", R"({"attempt":2})"});  // per key, oldest first
    CHECK(log.lines("act_unknown")->empty());

    for (std::size_t i = 0; i < max_trace_lines + 5; ++i) REQUIRE(log.append("act_many", std::to_string(i)).ok());
    lines = log.lines("act_many");
    REQUIRE(lines->size() == max_trace_lines);
    CHECK(lines->front() == "5");  // the oldest went
    CHECK(lines->back() == std::to_string(max_trace_lines + 4));
}

}  // namespace las::state::test
