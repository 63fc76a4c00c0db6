// [[mappings]] values: where they are found and how they are coerced to the Attio type.
#include <catch2/catch.hpp>

#include "core/json.hpp"
#include "core/time.hpp"
#include "sync/entry_values.hpp"
#include "sync/mapped_value.hpp"
#include "sync/person_writer.hpp"

using namespace las;
using namespace las::sync;

namespace {

attribute_mapping typed(std::string type, bool multiselect = false, std::vector<std::string> options = {}) {
    attribute_mapping m{"f", "to", attribute_mapping::target::entry};
    m.attio_type = std::move(type);
    m.multiselect = multiselect;
    m.option_titles = std::move(options);
    return m;
}

std::optional<std::string> coerce(std::string_view json_value, const attribute_mapping& m) {
    auto doc = json::parse(json_value);
    REQUIRE(doc.ok());
    return coerce_mapped_value(doc.value(), m);
}

}  // namespace

TEST_CASE("mapped values are coerced to the attribute's type - or not written") {
    CHECK(coerce(R"("42")", typed("number")) == "42");
    CHECK(coerce(R"(" 2.5 ")", typed("number")) == "2.5");
    CHECK(coerce("7", typed("number")) == "7");
    CHECK_FALSE(coerce(R"("forty")", typed("number")));
    CHECK_FALSE(coerce(R"("")", typed("number")));

    CHECK(coerce(R"("Yes")", typed("checkbox")) == "true");
    CHECK(coerce(R"("false")", typed("checkbox")) == "false");
    CHECK(coerce("1", typed("checkbox")) == "true");
    CHECK_FALSE(coerce(R"("maybe")", typed("checkbox")));

    CHECK(coerce("42", typed("text")) == R"("42")");
    CHECK(coerce("true", typed("text")) == R"("true")");
    CHECK(coerce(R"("Paris")", typed("text")) == R"("Paris")");

    CHECK(coerce(R"("2025-11-18T23:11:26+01:00")", typed("timestamp")) == R"("2025-11-18T22:11:26.000Z")");
    CHECK(coerce("1763507486", typed("timestamp")) == R"("2025-11-18T23:11:26.000Z")");     // Unix seconds
    CHECK(coerce("1763507486123", typed("timestamp")) == R"("2025-11-18T23:11:26.123Z")");  // milliseconds
    CHECK(coerce(R"("2025-11-18")", typed("date")) == R"("2025-11-18")");
    CHECK_FALSE(coerce(R"("next tuesday")", typed("date")));

    CHECK(coerce("4", typed("rating")) == "4");
    CHECK_FALSE(coerce("6", typed("rating")));
    CHECK(coerce(R"("99.5")", typed("currency")) == R"({"currency_value":99.5})");
    CHECK(coerce(R"(" Lead.3@Example.COM ")", typed("email-address")) == R"("lead.3@example.com")");
    CHECK(coerce(R"("+33 6 12 34 56 78")", typed("phone-number")) == R"("+33612345678")");

    // Attio never creates a select option: an unknown title is not written.
    CHECK(coerce(R"("Gold")", typed("select", false, {"Gold", "Silver"})) == R"("Gold")");
    CHECK_FALSE(coerce(R"("Bronze")", typed("select", false, {"Gold", "Silver"})));
    CHECK(coerce(R"("Gold")", typed("select", true, {"Gold"})) == R"(["Gold"])");

    // Objects and arrays are never mapped; an unresolved mapping passes scalars through.
    CHECK_FALSE(coerce(R"({"a":1})", typed("text")));
    CHECK_FALSE(coerce(R"("x")", typed("record-reference")));
    CHECK(coerce("3", attribute_mapping{}) == "3");
    CHECK_FALSE(coerce(R"("")", attribute_mapping{}));

    CHECK(can_map_onto("number"));
    CHECK(can_map_onto("select"));
    CHECK_FALSE(can_map_onto("record-reference"));
    CHECK_FALSE(can_map_onto("personal-name"));
    CHECK_FALSE(can_map_onto("location"));
}

TEST_CASE("a reconciled activity's custom variables are found under lead.variables") {
    // GET /activities v2 nests the lead; webhook bodies flatten its variables.
    const std::string activity = R"({"_id":"act_r1","type":"emailsOpened","createdAt":"2025-11-18T10:00:00Z",
        "leadId":"lea_1","lead":{"_id":"lea_1","variables":{"email":"a@example.com","tier":"3"}}})";
    auto ev = lemlist::parse_event(activity);
    REQUIRE(ev.ok());
    attribute_mapping m{"tier", "lemlist_tier", attribute_mapping::target::entry};
    m.attio_type = "number";
    auto entry = json::parse(entry_values_json(ev.value(), *parse_iso8601("2025-11-18T10:00:00Z"), std::vector{m}));
    REQUIRE(entry.ok());
    CHECK(json::get_number(entry.value(), "lemlist_tier") == 3.0);
}

TEST_CASE("Person mappings follow event time: a late older event does not overwrite a newer value") {
    auto doc = json::parse(R"({"lemlist_last_event_at":[{"value":"2025-11-18T10:05:00.000000000Z","attribute_type":"timestamp"}],
                               "lemlist_status":[],"email_addresses":[]})");
    REQUIRE(doc.ok());
    auto update = [](const char* at, const char* tier) {
        person_update u;
        u.facts.type = "emailsOpened";
        u.facts.category = lemlist::event_category::hooked;
        u.facts.occurred_at = *parse_iso8601(at);
        u.mapping_values = std::string(R"({"tier":")") + tier + R"("})";
        return u;
    };
    const auto now = *parse_iso8601("2025-11-18T12:00:00Z");
    // Older than the Person's last event: its mapping is not written (its state still is).
    auto late = person_writer::patch_for(doc.value(), {update("2025-11-18T10:00:00Z", "old")}, now);
    CHECK(late.find("\"old\"") == std::string::npos);
    // Within one batch the newest event wins, whatever the arrival order.
    auto batch = person_writer::patch_for(
        doc.value(), {update("2025-11-18T11:00:00Z", "newest"), update("2025-11-18T10:30:00Z", "middle")}, now);
    CHECK(batch.find("\"tier\":\"newest\"") != std::string::npos);
    CHECK(batch.find("middle") == std::string::npos);
}
