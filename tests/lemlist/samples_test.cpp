// Every real Lemlist sample under tests/fixtures/lemlist-samples goes through the parser.

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "core/json.hpp"
#include "lemlist/event.hpp"
#include "lemlist/idempotency_key.hpp"
#include "sample.hpp"

using namespace las;
using namespace las::lemlist;

namespace {

event parse_sample(const std::string& path) {
    auto ev = parse_event(test::read_sample(path));
    INFO(path);
    if (!ev) FAIL(ev.error().code << ": " << ev.error().message);
    return std::move(ev).value();
}

// GET /activities answers are arrays (or {data:[…]}): each record becomes an event as reconcile does it.
std::vector<event> parse_records(const std::string& path) {
    auto doc = test::parse_or_throw(test::read_sample(path));
    rapidjson::Value* records = &doc;
    if (doc.IsObject() && json::find(doc, "data") != nullptr) records = &doc["data"];
    std::vector<event> events;
    if (!records->IsArray()) {
        auto ev = event_from_document(std::move(doc));
        REQUIRE(ev);
        events.push_back(std::move(ev).value());
        return events;
    }
    for (auto& record : records->GetArray()) {
        rapidjson::Document one;
        one.CopyFrom(record, one.GetAllocator());
        auto ev = event_from_document(std::move(one));
        REQUIRE(ev);
        events.push_back(std::move(ev).value());
    }
    return events;
}

}  // namespace

TEST_CASE("sample linkedinInviteAccepted: LinkedIn-only lead, Sales Navigator URL, custom variables kept") {
    const auto ev = parse_sample("linkedinInviteAccepted.json");
    CHECK(ev.type == "linkedinInviteAccepted");
    CHECK(ev.cls.category == event_category::attracted);
    CHECK(ev.cls.chan == channel::linkedin);
    CHECK(ev.cls.documented);
    CHECK(ev.idempotency_key == "act_JMapFaFqB9dMLZpLL");
    CHECK(ev.campaign_id == "cam_hSZJzm7qCv4Go6sfW");
    CHECK(ev.campaign_name == "\xF0\x9F\xAB\x85\xF0\x9F\x8F\xBB\xF0\x9F\x90\x98" "Bauma 2025");
    CHECK(ev.lead_id == "lea_fF8Zdhe5GEPdCEX4L");
    CHECK(ev.sequence_id == "seq_5ACjKD32KecarG2M3");
    CHECK(ev.sequence_step == 1.0);
    CHECK(ev.team_id == "tea_hSBr4gYQ9J7ALq2P3");
    CHECK_FALSE(ev.sender_email);
    CHECK_FALSE(ev.subject);
    REQUIRE(ev.occurred_at);
    CHECK(format_iso8601(*ev.occurred_at) == "2025-02-27T14:58:05.000Z");

    CHECK_FALSE(ev.lead.email);
    CHECK(ev.lead.linkedin_url == "https://linkedin.com/sales/lead/ACwAAExampleSalesNavLeadId000000000000");
    CHECK(ev.lead.linkedin_raw == "https://www.linkedin.com/sales/lead/ACwAAExampleSalesNavLeadId000000000000,");
    CHECK(ev.lead.full_name == "Jonas F");
    CHECK(ev.lead.job_title == "Leiter Wartung und Instandhaltung");
    CHECK(ev.lead.has_match_key());

    CHECK(json::get_string(*ev.body, "occupation") == std::optional<std::string_view>("Leiter Wartung und Instandhaltung"));
    CHECK(json::get_string(*ev.body, "Gender") == std::optional<std::string_view>("male"));
    CHECK(json::get_string(*ev.body, "labels") == std::optional<std::string_view>("Outreach; Personal"));
    const auto published = serialize_body(ev);
    for (const char* field : {"\"occupation\"", "\"Gender\"", "\"labels\"", "\"metaData\"", "\"linkedinUrl\""}) {
        CHECK(published.find(field) != std::string::npos);
    }
}

TEST_CASE("sample emailsReplied: email identity, subject, sender") {
    const auto ev = parse_sample("emailsReplied.json");
    CHECK(ev.cls.category == event_category::warmed);
    CHECK(ev.cls.chan == channel::email);
    CHECK(ev.idempotency_key == "act_9kwPs4aQkehRNx878");
    CHECK(ev.lead.email == "lead.replier@example.com");
    CHECK_FALSE(ev.lead.linkedin_url);
    CHECK_FALSE(ev.lead.full_name);
    CHECK(ev.subject == "Re: revops opportunity");
    CHECK(ev.sender_email == "sam.sender@example.com");
    CHECK(ev.campaign_name == "NEW TO DELETE");
    CHECK(ev.sequence_step == 0.0);
    REQUIRE(ev.occurred_at);
    CHECK(format_iso8601(*ev.occurred_at) == "2025-11-18T23:11:26.000Z");
}

TEST_CASE("sample enrichmentDone: enr key, identity from the enrichment data") {
    const auto ev = parse_sample("enrichmentDone.json");
    CHECK(ev.cls.chan == channel::enrichment);
    CHECK(ev.cls.category == event_category::other);
    CHECK(ev.idempotency_key == "enr:enrichmentDone:enr_9gf5NKQCaFHJCPyDh");
    CHECK_FALSE(ev.activity_id);
    CHECK_FALSE(ev.campaign_id);
    CHECK(ev.lead.email == "bastien@morpho.xyz");
    CHECK(ev.lead.phone == "+33760769872");
    CHECK(ev.lead.linkedin_url == "https://linkedin.com/in/bvelitchkine");
    CHECK(ev.lead.first_name == "Robin");
    CHECK(ev.lead.last_name == "Replier");
    CHECK(ev.lead.company_name == "Morpho");
    CHECK(ev.lead.company_domain == "morpho.org");
    CHECK(ev.lead.job_title == "Part-Time Growth Engineer");
}

TEST_CASE("sample fragments: third-party reply and recipients") {
    const auto reply = parse_sample("fragments/emailsReplied.isThirdPartyReply-fragment.json");
    CHECK(reply.cls.category == event_category::warmed);
    REQUIRE(reply.idempotency_key.starts_with("h1:"));
    CHECK(reply.idempotency_key.size() == 3 + 64);
    CHECK_FALSE(reply.lead.has_match_key());

    // Re-serialised in another order with a secret added: the same event, the same key.
    const auto again = parse_event(R"({"secret":"x","isThirdPartyReply":true,"type":"emailsReplied"})");
    REQUIRE(again);
    CHECK(again->idempotency_key == reply.idempotency_key);

    const auto sent = parse_sample("fragments/emailsSent.recipients-fragment.json");
    CHECK(sent.cls.category == event_category::contacted);
    CHECK(sent.idempotency_key.starts_with("h1:"));
    CHECK(sent.idempotency_key != reply.idempotency_key);
}

TEST_CASE("GET /activities records: nested lead, _id keys, one per record") {
    struct expectation {
        std::string path;
        std::size_t records;
        event_category category;
    };
    const expectation files[] = {
        {"activities-api/emailsOpened.v2.json", 2, event_category::hooked},
        {"activities-api/paused.v2.json", 1, event_category::paused},
        {"activities-api/manualNotInterested.v2.json", 1, event_category::not_interested},
        {"activities-api/manualDone.v2.json", 1, event_category::other},
        {"activities-api/annotated.v2.json", 1, event_category::other},
        {"activities-api/emailsSent.v1-legacy-docs.json", 2, event_category::contacted},
        {"activities-api/inbox-contact-messages.GET_inbox_contactId.json", 3, event_category::other},
    };
    std::set<std::string> keys;
    for (const auto& f : files) {
        INFO(f.path);
        const auto events = parse_records(f.path);
        CHECK(events.size() == f.records);
        for (const auto& ev : events) {
            REQUIRE(ev.activity_id);
            CHECK(ev.idempotency_key == *ev.activity_id);
            CHECK(keys.insert(ev.idempotency_key).second);
            if (f.category != event_category::other) CHECK(ev.cls.category == f.category);
            CHECK(ev.occurred_at.has_value());
        }
    }

    const auto opened = parse_records("activities-api/emailsOpened.v2.json");
    CHECK(opened[0].lead.email == "sam@example.com");
    CHECK(opened[0].lead.linkedin_url == "https://linkedin.com/in/sam-doe");  // only under lead.variables
    CHECK(opened[0].lead.company_name == "lemlist");
    CHECK(opened[0].campaign_name == "Unicorn campaign");

    const auto done = parse_records("activities-api/manualDone.v2.json");
    CHECK(done[0].cls.chan == channel::manual);  // legacy type, channel from its prefix
    CHECK_FALSE(done[0].cls.documented);
    CHECK(done[0].lead.job_title == "Growth Engineer");
    CHECK(done[0].lead.company_domain == "example.com");

    const auto note = parse_records("activities-api/annotated.v2.json");
    CHECK(note[0].cls.chan == channel::task);
    CHECK_FALSE(note[0].campaign_id);
    CHECK_FALSE(note[0].lead.has_match_key());

    const auto legacy = parse_records("activities-api/emailsSent.v1-legacy-docs.json");
    CHECK(legacy[0].lead.email == "jeanne@doe.com");
    CHECK_FALSE(legacy[1].lead.email);  // "leadEmail": "jeanne" is not an address
    CHECK(legacy[1].sequence_step == 1.0);
}

TEST_CASE("a webhook and the GET /activities record of one activity share the key") {
    const auto webhook = parse_sample("emailsReplied.json");
    auto doc = test::parse_or_throw(test::read_sample("emailsReplied.json"));
    doc.RemoveMember("html");  // the API record differs in shape...
    doc.AddMember("lead", rapidjson::Value(rapidjson::kObjectType), doc.GetAllocator());
    const auto record = event_from_document(std::move(doc));
    REQUIRE(record);
    CHECK(record->idempotency_key == webhook.idempotency_key);  // ...but not in _id
}
