#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "emu/rng.hpp"
#include "emu/text_util.hpp"
#include "emu/time_util.hpp"

using namespace las::lemlist_emu;

TEST_CASE("base64 round-trips and decodes Basic credentials", "[util]") {
    CHECK(base64_encode(":lemlist-sandbox-key") == "OmxlbWxpc3Qtc2FuZGJveC1rZXk=");
    CHECK(base64_decode("OmxlbWxpc3Qtc2FuZGJveC1rZXk=").value() == ":lemlist-sandbox-key");
    for (const std::string s : {"", "a", "ab", "abc", "abcd", "\xff\x00\x01"}) CHECK(base64_decode(base64_encode(s)).value() == s);
    CHECK_FALSE(base64_decode("not base64!").has_value());
    CHECK_FALSE(base64_decode("QQ==QQ").has_value());
}

TEST_CASE("request targets split into decoded segments and query", "[util]") {
    const auto t = parse_target("/api/campaigns/cam_1/leads/jo%40x.com?deduplicate=true&findEmail&x=a+b%26c");
    REQUIRE(t.segments.size() == 5);
    CHECK(t.segments[4] == "jo@x.com");
    CHECK(t.query.get("deduplicate").value() == "true");
    CHECK(t.query.get("findEmail").value().empty());
    CHECK(t.query.get("x").value() == "a b&c");
    CHECK_FALSE(t.query.get("missing").has_value());
    CHECK(query_bool(t.query, "deduplicate").value());
    CHECK_FALSE(query_bool(t.query, "findEmail").value());
    CHECK_FALSE(query_bool(t.query, "missing").has_value());

    const auto slash = parse_target("/api/campaigns/cam_1/leads/");
    CHECK(slash.segments.size() == 4);
    CHECK(slash.trailing_slash);
    CHECK(percent_decode("%zz%4", false) == "%zz%4");
    CHECK(percent_encode("a@b.c d") == "a%40b.c%20d");
}

TEST_CASE("URLs split into base and target", "[util]") {
    const auto u = split_url("http://127.0.0.1:8080/webhooks/lemlist?x=1");
    REQUIRE(u);
    CHECK(u->base == "http://127.0.0.1:8080");
    CHECK(u->target == "/webhooks/lemlist?x=1");
    CHECK(split_url("https://example.com")->target == "/");
    CHECK_FALSE(split_url("example.com/x").has_value());
    CHECK_FALSE(split_url("http:///x").has_value());
}

TEST_CASE("ISO 8601 and JavaScript dates", "[util]") {
    const auto t = parse_iso8601("2021-02-16T08:02:42.5Z");
    REQUIRE(t);
    CHECK(iso8601(*t) == "2021-02-16T08:02:42.500Z");
    CHECK(js_date_string(*t) == "Tue Feb 16 2021 08:02:42 GMT+0000 (Coordinated Universal Time)");
    CHECK(to_unix_ms(*parse_iso8601("1970-01-01T00:00:00Z")) == 0);
    CHECK(to_unix_ms(*parse_iso8601("2026-05-11T02:00:00+02:00")) == to_unix_ms(*parse_iso8601("2026-05-11T00:00:00Z")));
    CHECK(to_unix_ms(*parse_iso8601("2026-05-11")) == 1778457600000LL);
    CHECK_FALSE(parse_iso8601("2026-13-01T00:00:00Z").has_value());
    CHECK_FALSE(parse_iso8601("yesterday").has_value());
    CHECK_FALSE(parse_iso8601("2026-05-11T00:00:00Zjunk").has_value());
    CHECK(to_unix_ms(*parse_date_param("1715385600")) == 1715385600000LL);
    CHECK(to_unix_ms(*parse_date_param("2024-05-11T00:00:00Z")) == 1715385600000LL);
    CHECK_FALSE(parse_date_param("").has_value());
    // Dates before 1970 and leap days.
    CHECK(iso8601(*parse_iso8601("1969-12-31T23:59:59.999Z")) == "1969-12-31T23:59:59.999Z");
    CHECK(iso8601(*parse_iso8601("2024-02-29T12:00:00Z")) == "2024-02-29T12:00:00.000Z");
}

TEST_CASE("rng is deterministic and ids look like Lemlist's", "[util]") {
    rng a(42), b(42), c(43);
    std::vector<std::uint64_t> va, vb, vc;
    for (int i = 0; i < 8; ++i) {
        va.push_back(a.next());
        vb.push_back(b.next());
        vc.push_back(c.next());
    }
    CHECK(va == vb);
    CHECK(va != vc);
    rng r(1);
    const std::regex id_re("lea_[A-Za-z0-9]{17}");
    std::set<std::string> ids;
    for (int i = 0; i < 200; ++i) {
        const auto id = r.id("lea");
        CHECK(std::regex_match(id, id_re));
        ids.insert(id);
    }
    CHECK(ids.size() == 200);
    for (int i = 0; i < 1000; ++i) {
        const auto v = r.between(3, 5);
        CHECK((v >= 3 && v <= 5));
        const double u = r.unit();
        CHECK((u >= 0.0 && u < 1.0));
    }
    // fork does not advance the parent and is itself deterministic.
    rng p(9), q(9);
    auto f1 = p.fork(3);
    CHECK(p.next() == q.next());
    CHECK(f1.next() == q.fork(3).next());
}
