#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <string_view>

#include "lemlist/event_type.hpp"

using namespace las::lemlist;
using cat = event_category;

namespace {

// Lemlist's documented webhook types, copied from the docs ("Add a webhook") and the OpenAPI
// `Webhook.type` enum, kept here independently of the code's table so a type missing from
// it fails this test.
constexpr std::array<std::string_view, 75> documented = {
    "contacted", "hooked", "attracted", "warmed", "interested", "notInterested",
    "emailsSent", "emailsOpened", "emailsClicked", "emailsReplied", "emailsBounced", "emailsFailed",
    "emailsInterested", "emailsNotInterested", "emailsUnsubscribed",
    "linkedinSent", "linkedinOpened", "linkedinReplied", "linkedinInterested", "linkedinNotInterested",
    "linkedinSendFailed", "linkedinVisitDone", "linkedinVisitFailed", "linkedinFollowDone", "linkedinFollowFailed",
    "linkedinFollowSkipped", "linkedinInviteDone", "linkedinInviteFailed", "linkedinInviteAccepted",
    "linkedinEndorseDone", "linkedinEndorseFailed", "linkedinEndorseSkipped", "linkedinVoiceNoteDone",
    "linkedinVoiceNoteFailed", "linkedinLikeLastPostDone", "linkedinLikeLastPostNoPost", "linkedinLikeLastPostFailed",
    "linkedinWithdrawInvitationDone", "linkedinWithdrawInvitationFailed",
    "whatsappMessageSent", "whatsappMessageDelivered", "whatsappMessageOpened", "whatsappReplied",
    "whatsappMessageFailed",
    "smsSent", "smsDelivered", "smsReplied", "smsFailed",
    "aircallCreated", "aircallEnded", "aircallDone", "aircallInterested", "aircallNotInterested",
    "callRecordingDone", "callTranscriptDone",
    "apiDone", "apiInterested", "apiNotInterested", "apiFailed",
    "manualInterested", "manualNotInterested",
    "annotated",
    "paused", "resumed", "stopped", "campaignComplete", "customDomainErrors", "connectionIssue",
    "sendLimitReached", "lemwarmPaused",
    "enrichmentDone", "enrichmentError", "inboxLabelUpdated", "signalRegistered", "deliverabilityAlertTriggered",
};

constexpr std::array<std::string_view, 3> removed = {"skipped", "emailsSendFailed", "opportunitiesDone"};

}  // namespace

TEST_CASE("every documented type is in the table, documented, not removed") {
    for (const auto type : documented) {
        INFO(type);
        const auto c = classify(type);
        CHECK(c.documented);
        CHECK_FALSE(c.removed);
    }
}

TEST_CASE("the table holds exactly the documented and the removed types, once each") {
    std::set<std::string_view> expected(documented.begin(), documented.end());
    expected.insert(removed.begin(), removed.end());
    REQUIRE(expected.size() == documented.size() + removed.size());  // the test list has no duplicate

    std::set<std::string_view> in_table;
    for (const auto& row : known_event_types()) {
        INFO(row.name);
        CHECK(in_table.insert(row.name).second);
        CHECK(expected.count(row.name) == 1);
    }
    CHECK(in_table == expected);
}

TEST_CASE("removed types are accepted as generic") {
    for (const auto type : removed) {
        INFO(type);
        const auto c = classify(type);
        CHECK(c.removed);
        CHECK_FALSE(c.documented);
        CHECK(c.category == cat::other);
    }
    CHECK(classify("emailsSendFailed").chan == channel::email);
}

TEST_CASE("the mapping follows Lemlist's lead-state groups") {
    struct row {
        std::string_view type;
        cat category;
        channel chan;
    };
    const row rows[] = {
        {"contacted", cat::contacted, channel::other},
        {"hooked", cat::hooked, channel::other},
        {"attracted", cat::attracted, channel::other},
        {"warmed", cat::warmed, channel::other},
        {"interested", cat::interested, channel::other},
        {"notInterested", cat::not_interested, channel::other},
        {"emailsSent", cat::contacted, channel::email},
        {"emailsOpened", cat::hooked, channel::email},
        {"emailsClicked", cat::attracted, channel::email},
        {"emailsReplied", cat::warmed, channel::email},
        {"emailsInterested", cat::interested, channel::email},
        {"emailsNotInterested", cat::not_interested, channel::email},
        {"emailsBounced", cat::bounced, channel::email},
        {"emailsUnsubscribed", cat::unsubscribed, channel::email},
        {"emailsFailed", cat::failed, channel::email},
        {"linkedinInviteDone", cat::contacted, channel::linkedin},
        {"linkedinInviteAccepted", cat::attracted, channel::linkedin},  // the docs' definition of attracted
        {"linkedinReplied", cat::warmed, channel::linkedin},
        {"linkedinVisitDone", cat::other, channel::linkedin},  // a visit sends the lead nothing
        {"linkedinSendFailed", cat::failed, channel::linkedin},
        {"whatsappMessageOpened", cat::hooked, channel::whatsapp},
        {"whatsappReplied", cat::warmed, channel::whatsapp},
        {"smsReplied", cat::warmed, channel::sms},
        {"aircallDone", cat::contacted, channel::call},
        {"aircallInterested", cat::interested, channel::call},
        {"callTranscriptDone", cat::other, channel::call},
        {"apiDone", cat::contacted, channel::api},
        {"apiFailed", cat::failed, channel::api},
        {"manualInterested", cat::interested, channel::manual},
        {"manualNotInterested", cat::not_interested, channel::manual},
        {"annotated", cat::other, channel::task},
        {"paused", cat::paused, channel::workspace},
        {"resumed", cat::resumed, channel::workspace},
        {"stopped", cat::stopped, channel::workspace},
        {"lemwarmPaused", cat::other, channel::workspace},  // a mailbox warm-up, not a lead pause
        {"enrichmentDone", cat::other, channel::enrichment},
        {"enrichmentError", cat::failed, channel::enrichment},
    };
    for (const auto& r : rows) {
        INFO(r.type);
        const auto c = classify(r.type);
        CHECK(to_string(c.category) == to_string(r.category));
        CHECK(to_string(c.chan) == to_string(r.chan));
    }
}

TEST_CASE("the table is consistent with the type names") {
    for (const auto type : documented) {
        INFO(type);
        const auto c = classify(type);
        const std::string name(type);
        if (name.ends_with("NotInterested") || name == "notInterested") {
            CHECK(c.category == cat::not_interested);
        } else if (name.ends_with("Interested") || name == "interested") {
            CHECK(c.category == cat::interested);
        }
        if (name.ends_with("Failed")) CHECK(c.category == cat::failed);
        if (name.ends_with("Replied")) CHECK(c.category == cat::warmed);
        // Per-channel types carry their channel in the prefix.
        const std::pair<std::string_view, channel> prefixes[] = {
            {"emails", channel::email}, {"linkedin", channel::linkedin}, {"whatsapp", channel::whatsapp},
            {"sms", channel::sms},      {"aircall", channel::call},      {"call", channel::call},
            {"api", channel::api},      {"manual", channel::manual},     {"enrichment", channel::enrichment},
        };
        for (const auto& [prefix, chan] : prefixes) {
            if (type.starts_with(prefix)) CHECK(c.chan == chan);
        }
    }
}

TEST_CASE("unknown types are other, with the channel of their prefix") {
    const std::pair<std::string_view, channel> rows[] = {
        {"linkedinPokeDone", channel::linkedin},
        {"emailsForwarded", channel::email},
        {"whatsappVoiceSent", channel::whatsapp},
        {"smsScheduled", channel::sms},
        {"aircallMissed", channel::call},
        {"callSummaryDone", channel::call},
        {"apiRetried", channel::api},
        {"manualDone", channel::manual},  // a legacy activity type seen in GET /activities
        {"enrichmentStarted", channel::enrichment},
        {"meetingBooked", channel::other},
        {"smsalert", channel::other},   // no capitalised word after the prefix
        {"emails", channel::other},     // the prefix alone
        {"Linkedinsent", channel::other},
        {"", channel::other},
    };
    for (const auto& [type, chan] : rows) {
        INFO(type);
        const auto c = classify(type);
        CHECK(c.category == cat::other);
        CHECK(c.chan == chan);
        CHECK_FALSE(c.documented);
        CHECK_FALSE(c.removed);
    }
    CHECK_FALSE(classify("EmailsSent").documented);  // types are case-sensitive
}

TEST_CASE("slugs are the Attio select options of the contract and round-trip") {
    std::vector<std::string_view> category_slugs;
    for (const auto c : all_categories()) {
        category_slugs.push_back(to_string(c));
        CHECK(category_from_string(to_string(c)) == c);
    }
    CHECK(category_slugs == std::vector<std::string_view>{"contacted", "hooked", "attracted", "warmed", "interested",
                                                          "not_interested", "bounced", "unsubscribed", "paused",
                                                          "resumed", "stopped", "failed", "other"});
    std::vector<std::string_view> channel_slugs;
    for (const auto c : all_channels()) {
        channel_slugs.push_back(to_string(c));
        CHECK(channel_from_string(to_string(c)) == c);
    }
    CHECK(channel_slugs == std::vector<std::string_view>{"email", "linkedin", "whatsapp", "sms", "call", "api",
                                                         "manual", "task", "workspace", "enrichment", "other"});
    CHECK_FALSE(category_from_string("notInterested"));
    CHECK_FALSE(channel_from_string("Email"));
}

TEST_CASE("lead-state rank orders contacted < hooked < attracted < warmed, nothing else ranks") {
    const auto contacted = lead_state_rank(cat::contacted);
    const auto hooked = lead_state_rank(cat::hooked);
    const auto attracted = lead_state_rank(cat::attracted);
    const auto warmed = lead_state_rank(cat::warmed);
    REQUIRE((contacted && hooked && attracted && warmed));
    CHECK(*contacted < *hooked);
    CHECK(*hooked < *attracted);
    CHECK(*attracted < *warmed);
    for (const auto c : all_categories()) {
        const bool is_state = c == cat::contacted || c == cat::hooked || c == cat::attracted || c == cat::warmed;
        INFO(to_string(c));
        CHECK(lead_state_rank(c).has_value() == is_state);
    }
}

TEST_CASE("group hooks deliver their members' activities - other hooks only their own type") {
    for (auto g : {"contacted", "hooked", "attracted", "warmed", "interested", "notInterested"})
        CHECK(is_lead_state_group(g));
    CHECK_FALSE(is_lead_state_group("emailsInterested"));
    CHECK_FALSE(is_lead_state_group("paused"));

    CHECK(hook_delivers("emailsOpened", "emailsOpened"));
    CHECK(hook_delivers("interested", "emailsInterested"));
    CHECK(hook_delivers("interested", "linkedinInterested"));
    CHECK(hook_delivers("notInterested", "aircallNotInterested"));
    CHECK(hook_delivers("hooked", "emailsOpened"));
    CHECK_FALSE(hook_delivers("interested", "emailsNotInterested"));
    CHECK_FALSE(hook_delivers("emailsInterested", "linkedinInterested"));
    CHECK_FALSE(hook_delivers("paused", "resumed"));  // `paused` is a type, not a group
    CHECK_FALSE(hook_delivers("warmed", "emailsOpened"));
}
