#include "state/redis_pending_state.hpp"

namespace las::state {
namespace {

// KEYS: list, queue of the update's priority, head. ARGV: element, ttl, now_ms, record_id.
// NX keeps the score of the oldest update still pending.
const redis_script add_script(R"lua(
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[4])
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], tonumber(ARGV[2])) end
return 1
)lua");

// KEYS: list, written, head. The head counts the updates ever settled, so `upto` is an
// absolute position: a settle from a flush whose load another flush already overtook (a
// lock lease that ran out mid-write) trims nothing it did not load.
const redis_script load_script(R"lua(
local head = tonumber(redis.call('GET', KEYS[3]) or '0')
return {redis.call('GET', KEYS[2]), head, redis.call('LRANGE', KEYS[1], 0, -1)}
)lua");

// KEYS: list, written, rep queue, background queue, head. ARGV: upto, written, ttl, now_ms,
// record_id. What arrived during the write stays, and its Person stays queued (scored now)
// for the priorities it holds; otherwise the Person leaves the queues. A stale settle
// (upto behind the head) changes nothing.
const redis_script settle_script(R"lua(
local head = tonumber(redis.call('GET', KEYS[5]) or '0')
local upto = tonumber(ARGV[1])
if upto < head then return -1 end
if upto > head then redis.call('LTRIM', KEYS[1], upto - head, -1) end
redis.call('SET', KEYS[5], upto, 'EX', tonumber(ARGV[3]))
redis.call('SET', KEYS[2], ARGV[2], 'EX', tonumber(ARGV[3]))
local rest = redis.call('LRANGE', KEYS[1], 0, -1)
local rep, background = false, false
for _, e in ipairs(rest) do
  if string.sub(e, 1, 2) == 'r|' then rep = true else background = true end
end
if rep then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5]) else redis.call('ZREM', KEYS[3], ARGV[5]) end
if background then redis.call('ZADD', KEYS[4], ARGV[4], ARGV[5]) else redis.call('ZREM', KEYS[4], ARGV[5]) end
return #rest
)lua");

std::string ms_text(std::chrono::system_clock::time_point t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

store_error unexpected(const redis_value& v) {
    return store_error{store_error::kind::failed, v.is_error() ? v.str : "unexpected Redis reply"};
}

}  // namespace

redis_pending_state::redis_pending_state(std::shared_ptr<redis_client> redis, std::chrono::seconds ttl,
                                         std::string key_prefix)
    : redis_(std::move(redis)), ttl_seconds_(std::to_string(ttl.count())), prefix_(std::move(key_prefix)) {}

result<bool, store_error> redis_pending_state::add(std::string_view record_id, std::string_view update,
                                                   pending_priority priority,
                                                   std::chrono::system_clock::time_point now) {
    const std::string element = (priority == pending_priority::rep ? "r|" : "b|") + std::string(update);
    auto r = redis_->eval(add_script, {list_of(record_id), queue_of(priority), head_of(record_id)},
                          {element, ttl_seconds_, ms_text(now), record_id});
    if (!r) return fail(std::move(r.error()));
    return true;
}

result<std::vector<waiting_person>, store_error> redis_pending_state::oldest(pending_priority priority,
                                                                            std::size_t limit) {
    if (limit == 0) return std::vector<waiting_person>{};
    const std::string last = std::to_string(limit - 1);
    auto r = redis_->command({"ZRANGE", queue_of(priority), "0", last, "WITHSCORES"});
    if (!r) return fail(std::move(r.error()));
    if (r->kind != redis_value::type::array || r->elements.size() % 2 != 0) return fail(unexpected(*r));
    std::vector<waiting_person> out;
    for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
        const auto ms = std::chrono::milliseconds(std::stoll(r->elements[i + 1].str));
        out.push_back({r->elements[i].str, std::chrono::system_clock::time_point(ms)});
    }
    return out;
}

result<pending_person, store_error> redis_pending_state::load(std::string_view record_id) {
    auto r = redis_->eval(load_script, {list_of(record_id), written_of(record_id), head_of(record_id)}, {});
    if (!r) return fail(std::move(r.error()));
    if (r->kind != redis_value::type::array || r->elements.size() != 3) return fail(unexpected(*r));
    const auto& written = r->elements[0];
    const auto& head = r->elements[1];
    const auto& list = r->elements[2];
    pending_person out;
    if (written.kind == redis_value::type::string) out.written = written.str;
    else if (written.kind != redis_value::type::nil) return fail(unexpected(written));
    if (head.kind != redis_value::type::integer) return fail(unexpected(head));
    if (list.kind != redis_value::type::array) return fail(unexpected(list));
    for (const auto& e : list.elements) out.updates.push_back(e.str.size() >= 2 ? e.str.substr(2) : std::string());
    out.upto = head.integer + static_cast<std::int64_t>(out.updates.size());
    return out;
}

result<bool, store_error> redis_pending_state::settle(std::string_view record_id, std::int64_t upto,
                                                      std::string_view written,
                                                      std::chrono::system_clock::time_point now) {
    const std::string upto_text = std::to_string(upto);
    auto r = redis_->eval(settle_script,
                          {list_of(record_id), written_of(record_id), queue_of(pending_priority::rep),
                           queue_of(pending_priority::background), head_of(record_id)},
                          {upto_text, written, ttl_seconds_, ms_text(now), record_id});
    if (!r) return fail(std::move(r.error()));
    return r->kind == redis_value::type::integer && r->integer >= 0;  // false: a stale settle, nothing moved
}

result<std::size_t, store_error> redis_pending_state::pending_people(pending_priority priority) {
    auto r = redis_->command({"ZCARD", queue_of(priority)});
    if (!r) return fail(std::move(r.error()));
    if (r->kind != redis_value::type::integer) return fail(unexpected(*r));
    return static_cast<std::size_t>(r->integer);
}

}  // namespace las::state
