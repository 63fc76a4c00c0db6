#pragma once
// The thin HTTP layer: adapts las::http::server requests to the emulator service and
// honours injected latency and dropped connections.

#include "attio_emulator/service.hpp"
#include "http/server.hpp"

namespace las::attio_emulator {

// A handler for las::http::server that answers with `svc` (which must outlive the server).
http::handler make_http_handler(service& svc);

}  // namespace las::attio_emulator
