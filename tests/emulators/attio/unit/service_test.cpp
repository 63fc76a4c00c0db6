#include <catch2/catch.hpp>

#include <string>

#include "test_support.hpp"

using namespace attio_test;

TEST_CASE("authentication: Bearer, Basic with the token as username - missing or wrong is 401") {
    harness h;
    CHECK(h.call("GET", "/v2/objects").status == 200);
    CHECK(h.call("GET", "/v2/objects", "", "bearer test-key").status == 200);
    CHECK(h.call("GET", "/v2/objects", "", "Basic dGVzdC1rZXk6").status == 200);  // "test-key:"
    auto missing = h.call("GET", "/v2/objects", "", "");
    CHECK(missing.status == 401);
    CHECK(std::string(missing.json["type"].GetString()) == "auth_error");
    CHECK(missing.code() == "unauthorized");
    CHECK(std::string(missing.json["message"].GetString()).starts_with("The Authorization header was not provided."));
    auto wrong = h.call("GET", "/v2/objects", "", "Bearer nope");
    CHECK(wrong.status == 401);
    CHECK(wrong.code() == "unauthorized");
    CHECK(h.call("GET", "/v2/objects", "", "Basic bm9wZTo=").status == 401);
    CHECK(h.call("GET", "/v2/objects", "", "Token test-key").status == 401);
    CHECK(h.svc->counters().snapshot().unauthorized == 4);
}

TEST_CASE("unknown endpoints, including GET on the records collection, are Attio's 404") {
    harness h;
    auto r = h.call("GET", "/v2/objects/people/records");
    CHECK(r.status == 404);
    CHECK(std::string(r.json["type"].GetString()) == "invalid_request_error");
    CHECK(r.code() == "not_found");
    CHECK(std::string(r.json["message"].GetString()) == "Could not find endpoint \"GET /v2/objects/people/records\".");
    CHECK(h.call("POST", "/v2/nothing?x=1").code() == "not_found");
    CHECK(std::string(h.call("DELETE", "/v2/lists").json["message"].GetString()) ==
          "Could not find endpoint \"DELETE /v2/lists\".");
    CHECK(h.call("GET", "/v2/notes").status == 501);  // real, but not emulated
}

TEST_CASE("GET /v2/self is not wrapped in data") {
    harness h;
    auto r = h.call("GET", "/v2/self");
    REQUIRE(r.status == 200);
    CHECK_FALSE(r.json.HasMember("data"));
    CHECK(r.json["active"].IsTrue());
    CHECK(std::string(r.json["token_type"].GetString()) == "Bearer");
    CHECK(std::string(r.json["iss"].GetString()) == "attio.com");
    CHECK(std::string(r.json["workspace_id"].GetString()) == r.json["sub"].GetString());
    CHECK(r.json["exp"].IsNull());
    CHECK(r.json["workspace_logo_url"].IsNull());
    CHECK_FALSE(r.header("x-attio-execution-id").empty());
}

TEST_CASE("objects and their standard attributes") {
    harness h;
    auto objects = h.call("GET", "/v2/objects");
    REQUIRE(objects.data().Size() == 2);
    auto people = h.call("GET", "/v2/objects/people");
    REQUIRE(people.status == 200);
    CHECK(std::string(people.data()["api_slug"].GetString()) == "people");
    CHECK(std::string(people.data()["singular_noun"].GetString()) == "Person");
    const std::string object_id = people.data()["id"]["object_id"].GetString();
    CHECK(h.call("GET", "/v2/objects/" + object_id).status == 200);  // by id too
    auto none = h.call("GET", "/v2/objects/deals");
    CHECK(none.status == 404);
    CHECK(std::string(none.json["message"].GetString()) == "Object with slug/ID \"deals\" not found.");

    auto email = h.call("GET", "/v2/objects/people/attributes/email_addresses");
    REQUIRE(email.status == 200);
    CHECK(std::string(email.data()["type"].GetString()) == "email-address");
    CHECK(email.data()["is_unique"].IsTrue());
    CHECK(email.data()["is_multiselect"].IsTrue());
    CHECK(email.data()["is_system_attribute"].IsTrue());
    CHECK(std::string(email.data()["id"]["object_id"].GetString()) == object_id);
    auto linkedin = h.call("GET", "/v2/objects/people/attributes/linkedin");
    CHECK(std::string(linkedin.data()["type"].GetString()) == "text");
    CHECK(linkedin.data()["is_unique"].IsFalse());
    auto all = h.call("GET", "/v2/objects/people/attributes?limit=3&offset=1");
    REQUIRE(all.data().Size() == 3);
    CHECK(std::string(all.data()[0]["api_slug"].GetString()) == "name");
    CHECK(h.call("GET", "/v2/objects/people/attributes/nope").status == 404);
}

TEST_CASE("creating attributes: required fields, slug conflicts, then writable and filterable") {
    harness h;
    auto missing = h.call("POST", "/v2/objects/people/attributes", R"({"data":{"title":"Status","api_slug":"lemlist_status"}})");
    CHECK(missing.status == 400);
    CHECK(missing.code() == "validation_type");
    CHECK(missing.json["validation_errors"].Size() == 6);  // description, type, 3 booleans, config
    auto extra = h.call("POST", "/v2/objects/people/attributes",
                        R"({"data":{"title":"S","description":null,"api_slug":"s","type":"text","is_required":false,)"
                        R"("is_unique":false,"is_multiselect":false,"config":{},"colour":"red"}})");
    CHECK(extra.code() == "validation_type");

    auto select = h.add_attribute("objects/people", "lemlist_status", "select");
    REQUIRE(select.status == 200);
    CHECK(std::string(select.data()["type"].GetString()) == "select");
    CHECK(select.data()["is_system_attribute"].IsFalse());
    CHECK(select.data()["default_value"].IsNull());
    auto again = h.add_attribute("objects/people", "lemlist_status", "text");
    CHECK(again.status == 409);
    CHECK(again.code() == "slug_conflict");
    CHECK(h.add_attribute("objects/people", "x", "status").code() == "validation_type");  // not on objects
    CHECK(h.add_attribute("objects/people", "y", "select", false, true).code() == "validation_type");  // unique select
    CHECK(h.add_attribute("objects/people", "z", "personal-name").code() == "validation_type");

    for (const char* title : {"contacted", "hooked"}) {
        auto o = h.call("POST", "/v2/objects/people/attributes/lemlist_status/options",
                        std::string(R"({"data":{"title":")") + title + "\"}}");
        REQUIRE(o.status == 200);
        CHECK(std::string(o.data()["title"].GetString()) == title);
        CHECK(o.data()["is_archived"].IsFalse());
        CHECK(o.data()["id"]["option_id"].IsString());
    }
    auto dup = h.call("POST", "/v2/objects/people/attributes/lemlist_status/options", R"({"data":{"title":"hooked"}})");
    CHECK(dup.status == 409);
    CHECK(dup.code() == "slug_conflict");
    CHECK(std::string(dup.json["message"].GetString()) == "There is already another select option with the title \"hooked\".");
    auto not_select = h.call("POST", "/v2/objects/people/attributes/linkedin/options", R"({"data":{"title":"x"}})");
    CHECK(not_select.status == 400);
    CHECK(std::string(not_select.json["message"].GetString()) == "This attribute is not a select attribute.");
    CHECK(h.call("GET", "/v2/objects/people/attributes/lemlist_status/options").data().Size() == 2);

    const auto id = h.create_person(R"({"lemlist_status":"hooked"})");
    REQUIRE(id.size() == 36);
    auto q = h.call("POST", "/v2/objects/people/records/query", R"({"filter":{"lemlist_status":"hooked"}})");
    REQUIRE(q.data().Size() == 1);
    CHECK(std::string(q.data()[0]["values"]["lemlist_status"][0]["option"]["title"].GetString()) == "hooked");
    CHECK(h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{"lemlist_status":"warmed"}}})").code() ==
          "value_not_found");

    // Archived options are hidden and cannot be written.
    auto archived = h.call("PATCH", "/v2/objects/people/attributes/lemlist_status/options/contacted",
                           R"({"data":{"is_archived":true}})");
    CHECK(archived.data()["is_archived"].IsTrue());
    CHECK(h.call("GET", "/v2/objects/people/attributes/lemlist_status/options").data().Size() == 1);
    CHECK(h.call("GET", "/v2/objects/people/attributes/lemlist_status/options?show_archived=true").data().Size() == 2);
}

TEST_CASE("lists: all five fields required, parent_object echoed as an array, slug conflicts") {
    harness h;
    auto missing = h.call("POST", "/v2/lists", R"({"data":{"name":"Lemlist events","parent_object":"people"}})");
    CHECK(missing.status == 400);
    CHECK(missing.code() == "validation_type");
    CHECK(missing.json["validation_errors"].Size() == 3);
    const std::string body = R"({"data":{"name":"Lemlist events","api_slug":"lemlist_events","parent_object":"people",)"
                             R"("workspace_access":"full-access","workspace_member_access":[]}})";
    auto created = h.call("POST", "/v2/lists", body);
    REQUIRE(created.status == 200);
    CHECK(std::string(created.data()["api_slug"].GetString()) == "lemlist_events");
    REQUIRE(created.data()["parent_object"].IsArray());
    CHECK(std::string(created.data()["parent_object"][0].GetString()) == "people");
    CHECK(std::string(created.data()["workspace_access"].GetString()) == "full-access");
    CHECK(std::string(created.data()["created_by_actor"]["type"].GetString()) == "api-token");
    auto conflict = h.call("POST", "/v2/lists", body);
    CHECK(conflict.status == 409);
    CHECK(std::string(conflict.json["message"].GetString()) == "A list with api_slug \"lemlist_events\" already exists.");
    const std::string list_id = created.data()["id"]["list_id"].GetString();
    CHECK(h.call("GET", "/v2/lists/" + list_id).status == 200);
    CHECK(h.call("GET", "/v2/lists/lemlist_events").status == 200);
    CHECK(h.call("GET", "/v2/lists").data().Size() == 1);
    auto no_parent = h.call("POST", "/v2/lists",
                            R"({"data":{"name":"x","api_slug":"x","parent_object":"deals","workspace_access":"full-access","workspace_member_access":[]}})");
    CHECK(no_parent.status == 404);
    auto private_list = h.call("POST", "/v2/lists",
                               R"({"data":{"name":"x","api_slug":"x","parent_object":"people","workspace_access":null,"workspace_member_access":[]}})");
    CHECK(private_list.code() == "validation_type");

    // List attributes carry the list id as object_id.
    auto attr = h.add_attribute("lists/lemlist_events", "activity_id", "text");
    REQUIRE(attr.status == 200);
    CHECK(std::string(attr.data()["id"]["object_id"].GetString()) == list_id);
    CHECK(h.add_attribute("lists/lemlist_events", "activity_id", "text").status == 409);
    CHECK(h.add_attribute("lists/nope", "a", "text").status == 404);
}

TEST_CASE("inspection routes and reset") {
    harness h;
    h.create_events_list();
    const auto id = h.create_person(R"({"email_addresses":["Jo@X.com"],"name":"Doe, Jo","lemlist_x":"y"})");
    REQUIRE(id.starts_with("ERROR"));  // unknown attribute
    const auto jo = h.create_person(R"({"email_addresses":["Jo@X.com"],"name":"Doe, Jo"})");
    h.call("POST", "/v2/lists/lemlist_events/entries",
           R"({"data":{"parent_record_id":")" + jo + R"(","parent_object":"people","entry_values":{"activity_id":"a1","sequence_step":2}}})");
    auto people = h.call("GET", "/__emulator/people", "", "");
    REQUIRE(people.status == 200);
    REQUIRE(people.data().Size() == 1);
    const auto& p = people.data()[0];
    CHECK(std::string(p["record_id"].GetString()) == jo);
    CHECK(std::string(p["values"]["email_addresses"][0].GetString()) == "jo@x.com");
    CHECK(std::string(p["values"]["name"].GetString()) == "Jo Doe");
    CHECK_FALSE(p["values"].HasMember("job_title"));
    CHECK(h.call("GET", "/__emulator/people?email=JO%40x.com", "", "").data().Size() == 1);
    CHECK(h.call("GET", "/__emulator/people?email=none%40x.com", "", "").data().Size() == 0);

    auto entries = h.call("GET", "/__emulator/entries?list=lemlist_events", "", "");
    REQUIRE(entries.data().Size() == 1);
    CHECK(std::string(entries.data()[0]["values"]["activity_id"].GetString()) == "a1");
    CHECK(entries.data()[0]["values"]["sequence_step"].GetInt() == 2);
    CHECK(std::string(entries.data()[0]["parent_record_id"].GetString()) == jo);
    CHECK(h.call("GET", "/__emulator/entries?list=nope", "", "").status == 404);

    auto stats = h.call("GET", "/__emulator/stats", "", "");
    REQUIRE(stats.status == 200);
    CHECK(stats.json["by_route"]["POST /v2/objects/{object}/records"]["200"].GetUint() == 1);
    CHECK(stats.json["by_route"]["POST /v2/objects/{object}/records"]["400"].GetUint() == 1);
    CHECK(stats.json["writes_accepted"].GetUint() >= 4);
    CHECK(stats.json["records"]["people"].GetUint() == 1);
    CHECK(stats.json["entries"]["lemlist_events"].GetUint() == 1);

    CHECK(h.call("POST", "/__emulator/reset?keep_schema=true", "", "").status == 200);
    CHECK(h.call("GET", "/__emulator/people", "", "").data().Size() == 0);
    CHECK(h.call("GET", "/v2/lists/lemlist_events").status == 200);  // schema kept
    CHECK(h.call("GET", "/__emulator/stats", "", "").json["requests"].GetUint() == 1);  // only the GET above

    CHECK(h.call("POST", "/__emulator/reset", "", "").status == 200);
    CHECK(h.call("GET", "/v2/lists/lemlist_events").status == 404);
    CHECK(h.call("GET", "/v2/objects/people/attributes/activity_id").status == 404);
    auto after = h.call("GET", "/v2/objects/people/attributes/email_addresses");
    CHECK(after.status == 200);  // standard objects re-seeded
    CHECK(h.call("GET", "/__emulator/nothing", "", "").status == 404);
}

TEST_CASE("rate-limit control route") {
    harness h(true);
    auto r = h.call("POST", "/__emulator/rate-limit", R"({"scale":0.04})", "");
    REQUIRE(r.status == 200);
    CHECK(r.json["writes_per_second"].GetUint() == 1);
    CHECK(h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})").status == 200);
    CHECK(h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})").status == 429);
    REQUIRE(h.call("POST", "/__emulator/rate-limit", R"({"enabled":false})", "").status == 200);
    CHECK(h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{}}})").status == 200);
}

TEST_CASE("status attributes on lists: statuses route and the status read shape") {
    harness h;
    h.create_events_list();
    REQUIRE(h.add_list_attribute("stage", "status").status == 200);
    auto st = h.call("POST", "/v2/lists/lemlist_events/attributes/stage/statuses",
                     R"({"data":{"title":"In Progress","celebration_enabled":true}})");
    REQUIRE(st.status == 200);
    CHECK(st.data()["id"]["status_id"].IsString());
    CHECK(st.data()["celebration_enabled"].IsTrue());
    CHECK(h.call("POST", "/v2/lists/lemlist_events/attributes/stage/statuses", R"({"data":{"title":"In Progress"}})").status == 409);
    CHECK(h.call("POST", "/v2/lists/lemlist_events/attributes/stage/options", R"({"data":{"title":"x"}})").status == 400);
    const auto id = h.create_person("{}");
    auto e = h.call("POST", "/v2/lists/lemlist_events/entries",
                    R"({"data":{"parent_record_id":")" + id + R"(","parent_object":"people","entry_values":{"stage":"In Progress"}}})");
    REQUIRE(e.status == 200);
    const auto& v = e.data()["entry_values"]["stage"][0];
    CHECK(std::string(v["attribute_type"].GetString()) == "status");
    CHECK(std::string(v["status"]["title"].GetString()) == "In Progress");
    CHECK(v["status"]["target_time_in_status"].IsNull());
    auto unknown = h.call("POST", "/v2/lists/lemlist_events/entries",
                          R"({"data":{"parent_record_id":")" + id + R"(","parent_object":"people","entry_values":{"stage":"Done"}}})");
    CHECK(unknown.code() == "value_not_found");
}
