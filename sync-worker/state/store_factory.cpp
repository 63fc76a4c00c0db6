#include "state/store_factory.hpp"

#include "state/local_rate_gate.hpp"
#include "state/redis_pending_state.hpp"
#include "state/redis_store.hpp"
#include "state/redis_trace_log.hpp"
#include "state/shared_limiter.hpp"
#include "state/sqlite_pending_state.hpp"
#include "state/sqlite_store.hpp"
#include "state/sqlite_trace_log.hpp"

namespace las::state {
namespace {

sqlite_store_options sqlite_options(const worker_settings& settings) {
    sqlite_store_options o;
    o.directory = settings.state_dir;
    o.ttl = settings.idempotency_ttl;
    return o;
}

redis_store_options redis_options_of(const worker_settings& settings) {
    redis_store_options o;
    o.ttl = settings.idempotency_ttl;
    return o;
}

}  // namespace

std::shared_ptr<rate_gate> worker_state::make_gate(const std::string& name, std::size_t limit,
                                                   std::chrono::milliseconds window) const {
    if (redis) return std::make_shared<shared_limiter>(redis, name, limit, window);
    return std::make_shared<local_rate_gate>(name, limit, window);
}

worker_state make_worker_state(const worker_settings& settings, redis_options options) {
    worker_state out;
    if (settings.redis_url) {
        out.redis = std::make_shared<redis_client>(*settings.redis_url, options);
        auto store = std::make_shared<redis_store>(out.redis, redis_options_of(settings));
        out.idempotency = store;
        out.locks = store;
        out.traces = std::make_shared<redis_trace_log>(out.redis, settings.idempotency_ttl);
        out.jobs = store;
        out.pending = std::make_shared<redis_pending_state>(out.redis, settings.idempotency_ttl);
    } else {
        auto store = std::make_shared<sqlite_store>(sqlite_options(settings));
        out.idempotency = store;
        out.locks = store;
        sqlite_trace_options trace;
        trace.directory = settings.state_dir;
        trace.ttl = settings.idempotency_ttl;
        out.traces = std::make_shared<sqlite_trace_log>(trace);
        out.jobs = store;
        sqlite_pending_options pending;
        pending.directory = settings.state_dir;
        pending.ttl = settings.idempotency_ttl;
        out.pending = std::make_shared<sqlite_pending_state>(pending);
    }
    return out;
}

std::unique_ptr<idempotency_store> make_idempotency_store(const worker_settings& settings, redis_options options) {
    if (settings.redis_url) {
        return std::make_unique<redis_store>(std::make_shared<redis_client>(*settings.redis_url, options),
                                             redis_options_of(settings));
    }
    return std::make_unique<sqlite_store>(sqlite_options(settings));
}

}  // namespace las::state
