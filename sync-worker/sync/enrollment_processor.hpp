#pragma once
// One record of one enrollment job, start to finish, shared by the queue consumer
// (enrollment_pipeline.hpp) and `sync-worker enroll`:
//
//   claim → GET the Person (and its Company's name) → Lemlist create lead with the job's
//   flags → record the verdict against the claim → PATCH the Person's
//   `lemlist_enrollment_status` and `lemlist_enrollment_reason` (and `lemlist_lead_id` when
//   enrolled) → record → for an enrollment-list entry, PATCH the same answer on the entry
//   (status, reason, and the campaign it answers) → record → complete.
//
// The claim is "enroll:<job_id>:<record_id>" for a job, and "enroll-entry:<entry_id>:<campaign>"
// for an entry: every list-entry event of one entry (created, each update, our own write-back's)
// is a separate delivery, and the entry enrolls once per campaign whichever comes first.
//
// The create-lead POST is not replay-safe, so each step that landed is recorded against the
// claim: a redelivered job skips the records it completed (already_done), and a retry that
// only has the write-back left never sends the create again. A retry whose create may have
// landed (unknown fate) gets Lemlist's "Lead already in the campaign", reported as duplicate.
// Every answer — enrolled, duplicate, rejected — ends on the Person; failures to retry and
// failures for an operator are told apart (enrollment_result.hpp).

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "core/asio.hpp"
#include "outbound/lemlist_client.hpp"
#include "state/idempotency_store.hpp"
#include "sync/enrollment_lead.hpp"
#include "sync/enrollment_result.hpp"

namespace las::sync {

struct enrollment_processor_settings {
    std::chrono::milliseconds lease{120'000};  // longer than one record can take
};

struct record_request {
    std::string job_id;
    std::string campaign_id;
    std::string record_id;
    outbound::enrollment_flags flags;
    std::optional<std::string> icebreaker;
    std::optional<entry_ref> entry;  // triggered by this enrollment-list entry
};

// The idempotency key of one record of one job.
std::string enrollment_key(std::string_view job_id, std::string_view record_id);
// ... of an enrollment-list entry into a campaign.
std::string entry_enrollment_key(std::string_view entry_id, std::string_view campaign_id);
// The key `request` is claimed under.
std::string enrollment_key(const record_request& request);

// What a dry run shows for one record.
struct lead_preview {
    std::string record_id;
    bool readable = false;               // the Person could be read
    person_contact contact;
    std::optional<std::string> company_name;
    std::optional<std::string> problem;  // why it cannot be enrolled, or why it could not be read
};

class enrollment_processor {
public:
    enrollment_processor(attio::client& attio, outbound::lemlist_client& lemlist, state::idempotency_store& store,
                         asio::thread_pool& blocking, enrollment_processor_settings settings = {});

    awaitable<record_outcome> process(record_request request);

    // Writes `failed` and `gave_up.message` as the reason on the Person of a record given up on
    // (retries exhausted), and on its entry; true when it landed. Best effort: the caller
    // reports the record as failed either way.
    awaitable<bool> mark_failed(record_outcome gave_up);

    // Writes an answer on an enrollment-list entry (its status, reason and campaign); nullopt
    // when it landed or the entry is gone.
    awaitable<std::optional<outbound::call_error>> answer_entry(entry_ref entry, enrollment_status status,
                                                                std::string reason, std::string campaign_id);

    // Reads the Person and says what would be sent; writes nothing.
    awaitable<lead_preview> preview(std::string record_id, outbound::enrollment_flags flags);

private:
    struct person_read;
    awaitable<record_outcome> process_request(const record_request& r);
    awaitable<record_outcome> process_claimed(const record_request& r, const state::claim_result& claim);
    awaitable<record_outcome> already_done(const record_request& r);
    awaitable<result<person_read, record_outcome>> read_person(const std::string& record_id);
    awaitable<bool> record(const std::string& key, const std::string& token, std::string_view step, std::string value);

    attio::client& attio_;
    outbound::lemlist_client& lemlist_;
    state::idempotency_store& store_;
    asio::thread_pool& blocking_;
    enrollment_processor_settings settings_;
};

}  // namespace las::sync
