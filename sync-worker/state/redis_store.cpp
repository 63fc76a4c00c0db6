#include "state/redis_store.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "core/crypto.hpp"

namespace las::state {
namespace {

// Server time in ms, and integers formatted without Lua's %.14g exponent.
#define LAS_LUA_PRELUDE                                                                 \
    "local function now_ms()\n"                                                         \
    "  local t = redis.call('TIME')\n"                                                  \
    "  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"              \
    "end\n"                                                                             \
    "local function fmt(n) return string.format('%.0f', n) end\n"

// KEYS[1] hash; ARGV: new token, lease ms, ttl ms.
// Returns {status, token, lease_remaining_ms, claims, step, value, ...}.
const redis_script claim_script(LAS_LUA_PRELUDE R"lua(
local now = now_ms()
local lease = tonumber(ARGV[2])
local ttl = math.max(tonumber(ARGV[3]), lease)
local h = redis.call('HMGET', KEYS[1], 'state', 'lease_until_ms', 'claims')
local claims = tonumber(h[3]) or 0
if h[1] == 'done' then return {'already_done', '', 0, claims} end
if h[1] == 'leased' then
  local remaining = (tonumber(h[2]) or 0) - now
  if remaining > 0 then return {'held_elsewhere', '', remaining, claims} end
end
claims = claims + 1
redis.call('HSET', KEYS[1], 'state', 'leased', 'token', ARGV[1], 'lease_until_ms', fmt(now + lease),
           'claims', fmt(claims))
redis.call('PEXPIRE', KEYS[1], fmt(ttl))
local out = {'claimed', ARGV[1], 0, claims}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 5) == 'step:' then
    out[#out + 1] = string.sub(all[i], 6)
    out[#out + 1] = all[i + 1]
  end
end
return out
)lua");

// KEYS[1] hash; ARGV: token, step, value. 1 when recorded, 0 when the token lost the key.
const redis_script record_step_script(R"lua(
local h = redis.call('HMGET', KEYS[1], 'state', 'token')
if h[1] ~= 'leased' or h[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'step:' .. ARGV[2], ARGV[3])
return 1
)lua");

// KEYS[1] hash; ARGV: token, lease ms.
const redis_script extend_script(LAS_LUA_PRELUDE R"lua(
local h = redis.call('HMGET', KEYS[1], 'state', 'token')
if h[1] ~= 'leased' or h[2] ~= ARGV[1] then return 0 end
local lease = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'lease_until_ms', fmt(now_ms() + lease))
if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
)lua");

// KEYS[1] hash; ARGV: token, ttl ms. The steps are dropped; the token stays so that a retried
// complete (its first answer lost) still says 1.
const redis_script complete_script(R"lua(
local h = redis.call('HMGET', KEYS[1], 'state', 'token', 'claims')
if h[2] ~= ARGV[1] or (h[1] ~= 'leased' and h[1] ~= 'done') then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'done', 'token', ARGV[1], 'claims', h[3] or '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua");

// KEYS[1] hash; ARGV: token, ttl ms. The steps stay, for a full TTL from now.
const redis_script release_script(R"lua(
local h = redis.call('HMGET', KEYS[1], 'state', 'token')
if h[1] ~= 'leased' or h[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'free', 'token', '', 'lease_until_ms', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua");

// KEYS[1] lock; ARGV: token.
const redis_script unlock_script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");

// KEYS[1] job hash; ARGV: total, ttl ms. A done job starts over without its results.
const redis_script begin_job_script(R"lua(
if redis.call('HGET', KEYS[1], 'state') == 'done' then redis.call('DEL', KEYS[1]) end
redis.call('HSET', KEYS[1], 'state', 'running', 'total', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua");

// KEYS[1] job hash; ARGV: record id, item, ttl ms. 1 when this item is the record's first.
const redis_script settle_record_script(R"lua(
local added = redis.call('HSETNX', KEYS[1], 'r:' .. ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[1], 'state', 'running')
redis.call('HSETNX', KEYS[1], 'total', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return added
)lua");

// KEYS[1] job hash; ARGV: state, ttl ms.
const redis_script set_job_state_script(R"lua(
redis.call('HSET', KEYS[1], 'state', ARGV[1])
redis.call('HSETNX', KEYS[1], 'total', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua");

#undef LAS_LUA_PRELUDE

store_error unexpected(std::string_view what) {
    return {store_error::kind::failed, "redis: unexpected reply to " + std::string(what)};
}

void require_positive(std::chrono::milliseconds lease) {
    if (lease <= std::chrono::milliseconds::zero()) throw std::invalid_argument("lease must be positive");
}

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()); }

}  // namespace

redis_store::redis_store(std::shared_ptr<redis_client> client, redis_store_options options)
    : client_(std::move(client)), options_(std::move(options)) {
    if (!client_) throw std::invalid_argument("redis_store: no client");
}

result<claim_result, store_error> redis_store::claim(std::string_view key, std::chrono::milliseconds lease) {
    require_positive(lease);
    const auto token = crypto::random_hex(16);
    const auto hash = key_of(key);
    const auto lease_ms = ms_text(lease);
    const auto ttl_ms = ms_text(options_.ttl);
    auto r = client_->eval(claim_script, {hash}, {token, lease_ms, ttl_ms});
    if (!r) return fail(std::move(r.error()));
    const auto& v = *r;
    if (v.kind != redis_value::type::array || v.elements.size() < 4 || v.elements.size() % 2 != 0) {
        return fail(unexpected("claim"));
    }
    claim_result out;
    const auto& status = v.elements[0].str;
    if (status == "claimed") {
        out.status = claim_status::claimed;
    } else if (status == "already_done") {
        out.status = claim_status::already_done;
    } else if (status == "held_elsewhere") {
        out.status = claim_status::held_elsewhere;
    } else {
        return fail(unexpected("claim"));
    }
    out.token = v.elements[1].str;
    out.lease_remaining = std::chrono::milliseconds(v.elements[2].integer);
    out.claims = static_cast<unsigned>(v.elements[3].integer);
    for (std::size_t i = 4; i + 1 < v.elements.size(); i += 2) out.steps.emplace(v.elements[i].str, v.elements[i + 1].str);
    return out;
}

result<bool, store_error> redis_store::run_flag(const redis_script& script, std::string_view key,
                                                const std::vector<std::string_view>& args) {
    auto r = client_->eval(script, {key}, args);
    if (!r) return fail(std::move(r.error()));
    if (r->kind != redis_value::type::integer) return fail(unexpected("a state script"));
    return r->integer == 1;
}

result<bool, store_error> redis_store::record_step(std::string_view key, std::string_view token,
                                                   std::string_view step, std::string_view value) {
    return run_flag(record_step_script, key_of(key), {token, step, value});
}

result<bool, store_error> redis_store::extend(std::string_view key, std::string_view token,
                                              std::chrono::milliseconds lease) {
    require_positive(lease);
    return run_flag(extend_script, key_of(key), {token, ms_text(lease)});
}

result<bool, store_error> redis_store::complete(std::string_view key, std::string_view token) {
    return run_flag(complete_script, key_of(key), {token, ms_text(options_.ttl)});
}

result<bool, store_error> redis_store::release(std::string_view key, std::string_view token) {
    return run_flag(release_script, key_of(key), {token, ms_text(options_.ttl)});
}

result<bool, store_error> redis_store::check() {
    if (auto r = client_->ping(); !r) return r;
    for (const auto* s : {&claim_script, &record_step_script, &extend_script, &complete_script, &release_script,
                          &unlock_script, &begin_job_script, &settle_record_script, &set_job_state_script}) {
        if (auto r = client_->load(*s); !r) return r;
    }
    return true;
}

result<std::optional<std::string>, store_error> redis_store::try_lock(std::string_view name,
                                                                      std::chrono::milliseconds lease) {
    require_positive(lease);
    auto token = crypto::random_hex(16);
    const auto key = lock_key_of(name);
    const auto px = ms_text(lease);
    auto r = client_->command({"SET", key, token, "NX", "PX", px});
    if (!r) return fail(std::move(r.error()));
    if (r->kind == redis_value::type::nil) return std::optional<std::string>{};
    if (r->kind == redis_value::type::status && r->str == "OK") return std::optional<std::string>(std::move(token));
    return fail(unexpected("SET NX PX"));
}

result<bool, store_error> redis_store::unlock(std::string_view name, std::string_view token) {
    return run_flag(unlock_script, lock_key_of(name), {token});
}

result<bool, store_error> redis_store::begin_job(std::string_view job_id, std::size_t total) {
    return run_flag(begin_job_script, job_key_of(job_id), {std::to_string(total), ms_text(options_.ttl)});
}

result<bool, store_error> redis_store::settle_record(std::string_view job_id, std::string_view record_id,
                                                     std::string_view item) {
    return run_flag(settle_record_script, job_key_of(job_id), {record_id, item, ms_text(options_.ttl)});
}

result<bool, store_error> redis_store::set_job_state(std::string_view job_id, job_state state) {
    return run_flag(set_job_state_script, job_key_of(job_id), {to_string(state), ms_text(options_.ttl)});
}

result<std::optional<job_progress>, store_error> redis_store::get_job(std::string_view job_id) {
    const auto key = job_key_of(job_id);
    auto r = client_->command({"HGETALL", key});
    if (!r) return fail(std::move(r.error()));
    if (r->kind != redis_value::type::array || r->elements.size() % 2 != 0) return fail(unexpected("HGETALL"));
    if (r->elements.empty()) return std::optional<job_progress>{};
    job_progress out;
    out.state = job_state::running;
    for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
        const auto& field = r->elements[i].str;
        const auto& value = r->elements[i + 1].str;
        if (field == "state") out.state = job_state_from(value).value_or(job_state::running);
        else if (field == "total") out.total = static_cast<std::size_t>(std::strtoull(value.c_str(), nullptr, 10));
        else if (field.starts_with("r:")) out.results.emplace_back(field.substr(2), value);
    }
    std::sort(out.results.begin(), out.results.end());
    return std::optional<job_progress>(std::move(out));
}

}  // namespace las::state
