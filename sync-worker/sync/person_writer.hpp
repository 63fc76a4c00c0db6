#pragma once
// Writes the Person side of the pair, for the flusher (person_flusher.hpp): reads the Person
// fresh, merges what is pending for it (pending_state.hpp) into its Lemlist state, and
// PATCHes only what moved (nothing at all when nothing moved, to spare Attio's write budget).
//
// Across a worker pool, the flusher holds a named lock (`person:<record_id>`, in Redis;
// lock()/unlock() here) around its load-read-merge-write-settle, so two workers never
// interleave on one Person, state never moves back, and neither settles what the other
// loaded. One process needs no lock: its flusher writes a Person once at a time.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "state/idempotency_store.hpp"
#include "sync/pending_state.hpp"
#include "sync/person_state.hpp"

namespace las::sync {

// One event's contribution to its Person, as the event pipeline hands it over.
struct person_update {
    event_facts facts;
    std::string mapping_values = "{}";         // custom Person mappings (compact JSON object)
    std::optional<std::string> email;          // added to the Person when it lacks it
    std::optional<std::string> linkedin_url;   // normalised; set when the Person has none
};

struct person_write_result {
    bool written = false;  // false: nothing moved, no PATCH was sent
    person_state after;    // the Person's state once the write landed
};

struct person_writer_options {
    std::chrono::milliseconds lock_lease{30'000};
    std::chrono::milliseconds lock_wait{20'000};  // give up (transient) after waiting this long for the pool lock
};

class person_writer {
public:
    // `locks` may be null (one worker process); `blocking` runs the lock calls.
    person_writer(attio::client& attio, state::lock_store* locks, asio::thread_pool& blocking,
                  person_writer_options options = {});

    awaitable<result<person_write_result, outbound::call_error>> write(const std::string& record_id,
                                                                       pending_state pending);

    // The pool lock on one Person: its token, or nullopt without a lock store (one process).
    awaitable<result<std::optional<std::string>, outbound::call_error>> lock(const std::string& record_id);
    awaitable<void> unlock(const std::string& record_id, std::string token);

    // The PATCH body's `values` bringing a Person whose current values are `values` up to
    // `pending`, or "" when nothing moves. Exposed for tests, with a form for loose updates.
    static std::string patch_for(const rapidjson::Value& values, const pending_state& pending, event_time now);
    static std::string patch_for(const rapidjson::Value& values, const std::vector<person_update>& updates,
                                 event_time now);

    // What a new Person's assert carries beside its identity: the state and mappings of its
    // first event, so creation costs one write, not a create and a PATCH.
    static std::string creation_state_values(const pending_state& pending, event_time now);

private:
    attio::client& attio_;
    state::lock_store* locks_;
    asio::thread_pool& blocking_;
    person_writer_options options_;
};

}  // namespace las::sync
