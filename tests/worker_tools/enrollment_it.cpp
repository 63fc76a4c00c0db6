// Enrollment end to end against the emulators: `sync-worker enroll` (the CLI path) and the
// `sync-worker run` consumer of `attio.enrollments` (jobs with a direct reply-to, Attio
// list-entry webhooks, a redelivered job, a job for the DLQ). Every status is read back from
// the Attio Person; every lead from the Lemlist emulator.
#include <catch2/catch.hpp>

#include <fstream>
#include <future>
#include <map>

#include "amqp/publisher.hpp"
#include "core/json.hpp"
#include "it_support.hpp"
#include "sync/enrollment_entry.hpp"

using namespace las;
using namespace las::tools_test;
using namespace std::chrono_literals;

namespace {

constexpr const char* campaign = "cam_SandboxOutreach01";
constexpr const char* ghost = "0badf00d-0000-4000-8000-000000000000";

std::string person(const std::string& first, const std::string& email) {
    std::string values = R"({"name":[{"first_name":")" + first + R"(","last_name":"Test","full_name":")" + first +
                         R"( Test"}])";
    if (!email.empty()) values += R"(,"email_addresses":[")" + email + R"("])";
    return values + "}";
}

struct sandbox {
    temp_dir state;
    emulator attio_emu{"attio-emulator"};
    emulator lemlist_emu{"lemlist-emulator"};
    attio_side attio{attio_emu.base_url()};
    lemlist_side lemlist{lemlist_emu.base_url()};

    env_list env(const test_broker& broker) {
        return worker_env(broker, state, attio_emu.base_url(), lemlist_emu.base_url());
    }

    void provision(const test_broker& broker) {
        auto r = run({worker_binary(), "provision"}, env(broker));
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
    }

    // A lead already in the campaign, created straight through Lemlist's API.
    void pre_enroll(const std::string& email) {
        auto [status, body] = lemlist.send(http_proto::verb::post, std::string("/api/campaigns/") + campaign + "/leads/",
                                           R"({"email":")" + email + R"("})", true);
        REQUIRE(status == 200);
    }
};

}  // namespace

TEST_CASE("enroll: enrolled, duplicate and rejected are written back on the People", "[enroll][integration]") {
    test_broker broker;
    sandbox s;
    s.provision(broker);
    const auto ada = s.attio.create_person(person("Ada", "ada@example.com"));
    const auto bob = s.attio.create_person(person("Bob", "bob@example.com"));
    const auto nobody = s.attio.create_person(person("Nobody", ""));
    const auto carl = s.attio.create_person(person("Carl", "carl@example.com"));
    s.pre_enroll("bob@example.com");

    auto dry = run({worker_binary(), "enroll", "--campaign", campaign, "--record", ada, "--record", nobody, "--dry-run"},
                   s.env(broker));
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 1);  // one record cannot be enrolled
    CHECK(dry.out.find("would enroll " + ada + ": email=ada@example.com") != std::string::npos);
    CHECK(dry.out.find("cannot enroll " + nobody) != std::string::npos);
    CHECK(s.lemlist.leads_with_email("ada@example.com") == 0);
    CHECK(s.attio.enrollment_status(ada).empty());

    auto enrolled = run({worker_binary(), "enroll", "--campaign", campaign, "--record", ada, "--record", bob, "--record",
                         nobody},
                        s.env(broker));
    INFO(enrolled.out << enrolled.err);
    CHECK(enrolled.exit_code == 0);
    CHECK(enrolled.out.find("[3/3] enrolled=1 duplicate=1 rejected=1 failed=0") != std::string::npos);
    CHECK(s.attio.enrollment_status(ada) == "enrolled");
    CHECK(s.attio.lead_id(ada).starts_with("lea_"));
    CHECK(s.attio.enrollment_status(bob) == "duplicate");
    CHECK(s.attio.enrollment_status(nobody) == "rejected");
    CHECK(s.lemlist.leads_with_email("ada@example.com") == 1);
    CHECK(s.lemlist.leads_with_email("bob@example.com") == 1);

    // Lemlist refuses: an unknown campaign.
    auto refused = run({worker_binary(), "enroll", "--campaign", "cam_DoesNotExist0000", "--record", carl}, s.env(broker));
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code == 0);
    CHECK(refused.out.find("rejected " + carl + ": HTTP 404: Campaign not found") != std::string::npos);
    CHECK(s.attio.enrollment_status(carl) == "rejected");

    // A file with a Person that does not exist: failed, non-zero exit.
    const auto file = s.state.path() / "ids.txt";
    std::ofstream(file) << "# a missing Person\n" << ghost << "\n";
    auto failed = run({worker_binary(), "enroll", "--campaign", campaign, "--from-file", file.string()}, s.env(broker));
    INFO(failed.out << failed.err);
    CHECK(failed.exit_code == 1);
    CHECK(failed.out.find("failed=1") != std::string::npos);

    std::ofstream(file) << "not-an-id\n";
    auto invalid = run({worker_binary(), "enroll", "--campaign", campaign, "--from-file", file.string()}, s.env(broker));
    CHECK(invalid.exit_code == 2);
    CHECK(invalid.err.find("line 1: \"not-an-id\"") != std::string::npos);
}

TEST_CASE("sync-worker run consumes enrollment jobs and Attio list-entry webhooks", "[enroll][integration]") {
    test_broker broker;
    for (const auto& q : {"attio.enrollments", "attio.enrollments.dlq", "lemlist.events"}) broker.purge(q);
    for (const auto& q : amqp::attio_enrollments().retry_queues()) broker.purge(q);
    sandbox s;
    s.provision(broker);
    const auto ada = s.attio.create_person(person("Ada", "ada@example.com"));
    const auto nobody = s.attio.create_person(person("Nobody", ""));
    const auto carl = s.attio.create_person(person("Carl", "carl@example.com"));

    auto env = s.env(broker);
    env.emplace_back("MAX_ATTEMPTS", "2");  // one retry through the 5 s rung, then the DLQ
    child worker({worker_binary(), "run"}, env);
    REQUIRE(worker.wait_for_output("queue=attio.enrollments", 30s));

    amqp::publisher_options po;
    po.direct_reply_to = true;
    po.connection_name = "worker-tools-test-caller";
    amqp::publisher caller(*amqp::parse_url(broker.url()), po);
    REQUIRE(caller.wait_connected(10s));
    auto call = [&](const std::string& job_id, const std::string& record_ids) {
        amqp::publish_request r;
        r.exchange = "attio.enrollments";
        r.routing_key = "attio.enrollments";
        r.message_id = job_id;
        r.body = R"({"job_id":")" + job_id + R"(","source":"api","campaign_id":")" + campaign +
                 R"(","record_ids":[)" + record_ids + R"(],"options":{"findEmail":false},"requested_at":"2025-03-10T12:00:00.000Z"})";
        r.headers = {{"x-source", std::string("api")}, {"x-attempts", std::int64_t{0}},
                     {"x-received-at", std::string("2025-03-10T12:00:00.000Z")}};
        std::promise<amqp::call_result> promise;
        auto future = promise.get_future();
        caller.call(r, 30s, [&](amqp::call_result result) { promise.set_value(std::move(result)); });
        return future.get();
    };
    auto results_of = [](const amqp::call_result& r) {
        std::map<std::string, std::pair<std::string, std::string>> out;  // record → status, lead/message
        REQUIRE(r.reply);
        auto doc = json::parse(r.reply->body);
        REQUIRE(doc.ok());
        for (const auto& item : (*doc)["results"].GetArray())
            out[std::string(json::get_string(item, "record_id").value_or(""))] = {
                std::string(json::get_string(item, "status").value_or("")),
                std::string(json::get_string(item, "lead_id").value_or(json::get_string(item, "message").value_or("")))};
        return out;
    };

    SECTION("a job with a reply-to gets its results; the same job again enrolls nothing twice") {
        const auto first = call("job_it_1", "\"" + ada + "\",\"" + nobody + "\"");
        INFO(worker.err());
        auto results = results_of(first);
        REQUIRE(results.size() == 2);
        CHECK(results[ada].first == "enrolled");
        CHECK(results[ada].second.starts_with("lea_"));
        CHECK(results[nobody].first == "rejected");
        CHECK(s.attio.enrollment_status(ada) == "enrolled");
        CHECK(s.attio.lead_id(ada) == results[ada].second);
        CHECK(s.attio.enrollment_status(nobody) == "rejected");

        const auto again = call("job_it_1", "\"" + ada + "\",\"" + nobody + "\"");
        auto repeated = results_of(again);
        CHECK(repeated[ada].first == "enrolled");
        CHECK(s.lemlist.leads_with_email("ada@example.com") == 1);
    }

    SECTION("an Attio list-entry.created webhook enrolls the entry's Person into its campaign") {
        const auto list = s.attio.list("lemlist_enrollments");
        const auto entry = s.attio.create_entry("lemlist_enrollments", carl,
                                                std::string(R"({"lemlist_campaign_id":")") + campaign + "\"}");
        amqp::publish_request r;
        r.exchange = "attio.enrollments";
        r.routing_key = "attio.enrollments";
        r.message_id = "attio:it-webhook-1";
        r.body = R"({"webhook_id":"wh_it","events":[{"event_type":"list-entry.created","id":{"workspace_id":"w","list_id":")" +
                 list.list_id + R"(","entry_id":")" + entry.entry_id + R"("},"parent_object_id":"p","parent_record_id":")" +
                 carl + R"(","actor":{"type":"workspace-member","id":"m"}}]})";
        r.headers = {{"x-source", std::string("attio_webhook")}, {"x-attempts", std::int64_t{0}}};
        broker.channel().publish_confirmed(r);
        CHECK(eventually([&] { return s.attio.enrollment_status(carl) == "enrolled"; }, 20s));
        INFO(worker.err());
        CHECK(s.lemlist.leads_with_email("carl@example.com") == 1);
    }

    SECTION("a job for a Person that does not exist is dead-lettered with the reason") {
        const auto answer = call("job_it_ghost", std::string("\"") + ghost + "\"");
        auto results = results_of(answer);
        CHECK(results[ghost].first == "failed");
        REQUIRE(eventually([&] { return broker.depth("attio.enrollments.dlq") == 1; }, 10s));
        auto dead = broker.take_all("attio.enrollments.dlq");
        REQUIRE(dead.size() == 1);
        CHECK(dead[0].message_id == "job_it_ghost");
        CHECK(amqp::header_string(dead[0].headers, "x-dlq-reason") == "person_not_found");
    }

    SECTION("transient Lemlist failures go round the retry ladder, then end as failed in the DLQ") {
        auto [status, body] = s.lemlist.send(http_proto::verb::post, "/__emulator/faults",
                                             R"({"path_prefix":"/api/campaigns/","method":"POST","status":503,"count":2})");
        REQUIRE(status == 200);
        const auto answer = call("job_it_flaky", "\"" + ada + "\"");  // the reply comes after the retry
        INFO(worker.err());
        auto results = results_of(answer);
        CHECK(results[ada].first == "failed");
        CHECK(results[ada].second.find("gave up after 2 attempts") != std::string::npos);
        CHECK(s.attio.enrollment_status(ada) == "failed");
        CHECK(s.lemlist.leads_with_email("ada@example.com") == 0);
        REQUIRE(eventually([&] { return broker.depth("attio.enrollments.dlq") == 1; }, 10s));
        auto dead = broker.take_all("attio.enrollments.dlq");
        CHECK(amqp::header_string(dead[0].headers, "x-dlq-reason") == "retries_exhausted");
        CHECK(amqp::header_int(dead[0].headers, "x-attempts") == 2);
        CHECK(worker.err().find("disposition=retry") != std::string::npos);
    }

    caller.stop();
    CHECK(worker.terminate(30s) == 0);
}

namespace {

// What Attio would post for an event of entry `entry_id` (payloads carry ids only), put on
// attio.enrollments as the gateway does; the message id to find its `enrollment.job_settled`.
std::string deliver_entry_event(test_broker& broker, const std::string& type, const std::string& list_id,
                                const std::string& entry_id, const std::string& record_id, const std::string& actor) {
    static int n = 0;
    const std::string id = "attio:it-flow-" + std::to_string(++n);
    amqp::publish_request r;
    r.exchange = "attio.enrollments";
    r.routing_key = "attio.enrollments";
    r.message_id = id;
    const std::string attribute = type == "list-entry.updated" ? R"(,"attribute_id":"a0000000-0000-4000-8000-00000000000a")" : "";
    r.body = R"({"webhook_id":"wh_it","events":[{"event_type":")" + type + R"(","id":{"workspace_id":"w","list_id":")" +
             list_id + R"(","entry_id":")" + entry_id + "\"" + attribute + R"(},"parent_object_id":"p","parent_record_id":")" +
             record_id + R"(","actor":{"type":")" + actor + R"(","id":"a"}}]})";
    r.headers = {{"x-source", std::string("attio_webhook")}, {"x-attempts", std::int64_t{0}}};
    REQUIRE(broker.channel().publish_confirmed(r) == amqp::publish_outcome::confirmed);
    return id;
}

// A variable of the lead Lemlist holds for `email` in `campaign_id` (GET /__emulator/leads).
std::string lead_field(lemlist_side& lemlist, const std::string& email, const std::string& campaign_id,
                       const std::string& field) {
    auto [status, body] = lemlist.send(http_proto::verb::get, "/__emulator/leads");
    REQUIRE(status == 200);
    auto doc = json::parse(body);
    REQUIRE(doc.ok());
    const rapidjson::Value* leads = &*doc;
    if (doc->IsObject()) leads = json::find(*doc, "leads");
    REQUIRE(leads);
    for (const auto& lead : leads->GetArray()) {
        const auto* variables = json::find(lead, "variables");
        if (!variables || json::get_string(lead, "campaignId") != campaign_id) continue;
        if (json::get_string(*variables, "email") == email)
            return std::string(json::get_string(*variables, field).value_or(""));
    }
    return "(no lead)";
}

}  // namespace

TEST_CASE("the rep's flow in Attio: add a Person to the list, fill in the campaign later, enrolled once",
          "[enroll][integration]") {
    test_broker broker;
    for (const auto& q : {"attio.enrollments", "attio.enrollments.dlq"}) broker.purge(q);
    for (const auto& q : amqp::attio_enrollments().retry_queues()) broker.purge(q);
    sandbox s;
    s.provision(broker);
    const auto dan = s.attio.create_person(person("Dan", "dan@example.com"));
    const auto erin = s.attio.create_person(person("Erin", "erin@example.com"));
    const auto fay = s.attio.create_person(person("Fay", "fay@example.com"));
    const std::string list = "lemlist_enrollments";
    const auto list_id = s.attio.list(list).list_id;
    constexpr const char* other_campaign = "cam_SandboxLinkedIn02";

    child worker({worker_binary(), "run"}, s.env(broker));
    REQUIRE(worker.wait_for_output("queue=attio.enrollments", 30s));
    auto settled = [&](const std::string& message_id) {
        const std::string line = "enrollment.job_settled job_id=" + message_id + " ";
        return eventually([&] { return worker.err().find(line) != std::string::npos; }, 20s) &&
               eventually([&] { return broker.depth("attio.enrollments") == 0; }, 5s);
    };
    auto answer = [&](const std::string& entry_id) { return sync::answer_on(s.attio.entry(list, entry_id).values); };

    // 1. Added without a campaign: nothing is sent, nothing is marked, nothing for an operator.
    const auto e1 = s.attio.create_entry(list, dan, "{}").entry_id;
    const auto added = deliver_entry_event(broker, "list-entry.created", list_id, e1, dan, "workspace-member");
    REQUIRE(settled(added));
    INFO(worker.err());
    CHECK(s.lemlist.leads_with_email("dan@example.com") == 0);
    CHECK_FALSE(answer(e1).status);
    CHECK(s.attio.enrollment_status(dan).empty());

    // 2. The rep fills in the campaign (and an icebreaker): list-entry.updated enrolls.
    s.attio.patch_entry(list, e1, std::string(R"({"lemlist_campaign_id":")") + campaign +
                                      R"(","lemlist_icebreaker":"Met you at Bauma"})");
    deliver_entry_event(broker, "list-entry.updated", list_id, e1, dan, "workspace-member");
    REQUIRE(eventually([&] { return answer(e1).status == sync::enrollment_status::enrolled; }, 20s));
    CHECK(answer(e1).campaign == campaign);
    CHECK(answer(e1).reason.starts_with("enrolled as lead lea_"));
    CHECK(s.attio.enrollment_status(dan) == "enrolled");
    CHECK(s.attio.enrollment_reason(dan).starts_with(std::string(campaign) + ": enrolled as lead lea_"));
    CHECK(s.lemlist.leads_with_email("dan@example.com") == 1);
    CHECK(lead_field(s.lemlist, "dan@example.com", campaign, "icebreaker") == "Met you at Bauma");

    // 3. Our own write-back fires list-entry.updated once per attribute, and the rep edits the
    //    entry again: no second enrollment (which Lemlist would answer "duplicate").
    for (int i = 0; i < 3; ++i) {
        const auto echo = deliver_entry_event(broker, "list-entry.updated", list_id, e1, dan, "api-token");
        REQUIRE(settled(echo));
    }
    CHECK(s.lemlist.leads_with_email("dan@example.com") == 1);
    CHECK(answer(e1).status == sync::enrollment_status::enrolled);
    CHECK(s.attio.enrollment_status(dan) == "enrolled");

    // 4. Another campaign on the same entry is a new enrollment, with the entry's options over
    //    the TOML defaults (deduplicate is on by default: Lemlist would refuse a lead of another campaign).
    s.attio.patch_entry(list, e1, std::string(R"({"lemlist_campaign_id":")") + other_campaign +
                                      R"(","lemlist_deduplicate":false})");
    deliver_entry_event(broker, "list-entry.updated", list_id, e1, dan, "workspace-member");
    REQUIRE(eventually([&] { return answer(e1).campaign == other_campaign; }, 20s));
    CHECK(answer(e1).status == sync::enrollment_status::enrolled);
    CHECK(s.lemlist.leads_with_email("dan@example.com") == 2);

    // 5. A typo in the campaign: `failed` and why, on the entry; nothing sent, nothing dead-lettered.
    const auto e2 = s.attio.create_entry(list, erin, R"({"lemlist_campaign_id":"SandboxOutreach01"})").entry_id;
    deliver_entry_event(broker, "list-entry.created", list_id, e2, erin, "workspace-member");
    REQUIRE(eventually([&] { return answer(e2).status == sync::enrollment_status::failed; }, 20s));
    CHECK(answer(e2).reason.find("is not a Lemlist campaign id") != std::string::npos);
    const auto echo = deliver_entry_event(broker, "list-entry.updated", list_id, e2, erin, "api-token");
    REQUIRE(settled(echo));
    CHECK(s.attio.enrollment_status(erin).empty());
    CHECK(s.lemlist.leads_with_email("erin@example.com") == 0);
    CHECK(broker.depth("attio.enrollments.dlq") == 0);
    // Fixed by the rep: enrolled.
    s.attio.patch_entry(list, e2, std::string(R"({"lemlist_campaign_id":")") + campaign + "\"}");
    deliver_entry_event(broker, "list-entry.updated", list_id, e2, erin, "workspace-member");
    REQUIRE(eventually([&] { return answer(e2).status == sync::enrollment_status::enrolled; }, 20s));
    CHECK(s.lemlist.leads_with_email("erin@example.com") == 1);

    // 6. Lemlist's duplicate answer: its text is the reason, on the entry and the Person.
    s.pre_enroll("fay@example.com");
    const auto e3 = s.attio.create_entry(list, fay, std::string(R"({"lemlist_campaign_id":")") + campaign + "\"}").entry_id;
    deliver_entry_event(broker, "list-entry.created", list_id, e3, fay, "workspace-member");
    REQUIRE(eventually([&] { return answer(e3).status == sync::enrollment_status::duplicate; }, 20s));
    CHECK(answer(e3).reason == "Lead already in the campaign");
    CHECK(s.attio.enrollment_status(fay) == "duplicate");
    CHECK(s.attio.enrollment_reason(fay) == std::string(campaign) + ": Lead already in the campaign");
    // Each entry kept its own answer.
    CHECK(answer(e1).status == sync::enrollment_status::enrolled);
    CHECK(broker.depth("attio.enrollments.dlq") == 0);

    CHECK(worker.terminate(30s) == 0);
}
