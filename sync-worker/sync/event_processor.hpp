#pragma once
// One Lemlist event, start to finish: idempotency claim → Person match (a new Person is
// created with the event's state in its assert) → the entry in `lemlist_events` → the
// Person's update made durably pending for the flusher (person_flusher.hpp) → complete. Each step that lands is recorded
// against the claim, so a retry (after a crash, a timeout, a redelivery) skips what already
// landed; an entry create whose fate is unknown is looked up by `activity_id` before it is
// sent again. The answer says what to do with the delivery; the consumer acts on it
// (disposition.hpp), in one place.

#include <chrono>
#include <span>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "core/settings.hpp"
#include "lemlist/event.hpp"
#include "state/idempotency_store.hpp"
#include "sync/event_filter.hpp"
#include "sync/person_flusher.hpp"
#include "sync/person_matcher.hpp"
#include "sync/write_demand.hpp"

namespace las::sync {

struct processing_outcome {
    enum class kind {
        done,         // the entry landed and the Person's update is pending (or was): ack
        duplicate,    // completed within the idempotency window: ack
        deferred,     // another worker holds the event right now: come back shortly, same attempt
        retry,        // transient failure: delayed retry, attempt + 1
        dead_letter,  // permanent: straight to the DLQ
        filtered,     // a disabled category under `[events] mode = "all"`: ack, no Attio call
    };
    kind what = kind::done;
    std::string reason;  // dead_letter: invalid_event | unmatched | no_lead_identity | attio_rejected; retry: the failure
    std::string detail;  // the last error, for x-last-error and the log
    std::optional<std::chrono::milliseconds> retry_after;
    bool person_created = false;
    std::string record_id;  // the matched Person, once known
    std::string entry_id;   // the event's entry, once written (or found)
};
std::string_view to_string(processing_outcome::kind k);

struct processor_settings {
    std::string list = std::string("lemlist_events");
    // How long a claim holds before another worker may take the event over. It is renewed
    // before each write, so it only has to outlast one step; a dead worker's events wait
    // this long before they are processed again.
    std::chrono::milliseconds lease{60'000};
    // Transient failures are first retried in place (quick_retries times, backoff tripling
    // from quick_backoff) before the event goes to the delayed-retry ladder.
    unsigned quick_retries = 3;
    std::chrono::milliseconds quick_backoff{200};
    std::vector<attribute_mapping> mappings;
    event_filter filter;
    // The idempotency window (IDEMPOTENCY_TTL_SECONDS). Past it, or for a delivery that
    // re-sends history (x-source reconcile or replay), a key new to the store proves nothing:
    // the entry is looked up by activity_id before it is created.
    std::chrono::seconds idempotency_ttl{86'400};
};

// Where a delivery comes from (its x-source header): what the store's silence means depends on it.
inline constexpr std::string_view source_reconcile = "reconcile";
inline constexpr std::string_view source_replay = "replay";

class event_processor {
public:
    event_processor(attio::client& attio, state::idempotency_store& store, person_matcher& matcher,
                    person_flusher& flusher, write_demand& demand, asio::thread_pool& blocking,
                    processor_settings settings);

    // `source`: the delivery's x-source ("webhook" when absent).
    awaitable<processing_outcome> process(const lemlist::event& ev, event_time received_at, std::string_view source = {});

private:
    awaitable<processing_outcome> process_claimed(const lemlist::event& ev, event_time received_at,
                                                  const state::claim_result& claim, std::string_view source);
    awaitable<result<std::string, outbound::call_error>> write_entry(const lemlist::event& ev, event_time occurred_at,
                                                                     const std::string& record_id, bool may_have_landed);
    awaitable<bool> record(const std::string& key, const std::string& token, std::string_view step, std::string value);
    awaitable<bool> renew(const std::string& key, const std::string& token);
    // Sleeps before quick retry `n` (1-based) when `error` is worth retrying in place.
    awaitable<bool> retry_in_place(const outbound::call_error& error, unsigned n);

    attio::client& attio_;
    state::idempotency_store& store_;
    person_matcher& matcher_;
    person_flusher& flusher_;
    write_demand& demand_;
    asio::thread_pool& blocking_;
    processor_settings settings_;
};

// Whether an event's entry may exist although the store, asked for the first time, holds no
// trace of it: the event is older than the window, or re-sent history (reconcile, replay).
bool may_predate_store(std::string_view source, event_time occurred_at, event_time now, std::chrono::seconds ttl);

// The outcome for a failed provider call.
processing_outcome outcome_of(const outbound::call_error& error);

}  // namespace las::sync
