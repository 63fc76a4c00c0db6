#include "sync/enrollment_lead.hpp"

#include "core/json.hpp"

namespace las::sync {
namespace {

// The first value object of attribute `slug` (Attio's output form: an array of values).
const rapidjson::Value* first_value(const rapidjson::Value& values, std::string_view slug) {
    if (!values.IsObject()) return nullptr;
    const auto* list = json::find(values, slug);
    if (!list || !list->IsArray()) return nullptr;
    for (const auto& v : list->GetArray()) {
        if (v.IsObject()) return &v;
    }
    return nullptr;
}

std::optional<std::string> text_field(const rapidjson::Value* value, std::string_view field) {
    if (!value) return std::nullopt;
    if (auto s = json::get_nonempty_string(*value, field)) return std::string(*s);
    return std::nullopt;
}

}  // namespace

person_contact contact_of(const rapidjson::Value& values) {
    person_contact c;
    const auto* email = first_value(values, "email_addresses");
    c.email = text_field(email, "email_address");
    if (!c.email) c.email = text_field(email, "original_email_address");
    const auto* name = first_value(values, "name");
    c.first_name = text_field(name, "first_name");
    c.last_name = text_field(name, "last_name");
    c.linkedin_url = text_field(first_value(values, "linkedin"), "value");
    const auto* phone = first_value(values, "phone_numbers");
    c.phone = text_field(phone, "phone_number");
    if (!c.phone) c.phone = text_field(phone, "original_phone_number");
    c.company_record_id = text_field(first_value(values, "company"), "target_record_id");
    return c;
}

std::optional<std::string> company_name_of(const rapidjson::Value& values) {
    return text_field(first_value(values, "name"), "value");
}

std::optional<std::string> unenrollable_reason(const person_contact& c, bool company_known,
                                               const outbound::enrollment_flags& flags) {
    if (c.email || c.linkedin_url) return std::nullopt;
    if (flags.find_email && (c.first_name || c.last_name) && company_known) return std::nullopt;
    return std::string("the Person has no email address and no LinkedIn URL") +
           (flags.find_email ? " (and no name and company to find an email from)" : "");
}

outbound::lead_input lead_of(const person_contact& c, const std::optional<std::string>& company_name,
                             const std::optional<std::string>& icebreaker, const std::string& record_id) {
    outbound::lead_input lead;
    lead.email = c.email;
    lead.first_name = c.first_name;
    lead.last_name = c.last_name;
    lead.company_name = company_name;
    lead.linkedin_url = c.linkedin_url;
    lead.phone = c.phone;
    lead.icebreaker = icebreaker;
    lead.variables.emplace_back("attioRecordId", record_id);
    return lead;
}

}  // namespace las::sync
