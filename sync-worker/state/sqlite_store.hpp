#pragma once
// The embedded idempotency store and named locks for a single node: one SQLite file under
// STATE_DIR (WAL, FULL sync, busy timeout). Thread-safe (one connection behind a mutex), and
// safe across processes sharing the file: every decision runs inside BEGIN IMMEDIATE.
// Time comes from an injected clock, so tests expire leases and TTLs without sleeping.
// Expired rows are purged lazily, on every `purge_every`-th claim.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "state/idempotency_store.hpp"
#include "state/job_store.hpp"
#include "state/sqlite_db.hpp"

namespace las::state {

struct sqlite_store_options {
    using clock_fn = std::function<std::chrono::system_clock::time_point()>;

    std::filesystem::path directory = "./state";  // created when missing
    std::string file_name = "idempotency.sqlite3";
    std::chrono::seconds ttl{86'400};              // IDEMPOTENCY_TTL_SECONDS
    std::chrono::milliseconds busy_timeout{5'000};  // wait for another process's write lock
    unsigned purge_every = 1'000;                  // claims between purges of expired rows
    clock_fn clock = [] { return std::chrono::system_clock::now(); };
};

class sqlite_store final : public idempotency_store, public lock_store, public job_store {
public:
    // Creates the directory, opens the file and its schema. Throws std::runtime_error
    // (a start-up failure) when that is impossible.
    explicit sqlite_store(sqlite_store_options options);

    result<claim_result, store_error> claim(std::string_view key, std::chrono::milliseconds lease) override;
    result<bool, store_error> record_step(std::string_view key, std::string_view token, std::string_view step,
                                          std::string_view value) override;
    result<bool, store_error> extend(std::string_view key, std::string_view token,
                                     std::chrono::milliseconds lease) override;
    result<bool, store_error> complete(std::string_view key, std::string_view token) override;
    result<bool, store_error> release(std::string_view key, std::string_view token) override;
    result<bool, store_error> check() override;

    result<std::optional<std::string>, store_error> try_lock(std::string_view name,
                                                             std::chrono::milliseconds lease) override;
    result<bool, store_error> unlock(std::string_view name, std::string_view token) override;

    result<bool, store_error> begin_job(std::string_view job_id, std::size_t total) override;
    result<bool, store_error> settle_record(std::string_view job_id, std::string_view record_id,
                                            std::string_view item) override;
    result<bool, store_error> set_job_state(std::string_view job_id, job_state state) override;
    result<std::optional<job_progress>, store_error> get_job(std::string_view job_id) override;

    // Deletes keys past their TTL (with their steps), expired locks and jobs; returns the rows removed.
    result<std::int64_t, store_error> purge_expired();
    // Keys stored, expired or not (for tests and operators).
    result<std::int64_t, store_error> stored_keys();

    const std::filesystem::path& file() const { return file_; }

private:
    std::int64_t now_ms() const;
    result<std::int64_t, store_error> purge_locked(std::int64_t now);

    sqlite_store_options options_;
    std::filesystem::path file_;
    std::mutex mutex_;
    sqlite::database db_;
    sqlite::statement select_key_;
    sqlite::statement select_steps_;
    sqlite::statement delete_steps_;
    sqlite::statement upsert_claim_;
    sqlite::statement insert_step_;
    sqlite::statement extend_;
    sqlite::statement complete_;
    sqlite::statement release_;
    sqlite::statement purge_steps_;
    sqlite::statement purge_keys_;
    sqlite::statement purge_locks_;
    sqlite::statement count_keys_;
    sqlite::statement select_lock_;
    sqlite::statement upsert_lock_;
    sqlite::statement delete_lock_;
    sqlite::statement select_job_;
    sqlite::statement upsert_job_;
    sqlite::statement delete_job_results_;
    sqlite::statement insert_job_result_;
    sqlite::statement touch_job_;
    sqlite::statement update_job_state_;
    sqlite::statement select_job_results_;
    sqlite::statement purge_job_results_;
    sqlite::statement purge_jobs_;
    std::uint64_t claims_since_purge_ = 0;
};

}  // namespace las::state
