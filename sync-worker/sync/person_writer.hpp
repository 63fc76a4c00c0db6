#pragma once
// Writes the Person side of the pair: reads the Person fresh, merges the events' facts into
// its Lemlist state (person_state.hpp), and PATCHes only what moved (nothing at all when
// nothing moved, to spare Attio's write budget).
//
// Updates for one Person are serialised and coalesced: while a write for a Person is in
// flight (or lingering a moment), further events for that Person join the next write, so a
// burst of events on one lead costs one read and one write. Every caller is answered when
// the write that carried its facts landed (or failed).
//
// Concurrency: the per-Person queue lives on the worker's single I/O thread (all callers and
// the flush coroutines run on one io_context thread, so it needs no lock). Across a worker
// pool, a named lock (`person:<record_id>`, in Redis) serialises the read-merge-write, so two
// workers never interleave their reads and writes on one Person and state never moves back.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "attio/client.hpp"
#include "state/idempotency_store.hpp"
#include "sync/person_state.hpp"

namespace las::sync {

struct person_update {
    event_facts facts;
    std::string mapping_values = "{}";         // custom Person mappings (compact JSON object)
    std::optional<std::string> email;          // added to the Person when it lacks it
    std::optional<std::string> linkedin_url;   // normalised; set when the Person has none
};

struct person_write_result {
    bool written = false;  // false: nothing moved, no PATCH was sent
    std::size_t coalesced = 1;  // how many updates the write carried
};

struct person_writer_options {
    std::chrono::milliseconds linger{0};       // wait before a write so more updates can join it
    std::chrono::milliseconds lock_lease{30'000};
    std::chrono::milliseconds lock_wait{20'000};  // give up (transient) after waiting this long for the pool lock
};

class person_writer {
public:
    // `locks` may be null (one worker process: the in-process queue is enough); `blocking`
    // runs the lock calls.
    person_writer(attio::client& attio, state::lock_store* locks, asio::thread_pool& blocking,
                  person_writer_options options = {});

    awaitable<result<person_write_result, outbound::call_error>> apply(std::string record_id, person_update update);

    // The PATCH body's `values` for these updates on a Person whose current values are
    // `values`, or "" when nothing moves. Exposed for tests.
    static std::string patch_for(const rapidjson::Value& values, const std::vector<person_update>& updates,
                                 event_time now);

private:
    struct waiter;
    struct queue;
    awaitable<void> flush(std::string record_id, std::shared_ptr<queue> q);
    awaitable<result<person_write_result, outbound::call_error>> write_batch(const std::string& record_id,
                                                                             std::vector<person_update> batch);
    awaitable<result<std::optional<std::string>, outbound::call_error>> lock(const std::string& record_id);
    awaitable<void> unlock(const std::string& record_id, std::string token);

    attio::client& attio_;
    state::lock_store* locks_;
    asio::thread_pool& blocking_;
    person_writer_options options_;
    std::map<std::string, std::shared_ptr<queue>> queues_;
};

}  // namespace las::sync
