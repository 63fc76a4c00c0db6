// The Attio client without a network: request shapes, gates, answer parsing.
#include <catch2/catch.hpp>

#include "attio/client.hpp"
#include "core/json.hpp"
#include "lemlist/event.hpp"
#include "sync/match_cache.hpp"
#include "sync/person_matcher.hpp"
#include "test_support.hpp"

using namespace las;
using outbound::failure;

namespace {

constexpr std::string_view person_answer = R"({"data":{
  "id":{"workspace_id":"w1","object_id":"o1","record_id":"rec-1"},
  "created_at":"2025-07-27T01:45:27.220000000Z",
  "values":{"email_addresses":[{"active_from":"2025-07-27T01:45:27.220000000Z","active_until":null,
             "original_email_address":"a@b.com","email_address":"a@b.com","attribute_type":"email-address"}],
            "lemlist_status":[{"option":{"id":{"option_id":"op1"},"title":"hooked","is_archived":false},"attribute_type":"select"}],
            "linkedin":[]}}})";

struct fixture {
    test::scripted_transport t;
    test::recording_gate reads, writes;
    attio::client client{t.as_transport(), {reads, writes}, {.api_key = "secret-key"}};
};

std::string header(const http::client_request& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

}  // namespace

TEST_CASE("find people by email: a read-gated query with Attio's shorthand filter") {
    fixture f;
    f.t.push(test::answer(200, R"({"data":[{"id":{"record_id":"rec-1"},"values":{"email_addresses":[]}}]})"));
    auto r = test::run_sync(f.client.find_people_by_email("a\"b@c.com"));
    REQUIRE(r.ok());
    REQUIRE(r->size() == 1);
    CHECK(r->at(0).record_id == "rec-1");
    const auto& sent = f.t.sent().at(0);
    CHECK(sent.method == http_proto::verb::post);
    CHECK(sent.target == "/v2/objects/people/records/query");
    CHECK(header(sent, "Authorization") == "Bearer secret-key");
    auto body = json::parse(sent.body);
    REQUIRE(body);
    CHECK(json::get_string((*body)["filter"], "email_addresses") == "a\"b@c.com");
    CHECK(json::get_int(*body, "limit") == 500);
    CHECK(f.reads.acquires == 1);
    CHECK(f.writes.acquires == 0);
}

TEST_CASE("LinkedIn lookups: our unique attribute, or the standard one") {
    fixture f;
    f.t.push(test::answer(200, R"({"data":[]})"));
    f.t.push(test::answer(200, R"({"data":[]})"));
    REQUIRE(test::run_sync(f.client.find_people_by_linkedin_key("https://linkedin.com/in/jane")).ok());
    REQUIRE(test::run_sync(f.client.find_people_by_linkedin("https://www.linkedin.com/in/Jane/")).ok());
    auto b0 = json::parse(f.t.sent().at(0).body);
    auto b1 = json::parse(f.t.sent().at(1).body);
    REQUIRE((b0 && b1));
    CHECK(json::get_string((*b0)["filter"], "lemlist_linkedin_url") == "https://linkedin.com/in/jane");
    CHECK(json::get_string((*b1)["filter"], "linkedin") == "https://www.linkedin.com/in/Jane/");
}

TEST_CASE("create, assert and patch records: write-gated, values wrapped in the envelope") {
    fixture f;
    f.t.push(test::answer(200, std::string(person_answer)));
    f.t.push(test::answer(200, std::string(person_answer)));
    f.t.push(test::answer(200, std::string(person_answer)));
    auto created = test::run_sync(f.client.create_record("people", R"({"email_addresses":["a@b.com"]})"));
    REQUIRE(created.ok());
    CHECK(created->record_id == "rec-1");
    CHECK(created->object_id == "o1");
    REQUIRE(created->values.HasMember("lemlist_status"));
    CHECK(created->values["lemlist_status"][0]["option"]["title"] == "hooked");
    CHECK(f.t.sent()[0].body == R"({"data":{"values":{"email_addresses":["a@b.com"]}}})");

    REQUIRE(test::run_sync(f.client.assert_record("people", "lemlist_linkedin_url", R"({"lemlist_linkedin_url":"u"})")).ok());
    CHECK(f.t.sent()[1].method == http_proto::verb::put);
    CHECK(f.t.sent()[1].target == "/v2/objects/people/records?matching_attribute=lemlist_linkedin_url");

    REQUIRE(test::run_sync(f.client.patch_record("people", "rec-1", R"({"lemlist_paused":true})")).ok());
    CHECK(f.t.sent()[2].method == http_proto::verb::patch);
    CHECK(f.t.sent()[2].target == "/v2/objects/people/records/rec-1");
    CHECK(f.writes.acquires == 3);
    CHECK(f.reads.acquires == 0);
}

TEST_CASE("a uniqueness conflict comes back distinguishable, and a lost create is unknown_fate") {
    fixture f;
    f.t.push(test::answer(400, R"({"status_code":400,"type":"invalid_request_error","code":"uniqueness_conflict","message":"conflict"})"));
    f.t.push_error(http::transport_error_kind::connection_closed);
    auto conflict = test::run_sync(f.client.create_record("people", "{}"));
    REQUIRE_FALSE(conflict.ok());
    CHECK(attio::is_uniqueness_conflict(conflict.error()));
    CHECK(conflict.error().kind == failure::permanent);
    auto lost = test::run_sync(f.client.create_entry("lemlist_events", "people", "rec-1", R"({"activity_id":"act_1"})"));
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().kind == failure::unknown_fate);
}

TEST_CASE("entries: create with parent and values - look one up by activity_id") {
    fixture f;
    const std::string entry = R"({"id":{"workspace_id":"w","list_id":"l1","entry_id":"ent-1"},"parent_record_id":"rec-1",
        "parent_object":"people","created_at":"x","entry_values":{"activity_id":[{"value":"act_1","attribute_type":"text"}]}})";
    f.t.push(test::answer(200, R"({"data":)" + entry + "}"));
    f.t.push(test::answer(200, R"({"data":[)" + entry + "]}"));
    auto created = test::run_sync(f.client.create_entry("lemlist_events", "people", "rec-1", R"({"activity_id":"act_1"})"));
    REQUIRE(created.ok());
    CHECK(created->entry_id == "ent-1");
    CHECK(created->list_id == "l1");
    CHECK(created->parent_record_id == "rec-1");
    CHECK(created->values["activity_id"][0]["value"] == "act_1");
    auto body = json::parse(f.t.sent()[0].body);
    REQUIRE(body);
    const auto& data = (*body)["data"];
    CHECK(json::get_string(data, "parent_record_id") == "rec-1");
    CHECK(json::get_string(data, "parent_object") == "people");
    CHECK(json::get_string(data["entry_values"], "activity_id") == "act_1");

    auto found = test::run_sync(f.client.find_entries_by_activity_id("lemlist_events", "act_1"));
    REQUIRE(found.ok());
    CHECK(found->size() == 1);
    CHECK(f.t.sent()[1].target == "/v2/lists/lemlist_events/entries/query");
    auto q = json::parse(f.t.sent()[1].body);
    REQUIRE(q);
    CHECK(json::get_string((*q)["filter"], "activity_id") == "act_1");
    CHECK(f.reads.acquires == 1);
    CHECK(f.writes.acquires == 1);
}

TEST_CASE("configuration calls: bodies carry every field Attio requires") {
    fixture f;
    f.t.push(test::answer(200, R"({"data":{"id":{"list_id":"l1"},"api_slug":"lemlist_events","name":"Lemlist events","parent_object":["people"],"workspace_access":"full-access"}})"));
    f.t.push(test::answer(200, R"({"data":{"id":{"attribute_id":"a1"},"api_slug":"lemlist_linkedin_url","title":"T","type":"text","is_unique":true}})"));
    f.t.push(test::answer(200, R"({"data":{"id":{"option_id":"o1"},"title":"email","is_archived":false}})"));
    auto list = test::run_sync(f.client.create_list({"lemlist_events", "Lemlist events", "people", "full-access"}));
    REQUIRE(list.ok());
    CHECK(list->parent_objects == std::vector<std::string>{"people"});
    auto lb = json::parse(f.t.sent()[0].body);
    REQUIRE(lb);
    for (auto key : {"name", "api_slug", "parent_object", "workspace_access"}) CHECK(json::get_string((*lb)["data"], key));
    CHECK((*lb)["data"]["workspace_member_access"].IsArray());

    attio::attribute_definition def{"lemlist_linkedin_url", "Lemlist LinkedIn URL", "", "text", true};
    auto attr = test::run_sync(f.client.create_attribute(attio::target::objects, "people", def));
    REQUIRE(attr.ok());
    CHECK(attr->is_unique);
    CHECK(f.t.sent()[1].target == "/v2/objects/people/attributes");
    auto ab = json::parse(f.t.sent()[1].body);
    REQUIRE(ab);
    const auto& d = (*ab)["data"];
    CHECK(d["description"].IsNull());
    CHECK(json::get_bool(d, "is_unique") == true);
    CHECK(json::get_bool(d, "is_required") == false);
    CHECK(json::get_bool(d, "is_multiselect") == false);
    CHECK(d["config"].IsObject());

    auto option = test::run_sync(f.client.create_option(attio::target::lists, "lemlist_events", "channel", "email"));
    REQUIRE(option.ok());
    CHECK(option->title == "email");
    CHECK(f.t.sent()[2].target == "/v2/lists/lemlist_events/attributes/channel/options");
}

TEST_CASE("a 2xx that is not the documented envelope is an error") {
    fixture f;
    f.t.push(test::answer(200, R"({"nodata":true})"));
    auto r = test::run_sync(f.client.get_record("people", "rec-1"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == failure::permanent);
    CHECK(r.error().code == "unexpected_answer");
}

TEST_CASE("get_entry: a read of one entry by id, 404 told apart") {
    fixture f;
    f.t.push(test::answer(200, R"({"data":{"id":{"list_id":"l1","entry_id":"ent-9"},"parent_record_id":"rec-1","parent_object":"people","entry_values":{"lemlist_campaign_id":[{"value":"cam_1","attribute_type":"text"}]}}})"));
    f.t.push(test::answer(404, R"({"status_code":404,"type":"invalid_request_error","code":"not_found","message":"Entry not found."})"));
    auto e = test::run_sync(f.client.get_entry("lemlist_enrollments", "ent-9"));
    REQUIRE(e.ok());
    CHECK(e->entry_id == "ent-9");
    CHECK(e->values["lemlist_campaign_id"][0]["value"] == "cam_1");
    CHECK(f.t.sent()[0].method == http_proto::verb::get);
    CHECK(f.t.sent()[0].target == "/v2/lists/lemlist_enrollments/entries/ent-9");
    auto missing = test::run_sync(f.client.get_entry("lemlist_enrollments", "ent-0"));
    REQUIRE_FALSE(missing.ok());
    CHECK(attio::is_not_found(missing.error()));
    CHECK(f.reads.acquires == 2);
}

TEST_CASE("matching race: the email assert collides with the LinkedIn-only Person just created - it gets the email") {
    // Worker A (an event with email and LinkedIn URL) found nobody; meanwhile worker B created
    // the Person from a LinkedIn-only event of the same lead, keyed by the URL.
    fixture f;
    const std::string empty = R"({"data":[]})";
    f.t.push(test::answer(200, empty));  // by email
    f.t.push(test::answer(200, empty));  // by lemlist_linkedin_url
    f.t.push(test::answer(200, empty));  // by the standard linkedin attribute
    f.t.push(test::answer(400, R"({"status_code":400,"type":"invalid_request_error","code":"uniqueness_conflict","message":"A value provided for attribute with slug \"lemlist_linkedin_url\" conflicts with one already in the system."})"));
    f.t.push(test::answer(200, R"({"data":[{"id":{"record_id":"rec-B"},"values":{}}]})"));  // the key's holder
    f.t.push(test::answer(200, R"({"data":{"id":{"record_id":"rec-B"},"values":{}}})"));   // PATCH its email

    auto ev = lemlist::parse_event(R"({"type":"emailsOpened","_id":"act_1","leadEmail":"Race@Example.com","linkedinUrl":"https://linkedin.com/in/race-lead"})");
    REQUIRE(ev.ok());
    sync::match_cache cache(10, std::chrono::minutes(1));
    sync::person_matcher matcher(f.client, cache, true);
    auto matched = test::run_sync(matcher.match(ev->lead));
    REQUIRE(matched.ok());
    CHECK(matched->record_id == "rec-B");
    CHECK_FALSE(matched->created);  // B created it: worker_people_created_total counts it once
    REQUIRE(f.t.sent().size() == 6);  // no second assert: no second Person
    const auto& patch = f.t.sent()[5];
    CHECK(patch.method == http_proto::verb::patch);
    CHECK(patch.target == "/v2/objects/people/records/rec-B");
    CHECK(patch.body.find(R"("email_addresses":["race@example.com"])") != std::string::npos);
    // Both identities now lead to that Person without asking Attio.
    CHECK(cache.get(sync::email_identity("race@example.com")) == "rec-B");
}
