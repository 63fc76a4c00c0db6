// lemlist-emulator: a local stand-in for the Lemlist REST API and its webhooks.
//
//   lemlist-emulator [--listen 127.0.0.1:9002] [--api-key KEY]... [--plan-gated-hooks]
//                    [--rate-limit on|off] [--seed N]
//   lemlist-emulator play --target URL --leads N [--events-per-lead M] [--secret S] …
//
// Server mode prints "lemlist-emulator listening on HOST:PORT" once it accepts connections.
// `play` runs the campaign player against one target without a server and prints a summary.

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include "core/json.hpp"
#include "core/log.hpp"
#include "emu/emulator.hpp"
#include "emu/json_out.hpp"
#include "emu/text_util.hpp"
#include "emu_net/dispatcher.hpp"
#include "emu_net/http_app.hpp"
#include "http/server.hpp"

namespace {

using namespace las::lemlist_emu;
namespace asio = las::asio;

struct server_settings {
    std::string listen = "127.0.0.1:9002";
    std::vector<std::string> api_keys{"lemlist-sandbox-key"};
    bool plan_gated_hooks = false;
    std::string rate_limit = "on";
    std::uint64_t seed = 1;
    unsigned threads = 2;
    std::string log_level = "info";
};

struct play_settings {
    std::string target;
    std::string secret;
    std::string type;
    std::string campaign;
    std::size_t leads = 10;
    std::size_t events_per_lead = 0;
    std::string channels;
    double duplicate_share = 0.05, out_of_order_share = 0.1, linkedin_only_share = 0.1;
    double third_party_reply_share = 0.02, enrichment_share = 0.05, unknown_type_share = 0.01, pause_share = 0.1;
    double rate = 0;
    std::size_t concurrency = 4;
    int max_attempts = 4;
    std::int64_t retry_base_ms = 500, timeout_ms = 10'000;
    std::string seed;
    std::string start_time;
    std::string events_out;
    bool quiet = false;
};

las::tcp::endpoint parse_listen(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 == text.size())
        throw std::invalid_argument("--listen: expected ADDR:PORT, got '" + text + "'");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) throw std::invalid_argument("--listen: '" + host + "' is not an IP address");
    int port = -1;
    try {
        port = std::stoi(text.substr(colon + 1));
    } catch (...) {
    }
    if (port < 0 || port > 65535) throw std::invalid_argument("--listen: bad port in '" + text + "'");
    return {address, static_cast<unsigned short>(port)};
}

las::log::level parse_level(const std::string& s) {
    if (s == "debug") return las::log::level::debug;
    if (s == "warn") return las::log::level::warn;
    if (s == "error") return las::log::level::error;
    if (s == "off") return las::log::level::off;
    return las::log::level::info;
}

int run_server(const server_settings& s) {
    las::log::configure(parse_level(s.log_level), las::log::format::text);
    emulator_options options;
    options.api_keys = s.api_keys;
    options.plan_gated_hooks = s.plan_gated_hooks;
    options.rate_limit = s.rate_limit == "on";
    options.seed = s.seed;
    const auto endpoint = parse_listen(s.listen);

    asio::io_context ioc(static_cast<int>(s.threads));
    emulator emu(options);
    webhook_dispatcher dispatcher(ioc.get_executor());
    http_app app(emu, dispatcher);
    las::http::server_limits limits;
    limits.max_body_bytes = 16 << 20;  // activity inserts may be large
    las::http::server server(ioc, endpoint, limits, app.handler());
    server.start();  // throws when the port is taken
    const auto bound = server.local_endpoint();
    std::cout << "lemlist-emulator listening on " << bound.address().to_string() << ":" << bound.port() << std::endl;

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    asio::steady_timer drain(ioc);
    const auto hard_deadline = std::make_shared<std::chrono::steady_clock::time_point>();
    std::function<void()> poll_drain = [&] {
        drain.expires_after(std::chrono::milliseconds(50));
        drain.async_wait([&](boost::system::error_code) {
            if ((server.active_connections() == 0 && dispatcher.running() == 0) ||
                std::chrono::steady_clock::now() > *hard_deadline)
                ioc.stop();
            else
                poll_drain();
        });
    };
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec) return;
        las::log::info("lemlist_emu.stopping");
        server.stop();
        dispatcher.cancel_all();
        *hard_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        poll_drain();
    });

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < s.threads; ++i) threads.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
    return 0;
}

int run_play(const play_settings& p, std::uint64_t default_seed) {
    las::log::configure(las::log::level::warn, las::log::format::text);
    if (!split_url(p.target)) {
        std::cerr << "lemlist-emulator play: --target must be a URL (http://host:port/path)\n";
        return 2;
    }
    // Build the same JSON body POST /__emulator/play takes, so validation is shared.
    json_out o;
    o.begin_object().field("leads", p.leads);
    if (p.events_per_lead) o.field("events_per_lead", p.events_per_lead);
    if (!p.campaign.empty()) o.field("campaign_id", p.campaign);
    if (!p.channels.empty()) {
        o.key("channels").begin_array();
        std::stringstream ss(p.channels);
        for (std::string ch; std::getline(ss, ch, ',');)
            if (!trim_ascii(ch).empty()) o.str(trim_ascii(ch));
        o.end_array();
    }
    o.key("duplicate_share").dbl(p.duplicate_share).key("out_of_order_share").dbl(p.out_of_order_share);
    o.key("linkedin_only_share").dbl(p.linkedin_only_share).key("third_party_reply_share").dbl(p.third_party_reply_share);
    o.key("enrichment_share").dbl(p.enrichment_share).key("unknown_type_share").dbl(p.unknown_type_share);
    o.key("pause_share").dbl(p.pause_share).key("rate").dbl(p.rate);
    o.field("concurrency", p.concurrency).field("max_attempts", p.max_attempts);
    o.field("retry_base_ms", p.retry_base_ms).field("timeout_ms", p.timeout_ms);
    o.field("seed", p.seed.empty() ? std::to_string(default_seed) : p.seed);
    if (!p.start_time.empty()) o.field("start_time", p.start_time);
    o.end_object();
    auto doc = las::json::parse(o.view());
    auto spec = parse_play_spec(doc.value());
    if (!spec) {
        std::cerr << "lemlist-emulator play: " << spec.error() << "\n";
        return 2;
    }

    emulator_options options;
    options.rate_limit = false;
    options.seed = default_seed;
    emulator emu(options);
    hook h;
    h.target_url = p.target;
    h.type = p.type;
    h.secret = p.secret;
    emu.add_hook(h);
    auto job = emu.start_play(*spec);
    if (!job) {
        std::cerr << "lemlist-emulator play: " << job.error() << "\n";
        return 2;
    }
    auto progress = (*job)->progress;

    asio::io_context ioc(2);
    webhook_dispatcher dispatcher(ioc.get_executor());
    asio::co_spawn(ioc, dispatcher.run(*job), asio::detached);
    asio::steady_timer ticker(ioc);
    std::function<void()> tick = [&] {
        ticker.expires_after(std::chrono::seconds(1));
        ticker.async_wait([&](boost::system::error_code) {
            if (progress->done()) return;
            if (!p.quiet)
                std::cerr << "play " << progress->summary().id << ": " << progress->completed() << "/"
                          << progress->summary().planned << " done, " << progress->delivered() << " delivered, "
                          << progress->failed() << " failed\n";
            tick();
        });
    };
    tick();
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) dispatcher.cancel_all();
    });
    std::thread second([&] { ioc.run(); });
    // Stop once the job is done (the signal set and ticker would otherwise keep run() going).
    while (!progress->done()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ioc.stop();
    second.join();

    if (!p.events_out.empty()) {
        std::ofstream out(p.events_out);
        out << emu.handle(api_request{"GET", "/__emulator/events", "", ""}).response.body << "\n";
        if (!out) {
            std::cerr << "lemlist-emulator play: cannot write " << p.events_out << "\n";
            return 2;
        }
    }
    std::cout << progress->to_json() << std::endl;
    return progress->failed() == 0 && !progress->cancelled() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"lemlist-emulator: a local stand-in for the Lemlist REST API and its webhooks"};
    app.set_version_flag("--version", "lemlist-emulator 0.1");
    server_settings s;
    app.add_option("--listen", s.listen, "ADDR:PORT to listen on (port 0 picks a free one)")->capture_default_str();
    app.add_option("--api-key", s.api_keys, "accepted API key (repeatable)")->capture_default_str();
    app.add_flag("--plan-gated-hooks", s.plan_gated_hooks,
                 "answer POST /api/hooks with 402 'route is available starting emailPro plan'");
    app.add_option("--rate-limit", s.rate_limit, "enforce 20 requests / 2 s per key")
        ->check(CLI::IsMember({"on", "off"}))->capture_default_str();
    app.add_option("--seed", s.seed, "seed for ids and plays without their own seed")->capture_default_str();
    app.add_option("--threads", s.threads, "I/O threads")->check(CLI::Range(1u, 64u))->capture_default_str();
    app.add_option("--log-level", s.log_level, "debug|info|warn|error|off")->capture_default_str();

    play_settings p;
    auto* play = app.add_subcommand("play", "run the campaign player against one target URL, without a server");
    play->add_option("--target", p.target, "webhook URL to POST every event to")->required();
    play->add_option("--secret", p.secret, "secret echoed in every body (as a hook's secret)");
    play->add_option("--type", p.type, "deliver only this type (as a hook's type)");
    play->add_option("--campaign", p.campaign, "campaign id (default: the first running sandbox campaign)");
    play->add_option("--leads", p.leads, "number of leads")->capture_default_str();
    play->add_option("--events-per-lead", p.events_per_lead, "exactly M events per lead (0 = natural journeys)");
    play->add_option("--channels", p.channels, "comma list: email,linkedin,whatsapp,sms,call,api,manual");
    play->add_option("--duplicate-share", p.duplicate_share)->capture_default_str();
    play->add_option("--out-of-order-share", p.out_of_order_share)->capture_default_str();
    play->add_option("--linkedin-only-share", p.linkedin_only_share)->capture_default_str();
    play->add_option("--third-party-reply-share", p.third_party_reply_share)->capture_default_str();
    play->add_option("--enrichment-share", p.enrichment_share)->capture_default_str();
    play->add_option("--unknown-type-share", p.unknown_type_share)->capture_default_str();
    play->add_option("--pause-share", p.pause_share)->capture_default_str();
    play->add_option("--rate", p.rate, "deliveries per second (0 = unpaced)")->capture_default_str();
    play->add_option("--concurrency", p.concurrency)->capture_default_str();
    play->add_option("--max-attempts", p.max_attempts)->capture_default_str();
    play->add_option("--retry-base-ms", p.retry_base_ms)->capture_default_str();
    play->add_option("--timeout-ms", p.timeout_ms)->capture_default_str();
    play->add_option("--play-seed", p.seed, "seed of this play (default: --seed)");
    play->add_option("--start-time", p.start_time, "createdAt of the first events (ISO 8601 or Unix seconds)");
    play->add_option("--events-out", p.events_out, "write the ground-truth event log (JSON) to this file");
    play->add_flag("--quiet", p.quiet, "no progress lines on stderr");

    CLI11_PARSE(app, argc, argv);
    try {
        if (*play) return run_play(p, s.seed);
        return run_server(s);
    } catch (const std::exception& e) {
        std::cerr << "lemlist-emulator: " << e.what() << "\n";
        return 1;
    }
}
