#pragma once
// The documented webhook/activity types (the 76 values of the OpenAPI `Webhook.type` enum)
// and the lead-state groups a hook may subscribe to instead of one type.

#include <span>
#include <string_view>

namespace las::lemlist_emu {

std::span<const std::string_view> documented_types();
bool is_documented_type(std::string_view type);
// contacted, hooked, attracted, warmed, interested, notInterested.
bool is_group_type(std::string_view type);
// The activity types a group aggregates (empty for a non-group). The membership follows the
// docs' descriptions ("contacted: email sent, LinkedIn message, API call, etc."); the
// exact lists are not published, so this is our reading of them.
std::span<const std::string_view> group_members(std::string_view group);
bool group_contains(std::string_view group, std::string_view type);
// The group `type` belongs to, or "" when none.
std::string_view group_of(std::string_view type);

}  // namespace las::lemlist_emu
