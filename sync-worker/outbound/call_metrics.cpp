#include "outbound/call_metrics.hpp"

namespace las::outbound {

call_metrics::call_metrics(metrics::registry& registry, std::string_view provider)
    : calls_(registry.counter_family(std::string(provider) + "_api_calls_total",
                                     "Calls to the " + std::string(provider) + " API by operation and answer",
                                     {"operation", "status"})),
      rate_limited_(registry.counter_family(std::string(provider) + "_api_rate_limited_total",
                                            "429 answers from the " + std::string(provider) + " API",
                                            {"operation"})),
      gate_waits_(registry.counter_family(std::string(provider) + "_api_gate_waits_total",
                                          "Calls to the " + std::string(provider) +
                                              " API that waited for the client-side rate gate",
                                          {"operation"})) {}

void call_metrics::count_call(std::string_view operation, std::string_view status) {
    calls_.with({std::string(operation), std::string(status)}).inc();
}

void call_metrics::count_rate_limited(std::string_view operation) {
    rate_limited_.with({std::string(operation)}).inc();
}

void call_metrics::count_gate_wait(std::string_view operation) {
    gate_waits_.with({std::string(operation)}).inc();
}

}  // namespace las::outbound
