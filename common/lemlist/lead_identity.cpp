#include "lemlist/lead_identity.hpp"

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "core/json.hpp"
#include "lemlist/linkedin_url.hpp"
#include "lemlist/text.hpp"

namespace las::lemlist {
namespace {

using rapidjson::Value;

const Value* object_at(const Value* parent, std::string_view key) {
    if (parent == nullptr) return nullptr;
    const auto* v = json::find(*parent, key);
    return v != nullptr && v->IsObject() ? v : nullptr;
}

// A field to look at: an object (maybe absent) and a member name.
struct source {
    const Value* object;
    std::string_view key;
};

// The trimmed, non-blank strings of the sources, in order.
std::vector<std::string_view> strings_of(std::initializer_list<source> sources) {
    std::vector<std::string_view> found;
    for (const auto& [object, key] : sources) {
        if (object == nullptr) continue;
        if (const auto s = json::get_nonempty_string(*object, key)) found.push_back(*s);
    }
    return found;
}

std::optional<std::string> first_of(std::initializer_list<source> sources) {
    const auto found = strings_of(sources);
    if (found.empty()) return std::nullopt;
    return std::string(found.front());
}

// Where the fields live in this body.
struct places {
    const Value* top;
    const Value* variables;    // GET /activities v2: lead.variables
    const Value* found_email;  // enrichmentDone: data[0].data.find_email
    const Value* found_phone;  // … .find_phone
    const Value* linkedin;     // … .linkedin_enrichment
};

places locate(const Value& body) {
    places p{&body, object_at(object_at(&body, "lead"), "variables"), nullptr, nullptr, nullptr};
    if (json::get_string(body, "type") != std::optional<std::string_view>("enrichmentDone")) return p;
    const auto* data = json::find(body, "data");
    if (data == nullptr || !data->IsArray() || data->Empty()) return p;
    const auto* enrichment = object_at(&(*data)[0], "data");
    p.found_email = object_at(enrichment, "find_email");
    p.found_phone = object_at(enrichment, "find_phone");
    p.linkedin = object_at(enrichment, "linkedin_enrichment");
    return p;
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view raw) {
    const auto s = text::trim(raw);
    const auto at = s.find('@');
    if (s.size() > 254 || at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
        return std::nullopt;
    }
    const auto domain = s.substr(at + 1);
    const auto dot = domain.find('.');
    if (dot == std::string_view::npos || dot == 0 || domain.back() == '.' || domain.find("..") != std::string_view::npos) {
        return std::nullopt;
    }
    const bool clean = std::none_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F ||
               std::string_view("\"(),:;<>[\\]").find(c) != std::string_view::npos;
    });
    if (!clean || !text::is_valid_utf8(s)) return std::nullopt;
    return text::to_lower_ascii(s);
}

lead_identity extract_lead_identity(const Value& body) {
    lead_identity id;
    if (!body.IsObject()) return id;
    const auto p = locate(body);

    for (const auto candidate : strings_of({{p.top, "leadEmail"}, {p.top, "email"}, {p.variables, "email"},
                                            {p.found_email, "email"}})) {
        id.email = normalize_email(candidate);
        if (id.email) break;
    }

    // The first URL that normalises wins; failing that, keep the first raw value for the record.
    const auto urls = strings_of({{p.top, "linkedinUrl"}, {p.variables, "linkedinUrl"}, {p.linkedin, "linkedinUrl"}});
    for (const auto candidate : urls) {
        id.linkedin_url = normalize_linkedin_url(candidate);
        if (id.linkedin_url) {
            id.linkedin_raw = std::string(candidate);
            break;
        }
    }
    if (!id.linkedin_raw && !urls.empty()) id.linkedin_raw = std::string(urls.front());

    id.first_name = first_of({{p.top, "leadFirstName"}, {p.top, "firstName"}, {p.variables, "firstName"},
                              {p.linkedin, "firstName"}});
    id.last_name = first_of({{p.top, "leadLastName"}, {p.top, "lastName"}, {p.variables, "lastName"},
                             {p.linkedin, "lastName"}});
    if (id.first_name || id.last_name) {
        id.full_name = id.first_name.value_or("");
        if (id.first_name && id.last_name) *id.full_name += ' ';
        *id.full_name += id.last_name.value_or("");
    }
    id.phone = first_of({{p.top, "leadPhone"}, {p.top, "phone"}, {p.variables, "phone"}, {p.found_phone, "phone"}});
    id.company_name = first_of({{p.top, "leadCompanyName"}, {p.top, "companyName"}, {p.variables, "companyName"},
                                {p.linkedin, "companyName"}});
    if (const auto domain = first_of({{p.top, "companyDomain"}, {p.variables, "companyDomain"},
                                      {p.linkedin, "companyDomain"}})) {
        id.company_domain = text::to_lower_ascii(*domain);
    }
    // `occupation` is the variable Lemlist's LinkedIn import and enrichment fill with the headline job.
    id.job_title = first_of({{p.top, "jobTitle"}, {p.variables, "jobTitle"}, {p.top, "occupation"},
                             {p.variables, "occupation"}, {p.linkedin, "occupation"}});
    return id;
}

}  // namespace las::lemlist
