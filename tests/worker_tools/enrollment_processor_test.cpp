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

std::string record_json(const std::string& id, const std::string& values) {
    return R"({"data":{"id":{"workspace_id":"w","object_id":"o","record_id":")" + id + R"("},"values":)" + values + "}}";
}

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

    fixture() {
        attio_wire.respond = [this](const http::client_request& r) -> tools_test::fake_transport::reply {
            const std::string people_path = "/v2/objects/people/records/";
            if (r.method == verb::get && r.target.starts_with("/v2/objects/companies/records/"))
                return tools_test::answer(200, record_json(company, R"({"name":[{"value":"Engines Ltd"}]})"));
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
                    return tools_test::answer(200, record_json(id, it->second));
                }
                std::string values = it->second;
                if (!status_on_person.empty()) {
                    values.pop_back();
                    values += R"(,"lemlist_enrollment_status":[{"option":{"title":")" + status_on_person +
                              R"("}}],"lemlist_lead_id":[{"value":"lea_stored"}]})";
                }
                return tools_test::answer(200, record_json(id, values));
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
    CHECK(f.patches[0] == R"({"data":{"values":{"lemlist_enrollment_status":"duplicate"}}})");
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
    CHECK(f.patches[0] == R"({"data":{"values":{"lemlist_enrollment_status":"rejected"}}})");

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

TEST_CASE("mark_failed writes failed on the Person; preview writes nothing", "[enrollment_processor]") {
    fixture f;
    CHECK(tools_test::run_sync(f.ctx, f.processor.mark_failed(ada)));
    REQUIRE(f.patches.size() == 1);
    CHECK(f.patches[0] == R"({"data":{"values":{"lemlist_enrollment_status":"failed"}}})");
    CHECK_FALSE(tools_test::run_sync(f.ctx, f.processor.mark_failed(ghost)));

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
