#include "tools/run_command.hpp"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>

#include "amqp/publisher.hpp"
#include "amqp/topology.hpp"
#include "amqp/url.hpp"
#include "core/log.hpp"
#include "http/server.hpp"
#include "sync/event_pipeline.hpp"
#include "sync/match_cache.hpp"
#include "sync/person_matcher.hpp"
#include "sync/person_flusher.hpp"
#include "sync/person_writer.hpp"
#include "tools/enroll.hpp"
#include "tools/provision.hpp"
#include "tools/requests.hpp"

namespace las::tools {
namespace {

constexpr auto drain_time = std::chrono::seconds(30);

std::unique_ptr<http::server> start_metrics_server(runtime& rt, const listen_address& where,
                                                   std::function<bool()> ready) {
    auto handler = [&rt, ready = std::move(ready)](http::request& req, const http::request_info&) -> awaitable<http::response> {
        const auto target = std::string_view(req.target());
        if (target == "/metrics") co_return http::make_response(req, http_proto::status::ok, rt.registry().render(),
                                                                "text/plain; version=0.0.4");
        if (target == "/healthz") co_return http::make_response(req, http_proto::status::ok, R"({"status":"ok"})");
        if (target == "/readyz") {
            const bool ok = ready();
            co_return http::make_response(req, ok ? http_proto::status::ok : http_proto::status::service_unavailable,
                                          ok ? R"({"status":"ready"})" : R"({"status":"not_ready"})");
        }
        co_return http::make_error(req, http_proto::status::not_found, "not_found", "no such route");
    };
    auto server = std::make_unique<http::server>(
        rt.io(), tcp::endpoint(asio::ip::make_address(where.host), where.port), http::server_limits{}, handler);
    server->start();
    log::info("metrics.listening", {{"address", server->local_endpoint().address().to_string()},
                                    {"port", server->local_endpoint().port()}});
    return server;
}

}  // namespace

int run_worker(runtime& rt) {
    const auto& settings = rt.settings();
    log::info("worker.starting", {{"settings", settings.describe()}});
    auto broker = amqp::parse_url(settings.amqp_url);
    if (!broker) throw config_error("AMQP_URL", broker.error());

    auto& attio = rt.attio("run");
    const auto enrollment = enrollment_list_from(settings.file);
    auto on_wait = [](const std::string& line) { log::warn("provision.check_waiting", {{"detail", line}}); };
    auto workspace = rt.run(check_provisioned(attio, enrollment, settings.file.mappings, on_wait, settings.provision_retry));
    if (workspace.problem) {
        std::cerr << "sync-worker: " << *workspace.problem << "\n";
        return 3;
    }

    sync::match_cache cache(100'000, std::chrono::minutes(10));
    sync::person_matcher matcher(attio, cache, settings.auto_create_people);
    // One process flushes a Person once at a time; a pool needs the shared lock.
    sync::person_writer writer(attio, settings.redis_url ? rt.state().locks.get() : nullptr, rt.blocking());
    // Half the prefetch window in hand means a backlog: only then do entries need the budget first.
    sync::write_demand demand(std::max(1u, settings.prefetch / 2));
    sync::flusher_settings flusher_settings;
    flusher_settings.max_lag = settings.person_state_max_lag;
    flusher_settings.contended_share = settings.person_state_write_share / 100.0;
    flusher_settings.writes_per_second = settings.attio_writes_per_second;
    sync::person_flusher flusher(rt.io(), *rt.state().pending, writer, demand, rt.blocking(), rt.registry(),
                                 flusher_settings);
    sync::processor_settings processor_settings;
    processor_settings.mappings = std::move(workspace.mappings);
    processor_settings.lease = settings.claim_lease;
    processor_settings.filter = sync::event_filter(settings.file);
    processor_settings.idempotency_ttl = settings.idempotency_ttl;
    sync::event_processor processor(attio, *rt.state().idempotency, matcher, flusher, demand, rt.blocking(),
                                    processor_settings);

    amqp::publisher_options publisher_options;
    publisher_options.connection_name = "sync-worker-publisher";
    publisher_options.on_connect = [](amqp::connection& c) { return amqp::declare_topology(c); };
    publisher_options.on_state_change = [](amqp::publisher_state s, std::string_view reason) {
        log::info("publisher.state", {{"state", amqp::to_string(s)}, {"reason", reason}});
    };
    amqp::publisher publisher(*broker, publisher_options);

    sync::pipeline_settings pipeline_settings;
    pipeline_settings.max_attempts = settings.max_attempts;
    pipeline_settings.prefetch = static_cast<std::uint16_t>(std::min(settings.prefetch, 65'535u));
    pipeline_settings.trace = [&rt, traces = rt.state().traces](std::string key, std::string line) {
        asio::post(rt.blocking(), [traces, key = std::move(key), line = std::move(line)] {
            if (auto r = traces->append(key, line); !r)
                log::warn("trace.append_failed", {{"key", key}, {"error", r.error().message}});
        });
    };
    sync::event_pipeline pipeline(rt.io(), *broker, publisher, processor, rt.registry(), pipeline_settings);

    auto work = asio::make_work_guard(rt.io());
    // Enrollment jobs (attio.enrollments): a second consumer beside the event pipeline.
    enrollment_consumer enrollments(rt, *broker, publisher);
    // The Attio app's requests through the gateway (sync.requests): campaigns, job status, hook sync.
    request_consumer requests(rt, *broker, publisher);
    std::unique_ptr<http::server> metrics_server;
    if (settings.metrics_listen) {
        metrics_server = start_metrics_server(rt, *settings.metrics_listen, [&] {
            return pipeline.consuming() && publisher.connected() && enrollments.ready() && requests.ready();
        });
    }
    pipeline.start();
    flusher.start();
    log::info("worker.running", {{"queue", amqp::lemlist_events_name}, {"prefetch", pipeline_settings.prefetch}});

    std::thread stopper;
    asio::signal_set signals(rt.io(), SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        log::info("worker.stopping", {{"signal", signal}, {"in_flight", pipeline.in_flight()}});
        if (metrics_server) metrics_server->stop();
        // The consumer's stop blocks until deliveries in flight are settled, which needs this
        // I/O thread running: stop it from another thread, then release the I/O loop.
        stopper = std::thread([&] {
            pipeline.stop(drain_time);
            // What is still pending stays in the store: the next start flushes it.
            flusher.stop(drain_time);
            enrollments.stop(drain_time);
            requests.stop(drain_time);
            work.reset();
            rt.io().stop();
        });
    });
    rt.io().restart();
    rt.io().run();
    if (stopper.joinable()) stopper.join();
    publisher.stop();
    log::info("worker.stopped", {{"in_flight_abandoned", pipeline.in_flight()}});
    return 0;
}

}  // namespace las::tools
