#pragma once
// What one record's enrollment comes to, decided in one place (pure, unit-tested):
// Lemlist's answer → the Person's `lemlist_enrollment_status` (enrolled | duplicate |
// rejected | failed), or a failure to retry, or one for an operator (dead letter).
//
//   enrolled (2xx with the lead's _id)             → enrolled, lemlist_lead_id written too
//   "Lead already in the campaign" / "… other …"   → duplicate (on a retry of the same job,
//                                                    most likely our own earlier create)
//   other 4xx (404 Campaign not found, 402, 400 …) → rejected, with Lemlist's text
//   408 / 429 / 5xx / lost connection              → retry (the create may have landed: the
//                                                    next attempt's duplicate answer says so)
//   a 2xx that is not the documented answer        → failed, and the job is dead-lettered
//                                                    (LEMLIST_BASE_URL is probably wrong)

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "outbound/lemlist_client.hpp"

namespace las::sync {

enum class enrollment_status { enrolled, duplicate, rejected, failed };

// An entry of the enrollment list: where an Attio-triggered enrollment writes its answer too.
struct entry_ref {
    std::string list;  // slug or id
    std::string entry_id;
};
std::string_view to_string(enrollment_status s);

struct record_outcome {
    enum class kind {
        done,         // a final status (written back on the Person, when there is one): settled
        retry,        // transient (a provider unavailable, 429, unknown fate): try again later
        dead_letter,  // permanent and worth an operator's look: the Person is missing, Lemlist
                      // answered nonsense, Attio refused the write-back
        deferred,     // another worker holds this record of this job right now
    };
    kind what = kind::done;
    std::string record_id;
    std::optional<enrollment_status> status;  // set for done and (when known) dead_letter
    std::optional<std::string> lead_id;       // enrolled
    std::string message;                      // Lemlist's text or the failure, for the reply and logs
    std::string reason;                       // retry / dead_letter: a short code for headers and metrics
    std::optional<std::chrono::milliseconds> retry_after;
    bool written_back = false;                // the status landed on the Person (and the entry)
    // Which enrollment this is (set by the processor from the request): the campaign, and the
    // enrollment-list entry when Attio's list triggered it.
    std::string campaign_id;
    std::optional<entry_ref> entry;
};
std::string_view to_string(record_outcome::kind k);

// Lemlist's answer to the create-lead call. `earlier_attempt`: this record of this job was
// claimed before (a redelivery or a retry), so a "Lead already in the campaign" is most
// likely our own earlier create whose answer was lost.
record_outcome lemlist_verdict(const outbound::call_result<outbound::enrollment>& answer, bool earlier_attempt);

// The verdict recorded against the idempotency claim once Lemlist answered, so a retry that
// only has the write-back left never sends the (not replay-safe) create again.
std::string encode_verdict(const record_outcome& verdict);
std::optional<record_outcome> decode_verdict(std::string_view recorded);

// What the rep reads beside the status: Lemlist's text for duplicate and rejected, the error
// for failed, the lead for enrolled; never empty, at most max_reason_bytes (cut on a UTF-8
// character boundary). `campaign_id`, when given, leads the text (the Person's reason, which
// the last enrollment into any campaign overwrites).
inline constexpr std::size_t max_reason_bytes = 1000;
std::string reason_text(const record_outcome& verdict, std::string_view campaign_id = {});

// The PATCH `values` writing the status and its reason (and the lead id when enrolled) on the Person.
std::string writeback_values(enrollment_status status, const std::optional<std::string>& lead_id,
                             std::string_view reason);

}  // namespace las::sync
