// The pure layer: every status the routes decide, and the messages they build.
#include <catch2/catch.hpp>

#include "core/crypto.hpp"
#include "gateway/routes.hpp"
#include "lemlist/event.hpp"
#include "test_support.hpp"

using namespace las;
using namespace las::gateway;
using test::post;

namespace {

const sys_ms fixed_now{std::chrono::milliseconds{1'763'507'486'123}};  // 2025-11-18T23:11:26.123Z

request_context ctx() {
    return request_context{fixed_now, [] { return std::string("job_0123456789abcdef01234567"); }};
}

route_config config() {
    route_config c;
    c.lemlist_secret = "lemlist-s3cret";
    c.attio_secret = "attio-s3cret";
    c.admin_token = "admin-t0ken";
    c.max_body_bytes = 4096;
    return c;
}

immediate_response immediate(const decision& d) {
    const auto* r = std::get_if<immediate_response>(&d);
    if (r == nullptr) FAIL("expected an immediate response");
    return *r;
}

publish_action action(const decision& d) {
    if (const auto* r = std::get_if<immediate_response>(&d))
        FAIL("expected a publish, got " << static_cast<unsigned>(r->status) << " " << r->body);
    const auto* a = std::get_if<publish_action>(&d);
    if (a == nullptr) FAIL("expected a publish");
    return *a;
}

std::string error_code_of(const immediate_response& r) {
    const auto doc = test::parse_json(r.body);
    REQUIRE(doc.HasMember("error"));
    return doc["error"].GetString();
}

const std::string valid_event =
    R"({"_id":"act_abc123","type":"emailsOpened","campaignId":"cam_1","leadId":"lea_1",)"
    R"("createdAt":"2025-11-18T23:11:26.000Z","secret":"lemlist-s3cret","leadEmail":"a@example.com"})";

http::request enroll(std::string body, std::string target = "/v1/enrollments", std::string token = "admin-t0ken") {
    auto r = post(std::move(target), std::move(body));
    if (!token.empty()) r.set(http_proto::field::authorization, "Bearer " + token);
    return r;
}

}  // namespace

TEST_CASE("lemlist: a valid event becomes a persistent message with the contract's properties") {
    const auto a = action(route(post("/webhooks/lemlist", valid_event), config(), ctx()));
    CHECK(a.answer == answer_kind::event_accepted);
    CHECK_FALSE(a.wait_for_reply);
    CHECK(a.message.exchange == "lemlist.events");
    CHECK(a.message.routing_key == "lemlist.events");
    CHECK(a.message.message_id == "act_abc123");
    CHECK(a.id == "act_abc123");
    CHECK(a.message.persistent);
    CHECK(a.message.mandatory);
    CHECK(a.message.content_type == "application/json");
    CHECK(amqp::header_string(a.message.headers, "x-received-at") == "2025-11-18T23:11:26.123Z");
    CHECK(amqp::header_string(a.message.headers, "x-source") == "webhook");
    CHECK(amqp::header_int(a.message.headers, "x-attempts") == 0);
    CHECK(a.message.headers.size() == 3);

    const auto body = test::parse_json(a.message.body);
    CHECK_FALSE(body.HasMember("secret"));
    CHECK(a.message.body.find("lemlist-s3cret") == std::string::npos);
    CHECK(std::string(body["type"].GetString()) == "emailsOpened");
    CHECK(std::string(body["leadEmail"].GetString()) == "a@example.com");
}

TEST_CASE("lemlist: real samples are accepted - keyed like the event model keys them") {
    for (const char* name : {"emailsReplied.json", "linkedinInviteAccepted.json", "enrichmentDone.json"}) {
        const std::string raw = test::read_file(std::filesystem::path(LAS_SAMPLES_DIR) / name);
        auto cfg = config();
        cfg.lemlist_secret.reset();
        cfg.max_body_bytes = 1 << 20;
        const auto a = action(route(post("/webhooks/lemlist", raw), cfg, ctx()));
        const auto ev = lemlist::parse_event(raw);
        REQUIRE(ev);
        CHECK(a.message.message_id == ev->idempotency_key);
        CHECK(a.message.body == lemlist::serialize_body(*ev));
    }
}

TEST_CASE("lemlist: the same event twice gets the same message_id - distinct events distinct ones") {
    const auto a1 = action(route(post("/webhooks/lemlist", valid_event), config(), ctx()));
    const auto a2 = action(route(post("/webhooks/lemlist", valid_event), config(), ctx()));
    CHECK(a1.message.message_id == a2.message.message_id);
    std::string other = valid_event;
    other.replace(other.find("act_abc123"), 10, "act_abc124");
    const auto a3 = action(route(post("/webhooks/lemlist", other), config(), ctx()));
    CHECK(a3.message.message_id != a1.message.message_id);
}

TEST_CASE("lemlist: per-hook URLs - any query is accepted - the hook type never splits one activity") {
    // Lemlist keeps one hook per targetUrl, so ours are /webhooks/lemlist?type=<type>.
    const auto plain = action(route(post("/webhooks/lemlist", valid_event), config(), ctx()));
    const auto own = action(route(post("/webhooks/lemlist?type=emailsOpened", valid_event), config(), ctx()));
    const auto group = action(route(post("/webhooks/lemlist?type=hooked", valid_event), config(), ctx()));
    CHECK(own.message.message_id == plain.message.message_id);
    CHECK(group.message.message_id == plain.message.message_id);  // the group hook's copy is a duplicate
    CHECK(own.message.body == plain.message.body);
    CHECK(own.unexpected_hook_type.empty());
    CHECK(group.unexpected_hook_type.empty());  // emailsOpened is a member of hooked
    CHECK(plain.unexpected_hook_type.empty());

    // A body its hook would not deliver is still accepted, and flagged.
    const auto odd = action(route(post("/webhooks/lemlist?type=paused", valid_event), config(), ctx()));
    CHECK(odd.message.message_id == plain.message.message_id);
    CHECK(odd.unexpected_hook_type == "paused");
    const auto other_group = action(route(post("/webhooks/lemlist?type=warmed&x=1", valid_event), config(), ctx()));
    CHECK(other_group.unexpected_hook_type == "warmed");
    CHECK(action(route(post("/webhooks/lemlist?evt=paused", valid_event), config(), ctx())).unexpected_hook_type.empty());
}

TEST_CASE("lemlist: secret checks answer 401") {
    SECTION("wrong secret") {
        std::string body = valid_event;
        body.replace(body.find("lemlist-s3cret"), 14, "lemlist-s3creX");
        const auto r = immediate(route(post("/webhooks/lemlist", body), config(), ctx()));
        CHECK(r.status == http_proto::status::unauthorized);
        CHECK(error_code_of(r) == "invalid_secret");
        CHECK(r.body.find("lemlist-s3cre") == std::string::npos);
    }
    SECTION("missing secret") {
        const auto r = immediate(route(post("/webhooks/lemlist", R"({"type":"emailsOpened"})"), config(), ctx()));
        CHECK(r.status == http_proto::status::unauthorized);
    }
    SECTION("secret of another type") {
        const auto r = immediate(route(post("/webhooks/lemlist", R"({"type":"emailsOpened","secret":5})"), config(), ctx()));
        CHECK(r.status == http_proto::status::unauthorized);
    }
    SECTION("no secret configured: accepted, and a sent secret is still stripped") {
        auto cfg = config();
        cfg.lemlist_secret.reset();
        const auto a = action(route(post("/webhooks/lemlist", valid_event), cfg, ctx()));
        CHECK(a.message.body.find("secret") == std::string::npos);
    }
}

TEST_CASE("lemlist: malformed bodies answer 400 with the validation code") {
    auto cfg = config();
    cfg.lemlist_secret.reset();
    const std::string deep = std::string(100, '[') + std::string(100, ']');
    const std::vector<std::pair<std::string, std::string>> cases{
        {"{not json", "invalid_json"},
        {"", "invalid_json"},
        {"[1,2]", "not_an_object"},
        {R"({"_id":"act_1"})", "missing_type"},
        {R"({"type":12})", "type_not_string"},
        {R"({"type":"  "})", "empty_type"},
        {R"({"type":"emails opened!"})", "invalid_type"},
        {"{\"type\":\"emailsOpened\",\"x\":\"\xff\xfe\"}", "invalid_utf8"},
        {"{\"type\":\"emailsOpened\",\"x\":" + deep + "}", "too_deep"},
    };
    for (const auto& [body, code] : cases) {
        INFO(body.substr(0, 60));
        const auto r = immediate(route(post("/webhooks/lemlist", body), cfg, ctx()));
        CHECK(r.status == http_proto::status::bad_request);
        CHECK(error_code_of(r) == code);
    }
}

TEST_CASE("lemlist: with a secret configured - JSON errors come before the secret check - shape errors after") {
    CHECK(immediate(route(post("/webhooks/lemlist", "{oops"), config(), ctx())).status == http_proto::status::bad_request);
    CHECK(immediate(route(post("/webhooks/lemlist", R"({"_id":"x"})"), config(), ctx())).status ==
          http_proto::status::unauthorized);
    const auto r = immediate(route(post("/webhooks/lemlist", R"({"_id":"x","secret":"lemlist-s3cret"})"), config(), ctx()));
    CHECK(r.status == http_proto::status::bad_request);
    CHECK(error_code_of(r) == "missing_type");
}

TEST_CASE("content type and size: 415 and 413") {
    for (const char* ct : {"text/plain", "", "application/x-www-form-urlencoded", "application/jsonx"}) {
        INFO(ct);
        const auto r = immediate(route(post("/webhooks/lemlist", valid_event, ct), config(), ctx()));
        CHECK(r.status == http_proto::status::unsupported_media_type);
        CHECK(error_code_of(r) == "unsupported_media_type");
    }
    for (const char* ct : {"application/json; charset=utf-8", "Application/JSON", " application/json ;charset=UTF-8"}) {
        INFO(ct);
        CHECK(std::holds_alternative<publish_action>(route(post("/webhooks/lemlist", valid_event, ct), config(), ctx())));
    }
    std::string big = valid_event;
    big.insert(big.size() - 1, ",\"pad\":\"" + std::string(5000, 'x') + "\"");
    const auto r = immediate(route(post("/webhooks/lemlist", big), config(), ctx()));
    CHECK(r.status == http_proto::status::payload_too_large);
}

TEST_CASE("unknown routes answer 404 - wrong methods 405 with Allow") {
    const auto nf = immediate(route(post("/webhooks/other", valid_event), config(), ctx()));
    CHECK(nf.status == http_proto::status::not_found);
    CHECK(error_code_of(nf) == "not_found");
    CHECK(immediate(route(test::get("/"), config(), ctx())).status == http_proto::status::not_found);
    CHECK(immediate(route(test::get("/webhooks/lemlist/extra"), config(), ctx())).status == http_proto::status::not_found);

    const auto m = immediate(route(test::get("/webhooks/lemlist"), config(), ctx()));
    CHECK(m.status == http_proto::status::method_not_allowed);
    CHECK(m.allow == "POST");
    CHECK(error_code_of(m) == "method_not_allowed");
    http::request put{http_proto::verb::put, "/v1/enrollments", 11};
    CHECK(immediate(route(put, config(), ctx())).status == http_proto::status::method_not_allowed);
    const auto probe_post = immediate(route(post("/healthz", "{}"), config(), ctx()));
    CHECK(probe_post.status == http_proto::status::method_not_allowed);
    CHECK(probe_post.allow == "GET, HEAD");
}

TEST_CASE("probes are routed - the query string ignored") {
    CHECK(std::get<probe>(route(test::get("/healthz"), config(), ctx())) == probe::health);
    CHECK(std::get<probe>(route(test::get("/readyz?verbose=1"), config(), ctx())) == probe::ready);
    CHECK(std::get<probe>(route(test::get("/metrics"), config(), ctx())) == probe::metrics);
    CHECK(route_label("/webhooks/lemlist?x=1") == "/webhooks/lemlist");
    CHECK(route_label("/random/junk") == "other");
}

TEST_CASE("attio: HMAC-SHA256 of the raw body - constant-time - 401 when missing or wrong") {
    const std::string body = R"({"webhook_id":"wh_1","events":[{"event_type":"list-entry.created","id":{"entry_id":"e1"}}]})";
    const std::string good = crypto::hmac_sha256_hex("attio-s3cret", body);

    SECTION("good signature, with Idempotency-Key") {
        auto req = post("/webhooks/attio", body);
        req.set("Attio-Signature", good);
        req.set("Idempotency-Key", "idem-42");
        const auto a = action(route(req, config(), ctx()));
        CHECK(a.message.exchange == "attio.enrollments");
        CHECK(a.message.routing_key == "attio.enrollments");
        CHECK(a.message.body == body);
        CHECK(a.message.message_id == "idem-42");
        CHECK(amqp::header_string(a.message.headers, "x-source") == "attio_webhook");
        CHECK(amqp::header_int(a.message.headers, "x-attempts") == 0);
        CHECK(a.answer == answer_kind::event_accepted);
    }
    SECTION("without Idempotency-Key the id is attio: + sha256(body); uppercase hex and the legacy header accepted") {
        auto req = post("/webhooks/attio", body);
        std::string upper = good;
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        req.set("X-Attio-Signature", upper);
        const auto a = action(route(req, config(), ctx()));
        CHECK(a.message.message_id == "attio:" + crypto::sha256_hex(body));
    }
    SECTION("wrong signature") {
        auto req = post("/webhooks/attio", body);
        req.set("Attio-Signature", crypto::hmac_sha256_hex("other", body));
        const auto r = immediate(route(req, config(), ctx()));
        CHECK(r.status == http_proto::status::unauthorized);
        CHECK(error_code_of(r) == "invalid_signature");
    }
    SECTION("signature of another body") {
        auto req = post("/webhooks/attio", body + " ");
        req.set("Attio-Signature", good);
        CHECK(immediate(route(req, config(), ctx())).status == http_proto::status::unauthorized);
    }
    SECTION("missing signature") {
        CHECK(immediate(route(post("/webhooks/attio", body), config(), ctx())).status == http_proto::status::unauthorized);
    }
    SECTION("signed but not JSON: 400") {
        auto req = post("/webhooks/attio", "nope");
        req.set("Attio-Signature", crypto::hmac_sha256_hex("attio-s3cret", "nope"));
        const auto r = immediate(route(req, config(), ctx()));
        CHECK(r.status == http_proto::status::bad_request);
        CHECK(error_code_of(r) == "invalid_json");
    }
    SECTION("an unusable Idempotency-Key: 400") {
        auto req = post("/webhooks/attio", body);
        req.set("Attio-Signature", good);
        req.set("Idempotency-Key", std::string(300, 'k'));
        CHECK(immediate(route(req, config(), ctx())).status == http_proto::status::bad_request);
    }
}

TEST_CASE("enrollments: bearer token - constant-time - 401 when missing - wrong or unconfigured") {
    const std::string body = R"({"campaign_id":"cam_1","record_ids":["r1"]})";
    CHECK(immediate(route(enroll(body, "/v1/enrollments", ""), config(), ctx())).status == http_proto::status::unauthorized);
    CHECK(immediate(route(enroll(body, "/v1/enrollments", "admin-t0keN"), config(), ctx())).status ==
          http_proto::status::unauthorized);
    auto basic = post("/v1/enrollments", body);
    basic.set(http_proto::field::authorization, "Basic admin-t0ken");
    CHECK(immediate(route(basic, config(), ctx())).status == http_proto::status::unauthorized);
    auto cfg = config();
    cfg.admin_token.reset();
    CHECK(immediate(route(enroll(body), cfg, ctx())).status == http_proto::status::unauthorized);
    // Auth comes before the body: an unauthenticated malformed body is still a 401.
    CHECK(immediate(route(enroll("{bad", "/v1/enrollments", "nope"), config(), ctx())).status ==
          http_proto::status::unauthorized);
}

TEST_CASE("enrollments: one job message - 202 answer kind - ?wait=true only with one record") {
    const std::string body =
        R"({"campaign_id":"cam_9","record_ids":["r1"],"options":{"findEmail":true,"deduplicate":false},"icebreaker":"Hi \"you\""})";
    const auto a = action(route(enroll(body), config(), ctx()));
    CHECK(a.answer == answer_kind::job_accepted);
    CHECK(a.id == "job_0123456789abcdef01234567");
    CHECK(a.message.message_id == a.id);
    CHECK(a.message.exchange == "attio.enrollments");
    CHECK(a.message.routing_key == "attio.enrollments");
    CHECK(amqp::header_string(a.message.headers, "x-source") == "api");
    CHECK_FALSE(a.wait_for_reply);
    const auto job = test::parse_json(a.message.body);
    CHECK(std::string(job["job_id"].GetString()) == a.id);
    CHECK(std::string(job["source"].GetString()) == "api");
    CHECK(std::string(job["campaign_id"].GetString()) == "cam_9");
    REQUIRE(job["record_ids"].Size() == 1);
    CHECK(std::string(job["record_ids"][0].GetString()) == "r1");
    CHECK(job["options"]["findEmail"].GetBool());
    CHECK_FALSE(job["options"]["deduplicate"].GetBool());
    CHECK_FALSE(job["options"].HasMember("verifyEmail"));
    CHECK(std::string(job["icebreaker"].GetString()) == "Hi \"you\"");
    CHECK(std::string(job["requested_at"].GetString()) == "2025-11-18T23:11:26.123Z");

    CHECK(action(route(enroll(body, "/v1/enrollments?wait=true"), config(), ctx())).wait_for_reply);
    const std::string two = R"({"campaign_id":"cam_9","record_ids":["r1","r2"]})";
    CHECK_FALSE(action(route(enroll(two, "/v1/enrollments?wait=true"), config(), ctx())).wait_for_reply);
    CHECK_FALSE(action(route(enroll(body, "/v1/enrollments?wait=false"), config(), ctx())).wait_for_reply);
}

TEST_CASE("enrollments: malformed bodies are 400 naming the field - over 250 records is 422") {
    std::string many = R"({"campaign_id":"cam_1","record_ids":[)";
    for (int i = 0; i < 251; ++i) many += (i ? ",\"r" : "\"r") + std::to_string(i) + "\"";
    many += "]}";
    const auto r422 = immediate(route(enroll(many), config(), ctx()));
    CHECK(r422.status == http_proto::status::unprocessable_entity);
    CHECK(error_code_of(r422) == "too_many_records");

    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"record_ids":["r1"]})", "campaign_id"},
        {R"({"campaign_id":"xyz","record_ids":["r1"]})", "campaign_id"},
        {R"({"campaign_id":7,"record_ids":["r1"]})", "campaign_id"},
        {R"({"campaign_id":"cam_1"})", "record_ids"},
        {R"({"campaign_id":"cam_1","record_ids":[]})", "record_ids"},
        {R"({"campaign_id":"cam_1","record_ids":"r1"})", "record_ids"},
        {R"({"campaign_id":"cam_1","record_ids":["r1",2]})", "record_ids[1]"},
        {R"({"campaign_id":"cam_1","record_ids":["r1",""]})", "record_ids[1]"},
        {R"({"campaign_id":"cam_1","record_ids":["r1"],"options":[]})", "options"},
        {R"({"campaign_id":"cam_1","record_ids":["r1"],"options":{"findEmail":"yes"}})", "options.findEmail"},
        {R"({"campaign_id":"cam_1","record_ids":["r1"],"options":{"findEmails":true}})", "options.findEmails"},
        {R"({"campaign_id":"cam_1","record_ids":["r1"],"icebreaker":3})", "icebreaker"},
        {R"({"campaign_id":"cam_1","record_ids":["r1"],"campaign":"x"})", "campaign"},
    };
    for (const auto& [body, field] : cases) {
        INFO(body);
        const auto r = immediate(route(enroll(body), config(), ctx()));
        CHECK(r.status == http_proto::status::bad_request);
        const auto doc = test::parse_json(r.body);
        REQUIRE(doc.HasMember("field"));
        CHECK(std::string(doc["field"].GetString()) == field);
    }
    const auto bad_json = immediate(route(enroll("{nope"), config(), ctx()));
    CHECK(bad_json.status == http_proto::status::bad_request);
    CHECK(error_code_of(bad_json) == "invalid_json");
    CHECK(std::holds_alternative<publish_action>(
        route(enroll(R"({"campaign_id":"cam_1","record_ids":["r1"]})"), config(), ctx())));
}
