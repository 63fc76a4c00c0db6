#include "emu/event_types.hpp"

#include <algorithm>
#include <array>

namespace las::lemlist_emu {

namespace {

constexpr std::array<std::string_view, 76> types{
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
    "apiDone", "apiInterested", "apiNotInterested", "apiFailed",
    "manualInterested", "manualNotInterested",
    "paused", "resumed", "stopped", "campaignComplete", "customDomainErrors", "connectionIssue", "sendLimitReached",
    "lemwarmPaused", "annotated", "enrichmentDone", "enrichmentError", "callRecordingDone", "callTranscriptDone",
    "inboxLabelUpdated", "signalRegistered", "deliverabilityAlertTriggered"};

constexpr std::array<std::string_view, 8> contacted{"emailsSent", "linkedinSent", "linkedinInviteDone",
                                                    "linkedinVoiceNoteDone", "whatsappMessageSent", "smsSent",
                                                    "apiDone", "aircallDone"};
constexpr std::array<std::string_view, 3> hooked{"emailsOpened", "linkedinOpened", "whatsappMessageOpened"};
constexpr std::array<std::string_view, 2> attracted{"emailsClicked", "linkedinInviteAccepted"};
constexpr std::array<std::string_view, 4> warmed{"emailsReplied", "linkedinReplied", "whatsappReplied", "smsReplied"};
constexpr std::array<std::string_view, 5> interested{"emailsInterested", "linkedinInterested", "aircallInterested",
                                                     "apiInterested", "manualInterested"};
constexpr std::array<std::string_view, 5> not_interested{"emailsNotInterested", "linkedinNotInterested",
                                                         "aircallNotInterested", "apiNotInterested",
                                                         "manualNotInterested"};

}  // namespace

std::span<const std::string_view> documented_types() { return types; }

bool is_documented_type(std::string_view type) { return std::find(types.begin(), types.end(), type) != types.end(); }

std::span<const std::string_view> group_members(std::string_view group) {
    if (group == "contacted") return contacted;
    if (group == "hooked") return hooked;
    if (group == "attracted") return attracted;
    if (group == "warmed") return warmed;
    if (group == "interested") return interested;
    if (group == "notInterested") return not_interested;
    return {};
}

bool is_group_type(std::string_view type) { return !group_members(type).empty(); }

bool group_contains(std::string_view group, std::string_view type) {
    const auto members = group_members(group);
    return std::find(members.begin(), members.end(), type) != members.end();
}

std::string_view group_of(std::string_view type) {
    for (const std::string_view g : {"contacted", "hooked", "attracted", "warmed", "interested", "notInterested"})
        if (group_contains(g, type)) return g;
    return {};
}

}  // namespace las::lemlist_emu
