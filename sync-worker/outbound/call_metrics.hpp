#pragma once
// Counters for one provider's calls, registered once per process (the registry refuses
// nothing, so registering the same family twice would expose it twice):
//
//   <provider>_api_calls_total{operation, status}   status: HTTP status, or the transport
//                                                    failure ("timeout", "connect_failed")
//   <provider>_api_rate_limited_total{operation}    429 answers received
//   <provider>_api_gate_waits_total{operation}      calls that had to wait for the rate gate

#include <string>
#include <string_view>

#include "core/metrics.hpp"

namespace las::outbound {

class call_metrics {
public:
    // `provider` is a metric name prefix: "attio", "lemlist".
    call_metrics(metrics::registry& registry, std::string_view provider);

    void count_call(std::string_view operation, std::string_view status);
    void count_rate_limited(std::string_view operation);
    void count_gate_wait(std::string_view operation);

private:
    metrics::family<metrics::counter>& calls_;
    metrics::family<metrics::counter>& rate_limited_;
    metrics::family<metrics::counter>& gate_waits_;
};

}  // namespace las::outbound
