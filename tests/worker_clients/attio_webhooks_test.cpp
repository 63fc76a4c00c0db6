// The Attio client's webhook calls and entry update without a network: bodies, parsing of
// Attio's webhook object (the secret in the creation's answer only), and how subscription
// lists compare.
#include <catch2/catch.hpp>

#include "attio/client.hpp"
#include "core/json.hpp"
#include "test_support.hpp"

using namespace las;

namespace {

struct fixture {
    test::scripted_transport t;
    test::recording_gate reads, writes;
    attio::client client{t.as_transport(), {reads, writes}, {.api_key = "k"}};
};

constexpr std::string_view created_answer = R"({"data":{"target_url":"https://sync.example.com/webhooks/attio",
  "subscriptions":[{"event_type":"list-entry.created","filter":{"$and":[{"field":"id.list_id","operator":"equals","value":"L1"}]}},
                   {"event_type":"list-entry.updated","filter":null}],
  "id":{"workspace_id":"w","webhook_id":"wh-1"},"status":"active","created_at":"2026-01-01T00:00:00.000000000Z",
  "secret":"ab12"}})";

attio::webhook_subscription on_list(std::string type, std::string list_id, std::string combinator = "$and") {
    attio::webhook_filter f;
    f.combinator = std::move(combinator);
    f.conditions.push_back({"id.list_id", "equals", std::move(list_id)});
    return {std::move(type), f};
}

}  // namespace

TEST_CASE("create_webhook: target and filtered subscriptions in the body, the secret read back") {
    fixture f;
    f.t.push(test::answer(200, std::string(created_answer)));
    auto w = test::run_sync(f.client.create_webhook("https://sync.example.com/webhooks/attio",
                                                    {on_list("list-entry.created", "L1"), {"list-entry.updated", std::nullopt}}));
    REQUIRE(w.ok());
    CHECK(w->webhook_id == "wh-1");
    CHECK(w->status == "active");
    CHECK(w->secret == "ab12");
    REQUIRE(w->subscriptions.size() == 2);
    REQUIRE(w->subscriptions[0].filter);
    CHECK(w->subscriptions[0].filter->conditions.at(0).value == "L1");
    CHECK_FALSE(w->subscriptions[1].filter);
    const auto& sent = f.t.sent().at(0);
    CHECK(sent.method == http_proto::verb::post);
    CHECK(sent.target == "/v2/webhooks");
    CHECK(sent.body ==
          R"({"data":{"target_url":"https://sync.example.com/webhooks/attio","subscriptions":[)"
          R"({"event_type":"list-entry.created","filter":{"$and":[{"field":"id.list_id","operator":"equals","value":"L1"}]}},)"
          R"({"event_type":"list-entry.updated","filter":null}]}})");
    CHECK(f.writes.acquires == 1);
}

TEST_CASE("list_webhooks pages by query; update_webhook PATCHes the subscriptions only") {
    fixture f;
    f.t.push(test::answer(200, R"({"data":[{"target_url":"https://a.example","subscriptions":[],"id":{"webhook_id":"wh-2"},"status":"degraded","created_at":"x"}]})"));
    f.t.push(test::answer(200, std::string(created_answer)));
    auto page = test::run_sync(f.client.list_webhooks(100, 200));
    REQUIRE(page.ok());
    REQUIRE(page->size() == 1);
    CHECK(page->at(0).status == "degraded");
    CHECK_FALSE(page->at(0).secret);
    CHECK(f.t.sent().at(0).target == "/v2/webhooks?limit=100&offset=200");
    CHECK(f.reads.acquires == 1);
    REQUIRE(test::run_sync(f.client.update_webhook("wh-1", {on_list("list-entry.created", "L1")})).ok());
    const auto& patch = f.t.sent().at(1);
    CHECK(patch.method == http_proto::verb::patch);
    CHECK(patch.target == "/v2/webhooks/wh-1");
    CHECK(patch.body.find("target_url") == std::string::npos);
    CHECK(patch.body.find(R"("subscriptions":[{"event_type":"list-entry.created")") != std::string::npos);
    CHECK_FALSE(attio::parse_webhook_answer(R"({"data":{"target_url":"x"}})").ok());  // no id
}

TEST_CASE("subscription lists compare as sets; the filter's combinator and values count") {
    const std::vector<attio::webhook_subscription> ours{on_list("list-entry.created", "L1"),
                                                        on_list("list-entry.updated", "L1")};
    CHECK(attio::same_subscriptions(ours, {on_list("list-entry.updated", "L1"), on_list("list-entry.created", "L1")}));
    CHECK_FALSE(attio::same_subscriptions(ours, {on_list("list-entry.created", "L1")}));
    CHECK_FALSE(attio::same_subscriptions(ours, {on_list("list-entry.created", "L2"), on_list("list-entry.updated", "L1")}));
    CHECK_FALSE(attio::same_subscriptions(ours, {on_list("list-entry.created", "L1", "$or"), on_list("list-entry.updated", "L1")}));
    CHECK_FALSE(attio::same_subscriptions(ours, {{"list-entry.created", std::nullopt}, on_list("list-entry.updated", "L1")}));
    CHECK(attio::describe(ours[0]) == "list-entry.created where id.list_id equals L1");
    CHECK(attio::describe({"record.created", std::nullopt}) == "record.created (no filter)");
}

TEST_CASE("patch_entry: the entry's values in the entry_values envelope") {
    fixture f;
    f.t.push(test::answer(200, R"({"data":{"id":{"list_id":"l1","entry_id":"ent-9"},"parent_record_id":"rec-1","parent_object":"people","entry_values":{}}})"));
    auto e = test::run_sync(f.client.patch_entry("lemlist_enrollments", "ent-9", R"({"lemlist_enrollment_status":"enrolled"})"));
    REQUIRE(e.ok());
    const auto& sent = f.t.sent().at(0);
    CHECK(sent.method == http_proto::verb::patch);
    CHECK(sent.target == "/v2/lists/lemlist_enrollments/entries/ent-9");
    CHECK(sent.body == R"({"data":{"entry_values":{"lemlist_enrollment_status":"enrolled"}}})");
    CHECK(f.writes.acquires == 1);
}
