#pragma once
// Finds the Attio Person an event is about: by email (case-insensitive: emails are
// normalised lower-case), then by LinkedIn URL (normalised: our unique
// `lemlist_linkedin_url`, then Attio's standard `linkedin`), then creates one from what
// Lemlist gave (name, email, LinkedIn, phone, job title) unless strict mode forbids it.
//
// Creation is an assert (upsert) on a unique attribute, never a blind create: two workers
// seeing the first events of one new lead at once end on the same Person. With an email the
// assert matches on `email_addresses`; for a LinkedIn-only lead on `lemlist_linkedin_url`.
// When the email assert collides with a Person already keyed by the lead's LinkedIn URL (a
// LinkedIn-only event of the same lead won the race), that Person gets the email: one Person.

#include <optional>
#include <string>
#include <variant>

#include "attio/client.hpp"
#include "lemlist/lead_identity.hpp"
#include "sync/match_cache.hpp"

namespace las::sync {

struct person_match {
    std::string record_id;
    bool created = false;
    bool from_cache = false;
};

// Why an event has no Person: no identity to match on, or strict mode and no match.
struct unmatched {
    std::string reason;  // "no_lead_identity" | "unmatched"
    std::string detail;
};

using match_failure = std::variant<unmatched, outbound::call_error>;

class person_matcher {
public:
    person_matcher(attio::client& attio, match_cache& cache, bool auto_create);

    // `initial_values`: attribute values (a JSON object) a Person created now also gets: the
    // event's state, so creation is one write. Identity attributes of the lead win over them.
    awaitable<result<person_match, match_failure>> match(const lemlist::lead_identity& lead,
                                                         std::string_view initial_values = "{}");
    // A write found the Person gone (deleted or merged in Attio): match afresh next time.
    void forget(const std::string& record_id) { cache_.forget_record(record_id); }

    // The attribute values a new Person gets (compact JSON), without `lemlist_linkedin_url`
    // when `with_linkedin_key` is false. Exposed for tests.
    static std::string creation_values(const lemlist::lead_identity& lead, bool with_linkedin_key,
                                       std::string_view initial_values = "{}");

private:
    awaitable<result<std::optional<std::string>, outbound::call_error>> find(const lemlist::lead_identity& lead);
    awaitable<result<person_match, outbound::call_error>> create(const lemlist::lead_identity& lead,
                                                                std::string_view initial_values);
    // The Person holding the lead's LinkedIn key, now with the lead's email too; nullopt when
    // there is none or the email belongs to another Person.
    awaitable<result<std::optional<std::string>, outbound::call_error>> adopt_email(const lemlist::lead_identity& lead);
    void remember(const lemlist::lead_identity& lead, const std::string& record_id);

    attio::client& attio_;
    match_cache& cache_;
    bool auto_create_;
};

// "+33 6 12-34-56-78" → "+33612345678"; nullopt unless it is a plausible E.164 number
// (Attio rejects the rest, and a bad phone must not keep a Person from being created).
std::optional<std::string> e164_phone(std::string_view raw);

}  // namespace las::sync
