#include <catch2/catch.hpp>

#include "core/retry_after.hpp"

using namespace las;
using namespace std::chrono;

namespace {
system_clock::time_point at(int y, unsigned m, unsigned d, int hh, int mm, int ss, int ms = 0) {
    return sys_days(year(y) / month(m) / day(d)) + hours(hh) + minutes(mm) + seconds(ss) + milliseconds(ms);
}
}  // namespace

TEST_CASE("Retry-After in seconds (Lemlist)") {
    const auto now = at(2026, 11, 23, 10, 0, 0);
    CHECK(parse_retry_after("2", now) == milliseconds(2000));
    CHECK(parse_retry_after(" 0 ", now) == milliseconds(0));
    CHECK_FALSE(parse_retry_after("-1", now));
    CHECK_FALSE(parse_retry_after("", now));
    CHECK_FALSE(parse_retry_after("soon", now));
}

TEST_CASE("Retry-After as an HTTP-date (Attio)") {
    const auto now = at(2023, 5, 23, 14, 42, 0, 250);
    CHECK(parse_retry_after("Tue, 23 May 2023 14:42:01 GMT", now) == milliseconds(750));
    CHECK(parse_retry_after("Tue, 23 May 2023 14:41:00 GMT", now) == milliseconds(0));  // past means now
    CHECK(parse_retry_after("Tuesday, 23-May-23 14:42:02 GMT", now) == milliseconds(1750));
    CHECK(parse_retry_after("Tue May 23 14:42:03 2023", now) == milliseconds(2750));
    CHECK_FALSE(parse_retry_after("Tue, 32 May 2023 14:42:01 GMT", now));
    CHECK_FALSE(parse_retry_after("Tue, 23 Foo 2023 14:42:01 GMT", now));
}

TEST_CASE("HTTP-date round trip") {
    const auto t = at(1994, 11, 6, 8, 49, 37);
    CHECK(format_http_date(t) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == t);
}
