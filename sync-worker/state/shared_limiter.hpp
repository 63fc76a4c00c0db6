#pragma once
// The pool-wide rate_gate: every worker of the pool draws on one budget in Redis, with the
// semantics of las::window_limiter (at most `limit` grants in ANY interval of `window`).
// A sorted set `<prefix>rl:<name>` holds the grant times of the last window (scores in
// microseconds of the Redis server's clock, members unique per grant); one Lua script trims
// what is older than now - window, grants when fewer than `limit` remain, else answers the
// wait (oldest + window - now). A 429's Retry-After is `<prefix>rl:<name>:pause` with PX,
// seen by every worker. When Redis cannot answer, the gate fails safe: it refuses with a
// short wait and reports the error, never grants unchecked.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "state/rate_gate.hpp"
#include "state/redis_connection.hpp"

namespace las::state {

struct shared_limiter_options {
    std::string key_prefix = "las:";
    std::chrono::milliseconds failure_wait{250};  // the refusal's wait while Redis cannot answer
};

class shared_limiter final : public rate_gate {
public:
    shared_limiter(std::shared_ptr<redis_client> client, std::string name, std::size_t limit,
                   std::chrono::milliseconds window, shared_limiter_options options = {});

    gate_answer try_acquire() override;
    std::optional<store_error> pause_for(std::chrono::milliseconds duration) override;
    const std::string& name() const override { return name_; }

    // Like try_acquire, and on a grant also the server time it was granted at (µs since the
    // epoch by the Redis clock): what the tests check the sliding windows against.
    struct timed_answer {
        gate_answer answer;
        std::int64_t granted_at_us = 0;
    };
    timed_answer try_acquire_timed();

private:
    std::shared_ptr<redis_client> client_;
    std::string name_;
    std::string limit_text_;
    std::string window_us_text_;
    std::string set_key_;
    std::string pause_key_;
    shared_limiter_options options_;
    std::string member_prefix_;  // random per object: members stay unique across the pool
    std::atomic<std::uint64_t> sequence_{0};
    // A pause that could not be shared (Redis down) still holds in this worker.
    std::atomic<std::chrono::steady_clock::rep> local_pause_until_{0};
    std::atomic<bool> failing_{false};
};

}  // namespace las::state
