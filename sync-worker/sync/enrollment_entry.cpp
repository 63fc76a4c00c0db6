#include "sync/enrollment_entry.hpp"

#include "core/json.hpp"
#include "sync/attio_schema.hpp"
#include "sync/enrollment_job.hpp"

namespace las::sync {
namespace {

// The first value object of attribute `slug` (Attio's output form is an array of them).
const rapidjson::Value* first_value(const rapidjson::Value& values, std::string_view slug) {
    if (!values.IsObject()) return nullptr;
    const auto* list = json::find(values, slug);
    if (!list || !list->IsArray() || list->Empty() || !(*list)[0].IsObject()) return nullptr;
    return &(*list)[0];
}

std::optional<bool> checkbox(const rapidjson::Value& values, std::string_view slug) {
    const auto* v = first_value(values, slug);
    if (!v) return std::nullopt;
    return json::get_bool(*v, "value");
}

std::optional<enrollment_status> status_titled(std::string_view title) {
    for (auto s : {enrollment_status::enrolled, enrollment_status::duplicate, enrollment_status::rejected,
                   enrollment_status::failed}) {
        if (to_string(s) == title) return s;
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(entry_decision::kind k) {
    switch (k) {
        case entry_decision::kind::wait: return "wait";
        case entry_decision::kind::invalid_campaign: return "invalid_campaign";
        case entry_decision::kind::answered: return "answered";
        case entry_decision::kind::enroll: return "enroll";
    }
    return "wait";
}

entry_answer answer_on(const rapidjson::Value& values) {
    entry_answer a;
    if (const auto* v = first_value(values, enrollment_attr::status)) {
        if (const auto* option = json::find(*v, "option"); option && option->IsObject())
            a.status = status_titled(json::get_string(*option, "title").value_or(""));
    }
    a.campaign = entry_text(values, enrollment_attr::answered_campaign).value_or("");
    a.reason = entry_text(values, enrollment_attr::reason).value_or("");
    return a;
}

entry_options options_of(const rapidjson::Value& values, const enrollment_defaults& defaults) {
    entry_options o;
    o.flags = flags_from(defaults);
    struct named {
        std::string_view slug;
        bool outbound::enrollment_flags::*flag;
    };
    const named known[] = {{enrollment_attr::find_email, &outbound::enrollment_flags::find_email},
                           {enrollment_attr::verify_email, &outbound::enrollment_flags::verify_email},
                           {enrollment_attr::find_phone, &outbound::enrollment_flags::find_phone},
                           {enrollment_attr::linkedin_enrichment, &outbound::enrollment_flags::linkedin_enrichment},
                           {enrollment_attr::deduplicate, &outbound::enrollment_flags::deduplicate}};
    for (const auto& k : known) {
        if (const auto set = checkbox(values, k.slug)) o.flags.*(k.flag) = *set;
    }
    o.icebreaker = entry_text(values, enrollment_attr::icebreaker);
    return o;
}

entry_decision decide_entry(const rapidjson::Value& values, std::string_view campaign_attribute,
                            const enrollment_defaults& defaults, bool replay) {
    entry_decision d;
    const auto campaign = entry_text(values, campaign_attribute);
    if (!campaign) return d;  // wait: the rep fills it in later
    d.campaign_id = *campaign;
    const auto answer = answer_on(values);
    if (answer.status && answer.campaign == *campaign && !(replay && answer.status == enrollment_status::failed)) {
        d.what = entry_decision::kind::answered;
        return d;
    }
    if (!is_campaign_id(*campaign)) {
        d.what = entry_decision::kind::invalid_campaign;
        d.message = "\"" + *campaign + "\" in " + std::string(campaign_attribute) +
                    " is not a Lemlist campaign id (cam_…); nothing was sent to Lemlist";
        return d;
    }
    d.what = entry_decision::kind::enroll;
    d.options = options_of(values, defaults);
    return d;
}

std::string entry_answer_values(enrollment_status status, std::string_view reason, std::string_view campaign_id) {
    std::string out = "{";
    json::append_quoted(out, enrollment_attr::status);
    out += ':';
    json::append_quoted(out, to_string(status));
    out += ',';
    json::append_quoted(out, enrollment_attr::reason);
    out += ':';
    json::append_quoted(out, reason);
    out += ',';
    json::append_quoted(out, enrollment_attr::answered_campaign);
    out += ':';
    json::append_quoted(out, campaign_id);
    out += '}';
    return out;
}

}  // namespace las::sync
