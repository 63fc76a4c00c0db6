#pragma once
// Pending Person state of a pool, in Redis:
//   las:pending:<record_id>   list of "r|<update>" / "b|<update>", oldest first
//   las:written:<record_id>   the state written last (expires with the window)
//   las:pending-head:<record_id>
//                             how many of its updates were ever settled: load's `upto`
//                             is absolute, so a stale flush's settle trims nothing
//   las:pending-queue:rep, las:pending-queue:background
//                             sorted sets of the Persons waiting, scored by the arrival
//                             (ms) of their oldest pending update of that priority
// add and settle are Lua scripts, so a Person never sits in a queue without its updates
// or the other way round. Its durability is Redis's own (appendonly with fsync everysec in
// deploy/: a Redis crash may lose the last second; a worker crash loses nothing).

#include <chrono>
#include <memory>
#include <string>

#include "state/pending_state_store.hpp"
#include "state/redis_connection.hpp"

namespace las::state {

class redis_pending_state final : public pending_state_store {
public:
    redis_pending_state(std::shared_ptr<redis_client> redis, std::chrono::seconds ttl, std::string key_prefix = "las:");

    result<bool, store_error> add(std::string_view record_id, std::string_view update, pending_priority priority,
                                  std::chrono::system_clock::time_point now) override;
    result<std::vector<waiting_person>, store_error> oldest(pending_priority priority, std::size_t limit) override;
    result<pending_person, store_error> load(std::string_view record_id) override;
    result<bool, store_error> settle(std::string_view record_id, std::int64_t upto, std::string_view written,
                                     std::chrono::system_clock::time_point now) override;
    result<std::size_t, store_error> pending_people(pending_priority priority) override;

private:
    std::string list_of(std::string_view id) const { return prefix_ + "pending:" + std::string(id); }
    std::string written_of(std::string_view id) const { return prefix_ + "written:" + std::string(id); }
    std::string head_of(std::string_view id) const { return prefix_ + "pending-head:" + std::string(id); }
    std::string queue_of(pending_priority p) const { return prefix_ + "pending-queue:" + std::string(to_string(p)); }

    std::shared_ptr<redis_client> redis_;
    std::string ttl_seconds_;
    std::string prefix_;
};

}  // namespace las::state
