#pragma once
// The pool-wide idempotency store and named locks in Redis: the same key is claimable by
// exactly one worker at a time because every decision is one Lua script (atomic on the
// server) and every time comparison uses the server's clock (TIME), so workers on hosts
// whose clocks disagree still agree on who holds a lease.
//
// Layout: a hash per key, `<prefix>idem:<key>` with fields state (leased | free | done),
// token, lease_until_ms, claims and `step:<name>` per recorded step; its PEXPIRE is the
// idempotency TTL (refreshed on claim and release, set anew on completion). Named locks are
// `<prefix>lock:<name>` = token, SET NX PX, freed by compare-and-delete. Enrollment jobs are
// a hash `<prefix>job:<job_id>` (state, total, `r:<record_id>` = item), PEXPIRE = the TTL
// from the last write. Needs Redis >= 5
// (scripts that read TIME and then write are replicated by effects).

#include <chrono>
#include <memory>
#include <string>

#include "state/idempotency_store.hpp"
#include "state/job_store.hpp"
#include "state/redis_connection.hpp"

namespace las::state {

struct redis_store_options {
    std::string key_prefix = "las:";  // tests use a unique prefix per run
    std::chrono::seconds ttl{86'400};  // IDEMPOTENCY_TTL_SECONDS
};

class redis_store final : public idempotency_store, public lock_store, public job_store {
public:
    redis_store(std::shared_ptr<redis_client> client, redis_store_options options);

    result<claim_result, store_error> claim(std::string_view key, std::chrono::milliseconds lease) override;
    result<bool, store_error> record_step(std::string_view key, std::string_view token, std::string_view step,
                                          std::string_view value) override;
    result<bool, store_error> extend(std::string_view key, std::string_view token,
                                     std::chrono::milliseconds lease) override;
    result<bool, store_error> complete(std::string_view key, std::string_view token) override;
    result<bool, store_error> release(std::string_view key, std::string_view token) override;
    // PING, and SCRIPT LOAD of every script (so the first events pay no EVAL).
    result<bool, store_error> check() override;

    result<std::optional<std::string>, store_error> try_lock(std::string_view name,
                                                             std::chrono::milliseconds lease) override;
    result<bool, store_error> unlock(std::string_view name, std::string_view token) override;

    result<bool, store_error> begin_job(std::string_view job_id, std::size_t total) override;
    result<bool, store_error> settle_record(std::string_view job_id, std::string_view record_id,
                                            std::string_view item) override;
    result<bool, store_error> set_job_state(std::string_view job_id, job_state state) override;
    result<std::optional<job_progress>, store_error> get_job(std::string_view job_id) override;

    std::string job_key_of(std::string_view job_id) const { return options_.key_prefix + "job:" + std::string(job_id); }
    std::string key_of(std::string_view key) const { return options_.key_prefix + "idem:" + std::string(key); }
    std::string lock_key_of(std::string_view name) const { return options_.key_prefix + "lock:" + std::string(name); }

private:
    result<bool, store_error> run_flag(const redis_script& script, std::string_view key,
                                       const std::vector<std::string_view>& args);

    std::shared_ptr<redis_client> client_;
    redis_store_options options_;
};

}  // namespace las::state
