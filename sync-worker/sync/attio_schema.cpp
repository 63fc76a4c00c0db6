#include "sync/attio_schema.hpp"

#include <algorithm>

#include "lemlist/event_type.hpp"

namespace las::sync {
namespace {

template <class Range>
std::vector<std::string> names_of(const Range& values) {
    std::vector<std::string> out;
    for (const auto v : values) out.emplace_back(lemlist::to_string(v));
    return out;
}

}  // namespace

std::string_view to_string(attribute_type type) {
    switch (type) {
        case attribute_type::text: return "text";
        case attribute_type::number: return "number";
        case attribute_type::checkbox: return "checkbox";
        case attribute_type::timestamp: return "timestamp";
        case attribute_type::select: return "select";
    }
    return "text";
}

const std::vector<attribute_spec>& entry_attributes() {
    using t = attribute_type;
    static const std::vector<attribute_spec> specs{
        {std::string(entry_attr::event_type), "Event type", t::text, {}},
        {std::string(entry_attr::event_category), "Event category", t::select, names_of(lemlist::all_categories())},
        {std::string(entry_attr::channel), "Channel", t::select, names_of(lemlist::all_channels())},
        {std::string(entry_attr::activity_id), "Activity ID", t::text, {}},
        {std::string(entry_attr::campaign_id), "Campaign ID", t::text, {}},
        {std::string(entry_attr::campaign_name), "Campaign name", t::text, {}},
        {std::string(entry_attr::lead_id), "Lead ID", t::text, {}},
        {std::string(entry_attr::sequence_id), "Sequence ID", t::text, {}},
        {std::string(entry_attr::sequence_step), "Sequence step", t::number, {}},
        {std::string(entry_attr::occurred_at), "Occurred at", t::timestamp, {}},
        {std::string(entry_attr::subject), "Subject", t::text, {}},
        {std::string(entry_attr::sender_email), "Sender email", t::text, {}},
    };
    return specs;
}

const std::vector<attribute_spec>& person_attributes() {
    using t = attribute_type;
    static const std::vector<attribute_spec> specs{
        {std::string(person_attr::status), "Lemlist status", t::select, {"contacted", "hooked", "attracted", "warmed"}},
        {std::string(person_attr::interest), "Lemlist interest", t::select, {"interested", "not_interested"}},
        {std::string(person_attr::paused), "Lemlist paused", t::checkbox, {}},
        {std::string(person_attr::last_paused_at), "Lemlist last paused at", t::timestamp, {}},
        {std::string(person_attr::last_resumed_at), "Lemlist last resumed at", t::timestamp, {}},
        {std::string(person_attr::unsubscribed_at), "Lemlist unsubscribed at", t::timestamp, {}},
        {std::string(person_attr::bounced_at), "Lemlist bounced at", t::timestamp, {}},
        {std::string(person_attr::last_event_at), "Lemlist last event at", t::timestamp, {}},
        {std::string(person_attr::last_synced_at), "Lemlist last synced at", t::timestamp, {}},
        {std::string(person_attr::last_event_type), "Lemlist last event type", t::text, {}},
        {std::string(person_attr::lead_id), "Lemlist lead ID", t::text, {}},
        {std::string(person_attr::last_campaign), "Lemlist last campaign", t::text, {}},
        {std::string(person_attr::enrollment_status), "Lemlist enrollment status", t::select,
         {"enrolled", "duplicate", "rejected", "failed"}},
        {std::string(person_attr::enrollment_reason), "Lemlist enrollment reason", t::text, {}},
        {std::string(person_attr::interest_at), "Lemlist interest at", t::timestamp, {}},
        {std::string(person_attr::last_campaign_at), "Lemlist last campaign at", t::timestamp, {}},
        {std::string(person_attr::linkedin_url), "Lemlist LinkedIn URL", t::text, {}, /*unique=*/true},
    };
    return specs;
}

bool is_managed_attribute(bool on_entry, std::string_view slug) {
    const auto& specs = on_entry ? entry_attributes() : person_attributes();
    return std::any_of(specs.begin(), specs.end(), [&](const auto& spec) { return spec.slug == slug; });
}

std::vector<attribute_spec> enrollment_entry_attributes(std::string_view campaign_attribute) {
    using t = attribute_type;
    namespace a = enrollment_attr;
    std::vector<attribute_spec> specs;
    if (!campaign_attribute.empty()) specs.push_back({std::string(campaign_attribute), "Lemlist campaign ID", t::text, {}});
    for (const attribute_spec& spec : std::initializer_list<attribute_spec>{
             {std::string(a::find_email), "Lemlist: find email", t::checkbox, {}},
             {std::string(a::verify_email), "Lemlist: verify email", t::checkbox, {}},
             {std::string(a::find_phone), "Lemlist: find phone", t::checkbox, {}},
             {std::string(a::linkedin_enrichment), "Lemlist: LinkedIn enrichment", t::checkbox, {}},
             {std::string(a::deduplicate), "Lemlist: deduplicate", t::checkbox, {}},
             {std::string(a::icebreaker), "Lemlist icebreaker", t::text, {}},
             {std::string(a::status), "Lemlist enrollment status", t::select, {"enrolled", "duplicate", "rejected", "failed"}},
             {std::string(a::reason), "Lemlist enrollment reason", t::text, {}},
             {std::string(a::answered_campaign), "Lemlist enrollment campaign ID", t::text, {}},
         }) {
        // A campaign attribute configured with one of our slugs is not listed twice.
        if (spec.slug != campaign_attribute) specs.push_back(spec);
    }
    return specs;
}

}  // namespace las::sync
