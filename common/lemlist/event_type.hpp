#pragma once
// What a Lemlist event type means for the CRM: its category (the Attio select
// `event_category`) and its channel (the Attio select `channel`). The names returned by
// to_string() are the select option slugs of the contract; provisioning creates the options
// from all_categories() / all_channels().

#include <optional>
#include <span>
#include <string_view>

namespace las::lemlist {

enum class event_category {
    contacted,       // reached out: a message or invite went to the lead
    hooked,          // the lead opened it
    attracted,       // the lead clicked, or accepted a LinkedIn invite
    warmed,          // the lead replied
    interested,
    not_interested,
    bounced,
    unsubscribed,
    paused,          // the lead was paused in its campaign
    resumed,
    stopped,
    failed,          // a step failed for this lead
    other,
};

enum class channel { email, linkedin, whatsapp, sms, call, api, manual, task, workspace, enrichment, other };

std::string_view to_string(event_category category);
std::string_view to_string(channel chan);
std::optional<event_category> category_from_string(std::string_view slug);
std::optional<channel> channel_from_string(std::string_view slug);
std::span<const event_category> all_categories();
std::span<const channel> all_channels();

struct classification {
    event_category category = event_category::other;
    channel chan = channel::other;
    bool documented = false;  // in Lemlist's current list of webhook types
    bool removed = false;     // was documented, since removed (`skipped`, `emailsSendFailed`, `opportunitiesDone`)

    friend bool operator==(const classification&, const classification&) = default;
};

// Every documented type maps deliberately (see the table in event_type.cpp). Removed and
// unknown types are category `other`; an unknown type's channel comes from its prefix
// (`linkedinFoo` → linkedin), because Lemlist names every per-channel type that way.
classification classify(std::string_view type);

// One row of the table, for tools that work per type (e.g. subscriptions sync, which
// creates one hook per type of the enabled categories).
struct event_type_info {
    std::string_view name;
    event_category category;
    channel chan;
    bool removed = false;
};
std::span<const event_type_info> known_event_types();  // documented and removed

// Lemlist's lead-state group types (contacted, hooked, attracted, warmed, interested,
// notInterested): a hook of one of these receives the activities of its member types (an
// `interested` hook gets the `emailsInterested` activity, same `_id`), so a group hook beside
// its members' hooks delivers one activity twice; the idempotency key (the activity `_id`)
// makes the second delivery a duplicate.
bool is_lead_state_group(std::string_view type);

// Whether an activity of `body_type` may reach the hook of `hook_type`: the same type, or a
// member of the group `hook_type` names.
bool hook_delivers(std::string_view hook_type, std::string_view body_type);

// Lead-state order for `lemlist_status`: contacted < hooked < attracted < warmed (higher is
// further). Other categories are not lead states: nullopt.
std::optional<int> lead_state_rank(event_category category);

}  // namespace las::lemlist
