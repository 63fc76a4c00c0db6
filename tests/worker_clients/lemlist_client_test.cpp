// The Lemlist client without a network: answers from the recorded samples, requests checked
// for auth, flags and body.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/json.hpp"
#include "outbound/lemlist_client.hpp"
#include "outbound/url_encode.hpp"
#include "test_support.hpp"

using namespace las;
using outbound::failure;

namespace {

std::string sample(const std::string& name) {
    std::ifstream in(std::string(LAS_SAMPLES_DIR) + "/api-responses/" + name);
    REQUIRE(in.good());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string header(const http::client_request& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

struct fixture {
    test::scripted_transport t;
    test::recording_gate gate;
    outbound::lemlist_client client{t.as_transport(), gate, {.api_key = "key-123"}};
};

}  // namespace

TEST_CASE("Basic auth with an empty user: base64(':' + key)") {
    CHECK(outbound::lemlist_authorization("abc") == "Basic OmFiYw==");
    CHECK(outbound::lemlist_authorization("key-123") == "Basic OmtleS0xMjM=");
}

TEST_CASE("percent-encoding keeps values inside their path segment or parameter") {
    CHECK(outbound::percent_encode("a@b.com") == "a%40b.com");
    CHECK(outbound::percent_encode("../x?y=1&z") == "..%2Fx%3Fy%3D1%26z");
    outbound::query_string q;
    q.add("type", "emailsOpened").add("minDate", "2025-01-01T00:00:00+01:00");
    CHECK(q.text() == "?type=emailsOpened&minDate=2025-01-01T00%3A00%3A00%2B01%3A00");
}

TEST_CASE("GET /api/hooks parses the recorded sample - every request carries the auth") {
    fixture f;
    f.t.push(test::answer(200, sample("GET_hooks.200.json")));
    auto r = test::run_sync(f.client.list_hooks());
    REQUIRE(r.ok());
    REQUIRE_FALSE(r->empty());
    CHECK(r->front().id == "hoo_Ib5jfViX9hn3FzNqr");
    CHECK(r->front().type == "emailsReplied");
    CHECK(r->front().campaign_id == "cam_FlN1hrYhADZUfspMs");
    REQUIRE(f.t.sent().size() == 1);
    CHECK(f.t.sent()[0].target == "/api/hooks");
    CHECK(header(f.t.sent()[0], "Authorization") == "Basic OmtleS0xMjM=");
    CHECK(f.gate.acquires == 1);
}

TEST_CASE("the SPA catch-all (200 HTML) is an error, not an empty success") {
    fixture f;
    f.t.push(test::answer(200, "<!DOCTYPE html><html><head><title>lemlist</title></head></html>", "text/html; charset=utf-8"));
    auto r = test::run_sync(f.client.list_hooks());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == failure::permanent);
    CHECK(r.error().code == "not_json");
    CHECK(r.error().status == 200);
}

TEST_CASE("POST /api/hooks sends targetUrl, type and secret - answers the hook") {
    fixture f;
    f.t.push(test::answer(200, sample("POST_hooks.200.json")));
    auto r = test::run_sync(f.client.create_hook("https://sync.example.com/webhooks/lemlist", "linkedinInterested", "s3cret"));
    REQUIRE(r.ok());
    CHECK(r->id == "hoo_GvYkkWIcdPf2WsBDY");
    const auto& sent = f.t.sent().at(0);
    CHECK(sent.method == http_proto::verb::post);
    CHECK(sent.target == "/api/hooks");
    auto body = json::parse(sent.body);
    REQUIRE(body);
    CHECK(json::get_string(*body, "targetUrl") == "https://sync.example.com/webhooks/lemlist");
    CHECK(json::get_string(*body, "type") == "linkedinInterested");
    CHECK(json::get_string(*body, "secret") == "s3cret");
}

TEST_CASE("DELETE /api/hooks/{id}: 404 means already gone") {
    fixture f;
    f.t.push(test::answer(200, sample("DELETE_hooks_hookId.200.json")));
    f.t.push(test::answer(404, "Webhook not found", "text/plain"));
    f.t.push(test::answer(401, "The authentication you supplied is incorrect", "text/plain"));
    CHECK(test::run_sync(f.client.delete_hook("hoo_fmpVMoBhrEHtw3cgy")).value() == outbound::delete_outcome::deleted);
    CHECK(test::run_sync(f.client.delete_hook("hoo_gone")).value() == outbound::delete_outcome::already_gone);
    auto refused = test::run_sync(f.client.delete_hook("hoo_x"));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().status == 401);
    CHECK(refused.error().message == "The authentication you supplied is incorrect");
    CHECK(f.t.sent()[0].target == "/api/hooks/hoo_fmpVMoBhrEHtw3cgy");
    CHECK(f.t.sent()[0].method == http_proto::verb::delete_);
}

TEST_CASE("campaigns: the bare array and the {campaigns, pagination} wrapper") {
    SECTION("bare array, one short page") {
        fixture f;
        f.t.push(test::answer(200, sample("GET_campaigns_v2.200.json")));
        auto r = test::run_sync(f.client.list_campaigns());
        REQUIRE(r.ok());
        REQUIRE(r->size() >= 2);
        CHECK(r->at(0).id == "cam_4HrZbi8xsez4QlrnL");
        CHECK(r->at(0).name == "Product Launch Campaign");
        CHECK(r->at(0).status == "running");
        CHECK(f.t.sent().at(0).target.starts_with("/api/campaigns?version=v2&offset=0&limit=100"));
    }
    SECTION("wrapper") {
        auto page = outbound::parse_campaigns(
            R"({"campaigns":[{"_id":"cam_1","name":"A"},{"_id":"cam_2","name":"B","status":"paused"}],"pagination":{"totalRecords":2,"currentPage":1,"nextPage":null,"totalPage":1}})");
        REQUIRE(page.ok());
        CHECK(page->campaigns.size() == 2);
        CHECK(page->campaigns[1].status == "paused");
        CHECK(page->total_pages == std::optional<long>(1));
    }
    SECTION("a server that ignores offset does not loop forever") {
        test::scripted_transport t;
        test::recording_gate gate;
        outbound::lemlist_client client(t.as_transport(), gate, {.api_key = "k", .campaign_page_limit = 1});
        t.push(test::answer(200, R"([{"_id":"cam_1","name":"A"}])"));
        t.push(test::answer(200, R"([{"_id":"cam_1","name":"A"}])"));
        auto r = test::run_sync(client.list_campaigns());
        REQUIRE(r.ok());
        CHECK(r->size() == 1);
        CHECK(t.sent().size() == 2);
    }
}

TEST_CASE("enrollment: flags as query parameters, the lead as the body, a typed answer") {
    fixture f;
    f.t.push(test::answer(200, sample("POST_campaigns_campaignId_leads.200.json")));
    outbound::lead_input lead;
    lead.email = "support@lemlist.com";
    lead.first_name = "John";
    lead.last_name = "Doe";
    lead.linkedin_url = "https://linkedin.com/in/johndoe";
    lead.icebreaker = "Saw your \"launch\" post";
    lead.variables = {{"attio_record_id", "rec-1"}, {"email", "override@example.com"}};
    outbound::enrollment_flags flags;
    flags.deduplicate = true;
    flags.find_phone = true;
    auto r = test::run_sync(f.client.enroll_lead("cam_bSn8EORHQxbWPjHvu", lead, flags));
    REQUIRE(r.ok());
    const auto* e = std::get_if<outbound::enrolled>(&r.value());
    REQUIRE(e);
    CHECK(e->lead_id == "lea_fiDpiGV585wy3Oii2");
    const auto& sent = f.t.sent().at(0);
    CHECK(sent.target ==
          "/api/campaigns/cam_bSn8EORHQxbWPjHvu/leads/"
          "?deduplicate=true&findEmail=false&verifyEmail=false&findPhone=true&linkedinEnrichment=false");
    auto body = json::parse(sent.body);
    REQUIRE(body);
    CHECK(json::get_string(*body, "email") == "support@lemlist.com");  // a variable cannot override a field
    CHECK(json::get_string(*body, "firstName") == "John");
    CHECK(json::get_string(*body, "linkedinUrl") == "https://linkedin.com/in/johndoe");
    CHECK(json::get_string(*body, "icebreaker") == "Saw your \"launch\" post");
    CHECK(json::get_string(*body, "attio_record_id") == "rec-1");
    CHECK_FALSE(json::find(*body, "phone"));
}

TEST_CASE("activities: one page as a JSON array, filters encoded, limit capped at 100") {
    fixture f;
    f.t.push(test::answer(200, R"([{"_id":"act_1","type":"emailsOpened"},{"_id":"act_2","type":"paused"}])"));
    f.t.push(test::answer(402, "This feature requires a paid plan", "text/plain"));
    outbound::activity_query q;
    q.type = "emailsOpened";
    q.campaign_id = "cam_1";
    q.min_date = "2025-01-01T00:00:00.000Z";
    q.offset = 200;
    q.limit = 500;
    auto r = test::run_sync(f.client.list_activities(q));
    REQUIRE(r.ok());
    REQUIRE(r->IsArray());
    CHECK(r->Size() == 2);
    CHECK(f.t.sent().at(0).target ==
          "/api/activities?version=v2&type=emailsOpened&campaignId=cam_1&minDate=2025-01-01T00%3A00%3A00.000Z"
          "&offset=200&limit=100");
    auto gated = test::run_sync(f.client.list_activities({}));
    REQUIRE_FALSE(gated.ok());
    CHECK(gated.error().status == 402);
    CHECK(gated.error().kind == failure::permanent);
    CHECK(gated.error().message == "This feature requires a paid plan");
}
