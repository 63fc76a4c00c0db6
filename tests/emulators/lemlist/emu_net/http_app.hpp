#pragma once
// Adapts the emulator core to las::http::server: Beast request → api_request, the core's
// answer → Beast response, and the side effects the core asks for (start a delivery job,
// wait for it when the client said ?wait, injected latency).

#include <memory>

#include "emu/emulator.hpp"
#include "emu_net/dispatcher.hpp"
#include "http/server.hpp"

namespace las::lemlist_emu {

class http_app {
public:
    http_app(emulator& emu, webhook_dispatcher& dispatcher) : emu_(emu), dispatcher_(dispatcher) {}

    awaitable<http::response> operator()(http::request& req, const http::request_info& info);

    // A handler for las::http::server that calls this app (which must outlive the server).
    http::handler handler();

private:
    emulator& emu_;
    webhook_dispatcher& dispatcher_;
};

}  // namespace las::lemlist_emu
