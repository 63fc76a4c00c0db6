#include <catch2/catch.hpp>

#include "core/json.hpp"
#include "sync/person_values.hpp"

using namespace las;
using namespace las::sync;
using namespace std::chrono;

namespace {
event_time at(int hh, int mm) { return event_time(sys_days(year(2026) / 11 / 23)) + hours(hh) + minutes(mm); }
}  // namespace

TEST_CASE("state is read from Attio's output form") {
    auto doc = json::parse(R"({
      "lemlist_status": [{"active_from":"x","attribute_type":"select","option":{"id":{},"title":"hooked","is_archived":false}}],
      "lemlist_last_paused_at": [{"attribute_type":"timestamp","value":"2026-11-23T10:05:00.000000000Z"}],
      "lemlist_last_event_type": [{"attribute_type":"text","value":"paused"}],
      "lemlist_paused": [{"attribute_type":"checkbox","value":true}],
      "lemlist_interest": [],
      "name": [{"first_name":"A","last_name":"B","full_name":"A B","attribute_type":"personal-name"}]
    })");
    REQUIRE(doc.ok());
    const auto s = person_state_from_values(doc.value());
    CHECK(s.status == "hooked");
    CHECK(s.last_paused_at == at(10, 5));
    CHECK(s.last_event_type == "paused");
    CHECK_FALSE(s.interest);
    CHECK(s.paused());
}

TEST_CASE("unchanged state writes nothing") {
    person_state s;
    s.status = "contacted";
    CHECK(person_patch_values(s, s, at(12, 0)).empty());
}

TEST_CASE("a patch carries only what changed, the derived checkbox and the sync time") {
    person_state before;
    before.status = "contacted";
    before.last_event_at = at(9, 0);
    auto after = before;
    after.last_paused_at = at(10, 5);
    after.last_event_at = at(10, 5);
    after.last_event_type = "paused";
    const auto patch = person_patch_values(before, after, at(12, 0));
    auto doc = json::parse(patch);
    REQUIRE(doc.ok());
    const auto& v = doc.value();
    CHECK_FALSE(json::find(v, "lemlist_status"));
    CHECK(json::get_string(v, "lemlist_last_paused_at") == std::optional<std::string_view>("2026-11-23T10:05:00.000Z"));
    CHECK(json::get_string(v, "lemlist_last_event_type") == std::optional<std::string_view>("paused"));
    CHECK(json::get_bool(v, "lemlist_paused") == true);
    CHECK(json::get_string(v, "lemlist_last_synced_at") == std::optional<std::string_view>("2026-11-23T12:00:00.000Z"));
}

TEST_CASE("a value that became unset is cleared") {
    person_state before;
    before.lead_id = "lea_1";
    person_state after;
    auto doc = json::parse(person_patch_values(before, after, at(12, 0)));
    REQUIRE(doc.ok());
    const auto* lead = json::find(doc.value(), "lemlist_lead_id");
    REQUIRE(lead);
    CHECK(lead->IsArray());
    CHECK(lead->Empty());
}
