// core/time (owned with the Lemlist model, whose createdAt it parses).

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "core/time.hpp"

using namespace las;
using namespace std::chrono;

namespace {

std::int64_t epoch_ms(std::string_view text) {
    const auto t = parse_iso8601(text);
    INFO(text);
    REQUIRE(t);
    return t->time_since_epoch().count();
}

}  // namespace

TEST_CASE("parse_iso8601 reads Lemlist's format and its variants") {
    // 2025-02-27T14:58:05Z is 1740668285 s after the epoch.
    CHECK(epoch_ms("2025-02-27T14:58:05.000Z") == 1'740'668'285'000);
    CHECK(epoch_ms("2025-02-27T14:58:05Z") == 1'740'668'285'000);
    CHECK(epoch_ms("2025-02-27T14:58:05.5Z") == 1'740'668'285'500);
    CHECK(epoch_ms("2025-02-27T14:58:05.12Z") == 1'740'668'285'120);
    CHECK(epoch_ms("2025-02-27T14:58:05.123456789Z") == 1'740'668'285'123);  // truncated, not rounded
    CHECK(epoch_ms("2025-02-27T14:58:05,250Z") == 1'740'668'285'250);
    CHECK(epoch_ms("2025-02-27t14:58:05z") == 1'740'668'285'000);
    CHECK(epoch_ms("2025-02-27 14:58:05Z") == 1'740'668'285'000);
    CHECK(epoch_ms("2025-02-27T15:58:05.000+01:00") == 1'740'668'285'000);
    CHECK(epoch_ms("2025-02-27T15:58:05+0100") == 1'740'668'285'000);
    CHECK(epoch_ms("2025-02-27T15:58:05+01") == 1'740'668'285'000);
    CHECK(epoch_ms("2025-02-27T09:28:05-05:30") == 1'740'668'285'000);
    CHECK(epoch_ms("2025-02-27T14:58:05-00:00") == 1'740'668'285'000);
    CHECK(epoch_ms("1970-01-01T00:00:00Z") == 0);
    CHECK(epoch_ms("1969-12-31T23:59:59.999Z") == -1);
    CHECK(epoch_ms("2024-02-29T00:00:00Z") == 1'709'164'800'000);  // leap day
    CHECK(epoch_ms("2025-01-01T00:30:00+01:00") == epoch_ms("2024-12-31T23:30:00Z"));  // crosses a year
}

TEST_CASE("parse_iso8601 refuses bad dates and malformed text") {
    for (const std::string_view bad : {
             "", "2025", "2025-02-27", "2025-02-27T14:58", "2025-02-27T14:58:05",  // no zone
             "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z", "2025-01-00T00:00:00Z",
             "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
             "2025-02-27T24:00:00Z", "2025-02-27T23:60:00Z", "2025-02-27T23:59:60Z",
             "2025-02-27T14:58:05.Z", "2025-02-27T14:58:05.000", "2025-02-27T14:58:05.000ZZ",
             "2025-02-27T14:58:05+1", "2025-02-27T14:58:05+01:", "2025-02-27T14:58:05+24:00",
             "2025-02-27T14:58:05+01:60", "2025-02-27T14:58:05 +01:00", "2025-2-27T14:58:05Z",
             "25-02-27T14:58:05Z", "2025/02/27T14:58:05Z", "2025-02-27X14:58:05Z", " 2025-02-27T14:58:05Z",
             "2025-02-27T14:58:05Z ", "yesterday", "1740668285", "2025-02-27T1a:58:05Z", "+2025-02-27T14:58:05Z"}) {
        INFO(bad);
        CHECK_FALSE(parse_iso8601(bad));
    }
    CHECK_FALSE(parse_iso8601(std::string("2025-02-27T14:58:05\0Z", 21)));
}

TEST_CASE("format_iso8601 writes UTC with milliseconds and round-trips") {
    CHECK(format_iso8601(sys_ms(milliseconds(1'740'668'285'000))) == "2025-02-27T14:58:05.000Z");
    CHECK(format_iso8601(sys_ms(milliseconds(1'740'668'285'007))) == "2025-02-27T14:58:05.007Z");
    CHECK(format_iso8601(sys_ms(milliseconds(0))) == "1970-01-01T00:00:00.000Z");
    CHECK(format_iso8601(sys_ms(milliseconds(-1))) == "1969-12-31T23:59:59.999Z");
    for (const std::string_view text : {"2025-02-27T14:58:05.000Z", "2000-01-01T00:00:00.001Z", "9999-12-31T23:59:59.999Z",
                                        "0000-01-01T00:00:00.000Z", "2024-02-29T12:34:56.789Z"}) {
        INFO(text);
        const auto t = parse_iso8601(text);
        REQUIRE(t);
        CHECK(format_iso8601(*t) == text);
    }
    CHECK(format_iso8601(*parse_iso8601("2025-02-27T15:58:05.5+01:00")) == "2025-02-27T14:58:05.500Z");
}
