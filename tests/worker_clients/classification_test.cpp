// The one classification of failed calls (outbound/call_error.hpp) and its provider
// refinements: Attio's error codes, Lemlist's texts.
#include <catch2/catch.hpp>

#include "attio/errors.hpp"
#include "outbound/call_error.hpp"
#include "outbound/lemlist_answers.hpp"

using namespace las;
using outbound::failure;

TEST_CASE("HTTP statuses: 429 rate_limited, 408/5xx retryable, other 4xx permanent") {
    using outbound::classify_status;
    CHECK(classify_status(429, true) == failure::rate_limited);
    CHECK(classify_status(429, false) == failure::rate_limited);
    CHECK(classify_status(408, false) == failure::transient);
    for (unsigned s : {500u, 502u, 503u, 504u}) {
        CHECK(classify_status(s, true) == failure::transient);
        // A create that got a 5xx may have landed: check before writing again.
        CHECK(classify_status(s, false) == failure::unknown_fate);
    }
    for (unsigned s : {400u, 401u, 402u, 403u, 404u, 405u, 409u, 422u}) CHECK(classify_status(s, true) == failure::permanent);
    CHECK(outbound::is_retryable(failure::transient));
    CHECK(outbound::is_retryable(failure::rate_limited));
    CHECK(outbound::is_retryable(failure::unknown_fate));
    CHECK_FALSE(outbound::is_retryable(failure::permanent));
}

TEST_CASE("transport failures: before sending transient, after sending unknown_fate for writes") {
    using k = http::transport_error_kind;
    using outbound::classify_transport;
    for (auto kind : {k::resolve_failed, k::connect_failed, k::connect_timeout, k::tls_handshake_failed}) {
        CHECK(classify_transport(kind, false) == failure::transient);
        CHECK(classify_transport(kind, true) == failure::transient);
    }
    for (auto kind : {k::timeout, k::connection_closed, k::response_too_large, k::protocol_error}) {
        CHECK(classify_transport(kind, false) == failure::unknown_fate);
        CHECK(classify_transport(kind, true) == failure::transient);
    }
    const auto e = outbound::from_transport({k::timeout, "request deadline passed"}, false);
    CHECK(e.kind == failure::unknown_fate);
    CHECK(e.status == 0);
    CHECK(e.code == "timeout");
    CHECK(e.describe() == "unknown_fate (timeout): request deadline passed");
}

TEST_CASE("short_text trims, replaces control characters and never splits a character") {
    CHECK(outbound::short_text("  Bad team\n") == "Bad team");
    CHECK(outbound::short_text("a\tb\x01" "c") == "a b c");
    const std::string accents = "\xC3\xA9\xC3\xA9\xC3\xA9";  // éé é, two bytes each
    const auto cut = outbound::short_text(accents, 3);
    CHECK(cut == "\xC3\xA9\xE2\x80\xA6");  // one é, then …
}

TEST_CASE("Attio error bodies: uniqueness_conflict and slug_conflict are told apart") {
    const auto uniqueness = attio::error_from_answer(
        400,
        R"({"status_code":400,"type":"invalid_request_error","code":"uniqueness_conflict","message":"A value provided for attribute with slug \"email_addresses\" conflicts with one already in the system."})",
        false);
    CHECK(uniqueness.kind == failure::permanent);
    CHECK(uniqueness.status == 400);
    CHECK(attio::is_uniqueness_conflict(uniqueness));
    CHECK_FALSE(attio::is_slug_conflict(uniqueness));
    CHECK(uniqueness.message.find("email_addresses") != std::string::npos);

    const auto slug = attio::error_from_answer(
        409, R"({"status_code":409,"type":"invalid_request_error","code":"slug_conflict","message":"A list with api_slug \"lemlist_events\" already exists."})",
        true);
    CHECK(slug.kind == failure::permanent);
    CHECK(attio::is_slug_conflict(slug));
    CHECK_FALSE(attio::is_uniqueness_conflict(slug));

    // Any other 409 is a concurrent write conflict: try again later.
    const auto concurrent = attio::error_from_answer(
        409, R"({"status_code":409,"type":"invalid_request_error","code":"conflict","message":"Concurrent update"})", false);
    CHECK(concurrent.kind == failure::transient);

    const auto missing = attio::error_from_answer(
        404, R"({"status_code":404,"type":"invalid_request_error","code":"not_found","message":"Could not find list with slug/ID \"x\"."})",
        true);
    CHECK(attio::is_not_found(missing));
    CHECK(missing.kind == failure::permanent);
    CHECK(missing.code == "not_found");

    const auto validation = attio::error_from_answer(
        400, R"({"status_code":400,"type":"invalid_request_error","code":"validation_type","message":"Body payload validation error.","validation_errors":[]})",
        false);
    CHECK(validation.kind == failure::permanent);
    CHECK(validation.code == "validation_type");
}

TEST_CASE("Attio: a proxy's HTML 502 on a create is unknown_fate - on a read transient") {
    const auto write = attio::error_from_answer(502, "<html><body>Bad gateway</body></html>", false);
    CHECK(write.kind == failure::unknown_fate);
    CHECK(write.code.empty());
    CHECK(write.message == "HTTP 502");
    const auto read = attio::error_from_answer(503, "", true);
    CHECK(read.kind == failure::transient);
    CHECK_FALSE(attio::parse_error_body("<html>").has_value());
    const auto rate = attio::parse_error_body(
        R"({"status_code":429,"type":"rate_limit_error","code":"rate_limit_exceeded","message":"Rate limit exceeded, please try again later"})");
    REQUIRE(rate.has_value());
    CHECK(rate->status_code == 429);
    CHECK(rate->type == "rate_limit_error");
    CHECK(attio::classify(429, rate->code, false) == failure::rate_limited);
}

TEST_CASE("Lemlist enrollment answers are classified by TEXT, not status") {
    using outbound::classify_enrollment;
    using outbound::duplicate_lead;

    SECTION("already in this campaign: 400 text") {
        auto r = classify_enrollment(400, "text/plain; charset=utf-8", "Lead already in the campaign");
        REQUIRE(r.ok());
        const auto* d = std::get_if<duplicate_lead>(&r.value());
        REQUIRE(d);
        CHECK(d->where == duplicate_lead::scope::this_campaign);
        CHECK(d->status == 400);
        CHECK(d->message == "Lead already in the campaign");
    }
    SECTION("already in another campaign: 409 and 500 alike") {
        for (unsigned status : {409u, 500u}) {
            auto r = classify_enrollment(status, "text/plain", "Lead already in other campaign");
            REQUIRE(r.ok());
            const auto* d = std::get_if<duplicate_lead>(&r.value());
            REQUIRE(d);
            CHECK(d->where == duplicate_lead::scope::other_campaign);
            CHECK(d->status == status);
        }
    }
    SECTION("rejections carry status and text") {
        for (auto [status, text] : {std::pair{404u, "Campaign not found"}, std::pair{402u, "Upgrade your plan"},
                                    std::pair{400u, "Bad team"}}) {
            auto r = classify_enrollment(status, "text/plain", text);
            REQUIRE(r.ok());
            const auto* rej = std::get_if<outbound::rejected_lead>(&r.value());
            REQUIRE(rej);
            CHECK(rej->status == status);
            CHECK(rej->message == text);
        }
    }
    SECTION("a plain 500 may have created the lead: unknown_fate") {
        auto r = classify_enrollment(500, "text/plain", "Internal server error");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == failure::unknown_fate);
        CHECK(r.error().message == "Internal server error");
    }
    SECTION("success needs JSON with the lead's _id") {
        auto r = classify_enrollment(200, "application/json", R"({"_id":"lea_abc","contactId":"ctc_1","isPaused":false})");
        REQUIRE(r.ok());
        const auto* e = std::get_if<outbound::enrolled>(&r.value());
        REQUIRE(e);
        CHECK(e->lead_id == "lea_abc");
        CHECK(e->contact_id == "ctc_1");

        auto html = classify_enrollment(200, "text/html; charset=utf-8", "<!DOCTYPE html><html>app</html>");
        REQUIRE_FALSE(html.ok());
        CHECK(html.error().kind == failure::permanent);
        CHECK(html.error().code == "not_json");

        auto no_id = classify_enrollment(200, "application/json", R"({"isPaused":false})");
        REQUIRE_FALSE(no_id.ok());
        CHECK(no_id.error().code == "unexpected_answer");
    }
}

TEST_CASE("Lemlist error text: plain text verbatim, JSON message, never an HTML page") {
    CHECK(outbound::error_text("text/plain", "Campaign not found") == "Campaign not found");
    CHECK(outbound::error_text("application/json", R"({"error":"CODE","message":"Lead is already launched"})") ==
          "Lead is already launched");
    CHECK(outbound::error_text("application/json", R"({"success":false,"error":{"code":"X","message":"nope"}})") == "nope");
    CHECK(outbound::error_text("text/html", "<html><body>secret@example.com</body></html>") ==
          "an HTML page instead of an API answer");
    const auto e = outbound::error_from_answer(402, "text/plain", "Your plan does not include webhooks", false);
    CHECK(e.kind == failure::permanent);
    CHECK(e.code == "plan_gated");
    CHECK(e.message == "Your plan does not include webhooks");
    CHECK(outbound::is_json_answer("", "[1]"));
    CHECK_FALSE(outbound::is_json_answer("text/html", "[1]"));
    CHECK_FALSE(outbound::is_json_answer("", "<!doctype html>"));
}
