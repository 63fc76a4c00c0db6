// Webhooks as the spec has them: https targets, subscriptions with a filter (null or
// $and/$or of equals/not_equals), the secret in the creation's answer only, pages of 10..100.
#include <catch2/catch.hpp>

#include <string>

#include "test_support.hpp"

using namespace attio_test;

namespace {

const std::string list_filter =
    R"({"$and":[{"field":"id.list_id","operator":"equals","value":"7d9e5c1e-0000-4000-8000-000000000001"}]})";

std::string webhook_body(const std::string& url, const std::string& filter = list_filter) {
    return R"({"data":{"target_url":")" + url + R"(","subscriptions":[{"event_type":"list-entry.created","filter":)" +
           filter + R"(},{"event_type":"list-entry.updated","filter":)" + filter + "}]}}";
}

}  // namespace

TEST_CASE("a webhook is created with its subscriptions - only that answer shows the secret") {
    harness h;
    auto created = h.call("POST", "/v2/webhooks", webhook_body("https://sync.example.com/webhooks/attio"));
    REQUIRE(created.status == 200);
    const auto& d = created.data();
    CHECK(std::string(d["target_url"].GetString()) == "https://sync.example.com/webhooks/attio");
    CHECK(std::string(d["status"].GetString()) == "active");
    CHECK(d["id"]["workspace_id"].IsString());
    const std::string id = d["id"]["webhook_id"].GetString();
    CHECK(looks_like_uuid(id));
    REQUIRE(d["secret"].IsString());
    const std::string secret = d["secret"].GetString();
    CHECK(secret.size() == 64);
    REQUIRE(d["subscriptions"].Size() == 2);
    CHECK(std::string(d["subscriptions"][1]["event_type"].GetString()) == "list-entry.updated");
    CHECK(std::string(d["subscriptions"][0]["filter"]["$and"][0]["field"].GetString()) == "id.list_id");

    auto got = h.call("GET", "/v2/webhooks/" + id);
    REQUIRE(got.status == 200);
    CHECK_FALSE(got.data().HasMember("secret"));
    CHECK(got.data()["subscriptions"].Size() == 2);
    auto listed = h.call("GET", "/v2/webhooks");
    REQUIRE(listed.status == 200);
    REQUIRE(listed.data().Size() == 1);
    CHECK_FALSE(listed.data()[0].HasMember("secret"));

    // The inspection route shows it, for tests that sign deliveries.
    auto inspected = h.call("GET", "/__emulator/webhooks", "", "");
    REQUIRE(inspected.status == 200);
    CHECK(std::string(inspected.data()[0]["secret"].GetString()) == secret);
}

TEST_CASE("webhook validation follows the spec") {
    harness h;
    auto http = h.call("POST", "/v2/webhooks", webhook_body("http://sync.example.com/webhooks/attio"));
    CHECK(http.status == 400);
    CHECK(http.code() == "validation_type");
    CHECK(h.call("POST", "/v2/webhooks", R"({"data":{"target_url":"https://x.example"}})").code() == "validation_type");
    CHECK(h.call("POST", "/v2/webhooks",
                 R"({"data":{"target_url":"https://x.example","subscriptions":[{"event_type":"list-entry.moved","filter":null}]}})")
              .status == 400);
    // filter is required (null passes everything) …
    CHECK(h.call("POST", "/v2/webhooks",
                 R"({"data":{"target_url":"https://x.example","subscriptions":[{"event_type":"record.created"}]}})")
              .status == 400);
    CHECK(h.call("POST", "/v2/webhooks",
                 R"({"data":{"target_url":"https://x.example","subscriptions":[{"event_type":"record.created","filter":null}]}})")
              .status == 200);
    // … and only equals / not_equals conditions under one $and or $or.
    CHECK(h.call("POST", "/v2/webhooks",
                 webhook_body("https://x.example", R"({"$and":[{"field":"id.list_id","operator":"contains","value":"x"}]})"))
              .status == 400);
    CHECK(h.call("POST", "/v2/webhooks", webhook_body("https://x.example", R"({"field":"id.list_id"})")).status == 400);
    CHECK(h.call("POST", "/v2/webhooks",
                 webhook_body("https://x.example", R"({"$or":[{"field":"actor.type","operator":"not_equals","value":"api-token"}]})"))
              .status == 200);
    CHECK(h.call("GET", "/v2/webhooks").data().Size() == 2);
}

TEST_CASE("a webhook's subscriptions are replaced by PATCH, the secret kept - DELETE removes it") {
    harness h;
    auto created = h.call("POST", "/v2/webhooks", webhook_body("https://sync.example.com/webhooks/attio"));
    REQUIRE(created.status == 200);
    const std::string id = created.data()["id"]["webhook_id"].GetString();
    auto patched = h.call("PATCH", "/v2/webhooks/" + id,
                          R"({"data":{"subscriptions":[{"event_type":"list-entry.created","filter":null}]}})");
    REQUIRE(patched.status == 200);
    CHECK(patched.data()["subscriptions"].Size() == 1);
    CHECK(patched.data()["subscriptions"][0]["filter"].IsNull());
    CHECK(std::string(patched.data()["target_url"].GetString()) == "https://sync.example.com/webhooks/attio");
    CHECK_FALSE(patched.data().HasMember("secret"));
    CHECK(h.call("PATCH", "/v2/webhooks/" + id, R"({"data":{"target_url":"http://plain.example"}})").status == 400);

    auto missing = h.call("GET", "/v2/webhooks/7d9e5c1e-0000-4000-8000-00000000dead");
    CHECK(missing.status == 404);
    CHECK(std::string(missing.json["message"].GetString()) ==
          "Webhook with ID \"7d9e5c1e-0000-4000-8000-00000000dead\" was not found.");
    CHECK(h.call("PATCH", "/v2/webhooks/7d9e5c1e-0000-4000-8000-00000000dead", R"({"data":{}})").status == 404);
    auto removed = h.call("DELETE", "/v2/webhooks/" + id);
    CHECK(removed.status == 200);
    CHECK(removed.raw.body == "{}");
    CHECK(h.call("DELETE", "/v2/webhooks/" + id).status == 404);
    CHECK(h.call("GET", "/v2/webhooks").data().Size() == 0);
}

TEST_CASE("webhooks page by limit (10 to 100, default 10) and offset - reset drops them") {
    harness h;
    for (int i = 0; i < 12; ++i)
        REQUIRE(h.call("POST", "/v2/webhooks", webhook_body("https://x.example/" + std::to_string(i))).status == 200);
    CHECK(h.call("GET", "/v2/webhooks").data().Size() == 10);
    auto second = h.call("GET", "/v2/webhooks?limit=10&offset=10");
    REQUIRE(second.data().Size() == 2);
    CHECK(std::string(second.data()[1]["target_url"].GetString()) == "https://x.example/11");
    CHECK(h.call("GET", "/v2/webhooks?limit=100").data().Size() == 12);
    CHECK(h.call("GET", "/v2/webhooks?limit=5").status == 400);
    CHECK(h.call("GET", "/v2/webhooks?limit=101").status == 400);

    CHECK(h.call("POST", "/__emulator/reset?keep_schema=true", "", "").status == 200);
    CHECK(h.call("GET", "/v2/webhooks?limit=100").data().Size() == 12);
    CHECK(h.call("POST", "/__emulator/reset", "", "").status == 200);
    CHECK(h.call("GET", "/v2/webhooks").data().Size() == 0);
}
