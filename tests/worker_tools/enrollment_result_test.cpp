// Lemlist's answer → the enrollment status; the Person → the lead.
#include <catch2/catch.hpp>

#include "core/json.hpp"
#include "sync/enrollment_lead.hpp"
#include "sync/enrollment_result.hpp"

using namespace las;
using namespace std::chrono_literals;
using sync::enrollment_status;
using kind = sync::record_outcome::kind;

namespace {

sync::record_outcome verdict(unsigned status, std::string body, std::string content_type = "text/plain; charset=utf-8",
                             bool earlier = false) {
    return sync::lemlist_verdict(outbound::classify_enrollment(status, content_type, body), earlier);
}

}  // namespace

TEST_CASE("a created lead is enrolled, with its id", "[enrollment_result]") {
    auto v = verdict(200, R"({"_id":"lea_123","campaignId":"cam_1","contactId":"ctc_9"})", "application/json");
    CHECK(v.what == kind::done);
    CHECK(v.status == enrollment_status::enrolled);
    CHECK(v.lead_id == "lea_123");
}

TEST_CASE("Lemlist's duplicate texts are duplicates whatever the status", "[enrollment_result]") {
    for (unsigned status : {400u, 409u, 500u}) {
        INFO(status);
        auto same = verdict(status, "Lead already in the campaign");
        CHECK(same.what == kind::done);
        CHECK(same.status == enrollment_status::duplicate);
        CHECK(same.message.find("Lead already in the campaign") != std::string::npos);
        auto other = verdict(status, "Lead already in other campaign");
        CHECK(other.status == enrollment_status::duplicate);
    }
    // On a retry of the same job it is most likely our own create whose answer was lost.
    auto retried = verdict(400, "Lead already in the campaign", "text/plain", true);
    CHECK(retried.status == enrollment_status::duplicate);
    CHECK(retried.message.find("earlier attempt") != std::string::npos);
    CHECK(verdict(409, "Lead already in other campaign", "text/plain", true).message.find("earlier attempt") ==
          std::string::npos);
}

TEST_CASE("other 4xx are rejections with Lemlist's text", "[enrollment_result]") {
    auto missing = verdict(404, "Campaign not found");
    CHECK(missing.what == kind::done);
    CHECK(missing.status == enrollment_status::rejected);
    CHECK(missing.message == "HTTP 404: Campaign not found");
    auto gated = verdict(402, "route is available starting emailPro plan");
    CHECK(gated.status == enrollment_status::rejected);
    CHECK(verdict(400, "Bad params (email)").status == enrollment_status::rejected);
}

TEST_CASE("transient answers are retried, not recorded", "[enrollment_result]") {
    for (unsigned status : {408u, 502u, 503u}) {
        INFO(status);
        auto v = verdict(status, "Internal server error");
        CHECK(v.what == kind::retry);
        CHECK_FALSE(v.status);
    }
    outbound::call_error limited;
    limited.kind = outbound::failure::rate_limited;
    limited.status = 429;
    limited.retry_after = 2s;
    auto v = sync::lemlist_verdict(las::fail(limited), false);
    CHECK(v.what == kind::retry);
    CHECK(v.reason == "rate_limited");
    CHECK(v.retry_after == 2s);
    outbound::call_error lost;
    lost.kind = outbound::failure::unknown_fate;
    CHECK(sync::lemlist_verdict(las::fail(lost), false).what == kind::retry);
}

TEST_CASE("a 2xx that is not the documented answer fails for an operator", "[enrollment_result]") {
    auto html = verdict(200, "<!doctype html><html></html>", "text/html");
    CHECK(html.what == kind::dead_letter);
    CHECK(html.status == enrollment_status::failed);
    CHECK(html.reason == "lemlist_error");
    CHECK(verdict(200, R"({"campaignId":"cam_1"})", "application/json").what == kind::dead_letter);
}

TEST_CASE("the recorded verdict survives a round trip", "[enrollment_result]") {
    auto v = verdict(200, R"({"_id":"lea_123"})", "application/json");
    auto back = sync::decode_verdict(sync::encode_verdict(v));
    REQUIRE(back);
    CHECK(back->status == enrollment_status::enrolled);
    CHECK(back->lead_id == "lea_123");
    auto r = verdict(404, "Campaign \"x\"\tnot found");
    back = sync::decode_verdict(sync::encode_verdict(r));
    REQUIRE(back);
    CHECK(back->status == enrollment_status::rejected);
    CHECK(back->message == r.message);
    CHECK_FALSE(back->lead_id);
    CHECK_FALSE(sync::decode_verdict("garbage"));
    CHECK_FALSE(sync::decode_verdict(R"({"status":"maybe"})"));
}

TEST_CASE("the write-back values carry the status and its reason", "[enrollment_result]") {
    CHECK(sync::writeback_values(enrollment_status::enrolled, std::string("lea_1"), "cam_1: enrolled as lead lea_1") ==
          R"({"lemlist_enrollment_status":"enrolled","lemlist_enrollment_reason":"cam_1: enrolled as lead lea_1",)"
          R"("lemlist_lead_id":"lea_1"})");
    CHECK(sync::writeback_values(enrollment_status::duplicate, std::string("lea_1"), "Lead already in the campaign") ==
          R"({"lemlist_enrollment_status":"duplicate","lemlist_enrollment_reason":"Lead already in the campaign"})");
    CHECK(sync::writeback_values(enrollment_status::failed, std::nullopt, "x \"y\"") ==
          R"({"lemlist_enrollment_status":"failed","lemlist_enrollment_reason":"x \"y\""})");
}

TEST_CASE("the reason is Lemlist's text, the error, or the lead", "[enrollment_result]") {
    auto duplicate = verdict(400, "Lead already in other campaign");
    CHECK(sync::reason_text(duplicate) == "Lead already in other campaign");
    CHECK(sync::reason_text(duplicate, "cam_1") == "cam_1: Lead already in other campaign");
    CHECK(sync::reason_text(verdict(404, "Campaign not found")) == "HTTP 404: Campaign not found");
    auto enrolled = verdict(200, R"({"_id":"lea_123"})", "application/json");
    CHECK(sync::reason_text(enrolled) == "enrolled as lead lea_123");
    sync::record_outcome failed;
    failed.status = enrollment_status::failed;
    failed.message = "gave up after 8 attempts: Lemlist: HTTP 503";
    CHECK(sync::reason_text(failed) == failed.message);
    failed.message.clear();
    CHECK(sync::reason_text(failed) == "failed");  // never empty
    // Long texts are cut on a character boundary.
    failed.message = std::string(sync::max_reason_bytes - 4, 'a') + "\u00e9\u00e9\u00e9";
    const auto cut = sync::reason_text(failed);
    CHECK(cut.size() <= sync::max_reason_bytes);
    CHECK(cut.ends_with("a…"));
}

TEST_CASE("the lead is read from the Person's values", "[enrollment_lead]") {
    auto values = json::parse(R"({
      "email_addresses":[{"original_email_address":"Ada@Example.com","email_address":"ada@example.com"},
                         {"email_address":"second@example.com"}],
      "name":[{"first_name":"Ada","last_name":"Lovelace","full_name":"Ada Lovelace"}],
      "linkedin":[{"value":"https://www.linkedin.com/in/ada/"}],
      "phone_numbers":[{"original_phone_number":"+44 20 7946 0000","phone_number":"+442079460000","country_code":"GB"}],
      "company":[{"target_object":"companies","target_record_id":"c0ffee00-0000-4000-8000-000000000001"}],
      "job_title":[]})");
    REQUIRE(values.ok());
    const auto c = sync::contact_of(*values);
    CHECK(c.email == "ada@example.com");
    CHECK(c.first_name == "Ada");
    CHECK(c.last_name == "Lovelace");
    CHECK(c.linkedin_url == "https://www.linkedin.com/in/ada/");
    CHECK(c.phone == "+442079460000");
    CHECK(c.company_record_id == "c0ffee00-0000-4000-8000-000000000001");

    const auto lead = sync::lead_of(c, std::string("Analytical Engines"), std::string("Loved your notes"), "rec-1");
    const auto body = outbound::lead_body(lead);
    auto doc = json::parse(body);
    REQUIRE(doc.ok());
    CHECK(json::get_string(*doc, "email") == "ada@example.com");
    CHECK(json::get_string(*doc, "companyName") == "Analytical Engines");
    CHECK(json::get_string(*doc, "icebreaker") == "Loved your notes");
    CHECK(json::get_string(*doc, "attioRecordId") == "rec-1");

    auto empty = json::parse(R"({"email_addresses":[],"name":[],"linkedin":[]})");
    REQUIRE(empty.ok());
    const auto nothing = sync::contact_of(*empty);
    CHECK_FALSE(nothing.email);
    CHECK_FALSE(nothing.first_name);
    CHECK_FALSE(nothing.company_record_id);

    auto company = json::parse(R"({"name":[{"value":"Analytical Engines"}]})");
    REQUIRE(company.ok());
    CHECK(sync::company_name_of(*company) == "Analytical Engines");
}

TEST_CASE("a Person without email or LinkedIn is not sent, unless Lemlist can find the email", "[enrollment_lead]") {
    outbound::enrollment_flags flags;
    sync::person_contact c;
    CHECK(sync::unenrollable_reason(c, false, flags));
    c.first_name = "Ada";
    CHECK(sync::unenrollable_reason(c, true, flags));
    flags.find_email = true;
    CHECK_FALSE(sync::unenrollable_reason(c, true, flags));
    CHECK(sync::unenrollable_reason(c, false, flags));
    sync::person_contact linkedin_only;
    linkedin_only.linkedin_url = "https://linkedin.com/in/x";
    CHECK_FALSE(sync::unenrollable_reason(linkedin_only, false, outbound::enrollment_flags{}));
}
