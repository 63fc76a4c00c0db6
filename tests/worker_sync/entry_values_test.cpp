#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/json.hpp"
#include "core/time.hpp"
#include "sync/entry_values.hpp"

using namespace las;
using namespace las::sync;

namespace {
std::string read_sample(const std::string& name) {
    std::ifstream in(std::string(LAS_SAMPLES_DIR) + "/" + name);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
const event_time received = *parse_iso8601("2026-11-23T12:00:00.000Z");
}  // namespace

TEST_CASE("the entry of a real linkedinInviteAccepted carries the contract attributes") {
    auto ev = lemlist::parse_event(read_sample("linkedinInviteAccepted.json"));
    REQUIRE(ev.ok());
    const auto when = event_time_of(ev.value(), received);
    CHECK(format_iso8601(when) == "2025-02-27T14:58:05.000Z");
    auto doc = json::parse(entry_values_json(ev.value(), when, {}));
    REQUIRE(doc.ok());
    const auto& v = doc.value();
    CHECK(json::get_string(v, "event_type") == std::optional<std::string_view>("linkedinInviteAccepted"));
    CHECK(json::get_string(v, "channel") == std::optional<std::string_view>("linkedin"));
    CHECK(json::get_string(v, "activity_id") == std::optional<std::string_view>("act_JMapFaFqB9dMLZpLL"));
    CHECK(json::get_string(v, "campaign_id") == std::optional<std::string_view>("cam_hSZJzm7qCv4Go6sfW"));
    CHECK(json::get_string(v, "lead_id") == std::optional<std::string_view>("lea_fF8Zdhe5GEPdCEX4L"));
    CHECK(json::get_string(v, "sequence_id") == std::optional<std::string_view>("seq_5ACjKD32KecarG2M3"));
    CHECK(json::get_number(v, "sequence_step") == 1.0);
    CHECK(json::get_string(v, "occurred_at") == std::optional<std::string_view>("2025-02-27T14:58:05.000Z"));
    CHECK_FALSE(json::find(v, "subject"));  // absent fields are not written
    CHECK(json::get_string(v, "event_category").has_value());
}

TEST_CASE("enrichment bodies take the delivery time and keep their key") {
    auto ev = lemlist::parse_event(read_sample("enrichmentDone.json"));
    REQUIRE(ev.ok());
    CHECK(event_time_of(ev.value(), received) == received);
    auto doc = json::parse(entry_values_json(ev.value(), received, {}));
    REQUIRE(doc.ok());
    CHECK(json::get_string(doc.value(), "activity_id") == std::optional<std::string_view>(ev.value().idempotency_key));
    CHECK(json::get_string(doc.value(), "channel") == std::optional<std::string_view>("enrichment"));
}

TEST_CASE("custom mappings land on the entry or the Person") {
    auto ev = lemlist::parse_event(read_sample("linkedinInviteAccepted.json"));
    REQUIRE(ev.ok());
    const std::vector<attribute_mapping> mappings{
        {"occupation", "job_title", attribute_mapping::target::person},
        {"Gender", "lemlist_gender", attribute_mapping::target::entry},
        {"sequenceStep", "step_copy", attribute_mapping::target::entry},
        {"metaData", "ignored_object", attribute_mapping::target::entry},
        {"absentField", "nothing", attribute_mapping::target::person},
    };
    auto entry = json::parse(entry_values_json(ev.value(), received, mappings));
    REQUIRE(entry.ok());
    CHECK(json::get_string(entry.value(), "lemlist_gender") == std::optional<std::string_view>("male"));
    CHECK(json::get_number(entry.value(), "step_copy") == 1.0);
    CHECK_FALSE(json::find(entry.value(), "ignored_object"));
    CHECK_FALSE(json::find(entry.value(), "job_title"));
    auto person = json::parse(person_mapping_values(ev.value(), mappings));
    REQUIRE(person.ok());
    CHECK(json::get_string(person.value(), "job_title") == std::optional<std::string_view>("Leiter Wartung und Instandhaltung"));
    CHECK_FALSE(json::find(person.value(), "nothing"));
}

TEST_CASE("facts carry the campaign name before the id") {
    auto ev = lemlist::parse_event(R"({"type":"emailsOpened","_id":"act_1","campaignId":"cam_1","leadId":"lea_1",
                                       "createdAt":"2026-01-01T00:00:00Z"})");
    REQUIRE(ev.ok());
    auto f = facts_of(ev.value(), received);
    CHECK(f.campaign == "cam_1");
    CHECK(f.lead_id == "lea_1");
    CHECK(f.category == lemlist::event_category::hooked);
}
