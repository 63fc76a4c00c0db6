#pragma once
// `sync-worker run`: the consumer daemon. Refuses to start on an unprovisioned workspace,
// consumes `lemlist.events` until SIGTERM/SIGINT, then stops taking deliveries, lets those in
// flight settle (bounded), and exits 0. Serves /metrics, /healthz and /readyz on
// METRICS_LISTEN when set.

#include "tools/runtime.hpp"

namespace las::tools {

int run_worker(runtime& rt);

}  // namespace las::tools
