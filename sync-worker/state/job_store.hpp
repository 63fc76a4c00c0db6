#pragma once
// Per-job progress of enrollment jobs, for GET /v1/enrollments/{job_id}: what the worker has
// seen of a job and which of its records have settled, bounded by the idempotency TTL
// (counted from the job's last update). The enrollment pipeline writes it as records settle;
// the worker's request consumer reads it.
//
//   begin(job, total)         a worker took the job: running (a job that was done starts
//                             over with no results: a replay of a dead-lettered job)
//   settle(job, record, item) a record has its final status; the FIRST item is kept (a
//                             redelivery's "already processed" does not overwrite the verdict)
//   set_state(job, queued)    back in the queue (retry ladder, deferred, requeued)
//   set_state(job, done)      every record settled
//   get(job)                  nullopt: never seen (or past the TTL)
//
// Items are opaque JSON text (the reply items of enrollment_job.hpp). Every call answers a
// store_error instead of throwing when the store cannot be reached.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "state/store_error.hpp"

namespace las::state {

enum class job_state { queued, running, done };
std::string_view to_string(job_state s);
std::optional<job_state> job_state_from(std::string_view s);

struct job_progress {
    job_state state = job_state::queued;
    std::size_t total = 0;                                      // records in the job
    std::vector<std::pair<std::string, std::string>> results;   // record_id → item JSON, by record_id
};

class job_store {
public:
    virtual ~job_store() = default;
    virtual result<bool, store_error> begin_job(std::string_view job_id, std::size_t total) = 0;
    virtual result<bool, store_error> settle_record(std::string_view job_id, std::string_view record_id,
                                                    std::string_view item) = 0;
    virtual result<bool, store_error> set_job_state(std::string_view job_id, job_state state) = 0;
    virtual result<std::optional<job_progress>, store_error> get_job(std::string_view job_id) = 0;
};

inline std::string_view to_string(job_state s) {
    switch (s) {
        case job_state::queued: return "queued";
        case job_state::running: return "running";
        case job_state::done: return "done";
    }
    return "queued";
}

inline std::optional<job_state> job_state_from(std::string_view s) {
    for (auto v : {job_state::queued, job_state::running, job_state::done})
        if (to_string(v) == s) return v;
    return std::nullopt;
}

}  // namespace las::state
