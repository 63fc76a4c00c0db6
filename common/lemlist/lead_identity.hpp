#pragma once
// Who an event is about, gathered from wherever Lemlist put it: the denormalised system
// fields (`leadEmail`, …), the flattened lead variables (`email`, `linkedinUrl`, …), the
// nested `lead.variables` of GET /activities v2 records, and the enrichment data of
// `enrichmentDone` bodies. Used for Person matching (email, then LinkedIn) and auto-create.

#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace las::lemlist {

struct lead_identity {
    std::optional<std::string> email;           // trimmed, lower-cased, shaped like an address
    std::optional<std::string> linkedin_url;    // normalize_linkedin_url()
    std::optional<std::string> linkedin_raw;    // as sent (trimmed), even when it did not normalise
    std::optional<std::string> first_name;      // names and the rest: trimmed, as sent
    std::optional<std::string> last_name;
    std::optional<std::string> full_name;       // "first last" when either is known
    std::optional<std::string> phone;
    std::optional<std::string> company_name;
    std::optional<std::string> company_domain;  // lower-cased
    std::optional<std::string> job_title;

    bool has_match_key() const { return email.has_value() || linkedin_url.has_value(); }
    friend bool operator==(const lead_identity&, const lead_identity&) = default;
};

// Never fails: fields that are missing, blank or of the wrong type stay empty. The first
// usable source wins, in the order: system field, flattened variable, `lead.variables`,
// enrichment data (only for `enrichmentDone`, first data item). `fromEmail` is not used:
// on a third-party reply it is the third party, not the lead.
lead_identity extract_lead_identity(const rapidjson::Value& body);

// Trimmed and lower-cased when it looks like one address (one `@`, a dotted domain, no
// spaces, quotes, brackets or control characters, at most 254 bytes); nullopt otherwise
// (Lemlist's legacy docs show `"leadEmail": "jeanne"`).
std::optional<std::string> normalize_email(std::string_view raw);

}  // namespace las::lemlist
