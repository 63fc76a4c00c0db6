#include "state/shared_limiter.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/crypto.hpp"
#include "core/log.hpp"

namespace las::state {
namespace {

// KEYS[1] grant set, KEYS[2] pause key; ARGV: limit, window µs, unique member.
// Returns {1, now_us} on a grant, {0, wait_ms} on a refusal.
const redis_script acquire_script(R"lua(
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {0, paused} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.ceil(window / 1000) + 1000))
  return {1, now}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait_ms = math.ceil((tonumber(oldest[2]) + window - now) / 1000)
if wait_ms < 1 then wait_ms = 1 end
return {0, wait_ms}
)lua");

// KEYS[1] pause key; ARGV: ms. Only ever lengthens the pause.
const redis_script pause_script(R"lua(
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
)lua");

}  // namespace

shared_limiter::shared_limiter(std::shared_ptr<redis_client> client, std::string name, std::size_t limit,
                               std::chrono::milliseconds window, shared_limiter_options options)
    : client_(std::move(client)),
      name_(std::move(name)),
      limit_text_(std::to_string(limit)),
      window_us_text_(std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(window).count())),
      set_key_(options.key_prefix + "rl:" + name_),
      pause_key_(set_key_ + ":pause"),
      options_(std::move(options)),
      member_prefix_(crypto::random_hex(8) + ":") {
    if (!client_) throw std::invalid_argument("shared_limiter: no client");
    if (limit == 0) throw std::invalid_argument("shared_limiter: limit must be positive");
    if (window <= std::chrono::milliseconds::zero()) throw std::invalid_argument("shared_limiter: window must be positive");
}

gate_answer shared_limiter::try_acquire() { return try_acquire_timed().answer; }

shared_limiter::timed_answer shared_limiter::try_acquire_timed() {
    timed_answer out;
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    if (const auto until = local_pause_until_.load(std::memory_order_relaxed); now < until) {
        out.answer.wait = std::chrono::ceil<std::chrono::milliseconds>(std::chrono::steady_clock::duration(until - now));
        return out;
    }
    const auto member = member_prefix_ + std::to_string(sequence_.fetch_add(1, std::memory_order_relaxed));
    auto r = client_->eval(acquire_script, {set_key_, pause_key_}, {limit_text_, window_us_text_, member});
    if (r && (r->kind != redis_value::type::array || r->elements.size() != 2 ||
              r->elements[0].kind != redis_value::type::integer || r->elements[1].kind != redis_value::type::integer)) {
        r = fail(store_error{store_error::kind::failed, "redis: unexpected reply from the rate limiter"});
    }
    if (!r) {
        if (!failing_.exchange(true)) {
            log::warn("state.rate_gate_failing_safe", {{"gate", name_}, {"error", r.error().to_string()}});
        }
        out.answer.wait = options_.failure_wait;
        out.answer.error = std::move(r.error());
        return out;
    }
    if (failing_.exchange(false)) log::info("state.rate_gate_recovered", {{"gate", name_}});
    if (r->elements[0].integer == 1) {
        out.granted_at_us = r->elements[1].integer;
    } else {
        out.answer.wait = std::chrono::milliseconds(std::max<long long>(1, r->elements[1].integer));
    }
    return out;
}

std::optional<store_error> shared_limiter::pause_for(std::chrono::milliseconds duration) {
    if (duration <= std::chrono::milliseconds::zero()) return std::nullopt;
    const auto ms = std::to_string(duration.count());
    auto r = client_->eval(pause_script, {pause_key_}, {ms});
    if (r) return std::nullopt;
    // Not shared: at least this worker honours it.
    const auto until = (std::chrono::steady_clock::now() + duration).time_since_epoch().count();
    auto current = local_pause_until_.load(std::memory_order_relaxed);
    while (current < until && !local_pause_until_.compare_exchange_weak(current, until, std::memory_order_relaxed)) {
    }
    return std::move(r.error());
}

}  // namespace las::state
