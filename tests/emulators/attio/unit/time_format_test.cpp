#include <catch2/catch.hpp>

#include "attio_emulator/time_format.hpp"

using namespace las::attio_emulator;

namespace {
std::string ts(std::string_view in) {
    const auto t = parse_timestamp_input(in);
    return t ? format_timestamp(*t) : "invalid";
}
}  // namespace

TEST_CASE("timestamps are written with nine fractional digits and Z") {
    using namespace std::chrono;
    const sys_nanoseconds t = sys_days{year{2025} / 7 / 27} + hours{1} + minutes{45} + seconds{27} + milliseconds{220};
    CHECK(format_timestamp(t) == "2025-07-27T01:45:27.220000000Z");
}

TEST_CASE("timestamp input forms the docs promise to coerce") {
    CHECK(ts("2019-01-17T15:17:48.000000000Z") == "2019-01-17T15:17:48.000000000Z");
    CHECK(ts("2023") == "2023-01-01T00:00:00.000000000Z");
    CHECK(ts("2023-01") == "2023-01-01T00:00:00.000000000Z");
    CHECK(ts("2023-01-02") == "2023-01-02T00:00:00.000000000Z");
    CHECK(ts("2023-01-02T13:00") == "2023-01-02T13:00:00.000000000Z");
    CHECK(ts("2023-01-02T13:00:05.5") == "2023-01-02T13:00:05.500000000Z");
    CHECK(ts("2023-01-02T13:00:00+02:00") == "2023-01-02T11:00:00.000000000Z");
    CHECK(ts("2023-01-02T23:30:00-01:00") == "2023-01-03T00:30:00.000000000Z");
    CHECK(ts("2023-06-01T10:00:00.123456789123Z") == "2023-06-01T10:00:00.123456789Z");
}

TEST_CASE("malformed timestamps are refused") {
    CHECK(ts("") == "invalid");
    CHECK(ts("yesterday") == "invalid");
    CHECK(ts("2023-13-01") == "invalid");
    CHECK(ts("2023-02-30") == "invalid");
    CHECK(ts("2023-01-02T25:00") == "invalid");
    CHECK(ts("2023-01-02T10:00:00Zjunk") == "invalid");
}

TEST_CASE("dates drop the time part after applying the zone") {
    CHECK(parse_date_input("2004-07-22") == std::optional<std::string>("2004-07-22"));
    CHECK(parse_date_input("2004-07-22T10:00:00") == std::optional<std::string>("2004-07-22"));
    // The documented example: a zone that moves the UTC date is applied first.
    CHECK(parse_date_input("2023-01-02T23:00:00-10:00") == std::optional<std::string>("2023-01-03"));
    CHECK(parse_date_input("9999-12-31") == std::optional<std::string>("9999-12-31"));
    CHECK_FALSE(parse_date_input("22/07/2004"));
}
