#include "state/redis_trace_log.hpp"

namespace las::state {
namespace {

// RPUSH, trim to the newest lines, and (re)start the window: one round trip, atomically.
const redis_script append_script(R"lua(
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
)lua");

store_error unexpected(const redis_value& v) {
    return store_error{store_error::kind::failed, v.is_error() ? v.str : "unexpected Redis reply"};
}

}  // namespace

redis_trace_log::redis_trace_log(std::shared_ptr<redis_client> redis, std::chrono::seconds ttl, std::string key_prefix)
    : redis_(std::move(redis)), ttl_seconds_(std::to_string(ttl.count())), prefix_(std::move(key_prefix)) {}

result<bool, store_error> redis_trace_log::append(std::string_view key, std::string_view line) {
    const std::string list = list_of(key);
    const std::string keep = std::to_string(max_trace_lines);
    auto r = redis_->eval(append_script, {list}, {line, keep, ttl_seconds_});
    if (!r) return fail(std::move(r.error()));
    return true;
}

result<std::vector<std::string>, store_error> redis_trace_log::lines(std::string_view key) {
    const std::string list = list_of(key);
    auto r = redis_->command({"LRANGE", list, "0", "-1"});
    if (!r) return fail(std::move(r.error()));
    if (r->kind != redis_value::type::array) return fail(unexpected(*r));
    std::vector<std::string> out;
    for (const auto& e : r->elements) out.push_back(e.str);
    return out;
}

}  // namespace las::state
