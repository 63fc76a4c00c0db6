#pragma once
// Write-behind for Person state. The event pipeline hands each event's update to add(),
// which makes it durably pending (state/pending_state_store.hpp) and returns: the event is
// acked with its entry written and its state pending. A flush loop then writes each waiting
// Person once for all its pending updates (read, merge, PATCH what moved: person_writer),
// and settles them.
//
// Which Person, and when:
//   - an update that moves what reps act on (status, interest, paused, unsubscribed,
//     bounced) makes its Person a `rep` Person; others wait as `background`;
//   - with spare write budget (no backlog of entries: write_demand.hpp), every Person is
//     flushed once its oldest update has waited `settle_delay` (so a burst on one lead
//     shares one write): Person state lands within a second or two;
//   - during a backlog, flushes take at most `contended_share` of the write budget, rep
//     Persons first, longest-waiting first; background Persons wait for spare budget, at
//     most `background_bound`. Neither side starves: entries keep the rest of the budget,
//     flushes always keep their share, doubled while a rep Person has waited past `max_lag`.
// One flush per Person at a time in a process; the writer's pool lock covers a pool.
// A failed flush keeps its updates pending and is tried again after `retry_delay`.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/metrics.hpp"
#include "state/pending_state_store.hpp"
#include "sync/person_writer.hpp"
#include "sync/write_demand.hpp"

namespace las::sync {

struct flusher_settings {
    std::chrono::milliseconds max_lag{5'000};       // PERSON_STATE_MAX_LAG_SECONDS: rep state, budget allowing
    std::chrono::milliseconds settle_delay{1'000};  // with spare budget, a Person waits this long for more updates
    std::chrono::milliseconds background_bound{600'000};  // the longest a timestamp-only change waits for spare budget
    double contended_share = 0.02;                  // PERSON_STATE_WRITE_SHARE: of the writes, while entries wait
    double writes_per_second = 25;                  // ATTIO_WRITES_PER_SECOND
    unsigned concurrency = 8;                       // flushes in flight at once
    std::chrono::milliseconds poll{100};
    std::chrono::milliseconds retry_delay{2'000};
};

class person_flusher {
public:
    person_flusher(asio::io_context& io, state::pending_state_store& store, person_writer& writer,
                   write_demand& demand, asio::thread_pool& blocking, metrics::registry& registry,
                   flusher_settings settings);
    ~person_flusher();

    // Makes one event's update durably pending. False (with the error logged by the caller)
    // when the store did not take it: the event must not be acked.
    awaitable<result<bool, state::store_error>> add(const std::string& record_id, const person_update& update);

    // A Person just created with this state in its assert: its first update is not news to reps.
    void created(const std::string& record_id, const person_state& state);

    void start();
    // Stops taking new flushes and waits (up to `drain`) for those in flight; what is still
    // pending stays in the store for the next start.
    void stop(std::chrono::milliseconds drain);

private:
    awaitable<void> run();
    awaitable<void> launch_due();
    awaitable<void> flush(state::waiting_person who, state::pending_priority priority);
    // Under the Person's lock: load, write, settle. The delay before trying again, if any.
    awaitable<std::optional<std::chrono::milliseconds>> flush_locked(const state::waiting_person& who,
                                                                     state::pending_priority priority);
    awaitable<void> refresh_gauges();
    bool take_share_token(std::chrono::steady_clock::time_point now, bool overdue);
    void remember(const std::string& record_id, const person_state& state);

    asio::io_context& io_;
    state::pending_state_store& store_;
    person_writer& writer_;
    write_demand& demand_;
    asio::thread_pool& blocking_;
    flusher_settings settings_;

    std::atomic<bool> running_{false};
    std::atomic<std::size_t> flushing_{0};  // in_flight_.size(), readable from stop()
    std::unique_ptr<asio::steady_timer> wake_;
    std::set<std::string> in_flight_;
    std::map<std::string, std::chrono::steady_clock::time_point> retry_at_;
    std::unordered_map<std::string, person_state> known_;  // what we last wrote or queued, per Person
    double share_tokens_ = 1;
    std::chrono::steady_clock::time_point share_refilled_at_{};
    std::chrono::steady_clock::time_point gauges_at_{};

    metrics::family<metrics::counter>& flushes_;
    metrics::family<metrics::counter>& updates_;
    metrics::family<metrics::gauge>& pending_;
    metrics::family<metrics::histogram>& lag_;
    metrics::family<metrics::gauge>& worst_lag_;
};

}  // namespace las::sync
