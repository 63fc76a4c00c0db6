#include "lemlist/event_type.hpp"

#include <algorithm>
#include <array>

namespace las::lemlist {
namespace {

using cat = event_category;
using ch = channel;
using namespace std::string_view_literals;

// The documented webhook types (developer.lemlist.com, "Add a webhook", and the OpenAPI
// `Webhook.type` enum: 75 names), in the docs' order, then the removed ones.
//
// Lemlist's own lead-state groups decide the first four categories: contacted = something
// was sent to the lead, hooked = opened, attracted = clicked a link or accepted a LinkedIn
// invite, warmed = replied. Soft LinkedIn touches (visit, follow, endorse, like) send the
// lead nothing, so they are `other`, not `contacted`. `failed` is a step that failed for a
// lead; alerts about the sending account (domain, connection, limits, lemwarm) concern no
// lead and are `other`/workspace — `lemwarmPaused` above all must not read as a lead pause.
constexpr std::array types{
    // Lead-state groups: Lemlist's aggregates of the per-channel activities below.
    event_type_info{"contacted", cat::contacted, ch::other},
    event_type_info{"hooked", cat::hooked, ch::other},
    event_type_info{"attracted", cat::attracted, ch::other},
    event_type_info{"warmed", cat::warmed, ch::other},
    event_type_info{"interested", cat::interested, ch::other},
    event_type_info{"notInterested", cat::not_interested, ch::other},
    // Email
    event_type_info{"emailsSent", cat::contacted, ch::email},
    event_type_info{"emailsOpened", cat::hooked, ch::email},
    event_type_info{"emailsClicked", cat::attracted, ch::email},
    event_type_info{"emailsReplied", cat::warmed, ch::email},
    event_type_info{"emailsBounced", cat::bounced, ch::email},
    event_type_info{"emailsFailed", cat::failed, ch::email},
    event_type_info{"emailsInterested", cat::interested, ch::email},
    event_type_info{"emailsNotInterested", cat::not_interested, ch::email},
    event_type_info{"emailsUnsubscribed", cat::unsubscribed, ch::email},
    // LinkedIn
    event_type_info{"linkedinSent", cat::contacted, ch::linkedin},
    event_type_info{"linkedinOpened", cat::hooked, ch::linkedin},
    event_type_info{"linkedinReplied", cat::warmed, ch::linkedin},
    event_type_info{"linkedinInterested", cat::interested, ch::linkedin},
    event_type_info{"linkedinNotInterested", cat::not_interested, ch::linkedin},
    event_type_info{"linkedinSendFailed", cat::failed, ch::linkedin},
    event_type_info{"linkedinVisitDone", cat::other, ch::linkedin},
    event_type_info{"linkedinVisitFailed", cat::failed, ch::linkedin},
    event_type_info{"linkedinFollowDone", cat::other, ch::linkedin},
    event_type_info{"linkedinFollowFailed", cat::failed, ch::linkedin},
    event_type_info{"linkedinFollowSkipped", cat::other, ch::linkedin},
    event_type_info{"linkedinInviteDone", cat::contacted, ch::linkedin},
    event_type_info{"linkedinInviteFailed", cat::failed, ch::linkedin},
    event_type_info{"linkedinInviteAccepted", cat::attracted, ch::linkedin},
    event_type_info{"linkedinEndorseDone", cat::other, ch::linkedin},
    event_type_info{"linkedinEndorseFailed", cat::failed, ch::linkedin},
    event_type_info{"linkedinEndorseSkipped", cat::other, ch::linkedin},
    event_type_info{"linkedinVoiceNoteDone", cat::contacted, ch::linkedin},
    event_type_info{"linkedinVoiceNoteFailed", cat::failed, ch::linkedin},
    event_type_info{"linkedinLikeLastPostDone", cat::other, ch::linkedin},
    event_type_info{"linkedinLikeLastPostNoPost", cat::other, ch::linkedin},
    event_type_info{"linkedinLikeLastPostFailed", cat::failed, ch::linkedin},
    event_type_info{"linkedinWithdrawInvitationDone", cat::other, ch::linkedin},
    event_type_info{"linkedinWithdrawInvitationFailed", cat::failed, ch::linkedin},
    // WhatsApp and SMS: a delivery receipt confirms the reach-out, it is not an open.
    event_type_info{"whatsappMessageSent", cat::contacted, ch::whatsapp},
    event_type_info{"whatsappMessageDelivered", cat::contacted, ch::whatsapp},
    event_type_info{"whatsappMessageOpened", cat::hooked, ch::whatsapp},
    event_type_info{"whatsappReplied", cat::warmed, ch::whatsapp},
    event_type_info{"whatsappMessageFailed", cat::failed, ch::whatsapp},
    event_type_info{"smsSent", cat::contacted, ch::sms},
    event_type_info{"smsDelivered", cat::contacted, ch::sms},
    event_type_info{"smsReplied", cat::warmed, ch::sms},
    event_type_info{"smsFailed", cat::failed, ch::sms},
    // Calls: placing the call and completing the call task reach out; the end of a call and
    // its recording or transcript say nothing about whether the lead picked up.
    event_type_info{"aircallCreated", cat::contacted, ch::call},
    event_type_info{"aircallEnded", cat::other, ch::call},
    event_type_info{"aircallDone", cat::contacted, ch::call},
    event_type_info{"aircallInterested", cat::interested, ch::call},
    event_type_info{"aircallNotInterested", cat::not_interested, ch::call},
    event_type_info{"callRecordingDone", cat::other, ch::call},
    event_type_info{"callTranscriptDone", cat::other, ch::call},
    // API steps (Lemlist counts an executed API step as contacted).
    event_type_info{"apiDone", cat::contacted, ch::api},
    event_type_info{"apiInterested", cat::interested, ch::api},
    event_type_info{"apiNotInterested", cat::not_interested, ch::api},
    event_type_info{"apiFailed", cat::failed, ch::api},
    // Manual and task
    event_type_info{"manualInterested", cat::interested, ch::manual},
    event_type_info{"manualNotInterested", cat::not_interested, ch::manual},
    event_type_info{"annotated", cat::other, ch::task},
    // Workspace: the lead's campaign state, then account-level alerts.
    event_type_info{"paused", cat::paused, ch::workspace},
    event_type_info{"resumed", cat::resumed, ch::workspace},
    event_type_info{"stopped", cat::stopped, ch::workspace},
    event_type_info{"campaignComplete", cat::other, ch::workspace},
    event_type_info{"customDomainErrors", cat::other, ch::workspace},
    event_type_info{"connectionIssue", cat::other, ch::workspace},
    event_type_info{"sendLimitReached", cat::other, ch::workspace},
    event_type_info{"lemwarmPaused", cat::other, ch::workspace},
    // Enrichment, inbox, watchlists, deliverability hub
    event_type_info{"enrichmentDone", cat::other, ch::enrichment},
    event_type_info{"enrichmentError", cat::failed, ch::enrichment},
    event_type_info{"inboxLabelUpdated", cat::other, ch::other},
    event_type_info{"signalRegistered", cat::other, ch::other},
    event_type_info{"deliverabilityAlertTriggered", cat::other, ch::workspace},
    // Removed from the API; older senders still emit them. Stored as generic.
    event_type_info{"skipped", cat::other, ch::other, true},
    event_type_info{"emailsSendFailed", cat::other, ch::email, true},
    event_type_info{"opportunitiesDone", cat::other, ch::other, true},
};

constexpr bool names_are_unique() {
    for (std::size_t i = 0; i < types.size(); ++i) {
        for (std::size_t j = i + 1; j < types.size(); ++j) {
            if (types[i].name == types[j].name) return false;
        }
    }
    return true;
}
static_assert(names_are_unique(), "an event type appears twice in the table");
static_assert(std::count_if(types.begin(), types.end(), [](const auto& row) { return !row.removed; }) == 75,
              "Lemlist documents 75 webhook types");

// Unknown types: Lemlist prefixes every per-channel type with its channel. A prefix counts
// only when a capitalised word follows it (`smsFoo`, not `smsalert`).
struct prefix_rule {
    std::string_view prefix;
    channel chan;
};
constexpr std::array prefix_rules{
    prefix_rule{"emails", ch::email},     prefix_rule{"email", ch::email},
    prefix_rule{"linkedin", ch::linkedin}, prefix_rule{"whatsapp", ch::whatsapp},
    prefix_rule{"sms", ch::sms},           prefix_rule{"aircall", ch::call},
    prefix_rule{"call", ch::call},         prefix_rule{"api", ch::api},
    prefix_rule{"manual", ch::manual},     prefix_rule{"enrichment", ch::enrichment},
};

channel channel_from_prefix(std::string_view type) {
    for (const auto& rule : prefix_rules) {
        if (type.size() > rule.prefix.size() && type.starts_with(rule.prefix)) {
            const char next = type[rule.prefix.size()];
            if (next >= 'A' && next <= 'Z') return rule.chan;
        }
    }
    return ch::other;
}

constexpr std::array category_slugs{
    std::pair{cat::contacted, "contacted"sv},
    std::pair{cat::hooked, "hooked"sv},
    std::pair{cat::attracted, "attracted"sv},
    std::pair{cat::warmed, "warmed"sv},
    std::pair{cat::interested, "interested"sv},
    std::pair{cat::not_interested, "not_interested"sv},
    std::pair{cat::bounced, "bounced"sv},
    std::pair{cat::unsubscribed, "unsubscribed"sv},
    std::pair{cat::paused, "paused"sv},
    std::pair{cat::resumed, "resumed"sv},
    std::pair{cat::stopped, "stopped"sv},
    std::pair{cat::failed, "failed"sv},
    std::pair{cat::other, "other"sv},
};

constexpr std::array channel_slugs{
    std::pair{ch::email, "email"sv},
    std::pair{ch::linkedin, "linkedin"sv},
    std::pair{ch::whatsapp, "whatsapp"sv},
    std::pair{ch::sms, "sms"sv},
    std::pair{ch::call, "call"sv},
    std::pair{ch::api, "api"sv},
    std::pair{ch::manual, "manual"sv},
    std::pair{ch::task, "task"sv},
    std::pair{ch::workspace, "workspace"sv},
    std::pair{ch::enrichment, "enrichment"sv},
    std::pair{ch::other, "other"sv},
};

template <class Enum, std::size_t N>
constexpr std::array<Enum, N> keys_of(const std::array<std::pair<Enum, std::string_view>, N>& slugs) {
    std::array<Enum, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = slugs[i].first;
    return out;
}
constexpr auto categories = keys_of(category_slugs);
constexpr auto channels = keys_of(channel_slugs);

template <class Enum, std::size_t N>
std::string_view slug_of(const std::array<std::pair<Enum, std::string_view>, N>& slugs, Enum value) {
    for (const auto& [key, slug] : slugs) {
        if (key == value) return slug;
    }
    return "other";  // unreachable for a valid enumerator
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& slugs, std::string_view slug) {
    for (const auto& [key, name] : slugs) {
        if (name == slug) return key;
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(event_category category) { return slug_of(category_slugs, category); }
std::string_view to_string(channel chan) { return slug_of(channel_slugs, chan); }
std::optional<event_category> category_from_string(std::string_view slug) { return value_of(category_slugs, slug); }
std::optional<channel> channel_from_string(std::string_view slug) { return value_of(channel_slugs, slug); }
std::span<const event_category> all_categories() { return categories; }
std::span<const channel> all_channels() { return channels; }
std::span<const event_type_info> known_event_types() { return types; }

classification classify(std::string_view type) {
    const auto* row = std::find_if(types.begin(), types.end(), [&](const auto& r) { return r.name == type; });
    if (row == types.end()) return {event_category::other, channel_from_prefix(type), false, false};
    if (row->removed) return {event_category::other, row->chan, false, true};
    return {row->category, row->chan, true, false};
}

std::optional<int> lead_state_rank(event_category category) {
    switch (category) {
        case event_category::contacted: return 1;
        case event_category::hooked: return 2;
        case event_category::attracted: return 3;
        case event_category::warmed: return 4;
        default: return std::nullopt;
    }
}

bool is_lead_state_group(std::string_view type) {
    constexpr std::array<std::string_view, 6> groups{"contacted", "hooked", "attracted", "warmed", "interested", "notInterested"};
    return std::find(groups.begin(), groups.end(), type) != groups.end();
}

bool hook_delivers(std::string_view hook_type, std::string_view body_type) {
    if (hook_type == body_type) return true;
    // Each group names the category its members belong to (notInterested → not_interested).
    return is_lead_state_group(hook_type) && classify(hook_type).category == classify(body_type).category;
}

}  // namespace las::lemlist
