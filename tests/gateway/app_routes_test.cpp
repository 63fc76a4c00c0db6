// The Attio app's routes (GET /v1/enrollments/{job_id}, GET /v1/campaigns, POST
// /v1/subscriptions/sync): the route decisions, checked against the shared contract fixture
// (tests/fixtures/attio-app/contract.json, which the app's own tests read too), and the
// service relaying the worker's reply, its silence (504) and the broker's absence (503).
#include <catch2/catch.hpp>

#include "amqp/sync_request.hpp"
#include "core/json.hpp"
#include "core/metrics.hpp"
#include "gateway/routes.hpp"
#include "gateway/service.hpp"
#include "service_fixture.hpp"
#include "test_support.hpp"

using namespace las;
using namespace las::gateway;

namespace {

const sys_ms fixed_now{std::chrono::milliseconds{1'763'507'486'123}};
const std::string token = "admin-t0ken";

request_context ctx() {
    return request_context{fixed_now, [] { return std::string("job_0123456789abcdef01234567"); }};
}

route_config config() {
    route_config c;
    c.admin_token = token;
    return c;
}

const rapidjson::Document& contract() {
    static const rapidjson::Document doc =
        test::parse_json(test::read_file(std::string(LAS_SOURCE_DIR) + "/tests/fixtures/attio-app/contract.json"));
    return doc;
}

const rapidjson::Value& route_named(std::string_view name) {
    for (const auto& r : contract()["routes"].GetArray())
        if (name == r["name"].GetString()) return r;
    FAIL("no route " << name << " in contract.json");
    throw std::logic_error("unreachable");
}

// A fixture request as an HTTP request (method, path, JSON body, bearer unless omit_auth).
http::request request_of(const rapidjson::Value& spec, bool with_auth = true) {
    const std::string method = spec["method"].GetString();
    const std::string path = spec["path"].GetString();
    http::request r = method == "GET" ? test::get(path)
                                      : test::post(path, spec.HasMember("body") ? json::to_string(spec["body"]) : "");
    if (with_auth) r.set(http_proto::field::authorization, "Bearer " + token);
    return r;
}

http::request with_bearer(http::request r, const std::string& bearer = token) {
    r.set(http_proto::field::authorization, "Bearer " + bearer);
    return r;
}

const query_action& query(const decision& d) {
    if (const auto* r = std::get_if<immediate_response>(&d))
        FAIL("expected a query, got " << static_cast<unsigned>(r->status) << " " << r->body);
    const auto* q = std::get_if<query_action>(&d);
    if (q == nullptr) FAIL("expected a query");
    return *q;
}

}  // namespace

TEST_CASE("app routes: every invalid request of the contract gets its status, error and field") {
    std::size_t checked = 0;
    for (const char* name : {"enrollment_job", "campaigns", "subscriptions_sync", "enroll_one", "enroll_batch"}) {
        const auto& r = route_named(name);
        if (!r.HasMember("invalid_requests")) continue;
        for (const auto& c : r["invalid_requests"].GetArray()) {
            const bool omit_auth = c.HasMember("omit_auth") && c["omit_auth"].GetBool();
            INFO(name << " / " << c["case"].GetString());
            const decision d = route(request_of(c["request"], !omit_auth), config(), ctx());
            const auto* answer = std::get_if<immediate_response>(&d);
            REQUIRE(answer != nullptr);
            const auto& want = c["response"];
            CHECK(static_cast<unsigned>(answer->status) == want["status"].GetUint());
            const auto got = test::parse_json(answer->body);
            CHECK(std::string(got["error"].GetString()) == want["body"]["error"].GetString());
            if (want["body"].HasMember("field")) {
                REQUIRE(got.HasMember("field"));
                CHECK(std::string(got["field"].GetString()) == want["body"]["field"].GetString());
            } else {
                CHECK_FALSE(got.HasMember("field"));
            }
            ++checked;
        }
    }
    CHECK(checked >= 8);
}

TEST_CASE("app routes: the contract's example requests become worker requests") {
    const auto job = query(route(request_of(route_named("enrollment_job")["request"]), config(), ctx()));
    CHECK(job.request.kind == amqp::request_kind::enrollment_job);
    CHECK(job.request.job_id == "job_9d0e1f2a3b4c5d6e7f809a1b");

    const auto campaigns = query(route(request_of(route_named("campaigns")["request"]), config(), ctx()));
    CHECK(campaigns.request.kind == amqp::request_kind::campaigns);

    const auto sync = query(route(request_of(route_named("subscriptions_sync")["request"]), config(), ctx()));
    CHECK(sync.request.kind == amqp::request_kind::subscriptions_sync);
    CHECK(sync.request.categories == std::vector<std::string>{"contacted", "hooked", "warmed", "bounced"});
}

TEST_CASE("app routes: auth, methods and the smaller rules") {
    SECTION("a wrong token or no configured token is 401 on each route") {
        for (const char* path : {"/v1/campaigns", "/v1/enrollments/job_abc"}) {
            auto d = route(with_bearer(test::get(path), "nope"), config(), ctx());
            CHECK(std::get<immediate_response>(d).status == http_proto::status::unauthorized);
            d = route(with_bearer(test::get(path)), route_config{}, ctx());
            CHECK(std::get<immediate_response>(d).status == http_proto::status::unauthorized);
        }
        auto d = route(with_bearer(test::post("/v1/subscriptions/sync", R"({"categories":[]})"), "nope"), config(), ctx());
        CHECK(std::get<immediate_response>(d).status == http_proto::status::unauthorized);
    }
    SECTION("401 comes before 400: no rule is told to a stranger") {
        auto d = route(test::get("/v1/enrollments/not-a-job"), config(), ctx());
        CHECK(std::get<immediate_response>(d).status == http_proto::status::unauthorized);
    }
    SECTION("methods") {
        auto d = route(with_bearer(test::post("/v1/campaigns", "{}")), config(), ctx());
        CHECK(std::get<immediate_response>(d).status == http_proto::status::method_not_allowed);
        CHECK(std::get<immediate_response>(d).allow == "GET");
        d = route(with_bearer(test::get("/v1/subscriptions/sync")), config(), ctx());
        CHECK(std::get<immediate_response>(d).allow == "POST");
        d = route(with_bearer(test::post("/v1/enrollments/job_abc", "{}")), config(), ctx());
        CHECK(std::get<immediate_response>(d).status == http_proto::status::method_not_allowed);
    }
    SECTION("job ids") {
        CHECK(is_job_id("job_0123456789abcdef01234567"));
        CHECK(is_job_id("job_ABCdef"));
        CHECK_FALSE(is_job_id("job_"));
        CHECK_FALSE(is_job_id("job_xyz"));
        CHECK_FALSE(is_job_id("job_12/34"));
        CHECK_FALSE(is_job_id("JOB_12"));
        CHECK_FALSE(is_job_id("job_" + std::string(65, 'a')));
        auto d = route(with_bearer(test::get("/v1/enrollments/job_12%2F34")), config(), ctx());
        CHECK(std::get<immediate_response>(d).status == http_proto::status::bad_request);
    }
    SECTION("categories: an empty list is a choice (remove our hooks); duplicates kept once; other/unknown refused") {
        auto q = query(route(with_bearer(test::post("/v1/subscriptions/sync", R"({"categories":[]})")), config(), ctx()));
        CHECK(q.request.categories.empty());
        q = query(route(with_bearer(test::post("/v1/subscriptions/sync", R"({"categories":["bounced","bounced"]})")),
                        config(), ctx()));
        CHECK(q.request.categories == std::vector<std::string>{"bounced"});
        for (const char* body : {R"({"categories":["other"]})", R"({"categories":"contacted"})",
                                 R"({"categories":[1]})", R"({"categories":[],"extra":1})", "[]", "not json"}) {
            INFO(body);
            auto d = route(with_bearer(test::post("/v1/subscriptions/sync", body)), config(), ctx());
            CHECK(std::get<immediate_response>(d).status == http_proto::status::bad_request);
        }
        auto d = route(with_bearer(test::post("/v1/subscriptions/sync", "{}", "text/plain")), config(), ctx());
        CHECK(std::get<immediate_response>(d).status == http_proto::status::unsupported_media_type);
    }
    SECTION("metrics labels stay bounded") {
        CHECK(route_label("/v1/enrollments/job_abc") == "/v1/enrollments/{job_id}");
        CHECK(route_label("/v1/campaigns?x=1") == "/v1/campaigns");
        CHECK(route_label("/v1/subscriptions/sync") == "/v1/subscriptions/sync");
    }
}

TEST_CASE("sync.requests codec: requests and replies round-trip; bad ones are refused") {
    amqp::sync_request r;
    r.kind = amqp::request_kind::subscriptions_sync;
    r.categories = {"contacted", "bounced"};
    auto back = amqp::parse_request(amqp::encode_request(r));
    REQUIRE(back);
    CHECK(back->kind == r.kind);
    CHECK(back->categories == r.categories);

    r = {};
    r.kind = amqp::request_kind::enrollment_job;
    r.job_id = "job_ab";
    back = amqp::parse_request(amqp::encode_request(r));
    REQUIRE(back);
    CHECK(back->job_id == "job_ab");

    r = {};
    back = amqp::parse_request(amqp::encode_request(r));
    REQUIRE(back);
    CHECK(back->kind == amqp::request_kind::campaigns);

    for (const char* bad : {"", "[]", R"({})", R"({"request":"drop_tables"})", R"({"request":"enrollment_job"})",
                            R"({"request":"subscriptions_sync"})", R"({"request":"subscriptions_sync","categories":[1]})"}) {
        INFO(bad);
        CHECK_FALSE(amqp::parse_request(bad));
    }

    const auto m = amqp::request_message(r, "req_1", std::chrono::milliseconds(10'000));
    CHECK(m.exchange.empty());
    CHECK(m.routing_key == "sync.requests");
    CHECK(m.expiration == std::optional<std::string>("10000"));
    CHECK_FALSE(m.persistent);
    CHECK(m.message_id == "req_1");

    const auto reply = amqp::parse_reply(amqp::encode_reply(amqp::sync_reply{404, R"({"error":"not_found","message":"x"})"}));
    REQUIRE(reply);
    CHECK(reply->status == 404);
    CHECK(test::parse_json(reply->body)["error"] == "not_found");
    for (const char* bad : {"", "{}", R"({"status":200})", R"({"status":200,"body":[]})", R"({"status":42,"body":{}})",
                            R"({"status":"200","body":{}})"}) {
        INFO(bad);
        CHECK_FALSE(amqp::parse_reply(bad));
    }
}

namespace {

struct fixture : test::service_fixture {
    fixture()
        : service_fixture(
              [] {
                  service_options o;
                  o.routes.admin_token = token;
                  o.query_timeout = std::chrono::milliseconds(10'000);
                  o.command_timeout = std::chrono::milliseconds(30'000);
                  o.access_log = false;
                  return o;
              }(),
              [] { return fixed_now; }) {}
};

}  // namespace

TEST_CASE("service: the worker's reply is relayed with its status; silence is 504; no broker is 503") {
    fixture f;
    std::vector<amqp::publish_request> asked;
    SECTION("reply relayed (status and body)") {
        f.broker.reply = [&](const amqp::publish_request& m) {
            asked.push_back(m);
            amqp::delivery d;
            d.body = R"({"status":200,"body":{"campaigns":[{"id":"cam_1","name":"A","status":"running"}]}})";
            return amqp::call_result{amqp::publish_outcome::confirmed, d};
        };
        const auto res = f.handle(with_bearer(test::get("/v1/campaigns")));
        CHECK(res.result() == http_proto::status::ok);
        CHECK(test::parse_json(res.body())["campaigns"][0]["id"] == "cam_1");
        REQUIRE(asked.size() == 1);
        CHECK(asked[0].routing_key == "sync.requests");
        CHECK(asked[0].expiration == std::optional<std::string>("10000"));
        CHECK(f.spool.stored().empty());
    }
    SECTION("a worker's 404 stays a 404") {
        f.broker.reply = [&](const amqp::publish_request& m) {
            asked.push_back(m);
            amqp::delivery d;
            d.body = R"({"status":404,"body":{"error":"not_found","message":"no such enrollment job"}})";
            return amqp::call_result{amqp::publish_outcome::confirmed, d};
        };
        const auto res = f.handle(with_bearer(test::get("/v1/enrollments/job_9d0e")));
        CHECK(res.result() == http_proto::status::not_found);
        REQUIRE(asked.size() == 1);
        const auto req = amqp::parse_request(asked[0].body);
        REQUIRE(req);
        CHECK(req->job_id == "job_9d0e");
    }
    SECTION("the sync waits longer") {
        f.broker.reply = [&](const amqp::publish_request& m) {
            asked.push_back(m);
            return amqp::call_result{amqp::publish_outcome::confirmed, std::nullopt};
        };
        const auto res = f.handle(with_bearer(test::post("/v1/subscriptions/sync", R"({"categories":["bounced"]})")));
        CHECK(res.result() == http_proto::status::gateway_timeout);
        const auto body = test::parse_json(res.body());
        CHECK(body["error"] == "timeout");
        CHECK(std::string(body["message"].GetString()) == "the worker did not answer within 30 s");
        REQUIRE(asked.size() == 1);
        CHECK(asked[0].expiration == std::optional<std::string>("30000"));
    }
    SECTION("not queued → 503 with Retry-After, never spooled") {
        for (auto outcome : {amqp::publish_outcome::rejected_not_connected, amqp::publish_outcome::returned,
                             amqp::publish_outcome::nacked}) {
            f.broker.reply = [outcome](const amqp::publish_request&) { return amqp::call_result{outcome, std::nullopt}; };
            const auto res = f.handle(with_bearer(test::get("/v1/campaigns")));
            CHECK(res.result() == http_proto::status::service_unavailable);
            CHECK(res[http_proto::field::retry_after] == "5");
            CHECK(test::parse_json(res.body())["error"] == "unavailable");
        }
        CHECK(f.spool.stored().empty());
    }
    SECTION("an unreadable reply is a 502, not a crash or a pass-through") {
        f.broker.reply = [](const amqp::publish_request&) {
            amqp::delivery d;
            d.body = "<html>";
            return amqp::call_result{amqp::publish_outcome::confirmed, d};
        };
        const auto res = f.handle(with_bearer(test::get("/v1/campaigns")));
        CHECK(res.result() == http_proto::status::bad_gateway);
        CHECK(test::parse_json(res.body())["error"] == "bad_worker_reply");
    }
}
