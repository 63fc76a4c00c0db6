#pragma once
// Picks the state backends from the worker's settings, once at start-up:
//   REDIS_URL set  → Redis for idempotency, named locks and rate gates (the pool shares them);
//   otherwise      → SQLite at <STATE_DIR>/idempotency.sqlite3 and in-process rate gates.
// Throws (start-up failure) for a malformed REDIS_URL or a STATE_DIR that cannot be used.
// An unreachable Redis is not a start-up failure: calls answer store_error until it is back;
// call check() for readiness.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/settings.hpp"
#include "state/idempotency_store.hpp"
#include "state/job_store.hpp"
#include "state/pending_state_store.hpp"
#include "state/rate_gate.hpp"
#include "state/trace_log.hpp"
#include "state/redis_connection.hpp"

namespace las::state {

struct worker_state {
    std::shared_ptr<idempotency_store> idempotency;
    std::shared_ptr<lock_store> locks;       // the same object as idempotency
    std::shared_ptr<job_store> jobs;         // the same object too (enrollment job progress)
    std::shared_ptr<redis_client> redis;     // null without REDIS_URL
    std::shared_ptr<trace_log> traces;       // what became of each event (sync-worker trace)
    std::shared_ptr<pending_state_store> pending;  // Person state not yet written to Attio

    // The gate for one provider budget (e.g. "lemlist", 20, 2s): pool-wide when Redis is
    // configured, else local to this process.
    std::shared_ptr<rate_gate> make_gate(const std::string& name, std::size_t limit,
                                         std::chrono::milliseconds window) const;
};

worker_state make_worker_state(const worker_settings& settings, redis_options options = {});

std::unique_ptr<idempotency_store> make_idempotency_store(const worker_settings& settings, redis_options options = {});

}  // namespace las::state
