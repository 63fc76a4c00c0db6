#include "sync/person_matcher.hpp"

#include <vector>

#include "core/json.hpp"
#include "lemlist/linkedin_url.hpp"
#include "sync/attio_schema.hpp"

namespace las::sync {

person_matcher::person_matcher(attio::client& attio, match_cache& cache, bool auto_create)
    : attio_(attio), cache_(cache), auto_create_(auto_create) {}

std::optional<std::string> e164_phone(std::string_view raw) {
    std::string digits;
    bool plus = false;
    for (char c : raw) {
        if (c == '+' && digits.empty() && !plus) plus = true;
        else if (c >= '0' && c <= '9') digits += c;
        else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
        else return std::nullopt;
    }
    if (!plus || digits.size() < 7 || digits.size() > 15 || digits[0] == '0') return std::nullopt;
    return "+" + digits;
}

std::string person_matcher::creation_values(const lemlist::lead_identity& lead, bool with_linkedin_key,
                                            std::string_view initial_values) {
    std::string out = "{";
    auto add = [&out](std::string_view slug, const std::string& json_value) {
        out += out.size() > 1 ? "," : "";
        json::append_quoted(out, slug);
        out += ':';
        out += json_value;
    };
    if (lead.email) add("email_addresses", "[" + json::quoted(*lead.email) + "]");
    if (lead.first_name || lead.last_name) {
        // Attio's object form needs all three fields.
        const std::string first = lead.first_name.value_or("");
        const std::string last = lead.last_name.value_or("");
        const std::string full = lead.full_name.value_or(first.empty() ? last : last.empty() ? first : first + " " + last);
        add("name", "[{\"first_name\":" + json::quoted(first) + ",\"last_name\":" + json::quoted(last) +
                        ",\"full_name\":" + json::quoted(full) + "}]");
    }
    if (lead.linkedin_url) {
        add("linkedin", json::quoted(*lead.linkedin_url));
        if (with_linkedin_key) add(person_attr::linkedin_url, json::quoted(*lead.linkedin_url));
    }
    if (lead.phone) {
        if (const auto phone = e164_phone(*lead.phone)) add("phone_numbers", "[" + json::quoted(*phone) + "]");
    }
    if (lead.job_title) add("job_title", json::quoted(*lead.job_title));
    if (const auto initial = json::parse(initial_values); initial && initial->IsObject()) {
        const auto identity = json::parse(out + "}");
        for (const auto& m : initial->GetObject()) {
            const std::string_view slug(m.name.GetString(), m.name.GetStringLength());
            if (json::find(identity.value(), slug) == nullptr) add(slug, json::to_string(m.value));
        }
    }
    out += '}';
    return out;
}

void person_matcher::remember(const lemlist::lead_identity& lead, const std::string& record_id) {
    if (lead.email) cache_.put(email_identity(*lead.email), record_id);
    if (lead.linkedin_url) cache_.put(linkedin_identity(*lead.linkedin_url), record_id);
}

awaitable<result<std::optional<std::string>, outbound::call_error>> person_matcher::find(
    const lemlist::lead_identity& lead) {
    using found = std::optional<std::string>;
    if (lead.email) {
        auto people = co_await attio_.find_people_by_email(*lead.email);
        if (!people) co_return fail(people.error());
        if (!people->empty()) co_return found(people->front().record_id);
    }
    if (lead.linkedin_url) {
        auto by_key = co_await attio_.find_people_by_linkedin_key(*lead.linkedin_url);
        if (!by_key) co_return fail(by_key.error());
        if (!by_key->empty()) co_return found(by_key->front().record_id);
        // People entered by hand carry the standard attribute, in the form they typed.
        std::vector<std::string> forms{*lead.linkedin_url};
        if (lead.linkedin_raw && *lead.linkedin_raw != *lead.linkedin_url) forms.push_back(*lead.linkedin_raw);
        for (auto& form : forms) {
            auto by_standard = co_await attio_.find_people_by_linkedin(std::move(form));
            if (!by_standard) co_return fail(by_standard.error());
            if (!by_standard->empty()) co_return found(by_standard->front().record_id);
        }
    }
    co_return found();
}

awaitable<result<std::optional<std::string>, outbound::call_error>> person_matcher::adopt_email(
    const lemlist::lead_identity& lead) {
    using adopted = std::optional<std::string>;
    auto holders = co_await attio_.find_people_by_linkedin_key(*lead.linkedin_url);
    if (!holders) co_return fail(holders.error());
    if (holders->empty()) co_return adopted();
    const std::string record_id = holders->front().record_id;
    // PATCH appends to email_addresses and keeps what the Person has.
    auto patched = co_await attio_.patch_record(std::string(people_object), record_id,
                                                "{\"email_addresses\":[" + json::quoted(*lead.email) + "]}");
    if (!patched) {
        if (attio::is_uniqueness_conflict(patched.error()) || attio::is_not_found(patched.error())) co_return adopted();
        co_return fail(patched.error());
    }
    co_return adopted(record_id);
}

awaitable<result<person_match, outbound::call_error>> person_matcher::create(const lemlist::lead_identity& lead,
                                                                             std::string_view initial_values) {
    const std::string matching = lead.email ? "email_addresses" : std::string(person_attr::linkedin_url);
    auto asserted = co_await attio_.assert_record(std::string(people_object), matching, creation_values(lead, true, initial_values));
    if (!asserted && lead.email && lead.linkedin_url && attio::is_uniqueness_conflict(asserted.error())) {
        // Another Person already holds this LinkedIn URL as its key: most likely this very
        // lead, created a moment ago from one of its LinkedIn-only events (an invite accepted)
        // by a worker racing this one. It is the same human: give that Person the email.
        auto holder = co_await adopt_email(lead);
        if (!holder) co_return fail(holder.error());
        if (*holder) co_return person_match{**holder, false, false};  // found, not created
        // The key's holder is gone again, or the email belongs to a third Person: create
        // this one without the key.
        asserted = co_await attio_.assert_record(std::string(people_object), matching, creation_values(lead, false, initial_values));
    }
    if (!asserted) co_return fail(asserted.error());
    co_return person_match{asserted->record_id, true, false};
}

awaitable<result<person_match, match_failure>> person_matcher::match(const lemlist::lead_identity& lead,
                                                                     std::string_view initial_values) {
    if (!lead.has_match_key()) {
        co_return fail(match_failure(unmatched{"no_lead_identity", "the event names no email and no LinkedIn URL"}));
    }
    if (lead.email) {
        if (auto id = cache_.get(email_identity(*lead.email))) co_return person_match{*id, false, true};
    }
    if (lead.linkedin_url) {
        if (auto id = cache_.get(linkedin_identity(*lead.linkedin_url))) co_return person_match{*id, false, true};
    }
    auto found = co_await find(lead);
    if (!found) co_return fail(match_failure(found.error()));
    if (*found) {
        remember(lead, **found);
        co_return person_match{**found, false, false};
    }
    if (!auto_create_) {
        co_return fail(match_failure(unmatched{"unmatched", "no Attio Person matches the lead's email or LinkedIn URL"}));
    }
    auto created = co_await create(lead, initial_values);
    if (!created) co_return fail(match_failure(created.error()));
    remember(lead, created->record_id);
    co_return *created;
}

}  // namespace las::sync
