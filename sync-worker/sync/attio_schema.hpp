#pragma once
// What this product keeps in Attio, in one table: the `lemlist_events` list and its entry
// attributes, the Person attributes holding the cumulative Lemlist state, and the attributes
// of the enrollment list (`[enrollment] list`) whose entries enroll their Person. The slugs
// are contracts (ARCHITECTURE.md, "Attio data model"); provisioning creates exactly this, the
// pipeline writes exactly this.

#include <string>
#include <string_view>
#include <vector>

namespace las::sync {

enum class attribute_type { text, number, checkbox, timestamp, select };
std::string_view to_string(attribute_type type);  // Attio's type names

struct attribute_spec {
    std::string slug;
    std::string title;
    attribute_type type;
    std::vector<std::string> options;  // select options (title = slug, as the contract names them)
    bool unique = false;
};

inline constexpr std::string_view events_list_slug = "lemlist_events";
inline constexpr std::string_view events_list_name = "Lemlist events";
inline constexpr std::string_view people_object = "people";

// Entry attribute slugs.
namespace entry_attr {
inline constexpr std::string_view event_type = "event_type";
inline constexpr std::string_view event_category = "event_category";
inline constexpr std::string_view channel = "channel";
inline constexpr std::string_view activity_id = "activity_id";
inline constexpr std::string_view campaign_id = "campaign_id";
inline constexpr std::string_view campaign_name = "campaign_name";
inline constexpr std::string_view lead_id = "lead_id";
inline constexpr std::string_view sequence_id = "sequence_id";
inline constexpr std::string_view sequence_step = "sequence_step";
inline constexpr std::string_view occurred_at = "occurred_at";
inline constexpr std::string_view subject = "subject";
inline constexpr std::string_view sender_email = "sender_email";
}  // namespace entry_attr

// Person attribute slugs. The first block is the contract (plus `lemlist_enrollment_reason`,
// the text beside the status: Lemlist's answer or the error); the last three are ours:
// `lemlist_interest_at` and `lemlist_last_campaign_at` give the interest and the
// lead/campaign pair their own event time, so a late, older event cannot overwrite a newer
// one whatever the delivery order; `lemlist_linkedin_url` is a UNIQUE text attribute holding
// the normalised LinkedIn URL, so a LinkedIn-only lead can be asserted (upserted)
// atomically: Attio's standard `linkedin` attribute is not unique and cannot be a matching
// attribute.
namespace person_attr {
inline constexpr std::string_view status = "lemlist_status";
inline constexpr std::string_view interest = "lemlist_interest";
inline constexpr std::string_view paused = "lemlist_paused";
inline constexpr std::string_view last_paused_at = "lemlist_last_paused_at";
inline constexpr std::string_view last_resumed_at = "lemlist_last_resumed_at";
inline constexpr std::string_view unsubscribed_at = "lemlist_unsubscribed_at";
inline constexpr std::string_view bounced_at = "lemlist_bounced_at";
inline constexpr std::string_view last_event_at = "lemlist_last_event_at";
inline constexpr std::string_view last_synced_at = "lemlist_last_synced_at";
inline constexpr std::string_view last_event_type = "lemlist_last_event_type";
inline constexpr std::string_view lead_id = "lemlist_lead_id";
inline constexpr std::string_view last_campaign = "lemlist_last_campaign";
inline constexpr std::string_view enrollment_status = "lemlist_enrollment_status";
inline constexpr std::string_view enrollment_reason = "lemlist_enrollment_reason";
inline constexpr std::string_view interest_at = "lemlist_interest_at";
inline constexpr std::string_view last_campaign_at = "lemlist_last_campaign_at";
inline constexpr std::string_view linkedin_url = "lemlist_linkedin_url";
}  // namespace person_attr

// Attributes of an entry on the enrollment list: what the rep fills in (the campaign, the
// per-entry options overriding the TOML defaults), and what the worker writes back so each
// entry — one enrollment into one campaign — keeps its own answer. The campaign attribute's
// slug is the TOML's `[enrollment] campaign_attribute`.
namespace enrollment_attr {
inline constexpr std::string_view find_email = "lemlist_find_email";
inline constexpr std::string_view verify_email = "lemlist_verify_email";
inline constexpr std::string_view find_phone = "lemlist_find_phone";
inline constexpr std::string_view linkedin_enrichment = "lemlist_linkedin_enrichment";
inline constexpr std::string_view deduplicate = "lemlist_deduplicate";
inline constexpr std::string_view icebreaker = "lemlist_icebreaker";
inline constexpr std::string_view status = "lemlist_enrollment_status";
inline constexpr std::string_view reason = "lemlist_enrollment_reason";
// The campaign the status and reason answer for: an edit of the entry after it was answered
// is not a new enrollment unless the campaign changed (durable, unlike the idempotency claim).
inline constexpr std::string_view answered_campaign = "lemlist_enrollment_campaign_id";
}  // namespace enrollment_attr

const std::vector<attribute_spec>& entry_attributes();
const std::vector<attribute_spec>& person_attributes();
std::vector<attribute_spec> enrollment_entry_attributes(std::string_view campaign_attribute);

// Whether `slug` is one this product writes itself (on the events list entry when `on_entry`,
// else on the Person): a custom mapping onto it would fight the sync.
bool is_managed_attribute(bool on_entry, std::string_view slug);

}  // namespace las::sync
