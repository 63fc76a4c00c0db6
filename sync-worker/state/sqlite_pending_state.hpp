#pragma once
// Pending Person state of a single node: its own SQLite file beside the idempotency store
// (pending.sqlite3 under STATE_DIR), written with synchronous=FULL: an event is acked once
// its update is here, so the update must survive the machine, not only the process.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>

#include "state/pending_state_store.hpp"
#include "state/sqlite_db.hpp"

namespace las::state {

struct sqlite_pending_options {
    std::filesystem::path directory = "./state";
    std::string file_name = "pending.sqlite3";
    std::chrono::seconds ttl{86'400};  // how long the state written last is kept
    unsigned purge_every = 1'000;      // settles between purges of expired written state
};

class sqlite_pending_state final : public pending_state_store {
public:
    explicit sqlite_pending_state(sqlite_pending_options options);  // throws when the file cannot be opened

    result<bool, store_error> add(std::string_view record_id, std::string_view update, pending_priority priority,
                                  std::chrono::system_clock::time_point now) override;
    result<std::vector<waiting_person>, store_error> oldest(pending_priority priority, std::size_t limit) override;
    result<pending_person, store_error> load(std::string_view record_id) override;
    result<bool, store_error> settle(std::string_view record_id, std::int64_t upto, std::string_view written,
                                     std::chrono::system_clock::time_point now) override;
    result<std::size_t, store_error> pending_people(pending_priority priority) override;

private:
    sqlite_pending_options options_;
    std::mutex mutex_;
    sqlite::database db_;
    sqlite::statement insert_;
    sqlite::statement oldest_;
    sqlite::statement select_written_;
    sqlite::statement select_updates_;
    sqlite::statement consume_;
    sqlite::statement put_written_;
    sqlite::statement purge_;
    sqlite::statement count_;
    unsigned settles_ = 0;
};

}  // namespace las::state
