#pragma once
// The lead Lemlist gets for an Attio Person (pure, unit-tested): read from the record's
// values (Attio's output form) — the first email address, the name, the standard `linkedin`
// text, the first phone number, the company reference (whose name is another record) —
// and turned into the create-lead body fields.

#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "outbound/lemlist_client.hpp"

namespace las::sync {

struct person_contact {
    std::optional<std::string> email;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> linkedin_url;
    std::optional<std::string> phone;
    std::optional<std::string> company_record_id;  // the Company to read the name from
};

person_contact contact_of(const rapidjson::Value& person_values);

// The Company record's `name` (a text attribute), when set.
std::optional<std::string> company_name_of(const rapidjson::Value& company_values);

// Lemlist identifies a lead by its email, or (without one) by its LinkedIn URL; a lead with
// neither can only be enrolled when Lemlist is asked to find the email from the name and
// company. Nullopt when the lead is enrollable, else why not.
std::optional<std::string> unenrollable_reason(const person_contact& contact, bool company_known,
                                               const outbound::enrollment_flags& flags);

// The create-lead input. `attioRecordId` is sent as a custom variable so a lead (and the
// webhooks its activity sends) can be traced back to the Person.
outbound::lead_input lead_of(const person_contact& contact, const std::optional<std::string>& company_name,
                             const std::optional<std::string>& icebreaker, const std::string& record_id);

}  // namespace las::sync
