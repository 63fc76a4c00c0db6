#pragma once
// The trace log of a pool: one Redis list per key (`las:trace:<key>`), trimmed to the last
// max_trace_lines and expiring with the idempotency window.

#include <chrono>
#include <memory>
#include <string>

#include "state/redis_connection.hpp"
#include "state/trace_log.hpp"

namespace las::state {

class redis_trace_log final : public trace_log {
public:
    redis_trace_log(std::shared_ptr<redis_client> redis, std::chrono::seconds ttl, std::string key_prefix = "las:");

    result<bool, store_error> append(std::string_view key, std::string_view line) override;
    result<std::vector<std::string>, store_error> lines(std::string_view key) override;

private:
    std::string list_of(std::string_view key) const { return prefix_ + "trace:" + std::string(key); }

    std::shared_ptr<redis_client> redis_;
    std::string ttl_seconds_;
    std::string prefix_;
};

}  // namespace las::state
