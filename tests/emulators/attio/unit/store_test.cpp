#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace attio_test;
using strings = std::vector<std::string>;

TEST_CASE("a uniqueness conflict on email stores nothing") {
    harness h;
    const auto first = h.create_person(R"({"email_addresses":["john@example.com"]})");
    REQUIRE(first.size() == 36);
    auto dup = h.call("POST", "/v2/objects/people/records",
                      R"({"data":{"values":{"email_addresses":["other@example.com","JOHN@example.com"],"job_title":"CTO"}}})");
    CHECK(dup.status == 400);
    CHECK(dup.code() == "uniqueness_conflict");
    CHECK(std::string(dup.json["type"].GetString()) == "invalid_request_error");
    CHECK(std::string(dup.json["message"].GetString()).find("\"email_addresses\"") != std::string::npos);
    // Nothing stored: other@example.com is still free and only one person exists.
    auto people = h.call("GET", "/__emulator/people");
    CHECK(people.data().Size() == 1);
    CHECK(h.create_person(R"({"email_addresses":["other@example.com"]})").size() == 36);

    // The same conflict on update, under both verbs.
    const auto second = h.create_person(R"({"email_addresses":["second@example.com"]})");
    for (const char* verb : {"PATCH", "PUT"}) {
        auto r = h.call(verb, "/v2/objects/people/records/" + second,
                        R"({"data":{"values":{"email_addresses":["john@example.com"]}}})");
        CHECK(r.status == 400);
        CHECK(r.code() == "uniqueness_conflict");
    }
    auto unchanged = h.call("GET", "/v2/objects/people/records/" + second);
    CHECK(emails_of(unchanged.data()) == strings{"second@example.com"});
}

TEST_CASE("linkedin is not unique: two people may share it") {
    harness h;
    CHECK(h.create_person(R"({"linkedin":"https://linkedin.com/in/x"})").size() == 36);
    CHECK(h.create_person(R"({"linkedin":"https://linkedin.com/in/x"})").size() == 36);
}

TEST_CASE("assert by email creates, then updates the same record") {
    harness h;
    const std::string target = "/v2/objects/people/records?matching_attribute=email_addresses";
    auto created = h.call("PUT", target, R"({"data":{"values":{"email_addresses":["jane@example.com"],"job_title":"CEO"}}})");
    REQUIRE(created.status == 200);
    const std::string id = created.data()["id"]["record_id"].GetString();
    auto updated = h.call("PUT", target,
                          R"({"data":{"values":{"email_addresses":["JANE@example.com","jane@home.org"],"job_title":"Chair"}}})");
    REQUIRE(updated.status == 200);
    CHECK(std::string(updated.data()["id"]["record_id"].GetString()) == id);
    CHECK(std::string(updated.data()["values"]["job_title"][0]["value"].GetString()) == "Chair");
    // The matching attribute is multiselect: new addresses are added, existing ones kept.
    CHECK(emails_of(updated.data()) == strings{"jane@home.org", "jane@example.com"});
    CHECK(h.call("GET", "/__emulator/people").data().Size() == 1);
}

TEST_CASE("assert rules on the matching attribute") {
    harness h;
    auto not_unique = h.call("PUT", "/v2/objects/people/records?matching_attribute=linkedin",
                             R"({"data":{"values":{"linkedin":"https://linkedin.com/in/x"}}})");
    CHECK(not_unique.status == 400);
    CHECK(not_unique.code() == "matching_attribute_definition_not_unique");
    auto unknown = h.call("PUT", "/v2/objects/people/records?matching_attribute=nope", R"({"data":{"values":{}}})");
    CHECK(unknown.status == 400);
    CHECK(unknown.code() == "value_not_found");
    CHECK(std::string(unknown.json["message"].GetString()) == "No attribute was found for matching_attribute slug/ID \"nope\".");
    auto missing = h.call("PUT", "/v2/objects/people/records", R"({"data":{"values":{}}})");
    CHECK(missing.status == 400);
    CHECK(missing.code() == "validation_type");
}

TEST_CASE("assert replaces other multiselect attributes exactly") {
    harness h;
    const std::string target = "/v2/objects/people/records?matching_attribute=email_addresses";
    REQUIRE(h.call("PUT", target, R"({"data":{"values":{"email_addresses":["a@x.com"],"phone_numbers":["+15550000001","+15550000002"]}}})")
                .status == 200);
    auto r = h.call("PUT", target, R"({"data":{"values":{"email_addresses":["a@x.com"],"phone_numbers":["+15550000003"]}}})");
    REQUIRE(r.status == 200);
    REQUIRE(r.data()["values"]["phone_numbers"].Size() == 1);
    CHECK(std::string(r.data()["values"]["phone_numbers"][0]["phone_number"].GetString()) == "+15550000003");
}

TEST_CASE("PATCH prepends to multiselect values - PUT overwrites them") {
    harness h;
    const auto id = h.create_person(R"({"email_addresses":["a@x.com","b@x.com"],"job_title":"Dev"})");
    auto patched = h.call("PATCH", "/v2/objects/people/records/" + id,
                          R"({"data":{"values":{"email_addresses":["c@x.com","B@x.com"]}}})");
    REQUIRE(patched.status == 200);
    // New first; an address already there is neither moved nor repeated.
    CHECK(emails_of(patched.data()) == strings{"c@x.com", "a@x.com", "b@x.com"});
    CHECK(std::string(patched.data()["values"]["job_title"][0]["value"].GetString()) == "Dev");  // untouched

    auto put = h.call("PUT", "/v2/objects/people/records/" + id, R"({"data":{"values":{"email_addresses":["b@x.com","d@x.com"]}}})");
    REQUIRE(put.status == 200);
    CHECK(emails_of(put.data()) == strings{"b@x.com", "d@x.com"});
    CHECK(std::string(put.data()["values"]["job_title"][0]["value"].GetString()) == "Dev");  // not sent: left alone

    // a@x.com was released by the PUT: another person may take it now.
    CHECK(h.create_person(R"({"email_addresses":["a@x.com"]})").size() == 36);

    auto cleared = h.call("PATCH", "/v2/objects/people/records/" + id, R"({"data":{"values":{"job_title":null}}})");
    CHECK(cleared.data()["values"]["job_title"].Size() == 0);
}

TEST_CASE("every attribute is present in values, empty ones as []") {
    harness h;
    auto r = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{"name":"Doe, Jane"}}})");
    REQUIRE(r.status == 200);
    const auto& values = r.data()["values"];
    for (const char* slug : {"record_id", "name", "email_addresses", "description", "company", "job_title", "phone_numbers",
                             "primary_location", "linkedin", "twitter", "created_at", "created_by"}) {
        INFO(slug);
        REQUIRE(values.HasMember(slug));
        CHECK(values[slug].IsArray());
    }
    CHECK(values["email_addresses"].Size() == 0);
    CHECK(std::string(values["record_id"][0]["value"].GetString()) == r.data()["id"]["record_id"].GetString());
    CHECK(std::string(values["created_by"][0]["referenced_actor_type"].GetString()) == "api-token");
    const std::string created = values["created_at"][0]["value"].GetString();
    CHECK(created == "2026-01-01T00:00:00.250000000Z");
    CHECK(std::string(r.data()["created_at"].GetString()) == created);
}

TEST_CASE("unknown or read-only attributes and wrong shapes are validation errors") {
    harness h;
    auto unknown = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{"favourite_colour":"blue"}}})");
    CHECK(unknown.status == 400);
    CHECK(unknown.code() == "validation_type");
    REQUIRE(unknown.json.HasMember("validation_errors"));
    CHECK(std::string(unknown.json["validation_errors"][0]["path"][2].GetString()) == "favourite_colour");
    auto read_only = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{"created_at":"2020-01-01"}}})");
    CHECK(read_only.code() == "validation_type");
    auto no_values = h.call("POST", "/v2/objects/people/records", R"({"data":{}})");
    CHECK(no_values.code() == "validation_type");
    auto not_json = h.call("POST", "/v2/objects/people/records", "{nope");
    CHECK(not_json.status == 400);
    CHECK(not_json.code() == "validation_type");
    CHECK(h.call("GET", "/__emulator/people").data().Size() == 0);
}

TEST_CASE("required custom attributes: missing_value on create and on clearing") {
    harness h;
    auto a = h.call("POST", "/v2/objects/people/attributes",
                    R"({"data":{"title":"Lead","description":null,"api_slug":"lead_id","type":"text","is_required":true,)"
                    R"("is_unique":false,"is_multiselect":false,"config":{}}})");
    REQUIRE(a.status == 200);
    auto missing = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{"job_title":"x"}}})");
    CHECK(missing.status == 400);
    CHECK(missing.code() == "missing_value");
    const auto id = h.create_person(R"({"lead_id":"l1"})");
    auto cleared = h.call("PATCH", "/v2/objects/people/records/" + id, R"({"data":{"values":{"lead_id":[]}}})");
    CHECK(cleared.code() == "missing_value");
}

TEST_CASE("unique custom text attributes conflict too") {
    harness h;
    REQUIRE(h.add_attribute("objects/people", "external_id", "text", false, true).status == 200);
    CHECK(h.create_person(R"({"external_id":"e1"})").size() == 36);
    auto dup = h.call("POST", "/v2/objects/people/records", R"({"data":{"values":{"external_id":"e1"}}})");
    CHECK(dup.code() == "uniqueness_conflict");
}

TEST_CASE("entries: many per parent - assert by parent - update and delete") {
    harness h;
    h.create_events_list();
    const auto id = h.create_person(R"({"email_addresses":["p@x.com"]})");
    const auto body = [&](const std::string& values) {
        return R"({"data":{"parent_record_id":")" + id + R"(","parent_object":"people","entry_values":)" + values + "}}";
    };
    auto assert_new = h.call("PUT", "/v2/lists/lemlist_events/entries", body(R"({"activity_id":"a0"})"));
    REQUIRE(assert_new.status == 200);
    const std::string first = assert_new.data()["id"]["entry_id"].GetString();
    auto assert_again = h.call("PUT", "/v2/lists/lemlist_events/entries", body(R"({"event_type":"emailsSent"})"));
    REQUIRE(assert_again.status == 200);
    CHECK(std::string(assert_again.data()["id"]["entry_id"].GetString()) == first);

    for (int i = 1; i <= 3; ++i) {
        auto r = h.call("POST", "/v2/lists/lemlist_events/entries", body(R"({"activity_id":"a)" + std::to_string(i) + R"(","channel":"email"})"));
        REQUIRE(r.status == 200);
        CHECK(std::string(r.data()["parent_object"].GetString()) == "people");
        CHECK(std::string(r.data()["parent_record_id"].GetString()) == id);
        CHECK(r.data()["entry_values"]["channel"][0]["option"]["title"] == "email");
        CHECK(r.data()["entry_values"]["sequence_step"].Size() == 0);
    }
    CHECK(h.call("GET", "/__emulator/entries?list=lemlist_events").data().Size() == 4);
    auto many = h.call("PUT", "/v2/lists/lemlist_events/entries", body("{}"));
    CHECK(many.status == 400);
    CHECK(many.code() == "multiple_match_results");

    auto record_entries = h.call("GET", "/v2/objects/people/records/" + id + "/entries");
    REQUIRE(record_entries.data().Size() == 4);
    CHECK(std::string(record_entries.data()[0]["list_api_slug"].GetString()) == "lemlist_events");
    CHECK(std::string(record_entries.data()[0]["entry_id"].GetString()) == first);

    auto moved = h.call("PATCH", "/v2/lists/lemlist_events/entries/" + first,
                        R"({"data":{"parent_record_id":"00000000-0000-4000-8000-000000000000","entry_values":{}}})");
    CHECK(moved.code() == "immutable_value");
    auto put = h.call("PUT", "/v2/lists/lemlist_events/entries/" + first, R"({"data":{"entry_values":{"activity_id":null}}})");
    REQUIRE(put.status == 200);
    CHECK(put.data()["entry_values"]["activity_id"].Size() == 0);
    CHECK(std::string(put.data()["entry_values"]["event_type"][0]["value"].GetString()) == "emailsSent");

    auto del = h.call("DELETE", "/v2/lists/lemlist_events/entries/" + first);
    CHECK(del.status == 200);
    CHECK(del.raw.body == "{}");
    CHECK(h.call("GET", "/v2/lists/lemlist_events/entries/" + first).status == 404);

    // Deleting the person removes its entries.
    CHECK(h.call("DELETE", "/v2/objects/people/records/" + id).raw.body == "{}");
    CHECK(h.call("GET", "/__emulator/entries?list=lemlist_events").data().Size() == 0);
    CHECK(h.call("GET", "/v2/objects/people/records/" + id).status == 404);
}

TEST_CASE("entry creation errors") {
    harness h;
    h.create_events_list();
    auto no_parent = h.call("POST", "/v2/lists/lemlist_events/entries",
                            R"({"data":{"parent_record_id":"00000000-0000-4000-8000-000000000000","parent_object":"people","entry_values":{}}})");
    CHECK(no_parent.status == 400);
    CHECK(no_parent.code() == "value_not_found");
    auto missing = h.call("POST", "/v2/lists/lemlist_events/entries", R"({"data":{"parent_object":"people"}})");
    CHECK(missing.code() == "validation_type");
    CHECK(missing.json["validation_errors"].Size() == 2);
    auto no_list = h.call("POST", "/v2/lists/nope/entries", R"({"data":{}})");
    CHECK(no_list.status == 404);
    CHECK(std::string(no_list.json["message"].GetString()) == "Could not find list with slug/ID \"nope\".");
    const auto id = h.create_person("{}");
    auto bad_option = h.call("POST", "/v2/lists/lemlist_events/entries",
                             R"({"data":{"parent_record_id":")" + id + R"(","parent_object":"people","entry_values":{"channel":"fax"}}})");
    CHECK(bad_option.code() == "value_not_found");
}
