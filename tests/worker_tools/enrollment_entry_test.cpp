// An enrollment-list entry read as an enrollment: wait for the campaign, enroll once per
// campaign, never again for our own write-back, the entry's options over the TOML defaults.
#include <catch2/catch.hpp>

#include "core/json.hpp"
#include "sync/enrollment_entry.hpp"

using namespace las;
using sync::entry_decision;
using sync::enrollment_status;
using kind = entry_decision::kind;

namespace {

constexpr std::string_view campaign_attribute = "lemlist_campaign_id";

// Entry values in Attio's output form.
std::string text(std::string_view slug, std::string_view value) {
    return "\"" + std::string(slug) + R"(":[{"value":")" + std::string(value) + R"(","attribute_type":"text"}])";
}
std::string checkbox(std::string_view slug, bool value) {
    return "\"" + std::string(slug) + R"(":[{"value":)" + (value ? "true" : "false") + R"(,"attribute_type":"checkbox"}])";
}
std::string status(std::string_view title) {
    return R"("lemlist_enrollment_status":[{"option":{"id":{"option_id":"o"},"title":")" + std::string(title) +
           R"(","is_archived":false},"attribute_type":"select"}])";
}

entry_decision decide(const std::string& members, bool replay = false, enrollment_defaults defaults = {}) {
    auto doc = json::parse("{" + members + "}");
    REQUIRE(doc.ok());
    return sync::decide_entry(*doc, campaign_attribute, defaults, replay);
}

}  // namespace

TEST_CASE("an entry without a campaign id waits for the rep to fill it in", "[enrollment_entry]") {
    CHECK(decide("").what == kind::wait);
    CHECK(decide(R"("lemlist_campaign_id":[])").what == kind::wait);
    CHECK(decide(text(campaign_attribute, "  ")).what == kind::wait);
}

TEST_CASE("an entry with a campaign id enrolls, until the answer for that campaign is on it", "[enrollment_entry]") {
    auto d = decide(text(campaign_attribute, " cam_A "));
    CHECK(d.what == kind::enroll);
    CHECK(d.campaign_id == "cam_A");

    // Our own write-back fires list-entry.updated: the entry then holds the answer for cam_A.
    const std::string answered = text(campaign_attribute, "cam_A") + "," + status("enrolled") + "," +
                                 text("lemlist_enrollment_campaign_id", "cam_A") + "," +
                                 text("lemlist_enrollment_reason", "enrolled as lead lea_1");
    CHECK(decide(answered).what == kind::answered);
    CHECK(decide(answered, /*replay=*/true).what == kind::answered);  // a final answer stays final

    // The rep moves the entry to another campaign: a new enrollment.
    const std::string moved = text(campaign_attribute, "cam_B") + "," + status("enrolled") + "," +
                              text("lemlist_enrollment_campaign_id", "cam_A");
    auto again = decide(moved);
    CHECK(again.what == kind::enroll);
    CHECK(again.campaign_id == "cam_B");

    // A status without the campaign it answers (written by hand, or by an older worker) is no answer.
    CHECK(decide(text(campaign_attribute, "cam_A") + "," + status("duplicate")).what == kind::enroll);
}

TEST_CASE("a failed answer stands, except for an operator's replay", "[enrollment_entry]") {
    const std::string failed = text(campaign_attribute, "cam_A") + "," + status("failed") + "," +
                               text("lemlist_enrollment_campaign_id", "cam_A");
    CHECK(decide(failed).what == kind::answered);
    CHECK(decide(failed, /*replay=*/true).what == kind::enroll);
}

TEST_CASE("a value that is not a campaign id is invalid, once", "[enrollment_entry]") {
    auto d = decide(text(campaign_attribute, "SandboxOutreach01"));
    CHECK(d.what == kind::invalid_campaign);
    CHECK(d.campaign_id == "SandboxOutreach01");
    CHECK(d.message.find("\"SandboxOutreach01\" in lemlist_campaign_id is not a Lemlist campaign id") != std::string::npos);
    // Once said on the entry, its write-back event changes nothing (no loop).
    CHECK(decide(text(campaign_attribute, "SandboxOutreach01") + "," + status("failed") + "," +
                 text("lemlist_enrollment_campaign_id", "SandboxOutreach01"))
              .what == kind::answered);
}

TEST_CASE("the entry's options override the TOML defaults when they hold a value", "[enrollment_entry]") {
    enrollment_defaults defaults;
    defaults.deduplicate = true;
    defaults.find_phone = true;
    auto d = decide(text(campaign_attribute, "cam_A") + "," + checkbox("lemlist_find_email", true) + "," +
                        checkbox("lemlist_deduplicate", false) + R"(,"lemlist_verify_email":[])" + "," +
                        text("lemlist_icebreaker", "Loved your talk"),
                    false, defaults);
    REQUIRE(d.what == kind::enroll);
    CHECK(d.options.flags.find_email);
    CHECK_FALSE(d.options.flags.deduplicate);  // unticked on the entry
    CHECK(d.options.flags.find_phone);         // not on the entry: the TOML default
    CHECK_FALSE(d.options.flags.verify_email);
    CHECK_FALSE(d.options.flags.linkedin_enrichment);
    CHECK(d.options.icebreaker == "Loved your talk");

    auto plain = decide(text(campaign_attribute, "cam_A"), false, defaults);
    CHECK(plain.options.flags.deduplicate);
    CHECK_FALSE(plain.options.icebreaker);
}

TEST_CASE("the answer written on the entry, and read back", "[enrollment_entry]") {
    const auto values = sync::entry_answer_values(enrollment_status::duplicate, "Lead already in the campaign", "cam_A");
    CHECK(values == R"({"lemlist_enrollment_status":"duplicate","lemlist_enrollment_reason":"Lead already in the campaign",)"
                    R"("lemlist_enrollment_campaign_id":"cam_A"})");
    auto doc = json::parse("{" + status("duplicate") + "," + text("lemlist_enrollment_campaign_id", "cam_A") + "," +
                           text("lemlist_enrollment_reason", "Lead already in the campaign") + "}");
    REQUIRE(doc.ok());
    const auto a = sync::answer_on(*doc);
    CHECK(a.status == enrollment_status::duplicate);
    CHECK(a.campaign == "cam_A");
    CHECK(a.reason == "Lead already in the campaign");
    CHECK_FALSE(sync::answer_on(rapidjson::Value(rapidjson::kObjectType)).status);
}
