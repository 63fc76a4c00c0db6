#include <catch2/catch.hpp>

#include "attio_emulator/faults.hpp"
#include "test_support.hpp"

using namespace las::attio_emulator;
using namespace std::chrono;

namespace {
const system_clock::time_point t0 = system_clock::time_point(seconds(1767225600));
}

TEST_CASE("each fault hits roughly its share of requests") {
    fault_injector f(7);
    fault_plan p;
    p.error_share = 0.2;
    p.drop_share = 0.1;
    p.conflict_share = 0.15;
    f.set_plan(p);
    const int n = 20000;
    int errors = 0, drops = 0, conflicts = 0, statuses_ok = 0;
    for (int i = 0; i < n; ++i) {
        const auto d = f.decide(true, t0);
        if (d.action == fault_action::error_5xx) {
            ++errors;
            statuses_ok += (d.status == 500 || d.status == 502 || d.status == 503);
        }
        drops += d.action == fault_action::drop;
        conflicts += d.action == fault_action::conflict_409;
    }
    CHECK(errors == Approx(0.2 * n).epsilon(0.1));
    CHECK(drops == Approx(0.1 * n).epsilon(0.1));
    CHECK(conflicts == Approx(0.15 * n).epsilon(0.1));
    CHECK(statuses_ok == errors);
}

TEST_CASE("409s and drop-after-write hit writes only") {
    fault_injector f(3);
    fault_plan p;
    p.conflict_share = 0.5;
    p.drop_after_write_share = 0.5;
    f.set_plan(p);
    for (int i = 0; i < 1000; ++i) REQUIRE(f.decide(false, t0).action == fault_action::none);
    int conflicts = 0;
    for (int i = 0; i < 1000; ++i) conflicts += f.decide(true, t0).action == fault_action::conflict_409;
    CHECK(conflicts == Approx(500).epsilon(0.15));
}

TEST_CASE("latency within the range - 429 burst until its end") {
    fault_injector f(11);
    fault_plan p;
    p.latency_min = milliseconds(10);
    p.latency_max = milliseconds(30);
    p.burst_429_until = t0 + milliseconds(500);
    f.set_plan(p);
    bool saw_low = false, saw_high = false;
    for (int i = 0; i < 500; ++i) {
        const auto d = f.decide(false, t0 + milliseconds(i));
        REQUIRE(d.latency >= milliseconds(10));
        REQUIRE(d.latency <= milliseconds(30));
        saw_low = saw_low || d.latency < milliseconds(15);
        saw_high = saw_high || d.latency > milliseconds(25);
        REQUIRE(d.action == fault_action::burst_429);
    }
    CHECK(saw_low);
    CHECK(saw_high);
    CHECK(f.decide(false, t0 + milliseconds(500)).action == fault_action::none);
}

TEST_CASE("the control body is validated") {
    const auto parse = [](const char* json) {
        rapidjson::Document d;
        d.Parse(json);
        return parse_fault_plan(d, fault_plan{}, t0);
    };
    auto ok = parse(R"({"error_5xx_share":0.25,"latency_ms":[5,10],"burst_429_ms":2000,"seed":9})");
    REQUIRE(ok.ok());
    CHECK(ok->plan.error_share == 0.25);
    CHECK(ok->plan.latency_min == milliseconds(5));
    CHECK(ok->plan.burst_429_until == t0 + milliseconds(2000));
    CHECK(ok->seed == std::optional<std::uint64_t>(9));
    CHECK_FALSE(parse(R"({"error_5xx_share":1.5})").ok());
    CHECK_FALSE(parse(R"({"error_5xx_share":0.6,"drop_share":0.6})").ok());
    CHECK_FALSE(parse(R"({"latency_ms":[10,5]})").ok());
    CHECK_FALSE(parse(R"({"error_5xx_statuses":[404]})").ok());
    CHECK_FALSE(parse(R"({"typo_share":0.1})").ok());
    CHECK(parse_latency("50") == std::optional(std::pair{milliseconds(50), milliseconds(50)}));
    CHECK(parse_latency("10-200") == std::optional(std::pair{milliseconds(10), milliseconds(200)}));
    CHECK_FALSE(parse_latency("200-10"));
    CHECK_FALSE(parse_latency("x"));
}

TEST_CASE("faults apply to /v2/ routes only, and a 5xx is not processed") {
    attio_test::harness h;
    auto set = h.call("POST", "/__emulator/faults", R"({"error_5xx_share":1.0,"latency_ms":25})", "");
    REQUIRE(set.status == 200);
    auto r = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{"email_addresses":["a@b.co"]}}})");
    CHECK(r.status >= 500);
    CHECK(r.status <= 503);
    CHECK(r.raw.delay == milliseconds(25));
    CHECK(r.json["status_code"].GetUint() == r.status);
    // Control and inspection routes are never faulted.
    auto people = h.call("GET", "/__emulator/people", "", "");
    CHECK(people.status == 200);
    CHECK(people.raw.delay == milliseconds(0));
    CHECK(people.data().Size() == 0);  // the faulted create did not land
    CHECK(h.call("DELETE", "/__emulator/faults", "", "").status == 200);
    CHECK(h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})").status == 200);
    const auto s = h.svc->counters().snapshot();
    CHECK(s.faults.at("error_5xx") == 1);
}

TEST_CASE("a 409 conflict is not processed - drop-after-write is") {
    attio_test::harness h;
    REQUIRE(h.call("POST", "/__emulator/faults", R"({"conflict_409_share":1.0})").status == 200);
    auto conflict = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})");
    CHECK(conflict.status == 409);
    CHECK(conflict.code() == "concurrent_write_conflict");
    CHECK(h.call("POST", "/v2/objects/people/records/query", "{}").status == 200);  // reads untouched
    REQUIRE(h.call("POST", "/__emulator/faults", R"({"conflict_409_share":0,"drop_after_write_share":1.0})").status == 200);
    auto dropped = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})");
    CHECK(dropped.raw.drop);
    CHECK(h.call("GET", "/__emulator/people").data().Size() == 1);
    REQUIRE(h.call("POST", "/__emulator/faults", R"({"drop_after_write_share":0,"drop_share":1.0})").status == 200);
    auto dropped_before = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})");
    CHECK(dropped_before.raw.drop);
    CHECK(h.call("GET", "/__emulator/people").data().Size() == 1);
}

TEST_CASE("a 429 burst answers every /v2/ request with Retry-After at the burst's end") {
    attio_test::harness h;
    REQUIRE(h.call("POST", "/__emulator/faults", R"({"burst_429_ms":1500})").status == 200);
    auto r = h.call("GET", "/v2/objects");
    CHECK(r.status == 429);
    CHECK(r.code() == "rate_limit_exceeded");
    CHECK(r.header("Retry-After") == "Thu, 01 Jan 2026 00:00:02 GMT");  // 00:00:01.750 rounded up
    h.clock.advance(milliseconds(1500));
    CHECK(h.call("GET", "/v2/objects").status == 200);
}
