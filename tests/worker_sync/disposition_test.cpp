#include <catch2/catch.hpp>

#include "sync/disposition.hpp"

using namespace las;
using namespace las::sync;
using kind = processing_outcome::kind;

namespace {
amqp::delivery delivery_with_attempts(std::int64_t n) {
    amqp::delivery d;
    d.body = R"({"type":"emailsSent","_id":"act_1"})";
    d.message_id = "act_1";
    d.content_type = "application/json";
    d.headers = {{"x-attempts", n}, {"x-received-at", std::string("2026-11-23T10:00:00.000Z")},
                 {"x-source", std::string("webhook")}};
    return d;
}
processing_outcome outcome(kind k, std::string reason = {}, std::string detail = {}) {
    processing_outcome o;
    o.what = k;
    o.reason = std::move(reason);
    o.detail = std::move(detail);
    return o;
}
const auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
const auto& events = amqp::lemlist_events();
}  // namespace

TEST_CASE("done and duplicate are acked without a republish") {
    for (auto k : {kind::done, kind::duplicate}) {
        const auto d = plan_disposition(outcome(k), delivery_with_attempts(0), events, 8, now);
        CHECK_FALSE(d.republish);
        CHECK(d.what == sync::disposition::kind::ack);
    }
}

TEST_CASE("a transient failure climbs the retry ladder with x-attempts + 1") {
    const auto first = plan_disposition(outcome(kind::retry, "transient", "503"), delivery_with_attempts(0), events, 8, now);
    REQUIRE(first.republish);
    CHECK(first.republish->exchange.empty());
    CHECK(first.republish->routing_key == "lemlist.events.retry.5s");
    CHECK(amqp::header_int(first.republish->headers, "x-attempts") == 1);
    CHECK(amqp::header_string(first.republish->headers, "x-source") == std::optional<std::string_view>("webhook"));
    CHECK(amqp::header_string(first.republish->headers, "x-received-at").has_value());
    CHECK(first.republish->message_id == "act_1");
    CHECK(first.republish->body == R"({"type":"emailsSent","_id":"act_1"})");
    CHECK(first.republish->persistent);

    const auto third = plan_disposition(outcome(kind::retry, "transient"), delivery_with_attempts(2), events, 8, now);
    CHECK(third.republish->routing_key == "lemlist.events.retry.2m");
    CHECK(amqp::header_int(third.republish->headers, "x-attempts") == 3);
    const auto late = plan_disposition(outcome(kind::retry, "transient"), delivery_with_attempts(6), events, 8, now);
    CHECK(late.republish->routing_key == "lemlist.events.retry.1h");
}

TEST_CASE("retries exhausted go to the DLQ with every header") {
    const auto d = plan_disposition(outcome(kind::retry, "transient", "attio 503"), delivery_with_attempts(7), events, 8, now);
    REQUIRE(d.republish);
    CHECK(d.what == sync::disposition::kind::dead_letter);
    CHECK(d.republish->routing_key == "lemlist.events.dlq");
    CHECK(amqp::header_string(d.republish->headers, "x-dlq-reason") == std::optional<std::string_view>("retries_exhausted"));
    CHECK(amqp::header_string(d.republish->headers, "x-last-error") == std::optional<std::string_view>("attio 503"));
    CHECK(amqp::header_int(d.republish->headers, "x-attempts") == 8);
    CHECK(amqp::header_string(d.republish->headers, "x-failed-at").has_value());
}

TEST_CASE("permanent failures dead-letter at once with their reason") {
    const auto d = plan_disposition(outcome(kind::dead_letter, "unmatched", "no Person"), delivery_with_attempts(0), events, 8, now);
    REQUIRE(d.republish);
    CHECK(d.republish->routing_key == "lemlist.events.dlq");
    CHECK(amqp::header_string(d.republish->headers, "x-dlq-reason") == std::optional<std::string_view>("unmatched"));
    CHECK(amqp::header_int(d.republish->headers, "x-attempts") == 1);
}

TEST_CASE("a deferred event comes back after the first rung without spending an attempt") {
    const auto d = plan_disposition(outcome(kind::deferred, "held_elsewhere"), delivery_with_attempts(3), events, 8, now);
    REQUIRE(d.republish);
    CHECK(d.republish->routing_key == "lemlist.events.retry.5s");
    CHECK(amqp::header_int(d.republish->headers, "x-attempts") == 3);
}

TEST_CASE("a 429's Retry-After moves the retry to a rung at least that long") {
    auto o = outcome(kind::retry, "rate_limited");
    o.retry_after = std::chrono::seconds(90);
    const auto d = plan_disposition(o, delivery_with_attempts(0), events, 8, now);
    CHECK(d.republish->routing_key == "lemlist.events.retry.2m");
}

TEST_CASE("MAX_ATTEMPTS of 1 dead-letters the first failure") {
    const auto d = plan_disposition(outcome(kind::retry, "transient"), delivery_with_attempts(0), events, 1, now);
    CHECK(d.what == sync::disposition::kind::dead_letter);
}
