#include <catch2/catch.hpp>

#include <regex>

#include "test_support.hpp"

using namespace lemlist_emu_test;
using namespace std::chrono_literals;

namespace {

emulator_options no_limit() {
    emulator_options o;
    o.rate_limit = false;
    return o;
}

api_response call(emulator& emu, api_request r) { return emu.handle(r).response; }

std::string create_body(std::string_view email, std::string_view extra = "") {
    return std::string("{\"email\":\"") + std::string(email) + "\",\"firstName\":\"Léa\",\"lastName\":\"Dupont\"" +
           std::string(extra) + "}";
}

}  // namespace

TEST_CASE("auth: Basic with empty user, access_token, and the documented failures", "[api][auth]") {
    emulator emu(no_limit());
    SECTION("missing credentials are a 400 in text/plain") {
        const auto r = call(emu, req("GET", "/api/hooks", "", ""));
        CHECK(r.status == 400);
        CHECK(r.body == "No API key provided");
        CHECK(r.content_type.rfind("text/plain", 0) == 0);
    }
    SECTION("a wrong key is a 401 in text/plain") {
        const auto r = call(emu, req("GET", "/api/hooks", "", basic(":wrong")));
        CHECK(r.status == 401);
        CHECK(r.body == "The authentication you supplied is incorrect");
        CHECK(r.content_type.rfind("text/plain", 0) == 0);
    }
    SECTION("the key without the leading colon is not a credential pair") {
        CHECK(call(emu, req("GET", "/api/hooks", "", basic(default_key))).status == 401);
        CHECK(call(emu, req("GET", "/api/hooks", "", "Basic %%%")).status == 401);
    }
    SECTION("Bearer is not read (Basic only)") {
        CHECK(call(emu, req("GET", "/api/hooks", "", "Bearer " + default_key)).status == 400);
    }
    SECTION("the right key passes, by header or access_token") {
        CHECK(call(emu, req("GET", "/api/hooks")).status == 200);
        CHECK(call(emu, req("GET", "/api/hooks?access_token=" + default_key, "", "")).status == 200);
        CHECK(call(emu, req("GET", "/api/hooks?access_token=nope", "", "")).status == 401);
        CHECK(call(emu, req("GET", "/api/hooks", "", basic(":"))).status == 400);
    }
    SECTION("several keys can be configured") {
        emulator_options o = no_limit();
        o.api_keys = {"k1", "k2"};
        emulator two(o);
        CHECK(call(two, req("GET", "/api/hooks", "", basic(":k2"))).status == 200);
        CHECK(call(two, req("GET", "/api/hooks", "", basic(":lemlist-sandbox-key"))).status == 401);
    }
}

TEST_CASE("rate limit: 20 per 2 s per key, headers on every response", "[api][rate]") {
    manual_clock clock;
    emulator emu(emulator_options{}, clock.fn());
    for (int i = 1; i <= 20; ++i) {
        const auto r = call(emu, req("GET", "/api/hooks"));
        REQUIRE(r.status == 200);
        CHECK(header(r, "X-RateLimit-Limit") == "20");
        CHECK(header(r, "X-RateLimit-Remaining") == std::to_string(20 - i));
        CHECK(header(r, "X-RateLimit-Reset") == "Mon Mar 02 2026 10:00:02 GMT+0000 (Coordinated Universal Time)");
        CHECK_FALSE(header(r, "Retry-After").empty());
    }
    auto r21 = call(emu, req("GET", "/api/campaigns?version=v2"));
    CHECK(r21.status == 429);
    CHECK(header(r21, "Retry-After") == "2");
    CHECK(header(r21, "X-RateLimit-Remaining") == "0");
    CHECK(r21.content_type.rfind("text/plain", 0) == 0);

    // Another key has its own budget; auth failures carry the headers too.
    const auto other = call(emu, req("GET", "/api/hooks", "", basic(":other")));
    CHECK(other.status == 401);
    CHECK(header(other, "X-RateLimit-Remaining") == "19");

    clock.now += 1999ms;
    CHECK(call(emu, req("GET", "/api/hooks")).status == 429);
    clock.now += 1ms;
    const auto after = call(emu, req("GET", "/api/hooks"));
    CHECK(after.status == 200);
    CHECK(header(after, "X-RateLimit-Remaining") == "19");

    const auto stats = parse_json(call(emu, req("GET", "/__emulator/stats")).body);
    CHECK(stats["rate_limited"].GetUint64() == 2);
    CHECK(stats["by_route"]["GET /api/hooks"]["429"].GetUint64() == 1);
    CHECK(stats["by_route"]["GET /api/hooks"]["200"].GetUint64() == 21);

    SECTION("switched off at run time, nothing is refused") {
        call(emu, req("POST", "/__emulator/config", R"({"rate_limit":false})"));
        for (int i = 0; i < 50; ++i) REQUIRE(call(emu, req("GET", "/api/hooks")).status == 200);
    }
}

TEST_CASE("campaigns: v2 array, v1 shape, page wrapper, details", "[api][campaigns]") {
    emulator emu(no_limit());
    const auto r = call(emu, req("GET", "/api/campaigns?version=v2"));
    REQUIRE(r.status == 200);
    const auto list = parse_json(r.body);
    REQUIRE(list.IsArray());
    REQUIRE(list.Size() == 4);
    for (const auto& c : list.GetArray()) {
        CHECK(std::regex_match(str(c, "_id"), std::regex("cam_[A-Za-z0-9]{17}")));
        CHECK(c.HasMember("name"));
        CHECK(c["labels"].IsArray());
        CHECK(c.HasMember("createdAt"));
        CHECK(str(c, "createdBy").rfind("usr_", 0) == 0);
        CHECK(c.HasMember("status"));
        CHECK(c.HasMember("hasError") == (str(c, "_id") == std::string(sandbox_campaign_errors)));
    }
    // Ascending createdAt by default, descending on request.
    CHECK(str(list[0], "_id") == std::string(sandbox_campaign_errors));
    const auto desc = parse_json(call(emu, req("GET", "/api/campaigns?version=v2&sortBy=createdAt&sortOrder=desc")).body);
    CHECK(str(desc[0], "_id") == std::string(sandbox_campaign_draft));

    const auto v1 = parse_json(call(emu, req("GET", "/api/campaigns")).body);
    REQUIRE(v1.Size() == 4);
    CHECK_FALSE(v1[0].HasMember("createdAt"));

    const auto running = parse_json(call(emu, req("GET", "/api/campaigns?version=v2&status=running")).body);
    CHECK(running.Size() == 2);
    const auto paged = parse_json(call(emu, req("GET", "/api/campaigns?version=v2&page=1&limit=3")).body);
    REQUIRE(paged.IsObject());
    CHECK(paged["campaigns"].Size() == 3);
    CHECK(paged["pagination"]["totalRecords"].GetUint64() == 4);
    CHECK(paged["pagination"]["totalPage"].GetUint64() == 2);
    CHECK(paged["pagination"]["nextPage"].GetUint64() == 2);
    const auto last = parse_json(call(emu, req("GET", "/api/campaigns?version=v2&page=2&limit=3")).body);
    CHECK(last["campaigns"].Size() == 1);
    CHECK(last["pagination"]["nextPage"].IsNull());
    const auto offset = parse_json(call(emu, req("GET", "/api/campaigns?version=v2&offset=3&limit=3")).body);
    CHECK(offset.Size() == 1);

    const auto one = parse_json(call(emu, req("GET", std::string("/api/campaigns/") + std::string(sandbox_campaign_outreach))).body);
    CHECK(str(one, "name") == "Sales Outreach 2025");
    CHECK(str(one["creator"], "userId").rfind("usr_", 0) == 0);
    REQUIRE(one["senders"].Size() == 2);
    CHECK(str(one["senders"][0], "sendUserMailboxId").rfind("usm_", 0) == 0);
    const auto missing = call(emu, req("GET", "/api/campaigns/cam_doesNotExist00000"));
    CHECK(missing.status == 404);
    CHECK(missing.body == "Campaign not found");

    const auto added = call(emu, req("POST", "/__emulator/campaigns", R"({"name":"Added","status":"running"})"));
    REQUIRE(added.status == 200);
    CHECK(parse_json(call(emu, req("GET", "/api/campaigns?version=v2")).body).Size() == 5);
}

TEST_CASE("leads: create, echo, duplicates, quirks, enrichment", "[api][leads]") {
    manual_clock clock;
    emulator emu(no_limit(), clock.fn());
    const std::string c1 = std::string(sandbox_campaign_outreach), c2 = std::string(sandbox_campaign_linkedin);

    const auto r = call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/",
                                 create_body("lea.dupont@acme.example",
                                             R"(,"companyName":"Acme","jobTitle":"CTO","Company name":"Acme SAS","score":7,"timezone":"Europe/Paris")")));
    REQUIRE(r.status == 200);
    const auto lead = parse_json(r.body);
    CHECK(std::regex_match(str(lead, "_id"), std::regex("lea_[A-Za-z0-9]{17}")));
    CHECK(std::regex_match(str(lead, "contactId"), std::regex("ctc_[A-Za-z0-9]{17}")));
    CHECK(lead["isPaused"].IsFalse());
    CHECK(str(lead, "campaignId") == c1);
    CHECK(str(lead, "campaignName") == "Sales Outreach 2025");
    CHECK(str(lead, "email") == "lea.dupont@acme.example");
    CHECK(str(lead, "firstName") == "Léa");
    CHECK(str(lead, "Company name") == "Acme SAS");
    CHECK(lead["score"].GetInt() == 7);
    CHECK(str(lead, "timezone") == "Europe/Paris");

    SECTION("the same email in the same campaign is a 400") {
        const auto dup = call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/", create_body("LEA.DUPONT@acme.example ")));
        CHECK(dup.status == 400);
        CHECK(dup.body == "Lead already in the campaign");
        CHECK(dup.content_type.rfind("text/plain", 0) == 0);
    }
    SECTION("another campaign: allowed without deduplicate (same contact), 409 with it") {
        const auto other = call(emu, req("POST", "/api/campaigns/" + c2 + "/leads/", create_body("lea.dupont@acme.example")));
        REQUIRE(other.status == 200);
        CHECK(str(parse_json(other.body), "contactId") == str(lead, "contactId"));
        const auto dedupe = call(emu, req("POST", "/api/campaigns/" + std::string(sandbox_campaign_draft) +
                                                  "/leads/?deduplicate=true", create_body("lea.dupont@acme.example")));
        CHECK(dedupe.status == 409);
        CHECK(dedupe.body == "Lead already in other campaign");
        // A new email with deduplicate=true goes in.
        CHECK(call(emu, req("POST", "/api/campaigns/" + c2 + "/leads/?deduplicate=true", create_body("new@acme.example"))).status == 200);
    }
    SECTION("unknown campaign, prefix quirk, bad body") {
        const auto nf = call(emu, req("POST", "/api/campaigns/cam_doesNotExist00000/leads/", create_body("x@y.example")));
        CHECK(nf.status == 404);
        CHECK(nf.body == "Campaign not found");
        const auto quirk = call(emu, req("POST", "/api/campaigns/12345/leads/", create_body("quirk@y.example")));
        CHECK(quirk.status == 200);
        CHECK(call(emu, req("GET", "/api/leads/quirk%40y.example?version=v2")).status == 404);
        const auto bad = call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/", "{not json"));
        CHECK(bad.status == 400);
        CHECK(bad.content_type.rfind("text/plain", 0) == 0);
        CHECK(call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/", "[1,2]")).status == 400);
    }
    SECTION("legacy path forms: email in the path, no trailing slash") {
        const auto legacy = call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/path.user%40acme.example", ""));
        REQUIRE(legacy.status == 200);
        CHECK(str(parse_json(legacy.body), "email") == "path.user@acme.example");
        const auto bare = call(emu, req("POST", "/api/campaigns/" + c1 + "/leads",
                                        R"({"linkedinUrl":"https://www.linkedin.com/in/someone/","firstName":"Some"})"));
        REQUIRE(bare.status == 200);
        CHECK_FALSE(parse_json(bare.body).HasMember("email"));
        // The same LinkedIn profile (normalised) is a duplicate for an email-less lead.
        CHECK(call(emu, req("POST", "/api/campaigns/" + c1 + "/leads",
                            R"({"linkedinUrl":"http://linkedin.com/in/Someone"})")).status == 400);
    }
    SECTION("enrichment flags fill in what is missing, deterministically") {
        const auto e = call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/?findEmail=true&findPhone=true&linkedinEnrichment=true",
                                     R"({"firstName":"Jonas","lastName":"Müller","companyDomain":"Bauma.example"})"));
        REQUIRE(e.status == 200);
        const auto j = parse_json(e.body);
        CHECK(str(j, "email") == "jonas.mller@bauma.example");
        CHECK(str(j, "phone").rfind("+1 555 01", 0) == 0);
        CHECK(str(j, "linkedinUrl").rfind("https://www.linkedin.com/in/jonas-mller-", 0) == 0);
        const auto v = call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/?verifyEmail=true", create_body("bounce@acme.example")));
        REQUIRE(v.status == 200);
        const auto got = parse_json(call(emu, req("GET", "/api/leads?email=bounce%40acme.example")).body);
        CHECK(str(got, "emailStatus") == "undeliverable");
        // Without the flag nothing is invented.
        const auto plain = parse_json(call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/",
                                                    R"({"firstName":"Ana","companyDomain":"x.example"})")).body);
        CHECK_FALSE(plain.HasMember("email"));
    }
    SECTION("reading leads back") {
        clock.now += 1s;
        REQUIRE(call(emu, req("POST", "/api/campaigns/" + c2 + "/leads/", create_body("lea.dupont@acme.example"))).status == 200);
        const auto v2 = parse_json(call(emu, req("GET", "/api/leads/lea.dupont%40acme.example?version=v2")).body);
        REQUIRE(v2.IsArray());
        REQUIRE(v2.Size() == 2);
        CHECK(str(v2[0]["campaign"], "id") == c2);  // newest first
        CHECK(str(v2[1]["campaign"], "name") == "Sales Outreach 2025");
        CHECK(str(v2[1]["variables"], "email") == "lea.dupont@acme.example");
        CHECK(v2[1].HasMember("enrichment"));
        CHECK(str(v2[1], "state") == "scanned");
        const auto nf = call(emu, req("GET", "/api/leads/nobody%40acme.example?version=v2"));
        CHECK(nf.status == 404);
        CHECK(nf.body == "Lead not found");

        const auto by_id = parse_json(call(emu, req("GET", "/api/leads?id=" + str(lead, "_id"))).body);
        CHECK(str(by_id, "campaignId") == c1);

        REQUIRE(call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/", create_body("second@acme.example"))).status == 200);
        const auto list = parse_json(call(emu, req("GET", "/api/campaigns/" + c1 + "/leads/")).body);
        REQUIRE(list.Size() == 2);
        CHECK(str(list[1], "_id") == str(lead, "_id"));  // newest first
        CHECK(str(list[0], "state") == "scanned");
        CHECK(parse_json(call(emu, req("GET", "/api/campaigns/" + c1 + "/leads/?limit=1")).body).Size() == 1);

        const auto removed = call(emu, req("DELETE", "/api/campaigns/" + c1 + "/leads/" + str(lead, "_id") + "?action=remove"));
        REQUIRE(removed.status == 200);
        CHECK(str(parse_json(removed.body), "_id") == str(lead, "_id"));
        CHECK(call(emu, req("DELETE", "/api/campaigns/" + c1 + "/leads/" + str(lead, "_id") + "?action=remove")).status == 404);
        // Removed from this campaign, so it can be added again.
        CHECK(call(emu, req("POST", "/api/campaigns/" + c1 + "/leads/", create_body("lea.dupont@acme.example"))).status == 200);

        const auto unsub = call(emu, req("DELETE", "/api/campaigns/" + c1 + "/leads/second%40acme.example"));
        REQUIRE(unsub.status == 200);
        CHECK(str(parse_json(unsub.body), "email") == "second@acme.example");
    }
}

TEST_CASE("hooks: create, list without secrets, delete, plan gating", "[api][hooks]") {
    emulator emu(no_limit());
    const auto created = call(emu, req("POST", "/api/hooks",
                                       R"({"targetUrl":"http://127.0.0.1:8080/webhooks/lemlist","type":"emailsReplied","secret":"s3cr3t"})"));
    REQUIRE(created.status == 200);
    const auto h = parse_json(created.body);
    CHECK(std::regex_match(str(h, "_id"), std::regex("hoo_[A-Za-z0-9]{17}")));
    CHECK(str(h, "targetUrl") == "http://127.0.0.1:8080/webhooks/lemlist");
    CHECK(str(h, "type") == "emailsReplied");
    CHECK(h.HasMember("createdAt"));
    CHECK_FALSE(h.HasMember("secret"));
    CHECK(created.body.find("s3cr3t") == std::string::npos);

    const auto all_types = call(emu, req("POST", "/api/hooks?campaignId=cam_SandboxOutreach01&isFirst=true",
                                         R"({"targetUrl":"https://hooks.example/x"})"));
    REQUIRE(all_types.status == 200);
    const auto h2 = parse_json(all_types.body);
    CHECK_FALSE(h2.HasMember("type"));
    CHECK(str(h2, "campaignId") == "cam_SandboxOutreach01");
    CHECK(h2["isFirst"].IsTrue());
    const auto body_params = parse_json(call(emu, req("POST", "/api/hooks",
                                                      R"({"targetUrl":"https://hooks.example/y","campaignId":"cam_SandboxLinkedIn02","isFirst":false,"zapId":37709957})")).body);
    CHECK(str(body_params, "campaignId") == "cam_SandboxLinkedIn02");
    CHECK(body_params["isFirst"].IsFalse());
    CHECK(body_params["zapId"].GetInt() == 37709957);

    const auto list_r = call(emu, req("GET", "/api/hooks"));
    const auto list = parse_json(list_r.body);
    REQUIRE(list.Size() == 3);
    CHECK(list_r.body.find("secret") == std::string::npos);
    CHECK(list_r.body.find("s3cr3t") == std::string::npos);
    CHECK_FALSE(list[1].HasMember("type"));

    const auto inspect = parse_json(call(emu, req("GET", "/__emulator/hooks")).body);
    CHECK(str(inspect[0], "secret") == "s3cr3t");
    CHECK_FALSE(inspect[1].HasMember("secret"));

    SECTION("malformed creations fail in text/plain") {
        for (const auto* body : {R"({})", R"({"targetUrl":""})", R"({"targetUrl":"not a url"})",
                                 R"({"targetUrl":"https://x.example","type":"notAType"})", "{oops"}) {
            const auto bad = call(emu, req("POST", "/api/hooks", body));
            INFO(body);
            CHECK(bad.status == 400);
            CHECK(bad.content_type.rfind("text/plain", 0) == 0);
        }
        // Group types are documented hook types.
        CHECK(call(emu, req("POST", "/api/hooks", R"({"targetUrl":"https://x.example/c","type":"contacted"})")).status == 200);
    }
    SECTION("one hook per targetUrl, whatever the type: 409 for a second (field report)") {
        const auto same_url = call(emu, req("POST", "/api/hooks",
                                            R"({"targetUrl":"http://127.0.0.1:8080/webhooks/lemlist","type":"emailsOpened"})"));
        CHECK(same_url.status == 409);
        CHECK(same_url.content_type.rfind("text/plain", 0) == 0);
        CHECK(parse_json(call(emu, req("GET", "/api/hooks")).body).Size() == 3);  // nothing stored
        // A distinct query string is a distinct URL.
        CHECK(call(emu, req("POST", "/api/hooks",
                            R"({"targetUrl":"http://127.0.0.1:8080/webhooks/lemlist?type=emailsOpened","type":"emailsOpened"})"))
                  .status == 200);
        // Once the holder is deleted, the URL is free again.
        REQUIRE(call(emu, req("DELETE", "/api/hooks/" + str(h, "_id"))).status == 200);
        CHECK(call(emu, req("POST", "/api/hooks", R"({"targetUrl":"http://127.0.0.1:8080/webhooks/lemlist"})")).status == 200);
    }
    SECTION("delete returns the hook, then 404") {
        const auto del = call(emu, req("DELETE", "/api/hooks/" + str(h, "_id")));
        REQUIRE(del.status == 200);
        CHECK(str(parse_json(del.body), "_id") == str(h, "_id"));
        CHECK(del.body.find("s3cr3t") == std::string::npos);
        const auto again = call(emu, req("DELETE", "/api/hooks/" + str(h, "_id")));
        CHECK(again.status == 404);
        CHECK(again.body == "Webhook not found");
        CHECK(parse_json(call(emu, req("GET", "/api/hooks")).body).Size() == 2);
    }
    SECTION("plan-gated workspace") {
        emulator_options o = no_limit();
        o.plan_gated_hooks = true;
        emulator gated(o);
        const auto g = call(gated, req("POST", "/api/hooks", R"({"targetUrl":"https://x.example"})"));
        CHECK(g.status == 402);
        CHECK(g.body == "route is available starting emailPro plan");
        CHECK(g.content_type.rfind("text/plain", 0) == 0);
        CHECK(call(gated, req("GET", "/api/hooks")).status == 200);
    }
}

TEST_CASE("activities: version, filters, paging, newest first", "[api][activities]") {
    emulator emu(no_limit());
    std::string items = "[";
    for (int i = 0; i < 150; ++i) {
        char buf[400];
        std::snprintf(buf, sizeof buf,
                      R"(%s{"_id":"act_Insert%011d","type":"%s","createdAt":"2026-01-01T00:%02d:%02d.000Z","campaignId":"%s","leadId":"lea_L%016d","isFirst":%s})",
                      i ? "," : "", i, i % 3 == 0 ? "emailsOpened" : "emailsSent", i / 60, i % 60,
                      i % 2 ? "cam_SandboxOutreach01" : "cam_SandboxLinkedIn02", i % 5, i % 10 == 0 ? "true" : "false");
        items += buf;
    }
    items += "]";
    const auto ins = call(emu, req("POST", "/__emulator/activities", items));
    REQUIRE(ins.status == 200);
    CHECK(parse_json(ins.body)["inserted"].GetUint64() == 150);

    const auto no_version = call(emu, req("GET", "/api/activities"));
    CHECK(no_version.status == 400);
    CHECK(no_version.content_type.rfind("text/plain", 0) == 0);

    const auto page1 = parse_json(call(emu, req("GET", "/api/activities?version=v2")).body);
    REQUIRE(page1.Size() == 100);
    CHECK(str(page1[0], "_id") == "act_Insert00000000149");
    for (rapidjson::SizeType i = 1; i < page1.Size(); ++i) CHECK(str(page1[i - 1], "createdAt") > str(page1[i], "createdAt"));
    const auto page2 = parse_json(call(emu, req("GET", "/api/activities?version=v2&offset=100&limit=100")).body);
    REQUIRE(page2.Size() == 50);
    CHECK(str(page2[49], "_id") == "act_Insert00000000000");
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&limit=500")).body).Size() == 100);
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&limit=7")).body).Size() == 7);
    CHECK(call(emu, req("GET", "/api/activities?version=v2&limit=abc")).status == 400);

    const auto opened = parse_json(call(emu, req("GET", "/api/activities?version=v2&type=emailsOpened&limit=100")).body);
    CHECK(opened.Size() == 50);
    for (const auto& a : opened.GetArray()) CHECK(str(a, "type") == "emailsOpened");
    // A group name selects its member types.
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&type=hooked&limit=100")).body).Size() == 50);
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&campaignId=cam_SandboxOutreach01&limit=100")).body).Size() == 75);
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&leadId=lea_L0000000000000003&limit=100")).body).Size() == 30);
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&isFirst=true&limit=100")).body).Size() == 15);

    // 2026-01-01T00:01:00Z = 1767225660: items 60..149 are at or after it.
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&minDate=1767225660&limit=100")).body).Size() == 90);
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&startDate=2026-01-01T00:01:00Z&limit=100")).body).Size() == 90);
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&minDate=2026-01-01T00:01:00Z&maxDate=2026-01-01T00:01:09Z")).body).Size() == 10);
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&endDate=2026-01-01T00:00:09Z")).body).Size() == 10);
    // minDate wins over startDate.
    CHECK(parse_json(call(emu, req("GET", "/api/activities?version=v2&minDate=2026-01-01T00:02:00Z&startDate=2020-01-01&limit=100")).body).Size() == 30);
    CHECK(call(emu, req("GET", "/api/activities?version=v2&minDate=2026-01-01&maxDate=2026-01-01")).status == 400);
    CHECK(call(emu, req("GET", "/api/activities?version=v2&minDate=notadate")).status == 400);

    SECTION("plan-gated activities") {
        call(emu, req("POST", "/__emulator/config", R"({"plan_gated_activities":true})"));
        const auto g = call(emu, req("GET", "/api/activities?version=v2"));
        CHECK(g.status == 402);
        CHECK(g.body == "route is available starting emailPro plan");
    }
}

TEST_CASE("unknown routes answer 200 with the web app's HTML", "[api]") {
    emulator emu(no_limit());
    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/api/doesNotExist"}, {"POST", "/api/nope"}, {"PUT", "/api/hooks"}, {"GET", "/"}, {"GET", "/app/settings"}}) {
        const auto r = call(emu, req(method, target, "", ""));
        INFO(method << " " << target);
        CHECK(r.status == 200);
        CHECK(r.content_type.rfind("text/html", 0) == 0);
        CHECK(r.body.find("<html") != std::string::npos);
    }
    CHECK(call(emu, req("GET", "/__emulator/nothing")).status == 404);
}

TEST_CASE("faults: injected status and latency on matching routes", "[api][faults]") {
    emulator emu(no_limit());
    REQUIRE(call(emu, req("POST", "/__emulator/faults", R"({"status":503,"count":2,"path_prefix":"/api/hooks"})")).status == 200);
    REQUIRE(call(emu, req("POST", "/__emulator/faults", R"({"latency_ms":250,"count":1,"path_prefix":"/api/campaigns"})")).status == 200);
    CHECK(call(emu, req("GET", "/api/hooks")).status == 503);
    CHECK(call(emu, req("GET", "/api/hooks")).status == 503);
    CHECK(call(emu, req("GET", "/api/hooks")).status == 200);
    const auto slow = call(emu, req("GET", "/api/campaigns?version=v2"));
    CHECK(slow.status == 200);
    CHECK(slow.delay == 250ms);
    CHECK(call(emu, req("GET", "/api/campaigns?version=v2")).delay == 0ms);
    CHECK(call(emu, req("POST", "/__emulator/faults", R"({"count":1})")).status == 400);
    REQUIRE(call(emu, req("POST", "/__emulator/faults", R"({"status":500})")).status == 200);
    CHECK(call(emu, req("GET", "/api/hooks")).status == 500);
    call(emu, req("DELETE", "/__emulator/faults"));
    CHECK(call(emu, req("GET", "/api/hooks")).status == 200);
}

TEST_CASE("pause and resume through the API become delivered activities", "[api][leads]") {
    emulator emu(no_limit());
    call(emu, req("POST", "/api/hooks", R"({"targetUrl":"http://127.0.0.1:1/hook","secret":"k"})"));
    const auto lead = parse_json(call(emu, req("POST", "/api/campaigns/cam_SandboxOutreach01/leads/", create_body("p@acme.example"))).body);
    const auto paused = emu.handle(req("POST", "/api/leads/pause/" + str(lead, "_id")));
    REQUIRE(paused.response.status == 200);
    const auto arr = parse_json(paused.response.body);
    REQUIRE(arr.IsArray());
    CHECK(arr[0]["isPaused"].IsTrue());
    REQUIRE(paused.job);
    REQUIRE(paused.job->deliveries.size() == 1);
    const auto body = parse_json(paused.job->deliveries[0].body);
    CHECK(str(body, "type") == "paused");
    CHECK(str(body, "userName") == "api");
    CHECK(str(body, "leadEmail") == "p@acme.example");
    CHECK(str(body, "secret") == "k");
    const auto resumed = emu.handle(req("POST", "/api/leads/start/" + str(lead, "_id")));
    REQUIRE(resumed.job);
    CHECK(parse_json(resumed.response.body)[0]["isPaused"].IsFalse());
    const auto acts = parse_json(call(emu, req("GET", "/api/activities?version=v2&leadId=" + str(lead, "_id"))).body);
    REQUIRE(acts.Size() == 2);
    CHECK(str(acts[0]["lead"], "_id") == str(lead, "_id"));
    CHECK(call(emu, req("POST", "/api/leads/pause/lea_nope")).status == 404);
}

TEST_CASE("a play through the control route: leads, activities, plan, ground truth", "[api][play]") {
    manual_clock clock;
    emulator emu(no_limit(), clock.fn());
    call(emu, req("POST", "/api/hooks", R"({"targetUrl":"http://127.0.0.1:1/all","secret":"whsec"})"));
    call(emu, req("POST", "/api/hooks", R"({"targetUrl":"http://127.0.0.1:1/replies","type":"emailsReplied"})"));
    const auto out = emu.handle(req("POST", "/__emulator/play?wait=true",
                                    R"({"leads":20,"events_per_lead":6,"seed":7,"duplicate_share":0.2,"out_of_order_share":0.2,"concurrency":3})"));
    REQUIRE(out.response.status == 200);
    REQUIRE(out.job);
    REQUIRE(out.wait.has_value());
    const auto summary = parse_json(out.response.body);
    CHECK(summary["generated"].GetUint64() == 120);
    CHECK(summary["leads"].GetUint64() == 20);
    CHECK(out.job->settings.concurrency == 3);
    std::size_t to_all = 0, to_replies = 0;
    for (const auto& d : out.job->deliveries) {
        if (d.duplicate) continue;
        (d.target_url.find("/all") != std::string::npos ? to_all : to_replies)++;
        const auto b = parse_json(d.body);
        if (d.target_url.find("/all") != std::string::npos) CHECK(str(b, "secret") == "whsec");
        else CHECK_FALSE(b.HasMember("secret"));
    }
    CHECK(to_all == 120);
    CHECK(out.job->deliveries.size() == summary["planned"].GetUint64());
    CHECK(summary["duplicates_planned"].GetUint64() > 0);

    const auto events = parse_json(call(emu, req("GET", "/__emulator/events")).body);
    CHECK(events["total"].GetUint64() == 120);
    const auto& first = events["events"][0];
    CHECK(first.HasMember("body"));
    CHECK_FALSE(first["body"].HasMember("secret"));
    CHECK(str(first, "play_id") == str(summary, "id"));

    const auto leads = parse_json(call(emu, req("GET", "/__emulator/leads")).body);
    CHECK(leads.Size() == 20);
    const auto acts = parse_json(call(emu, req("GET", "/api/activities?version=v2&limit=100")).body);
    REQUIRE(acts.Size() > 0);
    bool nested = false;
    for (const auto& a : acts.GetArray()) {
        if (a.HasMember("lead")) {
            nested = true;
            CHECK(str(a["lead"], "_id") == str(a, "leadId"));
            CHECK(a["lead"]["variables"].IsObject());
        }
        CHECK_FALSE(a.HasMember("secret"));
    }
    CHECK(nested);

    const auto status = parse_json(call(emu, req("GET", "/__emulator/play/" + str(summary, "id"))).body);
    CHECK(str(status, "state") == "running");  // nothing ran the deliveries here
    CHECK(call(emu, req("POST", "/__emulator/play", R"({"leads":0})")).status == 400);
    CHECK(call(emu, req("POST", "/__emulator/play", R"({"campaign_id":"cam_nope"})")).status == 404);

    call(emu, req("POST", "/__emulator/reset"));
    CHECK(parse_json(call(emu, req("GET", "/__emulator/events")).body)["total"].GetUint64() == 0);
    CHECK(parse_json(call(emu, req("GET", "/api/hooks")).body).Size() == 0);
    CHECK(parse_json(call(emu, req("GET", "/api/campaigns?version=v2")).body).Size() == 4);
}
