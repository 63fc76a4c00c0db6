// The enrollment processor against scripted Attio and Lemlist answers and a real SQLite
// idempotency store: every status is written back, a redelivered job never enrolls twice,
// a retry after an uncertain create reports the duplicate, and a retry that only has the
// write-back left never sends the create again.
#include <catch2/catch.hpp>

#include <deque>
#include <map>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "core/json.hpp"
#include "outbound/lemlist_client.hpp"
#include "state/local_rate_gate.hpp"
#include "state/sqlite_store.hpp"
#include "support.hpp"
#include "sync/enrollment_processor.hpp"

using namespace las;
using namespace std::chrono_literals;
using sync::enrollment_status;
using kind = sync::record_outcome::kind;
using verb = http_proto::verb;

namespace {

constexpr const char* ada = "a0000000-0000-4000-8000-000000000001";
constexpr const char* ghost = "a0000000-0000-4000-8000-00000000dead";
constexpr const char* nobody = "a0000000-0000-4000-8000-000000000002";
constexpr const char* company = "c0000000-0000-4000-8000-000000000001";

struct fixture {
    asio::io_context ctx;
    asio::thread_pool blocking{1};
    tools_test::temp_dir dir;
    state::sqlite_store store{state::sqlite_store_options{.directory = dir.path()}};
    state::local_rate_gate reads{"attio_reads", 1000, 1s}, writes{"attio_writes", 1000, 1s}, lemlist_gate{"lemlist", 1000, 1s};
    tools_test::fake_transport attio_wire, lemlist_wire;
    attio::client attio{attio_wire.as_transport(), attio::gates{reads, writes}, attio::client_options{.api_key = "k"}};
    outbound::lemlist_client lemlist{lemlist_wire.as_transport(), lemlist_gate, outbound::lemlist_options{.api_key = "k"}};
    sync::enrollment_processor processor{attio, lemlist, store, blocking};

    // What the Attio side holds and answers.
    std::map<std::string, std::string> people{
        {ada, R"({"email_addresses":[{"email_address":"ada@example.com"}],"name":[{"first_name":"Ada","last_name":"L"}],)"
              R"("company":[{"target_object":"companies","target_record_id":")" + std::string(company) + R"("}]})"},
        {nobody, R"({"email_addresses":[],"name":[{"first_name":"No","last_name":"Body"}]})"}};
    std::deque<http::client_response> patch_answers;   // empty: 200
    std::deque<http::client_response> lemlist_answers;
    std::vector<std::string> patches;                  // bodies of the PATCHes
    std::vector<std::string> creates;                  // bodies of the create-lead POSTs
    std::string status_on_person;                      // what GET answers for lemlist_enrollment_status
    std::vector<std::string> entry_patches;            // bodies of the PATCHes of enrollment-list entries
    std::deque<http::client_response> entry_patch_answers;  // empty: 200
    std::string entry_values = "{}";                   // what GET answers for an entry

    fixture() {
        attio_wire.respond = [this](const http::client_request& r) -> tools_test::fake_transport::reply {
            const std::string people_path = "/v2/objects/people/records/";
            const std::string entries_path = "/v2/lists/lemlist_enrollments/entries/";
            if (r.target.starts_with(entries_path)) {
                const auto id = r.target.substr(entries_path.size());
                if (r.method == verb::patch) {
                    entry_patches.push_back(r.body);
                    if (!entry_patch_answers.empty()) {
                        auto a = std::move(entry_patch_answers.front());
                        entry_patch_answers.pop_front();
                        return a;
                    }
                }
                return tools_test::answer(200, R"({"data":{"id":{"list_id":"L","entry_id":")" + id +
                                                   R"("},"parent_record_id":")" + std::string(ada) +
                                                   R"(","parent_object":"people","entry_values":)" + entry_values + "}}");
            }
            if (r.method == verb::get && r.target.starts_with("/v2/objects/companies/records/"))
                return tools_test::answer(200, tools_test::attio_record(company, R"({"name":[{"value":"Engines Ltd"}]})"));
            if (r.target.starts_with(people_path)) {
                const auto id = r.target.substr(people_path.size());
                auto it = people.find(id);
                if (it == people.end())
                    return tools_test::answer(404, R"({"status_code":404,"type":"invalid_request_error","code":"not_found","message":"Record not found"})");
                if (r.method == verb::patch) {
                    patches.push_back(r.body);
                    if (!patch_answers.empty()) {
                        auto a = std::move(patch_answers.front());
                        patch_answers.pop_front();
                        return a;
                    }
                    return tools_test::answer(200, tools_test::attio_record(id, it->second));
                }
                std::string values = it->second;
                if (!status_on_person.empty()) {
                    values.pop_back();
                    values += R"(,"lemlist_enrollment_status":[{"option":{"title":")" + status_on_person +
                              R"("}}],"lemlist_lead_id":[{"value":"lea_stored"}]})";
                }
                return tools_test::answer(200, tools_test::attio_record(id, values));
            }
            return tools_test::answer(500, "{}");
        };
        lemlist_wire.respond = [this](const http::client_request& r) -> tools_test::fake_transport::reply {
            if (r.method == verb::post && r.target.starts_with("/api/campaigns/")) {
                creates.push_back(r.body);
                if (!lemlist_answers.empty()) {
                    auto a = std::move(lemlist_answers.front());
                    lemlist_answers.pop_front();
                    return a;
                }
                return tools_test::answer(200, R"({"_id":"lea_new","campaignId":"cam_1"})");
            }
            return tools_test::answer(500, "Internal server error", "text/plain");
        };
    }

    sync::record_outcome process(const std::string& record_id, std::string job = "job_1") {
        sync::record_request r{std::move(job), "cam_1", record_id, outbound::enrollment_flags{}, std::nullopt};
        return tools_test::run_sync(ctx, processor.process(std::move(r)));
    }

    // An enrollment triggered by entry `entry_id` of the enrollment list, delivered as `job`.
    sync::record_outcome process_entry(const std::string& entry_id, std::string job, std::string campaign = "cam_1") {
        sync::record_request r{std::move(job), std::move(campaign), ada, outbound::enrollment_flags{}, std::string("Hi"),
                               sync::entry_ref{"lemlist_enrollments", entry_id}};
        return tools_test::run_sync(ctx, processor.process(std::move(r)));
    }
};

}  // namespace

TEST_CASE("enrolled: the lead is created once and the status lands on the Person", "[enrollment_processor]") {
    fixture f;
    auto o = f.process(ada);
    CHECK(o.what == kind::done);
    CHECK(o.status == enrollment_status::enrolled);
    CHECK(o.lead_id == "lea_new");
    CHECK(o.written_back);
    REQUIRE(f.creates.size() == 1);
    auto lead = json::parse(f.creates[0]);
    REQUIRE(lead.ok());
    CHECK(json::get_string(*lead, "email") == "ada@example.com");
    CHECK(json::get_string(*lead, "companyName") == "Engines Ltd");
    CHECK(json::get_string(*lead, "attioRecordId") == ada);
    REQUIRE(f.patches.size() == 1);
    CHECK(f.patches[0].find(R"("lemlist_enrollment_status":"enrolled")") != std::string::npos);
    CHECK(f.patches[0].find(R"("lemlist_lead_id":"lea_new")") != std::string::npos);
    CHECK(f.lemlist_wire.sent()[0].target.find("deduplicate=false") != std::string::npos);

    // The same job delivered again: nothing is sent, the Person's status is reported.
    f.status_on_person = "enrolled";
    auto again = f.process(ada);
    CHECK(again.what == kind::done);
    CHECK(again.status == enrollment_status::enrolled);
    CHECK(again.lead_id == "lea_stored");
    CHECK(again.message.find("already processed") != std::string::npos);
    CHECK(f.creates.size() == 1);
    CHECK(f.patches.size() == 1);

    // Another job may enroll the same Person again (Lemlist decides).
    f.lemlist_answers.push_back(tools_test::answer(400, "Lead already in the campaign", "text/plain"));
    auto other = f.process(ada, "job_2");
    CHECK(other.status == enrollment_status::duplicate);
    CHECK(other.message.find("earlier attempt") == std::string::npos);
    CHECK(f.creates.size() == 2);
}

TEST_CASE("an uncertain create is retried, and its duplicate answer is reported as such", "[enrollment_processor]") {
    fixture f;
    f.lemlist_answers.push_back(tools_test::answer(502, "Bad gateway", "text/plain"));
    auto first = f.process(ada);
    CHECK(first.what == kind::retry);
    CHECK(first.reason == "unknown_fate");
    CHECK(f.patches.empty());  // nothing final to write yet

    f.lemlist_answers.push_back(tools_test::answer(400, "Lead already in the campaign", "text/plain"));
    auto second = f.process(ada);
    CHECK(second.what == kind::done);
    CHECK(second.status == enrollment_status::duplicate);
    CHECK(second.message.find("earlier attempt") != std::string::npos);
    CHECK(f.creates.size() == 2);
    REQUIRE(f.patches.size() == 1);
    CHECK(f.patches[0] ==
          R"({"data":{"values":{"lemlist_enrollment_status":"duplicate","lemlist_enrollment_reason":)"
          R"x("cam_1: Lead already in the campaign (most likely created by an earlier attempt of this job)"}}})x");
}

TEST_CASE("a retry that only has the write-back left does not create the lead again", "[enrollment_processor]") {
    fixture f;
    f.patch_answers.push_back(tools_test::answer(503, R"({"status_code":503,"type":"api_error","code":"unavailable","message":"down"})"));
    auto first = f.process(ada);
    CHECK(first.what == kind::retry);
    CHECK(f.creates.size() == 1);
    auto second = f.process(ada);
    CHECK(second.what == kind::done);
    CHECK(second.status == enrollment_status::enrolled);
    CHECK(second.lead_id == "lea_new");
    CHECK(f.creates.size() == 1);  // the recorded verdict was reused
    CHECK(f.patches.size() == 2);
}

TEST_CASE("a write-back Attio refuses is for an operator; a replay still does not re-create", "[enrollment_processor]") {
    fixture f;
    f.patch_answers.push_back(tools_test::answer(
        400, R"({"status_code":400,"type":"invalid_request_error","code":"value_not_found","message":"Cannot find attribute"})"));
    auto first = f.process(ada);
    CHECK(first.what == kind::dead_letter);
    CHECK(first.reason == "attio_rejected");
    CHECK(first.status == enrollment_status::enrolled);  // Lemlist's verdict is kept for the report
    CHECK_FALSE(first.written_back);
    auto replayed = f.process(ada);
    CHECK(replayed.what == kind::done);
    CHECK(replayed.written_back);
    CHECK(f.creates.size() == 1);
}

TEST_CASE("rejections are written back", "[enrollment_processor]") {
    fixture f;
    f.lemlist_answers.push_back(tools_test::answer(404, "Campaign not found", "text/plain"));
    auto o = f.process(ada);
    CHECK(o.what == kind::done);
    CHECK(o.status == enrollment_status::rejected);
    CHECK(o.message == "HTTP 404: Campaign not found");
    REQUIRE(f.patches.size() == 1);
    CHECK(f.patches[0] ==
          R"({"data":{"values":{"lemlist_enrollment_status":"rejected","lemlist_enrollment_reason":"cam_1: HTTP 404: Campaign not found"}}})");

    // A Person Lemlist could not identify is not sent at all.
    auto nameless = f.process(nobody);
    CHECK(nameless.status == enrollment_status::rejected);
    CHECK(nameless.message.find("no email address") != std::string::npos);
    CHECK(f.creates.size() == 1);
    CHECK(f.patches.size() == 2);
}

TEST_CASE("a missing Person is dead-lettered without calling Lemlist", "[enrollment_processor]") {
    fixture f;
    auto o = f.process(ghost);
    CHECK(o.what == kind::dead_letter);
    CHECK(o.reason == "person_not_found");
    CHECK(o.status == enrollment_status::failed);
    CHECK(f.creates.empty());
    CHECK(f.patches.empty());
}

TEST_CASE("mark_failed writes failed and the error on the Person; preview writes nothing", "[enrollment_processor]") {
    fixture f;
    sync::record_outcome gave_up;
    gave_up.record_id = ada;
    gave_up.campaign_id = "cam_1";
    gave_up.message = "gave up after 8 attempts: Lemlist: HTTP 503";
    CHECK(tools_test::run_sync(f.ctx, f.processor.mark_failed(gave_up)));
    REQUIRE(f.patches.size() == 1);
    CHECK(f.patches[0] == R"({"data":{"values":{"lemlist_enrollment_status":"failed","lemlist_enrollment_reason":)"
                          R"("cam_1: gave up after 8 attempts: Lemlist: HTTP 503"}}})");
    gave_up.record_id = ghost;
    CHECK_FALSE(tools_test::run_sync(f.ctx, f.processor.mark_failed(gave_up)));

    auto p = tools_test::run_sync(f.ctx, f.processor.preview(ada, outbound::enrollment_flags{}));
    CHECK(p.readable);
    CHECK_FALSE(p.problem);
    CHECK(p.contact.email == "ada@example.com");
    CHECK(p.company_name == "Engines Ltd");
    auto q = tools_test::run_sync(f.ctx, f.processor.preview(nobody, outbound::enrollment_flags{}));
    CHECK(q.problem);
    CHECK(f.creates.empty());
    CHECK(f.patches.size() == 1);
}

TEST_CASE("a record another worker holds is deferred, untouched", "[enrollment_processor]") {
    fixture f;
    auto held = f.store.claim(sync::enrollment_key("job_1", ada), 60s);
    REQUIRE(held.ok());
    REQUIRE(held->status == state::claim_status::claimed);
    auto o = f.process(ada);
    CHECK(o.what == kind::deferred);
    CHECK(o.reason == "held_elsewhere");
    CHECK(f.creates.empty());
    CHECK(f.patches.empty());
    CHECK(f.attio_wire.sent().empty());
}

TEST_CASE("an entry enrolls once per campaign whichever of its events comes, and gets the answer too",
          "[enrollment_processor]") {
    fixture f;
    // list-entry.updated when the rep fills in the campaign: enrolled, on the Person and the entry.
    auto first = f.process_entry("ent-1", "attio:event-1");
    CHECK(first.what == kind::done);
    CHECK(first.status == enrollment_status::enrolled);
    CHECK(first.written_back);
    CHECK(first.entry->entry_id == "ent-1");
    CHECK(first.campaign_id == "cam_1");
    REQUIRE(f.creates.size() == 1);
    CHECK(json::get_string(*json::parse(f.creates[0]), "icebreaker") == "Hi");
    REQUIRE(f.patches.size() == 1);
    CHECK(f.patches[0] == R"({"data":{"values":{"lemlist_enrollment_status":"enrolled","lemlist_enrollment_reason":)"
                          R"("cam_1: enrolled as lead lea_new","lemlist_lead_id":"lea_new"}}})");
    REQUIRE(f.entry_patches.size() == 1);
    CHECK(f.entry_patches[0] ==
          R"({"data":{"entry_values":{"lemlist_enrollment_status":"enrolled","lemlist_enrollment_reason":"enrolled as lead lea_new",)"
          R"("lemlist_enrollment_campaign_id":"cam_1"}}})");

    // Another event of the same entry (the rep edits another attribute, or our own write-back's
    // event) is another delivery: nothing is sent or written again.
    f.entry_values = R"({"lemlist_enrollment_status":[{"option":{"title":"enrolled"}}],)"
                     R"("lemlist_enrollment_campaign_id":[{"value":"cam_1"}]})";
    auto second = f.process_entry("ent-1", "attio:event-2");
    CHECK(second.what == kind::done);
    CHECK(second.status == enrollment_status::enrolled);
    CHECK(second.message.find("already enrolled from this entry") != std::string::npos);
    CHECK(f.creates.size() == 1);
    CHECK(f.patches.size() == 1);
    CHECK(f.entry_patches.size() == 1);

    // The campaign changed to another cam_ id: a new enrollment.
    auto moved = f.process_entry("ent-1", "attio:event-3", "cam_2");
    CHECK(moved.status == enrollment_status::enrolled);
    CHECK(f.creates.size() == 2);
    REQUIRE(f.entry_patches.size() == 2);
    CHECK(f.entry_patches[1].find(R"("lemlist_enrollment_campaign_id":"cam_2")") != std::string::npos);

    // Another entry of the same Person into the same campaign is its own enrollment (Lemlist decides).
    f.lemlist_answers.push_back(tools_test::answer(400, "Lead already in the campaign", "text/plain"));
    auto other = f.process_entry("ent-2", "attio:event-4");
    CHECK(other.status == enrollment_status::duplicate);
    REQUIRE(f.entry_patches.size() == 3);
    CHECK(f.entry_patches[2].find(R"("lemlist_enrollment_reason":"Lead already in the campaign")") != std::string::npos);
}

TEST_CASE("the entry's write-back: retried when Attio is away, never the create again; a gone entry is no failure",
          "[enrollment_processor]") {
    fixture f;
    f.entry_patch_answers.push_back(
        tools_test::answer(503, R"({"status_code":503,"type":"api_error","code":"unavailable","message":"down"})"));
    auto first = f.process_entry("ent-1", "attio:e1");
    CHECK(first.what == kind::retry);
    auto second = f.process_entry("ent-1", "attio:e2");  // the ladder's retry, or the next event
    CHECK(second.what == kind::done);
    CHECK(second.status == enrollment_status::enrolled);
    CHECK(f.creates.size() == 1);
    CHECK(f.patches.size() == 1);        // the Person's write had landed and was recorded
    CHECK(f.entry_patches.size() == 2);

    f.entry_patch_answers.push_back(
        tools_test::answer(404, R"({"status_code":404,"type":"invalid_request_error","code":"not_found","message":"Entry not found"})"));
    auto removed = f.process_entry("ent-9", "attio:e3");
    CHECK(removed.what == kind::done);  // removed from the list meanwhile: the Person holds the answer
    CHECK(removed.written_back);

    f.entry_patch_answers.push_back(tools_test::answer(
        400, R"({"status_code":400,"type":"invalid_request_error","code":"value_not_found","message":"Cannot find attribute"})"));
    auto refused = f.process_entry("ent-10", "attio:e4");
    CHECK(refused.what == kind::dead_letter);
    CHECK(refused.reason == "attio_rejected");
}

TEST_CASE("mark_failed writes the failure on the entry too", "[enrollment_processor]") {
    fixture f;
    sync::record_outcome gave_up;
    gave_up.record_id = ada;
    gave_up.campaign_id = "cam_1";
    gave_up.entry = sync::entry_ref{"lemlist_enrollments", "ent-1"};
    gave_up.message = "gave up after 8 attempts: Lemlist: HTTP 503";
    CHECK(tools_test::run_sync(f.ctx, f.processor.mark_failed(gave_up)));
    REQUIRE(f.entry_patches.size() == 1);
    CHECK(f.entry_patches[0] ==
          R"({"data":{"entry_values":{"lemlist_enrollment_status":"failed","lemlist_enrollment_reason":)"
          R"("gave up after 8 attempts: Lemlist: HTTP 503","lemlist_enrollment_campaign_id":"cam_1"}}})");
}
