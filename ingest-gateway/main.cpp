// ingest-gateway: settings → objects → signal_set → io threads → join. The logic lives in
// gateway/ (ingest_gateway_lib).

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>

#include "amqp/publisher.hpp"
#include "amqp/topology.hpp"
#include "amqp/url.hpp"
#include "core/log.hpp"
#include "core/settings.hpp"
#include "gateway/drainer.hpp"
#include "gateway/metrics.hpp"
#include "gateway/ports.hpp"
#include "gateway/service.hpp"
#include "gateway/spool.hpp"
#include "gateway/store.hpp"
#include "http/server.hpp"

namespace {

using namespace las;

constexpr const char* usage = R"(usage: ingest-gateway [--help]

Receives Lemlist and Attio webhooks and enrollment requests over HTTP and stores each one
durably before answering: publisher-confirmed on RabbitMQ, or fdatasync'ed in a local spool
while the broker is away (drained to the broker when it is back).

Routes: POST /webhooks/lemlist, POST /webhooks/attio, POST /v1/enrollments[?wait=true],
        GET /v1/enrollments/{job_id}, GET /v1/campaigns, POST /v1/subscriptions/sync
        (asked of the worker over the sync.requests queue), GET /healthz, GET /readyz, GET /metrics

Environment:
  GATEWAY_LISTEN           HOST:PORT to listen on (default 0.0.0.0:8080; port 0 = ephemeral,
                           the bound address is printed as "ingest-gateway listening on H:P")
  AMQP_URL                 broker (default amqp://guest:guest@127.0.0.1:5672/)
  LEMLIST_WEBHOOK_SECRET   when set, a Lemlist body's "secret" must equal it (401 otherwise)
  ATTIO_WEBHOOK_SECRET     when set, Attio-Signature must be the HMAC-SHA256 of the body
  ADMIN_API_TOKEN          bearer token of the /v1/ routes (unset: every call gets 401)
  GATEWAY_MAX_BODY_BYTES   request body limit (default 262144; 413 beyond)
  GATEWAY_IO_THREADS       I/O threads (default 0 = one per core)
  GATEWAY_MAX_CONNECTIONS  open connections at most (default 10000)
  SPOOL_DIR                local spool directory (default ./spool)
  SPOOL_MAX_BYTES          pending spool bytes at most (default 1 GiB; 503 beyond)
  LOG_LEVEL                debug | info | warn | error (default info)
  LOG_FORMAT               text | json (default text)

Exit status: 0 after SIGTERM/SIGINT (in-flight requests finished), 2 on a bad setting,
1 when it cannot start (e.g. the port is taken).
)";

int run(const gateway_settings& settings, const amqp::connection_settings& broker_settings,
        const tcp::endpoint& listen) {
    auto opened = gateway::spool::open(gateway::spool_options{settings.spool_dir, settings.spool_max_bytes});
    if (!opened) {
        std::fprintf(stderr, "ingest-gateway: %s\n", opened.error().c_str());
        return 2;
    }
    gateway::spool& spool = *opened.value();

    metrics::registry registry;
    gateway::gateway_metrics metrics(registry);

    std::atomic<gateway::spool_drainer*> drainer_ref{nullptr};
    amqp::publisher_options pub_options;
    pub_options.connection_name = "ingest-gateway";
    pub_options.direct_reply_to = true;
    pub_options.on_connect = [](amqp::connection& c) { return amqp::declare_topology(c); };
    pub_options.on_state_change = [&drainer_ref](amqp::publisher_state s, std::string_view reason) {
        if (s == amqp::publisher_state::connected) log::info("gateway.broker_connected");
        else log::warn("gateway.broker_state", {{"state", amqp::to_string(s)}, {"reason", reason}});
        if (auto* d = drainer_ref.load()) d->notify();
    };
    amqp::publisher publisher(broker_settings, pub_options);

    gateway::publisher_broker broker(publisher);
    gateway::message_spool spool_port(spool);
    gateway::register_state_gauges(registry, broker, spool_port);
    gateway::durable_store store(broker, spool_port, metrics);

    gateway::spool_drainer drainer(spool, broker, metrics);
    drainer_ref.store(&drainer);
    spool.on_stored([&drainer] { drainer.notify(); });
    drainer.start();

    gateway::service_options svc_options;
    svc_options.routes = gateway::route_config{settings.lemlist_webhook_secret, settings.attio_webhook_secret,
                                               settings.admin_api_token, settings.max_body_bytes};
    gateway::service svc(svc_options, store, metrics);

    const unsigned threads = settings.io_threads != 0 ? settings.io_threads
                                                      : std::max(1u, std::thread::hardware_concurrency());
    asio::io_context ioc(static_cast<int>(threads));
    http::server_limits limits;
    limits.max_body_bytes = settings.max_body_bytes;
    limits.max_connections = settings.max_connections;
    http::server server(
        ioc, listen, limits, [&svc](http::request& req, const http::request_info& info) { return svc.handle(req, info); },
        [&svc](const http::access_record& r) { svc.on_access(r); });
    try {
        server.start();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ingest-gateway: cannot listen: %s\n", e.what());
        drainer.stop();
        publisher.stop(std::chrono::milliseconds(0));
        return 1;
    }
    const tcp::endpoint bound = server.local_endpoint();
    std::printf("ingest-gateway listening on %s:%u\n", bound.address().to_string().c_str(),
                static_cast<unsigned>(bound.port()));
    std::fflush(stdout);
    log::info("gateway.started", {{"listen", bound.address().to_string() + ":" + std::to_string(bound.port())},
                                  {"io_threads", threads}, {"spool_events", spool.events()},
                                  {"settings", settings.describe()}});
    if (!settings.attio_webhook_secret) log::warn("gateway.attio_unverified", {{"reason", "ATTIO_WEBHOOK_SECRET unset"}});

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        log::info("gateway.stopping", {{"signal", signo}, {"connections", server.active_connections()}});
        server.stop();  // no new connections; in-flight requests finish (their confirms too)
    });

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();

    // Every request has been answered. Hand what the spool holds to the broker on the next
    // start; let the publisher settle whatever the drainer had in flight.
    drainer.stop();
    publisher.stop();
    spool.close();
    log::info("gateway.stopped", {{"spool_events", spool.events()}});
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::fputs(usage, stdout);
            return 0;
        }
        std::fprintf(stderr, "ingest-gateway: unknown argument %s (see --help)\n", argv[i]);
        return 2;
    }
    try {
        const auto settings = gateway_settings::from_env(process_environment());
        auto broker = amqp::parse_url(settings.amqp_url);
        if (!broker) {
            std::fprintf(stderr, "ingest-gateway: AMQP_URL: %s\n", broker.error().c_str());
            return 2;
        }
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(settings.listen.host.empty() ? "0.0.0.0" : settings.listen.host, ec);
        if (ec) {
            std::fprintf(stderr, "ingest-gateway: GATEWAY_LISTEN: \"%s\" is not an IP address\n",
                         settings.listen.host.c_str());
            return 2;
        }
        log::configure(settings.log.level, settings.log.format);
        return run(settings, *broker, tcp::endpoint(address, settings.listen.port));
    } catch (const config_error& e) {
        std::fprintf(stderr, "ingest-gateway: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ingest-gateway: %s\n", e.what());
        return 1;
    }
}
