// The call path every provider call takes: the gate, 429 handling, transport failures.
#include <catch2/catch.hpp>

#include "core/metrics.hpp"
#include "core/retry_after.hpp"
#include "outbound/gated_caller.hpp"
#include "state/local_rate_gate.hpp"
#include "test_support.hpp"

using namespace las;
using namespace std::chrono_literals;
using outbound::failure;

namespace {

http::client_request post(std::string body) {
    http::client_request r;
    r.method = http_proto::verb::post;
    r.target = "/v2/lists/lemlist_events/entries";
    r.body = std::move(body);
    return r;
}

}  // namespace

TEST_CASE("a 429 pauses the gate for the Retry-After HTTP-date, then the same request goes again") {
    test::scripted_transport t;
    const auto retry_at = format_http_date(std::chrono::system_clock::now() + 30s);
    t.push(test::answer(429, R"({"status_code":429,"type":"rate_limit_error","code":"rate_limit_exceeded"})",
                        "application/json", {{"Retry-After", retry_at}}));
    t.push(test::answer(200, R"({"data":{}})"));
    test::recording_gate gate;
    metrics::registry registry;
    outbound::call_metrics counters(registry, "attio");
    outbound::gated_caller caller("attio", t.as_transport(), {}, &counters);

    auto r = test::run_sync(caller.send(post(R"({"n":1})"), {"create_entry", gate, false}));

    REQUIRE(r.ok());
    CHECK(r->status == 200);
    REQUIRE(t.sent().size() == 2);
    CHECK(t.sent()[0].body == t.sent()[1].body);
    CHECK(t.sent()[1].target == t.sent()[0].target);
    REQUIRE(gate.pauses.size() == 1);
    // The date is ~30 s ahead, at one-second resolution; capped at max_retry_after (60 s).
    CHECK(gate.pauses[0] > 25s);
    CHECK(gate.pauses[0] <= 31s);
    CHECK(gate.acquires == 2);
    const auto text = registry.render();
    CHECK(text.find(R"(attio_api_rate_limited_total{operation="create_entry"} 1)") != std::string::npos);
    CHECK(text.find(R"(attio_api_calls_total{operation="create_entry",status="429"} 1)") != std::string::npos);
    CHECK(text.find(R"(attio_api_calls_total{operation="create_entry",status="200"} 1)") != std::string::npos);
}

TEST_CASE("Retry-After in seconds (Lemlist) is used as given - a missing one uses the default") {
    test::scripted_transport t;
    t.push(test::answer(429, "Too many requests", "text/plain", {{"Retry-After", "3"}}));
    t.push(test::answer(429, "Too many requests", "text/plain"));
    t.push(test::answer(200, "[]"));
    test::recording_gate gate;
    outbound::call_policy policy;
    policy.default_retry_after = 2s;
    outbound::gated_caller caller("lemlist", t.as_transport(), policy);

    auto r = test::run_sync(caller.send(post("{}"), {"create_hook", gate, false}));

    REQUIRE(r.ok());
    REQUIRE(gate.pauses.size() == 2);
    CHECK(gate.pauses[0] == 3s);
    CHECK(gate.pauses[1] == 2s);
    CHECK(t.sent().size() == 3);
}

TEST_CASE("a 429 that outlasts the retries is rate_limited with its retry_after") {
    test::scripted_transport t;
    outbound::call_policy policy;
    policy.max_rate_limit_retries = 2;
    for (int i = 0; i < 5; ++i) t.push(test::answer(429, "", "text/plain", {{"Retry-After", "1"}}));
    test::recording_gate gate;
    outbound::gated_caller caller("lemlist", t.as_transport(), policy);

    auto r = test::run_sync(caller.send(post("{}"), {"enroll_lead", gate, false}));

    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == failure::rate_limited);
    CHECK(r.error().status == 429);
    REQUIRE(r.error().retry_after.has_value());
    CHECK(*r.error().retry_after == 1s);
    CHECK(t.sent().size() == 3);  // the first try and two retries
    CHECK(t.remaining() == 2);
}

TEST_CASE("transport failures: lost after sending a POST is unknown_fate, never retried here") {
    SECTION("timeout on a create") {
        test::scripted_transport t;
        t.push_error(http::transport_error_kind::timeout);
        test::recording_gate gate;
        outbound::gated_caller caller("attio", t.as_transport());
        auto r = test::run_sync(caller.send(post("{}"), {"create_record", gate, false}));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == failure::unknown_fate);
        CHECK(r.error().code == "timeout");
        CHECK(t.sent().size() == 1);
    }
    SECTION("timeout on a read") {
        test::scripted_transport t;
        t.push_error(http::transport_error_kind::timeout);
        test::recording_gate gate;
        outbound::gated_caller caller("attio", t.as_transport());
        auto r = test::run_sync(caller.send(post("{}"), {"query_records", gate, true}));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == failure::transient);
    }
    SECTION("connection refused on a create: nothing was sent") {
        test::scripted_transport t;
        t.push_error(http::transport_error_kind::connect_failed);
        test::recording_gate gate;
        outbound::gated_caller caller("attio", t.as_transport());
        auto r = test::run_sync(caller.send(post("{}"), {"create_record", gate, false}));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == failure::transient);
        CHECK(r.error().code == "connect_failed");
    }
}

TEST_CASE("a gate asking for longer than the call may wait fails rate_limited without sending") {
    test::scripted_transport t;
    test::recording_gate gate;
    gate.refuse_wait = 10s;
    outbound::call_policy policy;
    policy.max_gate_wait = 1s;
    outbound::gated_caller caller("attio", t.as_transport(), policy);

    auto r = test::run_sync(caller.send(post("{}"), {"create_entry", gate, false}));

    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == failure::rate_limited);
    CHECK(r.error().code == "rate_gate_wait");
    CHECK(r.error().retry_after == std::optional(std::chrono::milliseconds(10s)));
    CHECK(t.sent().empty());
}

TEST_CASE("a shared gate that cannot answer is transient, never an unchecked grant") {
    test::scripted_transport t;
    test::recording_gate gate;
    gate.refuse_wait = 250ms;
    gate.store_failure = true;
    outbound::call_policy policy;
    policy.max_gate_wait = 0ms;
    outbound::gated_caller caller("attio", t.as_transport(), policy);

    auto r = test::run_sync(caller.send(post("{}"), {"create_entry", gate, false}));

    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == failure::transient);
    CHECK(r.error().code == "rate_gate_unavailable");
    CHECK(t.sent().empty());
}

TEST_CASE("a 429 slows every caller of the gate, not just the one call") {
    // A real local gate: after the 429, the next acquire by anyone must wait.
    test::scripted_transport t;
    t.push(test::answer(429, "", "text/plain", {{"Retry-After", "5"}}));
    state::local_rate_gate gate("lemlist", 20, 2s);
    outbound::call_policy policy;
    policy.max_gate_wait = 0ms;  // do not sleep in a unit test: give up at the first refusal
    outbound::gated_caller caller("lemlist", t.as_transport(), policy);

    auto r = test::run_sync(caller.send(post("{}"), {"create_hook", gate, false}));

    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == failure::rate_limited);
    REQUIRE(r.error().retry_after.has_value());
    CHECK(*r.error().retry_after > 3s);
    CHECK(t.sent().size() == 1);
    const auto other = gate.try_acquire();  // another call of the same worker
    CHECK_FALSE(other.granted());
    CHECK(other.wait > 3s);
}

TEST_CASE("retry_after_of clamps to the policy") {
    outbound::call_policy policy;
    policy.min_retry_after = 100ms;
    policy.max_retry_after = 60s;
    const auto now = std::chrono::system_clock::now();
    CHECK(outbound::retry_after_of(test::answer(429, "", "", {{"Retry-After", "0"}}), policy, now) == 100ms);
    CHECK(outbound::retry_after_of(test::answer(429, "", "", {{"Retry-After", "86400"}}), policy, now) == 60s);
    CHECK(outbound::retry_after_of(test::answer(429, "", "", {{"Retry-After", "soon"}}), policy, now) ==
          policy.default_retry_after);
    CHECK(outbound::retry_after_of(test::answer(429, "", "", {{"Retry-After", format_http_date(now - 10s)}}), policy,
                                   now) == 100ms);
}
