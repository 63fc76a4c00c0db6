#include "gateway/metrics.hpp"

#include <string>

#include "gateway/ports.hpp"

namespace las::gateway {

gateway_metrics::gateway_metrics(metrics::registry& r)
    : registry(r),
      requests(r.counter_family("gateway_requests_total", "HTTP requests by route and status", {"route", "status"})),
      publish_seconds(r.add_histogram("gateway_publish_duration_seconds",
                                      "Time from publish to the broker's confirm (or other outcome)")),
      stored(r.counter_family("gateway_stored_total", "Accepted messages by where they were stored", {"store"})),
      stored_broker(stored.with({"broker"})),
      stored_spool(stored.with({"spool"})),
      refused(r.add_counter("gateway_unavailable_total", "Messages answered 503: neither broker nor spool took them")),
      drained(r.add_counter("gateway_spool_drained_total", "Spooled messages confirmed by the broker and removed")),
      drain_failures(r.add_counter("gateway_spool_drain_failures_total",
                                   "Drain windows that were not fully confirmed (retried later)")),
      hook_type_mismatches(r.add_counter("gateway_hook_type_mismatches_total",
                                         "Lemlist webhooks whose body type the ?type= of their URL does not deliver "
                                         "(accepted; a hook misconfigured by hand?)")) {
    auto& outcomes = r.counter_family("gateway_publish_outcomes_total", "Broker publish outcomes", {"outcome"});
    // Every value has a name; past the last one to_string says "unknown" (one shared child).
    for (std::size_t i = 0; i < publish_outcomes.size(); ++i)
        publish_outcomes[i] = &outcomes.with({std::string(amqp::to_string(static_cast<amqp::publish_outcome>(i)))});
}

void register_state_gauges(metrics::registry& r, const broker_port& broker, const spool_port& spool) {
    r.add_callback_gauge("gateway_confirms_outstanding", "Publishes waiting for the broker's confirm",
                         [&broker] { return static_cast<double>(broker.outstanding()); });
    r.add_callback_gauge("gateway_broker_connected", "1 when the publisher is connected to the broker",
                         [&broker] { return broker.connected() ? 1.0 : 0.0; });
    r.add_callback_gauge("gateway_spool_events", "Events waiting in the local spool",
                         [&spool] { return static_cast<double>(spool.events()); });
    r.add_callback_gauge("gateway_spool_bytes", "Payload bytes waiting in the local spool",
                         [&spool] { return static_cast<double>(spool.bytes()); });
    r.add_callback_gauge("gateway_spool_writable", "1 when the spool accepts writes",
                         [&spool] { return spool.writable() ? 1.0 : 0.0; });
}

}  // namespace las::gateway
