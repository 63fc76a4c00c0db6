#pragma once
// The gateway's Prometheus families, registered once; hot paths hold child references.

#include <array>

#include "amqp/publish_outcome.hpp"
#include "core/metrics.hpp"

namespace las::gateway {

class broker_port;
class spool_port;

struct gateway_metrics {
    explicit gateway_metrics(metrics::registry& r);

    metrics::registry& registry;
    metrics::family<metrics::counter>& requests;  // route, status
    metrics::histogram& publish_seconds;          // publish → broker outcome
    // By publish_outcome value; sized with room for outcomes the amqp area may add.
    std::array<metrics::counter*, 32> publish_outcomes{};
    metrics::family<metrics::counter>& stored;    // store = broker | spool
    metrics::counter& stored_broker;
    metrics::counter& stored_spool;
    metrics::counter& refused;                    // answered 503: neither could store
    metrics::counter& drained;                    // spooled events confirmed by the broker
    metrics::counter& drain_failures;             // drain windows that did not fully confirm
    metrics::counter& hook_type_mismatches;       // a body whose type its hook's ?type= does not deliver

    metrics::counter& outcome(amqp::publish_outcome o) { return *publish_outcomes[static_cast<std::size_t>(o)]; }
};

// Gauges read when scraped: confirms outstanding, broker connected, spool depth.
void register_state_gauges(metrics::registry& r, const broker_port& broker, const spool_port& spool);

}  // namespace las::gateway
