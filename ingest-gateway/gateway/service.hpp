#pragma once
// The gateway's HTTP handler: route() decides, the durable store stores, and this maps the
// outcome to the response in one place. Also the probes and the access observer (access
// log line + request metrics). Called concurrently from every io thread.

#include <chrono>
#include <functional>

#include "core/time.hpp"
#include "gateway/metrics.hpp"
#include "gateway/routes.hpp"
#include "gateway/store.hpp"
#include "http/server.hpp"

namespace las::gateway {

struct service_options {
    route_config routes;
    // ?wait=true: how long to wait for the worker's reply before answering 202.
    std::chrono::milliseconds wait_timeout{30'000};
    // The Attio app's requests to the worker (query_action): how long to wait for its reply
    // before answering 504. A sync writes Lemlist hooks (one call each, rate-limited): longer.
    std::chrono::milliseconds query_timeout{10'000};
    std::chrono::milliseconds command_timeout{30'000};
    bool access_log = true;
};

class service {
public:
    using clock = std::function<sys_ms()>;

    service(service_options options, durable_store& store, gateway_metrics& metrics, clock now = system_now);

    awaitable<http::response> handle(http::request& req, const http::request_info& info);
    void on_access(const http::access_record& record);

    static sys_ms system_now();

private:
    http::response answer_stored(const http::request& req, const publish_action& action, const store_result& r) const;
    awaitable<http::response> wait_for_reply(const http::request& req, publish_action& action);
    awaitable<http::response> ask_worker(const http::request& req, const query_action& query);
    http::response probe_response(const http::request& req, probe p) const;

    service_options options_;
    durable_store& store_;
    gateway_metrics& metrics_;
    clock now_;
};

}  // namespace las::gateway
