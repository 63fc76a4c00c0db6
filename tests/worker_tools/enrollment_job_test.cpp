// The enrollment job message, the Attio webhook body, the reply, and the job's outcome
// from its records'.
#include <catch2/catch.hpp>

#include "core/json.hpp"
#include "support.hpp"
#include "sync/disposition.hpp"
#include "sync/enrollment_job.hpp"
#include "sync/enrollment_pipeline.hpp"

using namespace las;
using namespace std::chrono_literals;

namespace {

const char* const full_job =
    R"({"job_id":"job_0a1b","source":"api","campaign_id":"cam_Sandbox","record_ids":["r1","r2","r1"],)"
    R"("options":{"findEmail":true,"deduplicate":false},"icebreaker":"Hi!","requested_at":"2025-03-10T12:00:00.000Z"})";

}  // namespace

TEST_CASE("a job message is parsed; options it leaves out take the TOML defaults", "[enrollment_job]") {
    enrollment_defaults defaults;
    defaults.verify_email = true;
    defaults.deduplicate = true;
    auto job = sync::parse_enrollment_job(full_job, "job_0a1b", defaults);
    REQUIRE(job.ok());
    CHECK(job->job_id == "job_0a1b");
    CHECK(job->source == "api");
    CHECK(job->campaign_id == "cam_Sandbox");
    CHECK(job->record_ids == std::vector<std::string>{"r1", "r2"});  // de-duplicated
    CHECK(job->flags.find_email);
    CHECK_FALSE(job->flags.deduplicate);  // the job's word wins
    CHECK(job->flags.verify_email);       // from the defaults
    CHECK_FALSE(job->flags.find_phone);
    CHECK(job->icebreaker == "Hi!");
    CHECK(job->requested_at == "2025-03-10T12:00:00.000Z");

    auto minimal = sync::parse_enrollment_job(R"({"job_id":"j","campaign_id":"cam_1","record_ids":["a"]})", "", defaults);
    REQUIRE(minimal.ok());
    CHECK(minimal->flags.deduplicate);
    CHECK_FALSE(minimal->icebreaker);
}

TEST_CASE("invalid job messages say which field", "[enrollment_job]") {
    const enrollment_defaults defaults;
    struct bad_case {
        const char* body;
        const char* field;
    };
    const bad_case cases[] = {
        {"not json", "not JSON"},
        {"[1]", "not a JSON object"},
        {R"({"campaign_id":"cam_1","record_ids":["a"]})", "job_id"},
        {R"({"job_id":"j","record_ids":["a"]})", "campaign_id"},
        {R"({"job_id":"j","campaign_id":"1234","record_ids":["a"]})", "campaign_id"},
        {R"({"job_id":"j","campaign_id":"cam_","record_ids":["a"]})", "campaign_id"},
        {R"({"job_id":"j","campaign_id":"cam_1"})", "record_ids"},
        {R"({"job_id":"j","campaign_id":"cam_1","record_ids":[]})", "record_ids"},
        {R"({"job_id":"j","campaign_id":"cam_1","record_ids":[""]})", "record_ids[0]"},
        {R"({"job_id":"j","campaign_id":"cam_1","record_ids":["a",7]})", "record_ids[1]"},
        {R"({"job_id":"j","campaign_id":"cam_1","record_ids":["a"],"options":[]})", "options"},
        {R"({"job_id":"j","campaign_id":"cam_1","record_ids":["a"],"options":{"findEmail":"yes"}})", "options.findEmail"},
        {R"({"job_id":"j","campaign_id":"cam_1","record_ids":["a"],"icebreaker":3})", "icebreaker"},
    };
    for (const auto& c : cases) {
        INFO(c.body);
        auto job = sync::parse_enrollment_job(c.body, "", defaults);
        REQUIRE_FALSE(job.ok());
        CHECK(job.error().starts_with(c.field));
    }
    std::string many = R"({"job_id":"j","campaign_id":"cam_1","record_ids":[)";
    for (int i = 0; i < 251; ++i) many += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
    many += "]}";
    CHECK_FALSE(sync::parse_enrollment_job(many, "", defaults).ok());

    auto mismatch = sync::parse_enrollment_job(full_job, "job_other", defaults);
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().find("differs from the message id") != std::string::npos);
}

TEST_CASE("campaign ids need the cam_ prefix", "[enrollment_job]") {
    CHECK(sync::is_campaign_id("cam_SandboxOutreach01"));
    CHECK_FALSE(sync::is_campaign_id("cam_"));
    CHECK_FALSE(sync::is_campaign_id("SandboxOutreach01"));
    CHECK_FALSE(sync::is_campaign_id("cam_a b"));
}

TEST_CASE("an Attio webhook: list-entry.created and .updated events kept, others counted", "[enrollment_job]") {
    const std::string body =
        R"({"webhook_id":"wh1","events":[)"
        R"({"event_type":"list-entry.created","id":{"workspace_id":"w","list_id":"L1","entry_id":"E1"},)"
        R"("parent_object_id":"obj-people","parent_record_id":"P1","actor":{"type":"workspace-member","id":"m"}},)"
        R"({"event_type":"record.updated","id":{"workspace_id":"w","object_id":"o","record_id":"r","attribute_id":"a"}},)"
        R"({"event_type":"list-entry.updated","id":{"workspace_id":"w","list_id":"L1","entry_id":"E2","attribute_id":"A7"},)"
        R"("parent_object":"people","parent_record_id":"P2","actor":{"type":"workspace-member","id":"m"}},)"
        R"({"event_type":"list-entry.deleted","id":{"workspace_id":"w","list_id":"L1","entry_id":"E3"}}]})";
    auto hook = sync::parse_attio_webhook(body);
    REQUIRE(hook.ok());
    CHECK(hook->webhook_id == "wh1");
    CHECK(hook->ignored == 2);
    REQUIRE(hook->entries.size() == 2);
    CHECK_FALSE(hook->entries[0].updated);
    CHECK(hook->entries[0].list_id == "L1");
    CHECK(hook->entries[0].entry_id == "E1");
    CHECK(hook->entries[0].parent_record_id == "P1");
    CHECK(hook->entries[0].parent_object == "obj-people");
    CHECK(hook->entries[1].updated);
    CHECK(hook->entries[1].entry_id == "E2");
    CHECK(hook->entries[1].attribute_id == "A7");
    CHECK(hook->entries[1].parent_object == "people");

    CHECK_FALSE(sync::parse_attio_webhook(R"({"webhook_id":"x"})").ok());
    CHECK_FALSE(sync::parse_attio_webhook(R"({"events":[{"event_type":"list-entry.created","id":{"list_id":"L"}}]})").ok());
    CHECK_FALSE(sync::parse_attio_webhook(R"({"events":[{"event_type":"list-entry.updated","id":{"entry_id":"E"}}]})").ok());
}

TEST_CASE("a delivery is an Attio webhook by its x-source, else by its shape", "[enrollment_job]") {
    auto webhook = tools_test::make_delivery("attio:abc", R"({"webhook_id":"w","events":[]})",
                                             {{"x-source", std::string("attio_webhook")}});
    CHECK(sync::is_attio_webhook(webhook));
    auto job = tools_test::make_delivery("job_1", full_job, {{"x-source", std::string("api")}});
    CHECK_FALSE(sync::is_attio_webhook(job));
    auto unlabelled = tools_test::make_delivery("m", R"({"webhook_id":"w","events":[]})");
    CHECK(sync::is_attio_webhook(unlabelled));
    auto unlabelled_job = tools_test::make_delivery("job_1", full_job);
    CHECK_FALSE(sync::is_attio_webhook(unlabelled_job));
    // A replay from the DLQ relabels the source: the shape decides.
    auto replayed_webhook = tools_test::make_delivery("attio:abc", R"({"webhook_id":"w","events":[]})",
                                                      {{"x-source", std::string("replay")}});
    CHECK(sync::is_attio_webhook(replayed_webhook));
    auto replayed_job = tools_test::make_delivery("job_1", full_job, {{"x-source", std::string("replay")}});
    CHECK_FALSE(sync::is_attio_webhook(replayed_job));
}

TEST_CASE("the campaign id is read from the entry's text attribute", "[enrollment_job]") {
    auto doc = json::parse(R"({"lemlist_campaign_id":[{"value":" cam_X ","attribute_type":"text"}],"empty":[],)"
                           R"("blank":[{"value":"  "}],"bare":"cam_Y"})");
    REQUIRE(doc.ok());
    CHECK(sync::entry_text(*doc, "lemlist_campaign_id") == "cam_X");
    CHECK(sync::entry_text(*doc, "bare") == "cam_Y");
    CHECK_FALSE(sync::entry_text(*doc, "empty"));
    CHECK_FALSE(sync::entry_text(*doc, "blank"));
    CHECK_FALSE(sync::entry_text(*doc, "missing"));
}

TEST_CASE("the reply names every record", "[enrollment_job]") {
    std::vector<sync::reply_item> items{{"r1", "enrolled", std::string("lea_1"), ""},
                                        {"r2", "rejected", std::nullopt, "HTTP 404: Campaign \"x\" not found"}};
    const auto body = sync::reply_body("job_1", items);
    auto doc = json::parse(body);
    REQUIRE(doc.ok());
    CHECK(json::get_string(*doc, "job_id") == "job_1");
    const auto& results = (*doc)["results"];
    REQUIRE(results.Size() == 2);
    CHECK(json::get_string(results[0], "lead_id") == "lea_1");
    CHECK_FALSE(json::find(results[0], "message"));
    CHECK(json::get_string(results[1], "status") == "rejected");
    CHECK(json::get_string(results[1], "message") == "HTTP 404: Campaign \"x\" not found");
    CHECK_FALSE(json::find(*doc, "error"));
    auto with_error = json::parse(sync::reply_body("job_2", {}, "invalid job"));
    REQUIRE(with_error.ok());
    CHECK(json::get_string(*with_error, "error") == "invalid job");
}

namespace {

sync::record_outcome rec(sync::record_outcome::kind k, std::string id, std::string reason = {},
                         std::optional<sync::enrollment_status> status = std::nullopt) {
    sync::record_outcome o;
    o.what = k;
    o.record_id = std::move(id);
    o.reason = std::move(reason);
    o.status = status;
    o.message = "m";
    return o;
}

}  // namespace

TEST_CASE("the job's outcome: retry before deferred before dead letter before done", "[enrollment_job]") {
    using k = sync::record_outcome::kind;
    using pk = sync::processing_outcome::kind;
    const auto enrolled = rec(k::done, "a", "", sync::enrollment_status::enrolled);
    const auto missing = rec(k::dead_letter, "b", "person_not_found", sync::enrollment_status::failed);
    auto slow = rec(k::retry, "c", "rate_limited");
    slow.retry_after = 3s;
    auto slower = rec(k::retry, "d", "transient");
    slower.retry_after = 9s;
    const auto held = rec(k::deferred, "e", "held_elsewhere");

    CHECK(sync::job_outcome({enrolled}).what == pk::done);
    CHECK(sync::job_outcome({}).what == pk::done);
    auto dl = sync::job_outcome({enrolled, missing});
    CHECK(dl.what == pk::dead_letter);
    CHECK(dl.reason == "person_not_found");
    CHECK(dl.detail == "b: m");
    CHECK(sync::job_outcome({enrolled, missing, held}).what == pk::deferred);
    auto retry = sync::job_outcome({enrolled, missing, held, slow, slower});
    CHECK(retry.what == pk::retry);
    CHECK(retry.reason == "rate_limited");
    CHECK(retry.retry_after == 9s);
}

TEST_CASE("a job's disposition uses the enrollment pipeline's queues", "[enrollment_job]") {
    using k = sync::record_outcome::kind;
    auto d = tools_test::make_delivery("job_1", full_job, {{"x-attempts", std::int64_t{2}}});
    d.reply_to = "amq.rabbitmq.reply-to.abc";
    const auto now = std::chrono::system_clock::now();
    auto retry = sync::plan_disposition(sync::job_outcome({rec(k::retry, "c", "transient")}), d,
                                        amqp::attio_enrollments(), 8, now);
    CHECK(retry.what == sync::disposition::kind::retry);
    REQUIRE(retry.republish);
    CHECK(retry.republish->routing_key.starts_with("attio.enrollments.retry."));
    CHECK(retry.attempts == 3);
    auto dead = sync::plan_disposition(sync::job_outcome({rec(k::retry, "c", "transient")}), d,
                                       amqp::attio_enrollments(), 3, now);
    CHECK(dead.what == sync::disposition::kind::dead_letter);
    REQUIRE(dead.republish);
    CHECK(dead.republish->routing_key == "attio.enrollments.dlq");
    CHECK(amqp::header_string(dead.republish->headers, "x-dlq-reason") == "retries_exhausted");
}

TEST_CASE("reply items report pending records as failed", "[enrollment_job]") {
    using k = sync::record_outcome::kind;
    auto enrolled = rec(k::done, "a", "", sync::enrollment_status::enrolled);
    enrolled.lead_id = "lea_1";
    auto duplicate = rec(k::done, "b", "", sync::enrollment_status::duplicate);
    duplicate.lead_id = "lea_ignored";
    const auto items = sync::reply_items({enrolled, duplicate, rec(k::retry, "c", "transient")});
    REQUIRE(items.size() == 3);
    CHECK(items[0].status == "enrolled");
    CHECK(items[0].lead_id == "lea_1");
    CHECK(items[1].status == "duplicate");
    CHECK_FALSE(items[1].lead_id);
    CHECK(items[2].status == "failed");
}
