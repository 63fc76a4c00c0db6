// attio-emulator: a local stand-in for the Attio REST API v2 (see docs/emulators.md).
// Wires settings, the service and the HTTP server; runs until SIGINT/SIGTERM.

#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include "attio_emulator/http_frontend.hpp"
#include "attio_emulator/service.hpp"
#include "core/log.hpp"

namespace {

using namespace las;
using namespace las::attio_emulator;

struct settings {
    std::string listen = "127.0.0.1:9001";
    std::string api_key = "attio-sandbox-key";
    unsigned threads = 1;
    std::string rate_limit = "on";
    double fault_5xx = 0;
    std::string fault_latency;
    double fault_drop = 0;
    double fault_drop_after_write = 0;
    double fault_409 = 0;
    unsigned fault_429_burst_ms = 0;
    std::uint64_t seed = 0;
    std::size_t max_body_bytes = 16 * 1024 * 1024;
    std::string log_level = "warn";
};

[[noreturn]] void bad_setting(const std::string& what) {
    std::cerr << "attio-emulator: " << what << "\n";
    std::exit(2);
}

tcp::endpoint parse_listen(const std::string& s) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) bad_setting("--listen must be ADDR:PORT, got \"" + s + "\"");
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(s.substr(0, colon), ec);
    if (ec) bad_setting("--listen has an invalid address: \"" + s + "\"");
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(s.substr(colon + 1), &used);
        if (used != s.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
    } catch (const std::exception&) {
        bad_setting("--listen has an invalid port: \"" + s + "\"");
    }
    return {addr, static_cast<unsigned short>(port)};
}

rate_limit_settings parse_rate_limit(const std::string& s) {
    rate_limit_settings r;
    if (s == "on") return r;
    if (s == "off") {
        r.enabled = false;
        return r;
    }
    try {
        std::size_t used = 0;
        r.scale = std::stod(s, &used);
        if (used != s.size() || r.scale <= 0) throw std::invalid_argument("scale");
    } catch (const std::exception&) {
        bad_setting("--rate-limit must be on, off or a positive scale factor, got \"" + s + "\"");
    }
    return r;
}

log::level parse_level(const std::string& s) {
    if (s == "debug") return log::level::debug;
    if (s == "info") return log::level::info;
    if (s == "warn") return log::level::warn;
    if (s == "error") return log::level::error;
    if (s == "off") return log::level::off;
    bad_setting("--log-level must be debug, info, warn, error or off");
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    CLI::App app{"attio-emulator: a local stand-in for the Attio REST API v2 (docs/emulators.md)"};
    app.add_option("--listen", s.listen, "ADDR:PORT to listen on; port 0 picks a free one")->capture_default_str();
    app.add_option("--api-key", s.api_key, "the access token clients must send")->capture_default_str();
    app.add_option("--threads", s.threads, "threads running the io_context")->capture_default_str()->check(CLI::Range(1u, 256u));
    app.add_option("--rate-limit", s.rate_limit,
                   "on (100 reads/s, 25 writes/s per token), off, or a scale factor for both figures")
        ->capture_default_str();
    app.add_option("--fault-5xx", s.fault_5xx, "share (0..1) of /v2/ requests answered 500/502/503")->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-latency", s.fault_latency, "latency added to /v2/ answers: MS or MIN-MAX");
    app.add_option("--fault-drop", s.fault_drop, "share of /v2/ requests whose connection is dropped unanswered")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-drop-after-write", s.fault_drop_after_write,
                   "share of /v2/ writes applied, then dropped unanswered")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-409", s.fault_409, "share of /v2/ writes answered 409 (conflict), not applied")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--fault-429-burst", s.fault_429_burst_ms, "answer every /v2/ request 429 for the first MS milliseconds");
    app.add_option("--seed", s.seed, "seed for ids and fault draws (0: random)");
    app.add_option("--max-body-bytes", s.max_body_bytes, "request body limit")->capture_default_str();
    app.add_option("--log-level", s.log_level, "debug, info, warn, error or off")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    log::configure(parse_level(s.log_level), log::format::text);

    service_config cfg;
    cfg.api_key = s.api_key;
    if (cfg.api_key.empty()) bad_setting("--api-key must not be empty");
    cfg.rate_limits = parse_rate_limit(s.rate_limit);
    cfg.seed = s.seed;
    cfg.faults.error_share = s.fault_5xx;
    cfg.faults.drop_share = s.fault_drop;
    cfg.faults.drop_after_write_share = s.fault_drop_after_write;
    cfg.faults.conflict_share = s.fault_409;
    if (s.fault_5xx + s.fault_drop + s.fault_drop_after_write + s.fault_409 > 1.0 + 1e-9) {
        bad_setting("the --fault-* shares add up to more than 1");
    }
    if (!s.fault_latency.empty()) {
        const auto lat = parse_latency(s.fault_latency);
        if (!lat) bad_setting("--fault-latency must be MS or MIN-MAX, got \"" + s.fault_latency + "\"");
        cfg.faults.latency_min = lat->first;
        cfg.faults.latency_max = lat->second;
    }
    if (s.fault_429_burst_ms > 0) {
        cfg.faults.burst_429_until = std::chrono::system_clock::now() + std::chrono::milliseconds(s.fault_429_burst_ms);
    }
    const tcp::endpoint listen = parse_listen(s.listen);

    service svc(cfg);
    asio::io_context ioc(static_cast<int>(s.threads));
    http::server_limits limits;
    limits.max_body_bytes = s.max_body_bytes;
    http::server server(ioc, listen, limits, make_http_handler(svc));
    try {
        server.start();
    } catch (const std::exception& e) {
        std::cerr << "attio-emulator: cannot listen on " << s.listen << ": " << e.what() << "\n";
        return 1;
    }
    const auto bound = server.local_endpoint();
    // Tests and scripts wait for this exact line (the real port when --listen used port 0).
    std::cout << "attio-emulator listening on " << bound.address().to_string() << ":" << bound.port() << std::endl;

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer poll(ioc);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::hours(1);  // replaced on signal
    auto stop_by = give_up;
    std::function<void()> wait_drained = [&] {
        // In-flight requests get up to 3 s to finish; then the loop stops regardless.
        if (server.active_connections() == 0 || std::chrono::steady_clock::now() >= stop_by) {
            ioc.stop();
            return;
        }
        poll.expires_after(std::chrono::milliseconds(20));
        poll.async_wait([&](const boost::system::error_code&) { wait_drained(); });
    };
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        server.stop();
        stop_by = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        wait_drained();
    });

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < s.threads; ++i) pool.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    return 0;
}
