#pragma once
// The trace log of a single node: its own SQLite file beside the idempotency store
// (trace.sqlite3 under STATE_DIR), so a trace write never holds the claims' write lock.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>

#include "state/sqlite_db.hpp"
#include "state/trace_log.hpp"

namespace las::state {

struct sqlite_trace_options {
    std::filesystem::path directory = "./state";
    std::string file_name = "trace.sqlite3";
    std::chrono::seconds ttl{86'400};
    unsigned purge_every = 1'000;  // appends between purges of expired lines
    std::function<std::chrono::system_clock::time_point()> clock = [] { return std::chrono::system_clock::now(); };
};

class sqlite_trace_log final : public trace_log {
public:
    explicit sqlite_trace_log(sqlite_trace_options options);  // throws when the file cannot be opened

    result<bool, store_error> append(std::string_view key, std::string_view line) override;
    result<std::vector<std::string>, store_error> lines(std::string_view key) override;

private:
    std::int64_t now_ms() const;

    sqlite_trace_options options_;
    std::mutex mutex_;
    sqlite::database db_;
    sqlite::statement insert_;
    sqlite::statement trim_;
    sqlite::statement select_;
    sqlite::statement purge_;
    unsigned appends_ = 0;
};

}  // namespace las::state
