// The handler with fake ports: where each message ends up and what the client is told.
#include <catch2/catch.hpp>

#include "core/metrics.hpp"
#include "gateway/service.hpp"
#include "service_fixture.hpp"
#include "test_support.hpp"

using namespace las;
using namespace las::gateway;
using test::post;

namespace {

const std::string event = R"({"_id":"act_svc1","type":"emailsClicked","secret":"s","campaignId":"cam_1"})";

struct fixture : test::service_fixture {
    fixture()
        : service_fixture(
              [] {
                  service_options o;
                  o.routes.lemlist_secret = "s";
                  o.routes.admin_token = "tok";
                  o.wait_timeout = std::chrono::milliseconds(200);
                  o.access_log = false;
                  return o;
              }(),
              [] { return sys_ms{std::chrono::milliseconds{86'400'000}}; }) {
        register_state_gauges(registry, broker, spool);
    }
};

http::request enroll(std::string target, std::string body) {
    auto r = post(std::move(target), std::move(body));
    r.set(http_proto::field::authorization, "Bearer tok");
    return r;
}

}  // namespace

TEST_CASE("service: confirmed by the broker → 200 - nothing spooled") {
    fixture f;
    const auto res = f.handle(post("/webhooks/lemlist", event));
    CHECK(res.result() == http_proto::status::ok);
    const auto body = test::parse_json(res.body());
    CHECK(std::string(body["status"].GetString()) == "accepted");
    CHECK(std::string(body["message_id"].GetString()) == "act_svc1");
    CHECK(std::string(body["stored"].GetString()) == "broker");
    REQUIRE(f.broker.published().size() == 1);
    CHECK(f.broker.published()[0].message_id == "act_svc1");
    CHECK(amqp::header_string(f.broker.published()[0].headers, "x-received-at") == "1970-01-02T00:00:00.000Z");
    CHECK(f.spool.stored().empty());
    CHECK(f.metrics.stored_broker.value() == 1);
}

TEST_CASE("service: every unconfirmed broker outcome goes to the spool - answered 200 only once stored") {
    for (auto outcome : {amqp::publish_outcome::nacked, amqp::publish_outcome::returned,
                         amqp::publish_outcome::connection_lost, amqp::publish_outcome::timed_out,
                         amqp::publish_outcome::channel_closed, amqp::publish_outcome::rejected_overloaded}) {
        INFO(amqp::to_string(outcome));
        fixture f;
        f.broker.decide = [outcome](const amqp::publish_request&) { return outcome; };
        const auto res = f.handle(post("/webhooks/lemlist", event));
        CHECK(res.result() == http_proto::status::ok);
        CHECK(std::string(test::parse_json(res.body())["stored"].GetString()) == "spool");
        REQUIRE(f.spool.stored().size() == 1);
        CHECK(f.spool.stored()[0].message_id == "act_svc1");
        CHECK(f.spool.stored()[0].body.find("secret") == std::string::npos);
        CHECK(f.metrics.outcome(outcome).value() == 1);
    }
}

TEST_CASE("service: broker disconnected → spool without trying the broker") {
    fixture f;
    f.broker.up = false;
    const auto res = f.handle(post("/webhooks/lemlist", event));
    CHECK(res.result() == http_proto::status::ok);
    CHECK(f.broker.published().empty());
    CHECK(f.spool.stored().size() == 1);
}

TEST_CASE("service: neither broker nor spool → 503 with Retry-After - never 200") {
    for (auto refusal : {append_status::full, append_status::io_error, append_status::closed}) {
        fixture f;
        f.broker.up = false;
        f.spool.next = refusal;
        const auto res = f.handle(post("/webhooks/lemlist", event));
        CHECK(res.result() == http_proto::status::service_unavailable);
        CHECK(res[http_proto::field::retry_after] == "5");
        CHECK(std::string(test::parse_json(res.body())["error"].GetString()) == "unavailable");
        CHECK(f.metrics.refused.value() == 1);
    }
    fixture f;
    f.broker.decide = [](const amqp::publish_request&) { return amqp::publish_outcome::nacked; };
    f.spool.next = append_status::full;
    CHECK(f.handle(post("/webhooks/lemlist", event)).result() == http_proto::status::service_unavailable);
}

TEST_CASE("service: immediate answers publish nothing") {
    fixture f;
    auto bad = f.handle(post("/webhooks/lemlist", R"({"type":"x","secret":"wrong"})"));
    CHECK(bad.result() == http_proto::status::unauthorized);
    auto m = f.handle(test::get("/webhooks/lemlist"));
    CHECK(m.result() == http_proto::status::method_not_allowed);
    CHECK(m[http_proto::field::allow] == "POST");
    CHECK(f.broker.published().empty());
    CHECK(f.spool.stored().empty());
}

TEST_CASE("service: enrollment job → 202 {job_id}") {
    fixture f;
    const auto res = f.handle(enroll("/v1/enrollments", R"({"campaign_id":"cam_1","record_ids":["a","b"]})"));
    CHECK(res.result() == http_proto::status::accepted);
    const auto body = test::parse_json(res.body());
    const std::string job_id = body["job_id"].GetString();
    CHECK(job_id.rfind("job_", 0) == 0);
    CHECK(job_id.size() == 4 + 24);
    REQUIRE(f.broker.published().size() == 1);
    CHECK(f.broker.published()[0].message_id == job_id);
    CHECK(f.broker.published()[0].exchange == "attio.enrollments");
}

TEST_CASE("service: ?wait=true answers 200 with the worker's reply - or 202 when none comes") {
    fixture f;
    SECTION("reply") {
        f.broker.reply = [](const amqp::publish_request& m) {
            amqp::delivery d;
            d.body = R"({"job_id":")" + m.message_id + R"(","results":[{"record_id":"a","status":"enrolled","lead_id":"lea_1"}]})";
            return amqp::call_result{amqp::publish_outcome::confirmed, d};
        };
        const auto res = f.handle(enroll("/v1/enrollments?wait=true", R"({"campaign_id":"cam_1","record_ids":["a"]})"));
        CHECK(res.result() == http_proto::status::ok);
        const auto body = test::parse_json(res.body());
        REQUIRE(body.HasMember("result"));
        CHECK(std::string(body["result"]["results"][0]["status"].GetString()) == "enrolled");
    }
    SECTION("queued, no reply in time") {
        f.broker.reply = [](const amqp::publish_request&) {
            return amqp::call_result{amqp::publish_outcome::confirmed, std::nullopt};
        };
        const auto res = f.handle(enroll("/v1/enrollments?wait=true", R"({"campaign_id":"cam_1","record_ids":["a"]})"));
        CHECK(res.result() == http_proto::status::accepted);
        const auto body = test::parse_json(res.body());
        CHECK(body.HasMember("job_id"));
        CHECK(body.HasMember("message"));
        CHECK(f.spool.stored().empty());
    }
    SECTION("the call could not be published: the job is spooled, 202") {
        f.broker.reply = [](const amqp::publish_request&) {
            return amqp::call_result{amqp::publish_outcome::connection_lost, std::nullopt};
        };
        const auto res = f.handle(enroll("/v1/enrollments?wait=true", R"({"campaign_id":"cam_1","record_ids":["a"]})"));
        CHECK(res.result() == http_proto::status::accepted);
        REQUIRE(f.spool.stored().size() == 1);
        CHECK_FALSE(f.spool.stored()[0].reply_to);
    }
}

TEST_CASE("service: probes and metrics") {
    fixture f;
    CHECK(f.handle(test::get("/healthz")).result() == http_proto::status::ok);
    CHECK(f.handle(test::get("/readyz")).result() == http_proto::status::ok);
    f.broker.up = false;
    CHECK(f.handle(test::get("/readyz")).result() == http_proto::status::ok);  // the spool can still take events
    f.spool.next = append_status::io_error;
    const auto not_ready = f.handle(test::get("/readyz"));
    CHECK(not_ready.result() == http_proto::status::service_unavailable);
    CHECK(not_ready.body().find("\"broker_connected\":false") != std::string::npos);
    f.broker.up = true;
    CHECK(f.handle(test::get("/readyz")).result() == http_proto::status::ok);

    f.handle(post("/webhooks/lemlist", event));
    f.svc.on_access(http::access_record{"POST", "/webhooks/lemlist?x", 200, 10, 10, {}, {}});
    f.svc.on_access(http::access_record{"GET", "/nope/" + std::string(50, 'z'), 404, 10, 10, {}, {}});
    const auto m = f.handle(test::get("/metrics"));
    CHECK(m.result() == http_proto::status::ok);
    CHECK(m[http_proto::field::content_type].starts_with("text/plain"));
    const std::string text = m.body();
    for (const char* needle :
         {"gateway_requests_total{route=\"/webhooks/lemlist\",status=\"200\"} 1",
          "gateway_requests_total{route=\"other\",status=\"404\"} 1", "gateway_publish_duration_seconds_bucket",
          "gateway_publish_duration_seconds_count 1", "gateway_confirms_outstanding", "gateway_broker_connected 1",
          "gateway_spool_events 0", "gateway_spool_bytes 0", "gateway_stored_total{store=\"broker\"} 1"}) {
        INFO(needle);
        CHECK(text.find(needle) != std::string::npos);
    }
}
