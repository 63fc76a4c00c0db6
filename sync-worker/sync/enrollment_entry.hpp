#pragma once
// An entry of the enrollment list, read as an enrollment (pure, unit-tested). A rep adds a
// Person to the list and fills in the campaign afterwards, so both list-entry.created and
// list-entry.updated come here; an updated event fires for every attribute change, our own
// write-back of the answer included. What the entry holds decides:
//
//   no campaign id yet                            → wait (a later update brings it)
//   a value that is not a Lemlist campaign id     → invalid: `failed` and why, on the entry only
//   already answered for this campaign            → nothing (our write-back's events end here)
//   otherwise                                     → enroll, with the entry's options
//
// "Answered" is durable: the entry's status is set and its `lemlist_enrollment_campaign_id`
// equals the campaign now in the entry. A `failed` answer is not final for an operator's DLQ
// replay (x-source=replay), which asks again. The idempotency claim per (entry, campaign)
// (enrollment_processor) guards the moments before the answer lands; this guards after its TTL.

#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/settings.hpp"
#include "outbound/lemlist_client.hpp"
#include "sync/enrollment_result.hpp"

namespace las::sync {

// The answer the worker wrote on the entry (Attio output form), as read back.
struct entry_answer {
    std::optional<enrollment_status> status;
    std::string campaign;  // the campaign it answers for ("" when unset)
    std::string reason;
};
entry_answer answer_on(const rapidjson::Value& entry_values);

// The entry's per-entry options: each checkbox holding a value overrides its TOML default;
// a non-empty icebreaker text is sent.
struct entry_options {
    outbound::enrollment_flags flags;
    std::optional<std::string> icebreaker;
};
entry_options options_of(const rapidjson::Value& entry_values, const enrollment_defaults& defaults);

struct entry_decision {
    enum class kind { wait, invalid_campaign, answered, enroll };
    kind what = kind::wait;
    std::string campaign_id;  // enroll: the id; invalid_campaign: the value as found
    std::string message;      // invalid_campaign: why, for the entry's reason
    entry_options options;    // enroll
};
std::string_view to_string(entry_decision::kind k);

entry_decision decide_entry(const rapidjson::Value& entry_values, std::string_view campaign_attribute,
                            const enrollment_defaults& defaults, bool replay);

// The PATCH entry_values writing an answer on the entry.
std::string entry_answer_values(enrollment_status status, std::string_view reason, std::string_view campaign_id);

}  // namespace las::sync
