#pragma once
// The gateway's service over the fake broker and spool, driven request by request without
// sockets: what the service tests and the app-route tests share.

#include <functional>
#include <utility>

#include "core/metrics.hpp"
#include "gateway/metrics.hpp"
#include "gateway/service.hpp"
#include "gateway/store.hpp"
#include "test_support.hpp"

namespace las::gateway::test {

struct service_fixture {
    metrics::registry registry;
    gateway_metrics metrics{registry};
    fake_broker broker;
    fake_spool spool;
    durable_store store{broker, spool, metrics};
    service svc;

    service_fixture(service_options options, std::function<sys_ms()> now)
        : svc(std::move(options), store, metrics, std::move(now)) {}

    http::response handle(http::request req) {
        return run<http::response>([this, r = std::move(req)]() mutable -> awaitable<http::response> {
            http::request local = std::move(r);
            co_return co_await svc.handle(local, http::request_info{});
        });
    }
};

}  // namespace las::gateway::test
