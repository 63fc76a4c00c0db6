// sync-worker: the consumer daemon and the operators' tools, in one binary.
// main only parses the command line, loads the settings and hands over to a command.

#include <iostream>

#include <CLI/CLI.hpp>

#include "core/log.hpp"
#include "core/settings.hpp"
#include "tools/commands.hpp"
#include "tools/run_command.hpp"
#include "tools/runtime.hpp"

namespace {

constexpr const char* environment_help = R"(
Environment (see docs/configuration.md):
  AMQP_URL                 RabbitMQ (default amqp://guest:guest@127.0.0.1:5672/)
  ATTIO_BASE_URL, ATTIO_API_KEY        Attio REST v2 (default https://api.attio.com)
  LEMLIST_BASE_URL, LEMLIST_API_KEY    Lemlist REST (default https://api.lemlist.com)
  PUBLIC_WEBHOOK_URL       the gateway URL Lemlist posts to (subscriptions)
  LEMLIST_WEBHOOK_SECRET   given to Lemlist with each hook
  REDIS_URL                shared state for a worker pool (else SQLite under STATE_DIR)
  STATE_DIR                embedded state directory (default ./state)
  IDEMPOTENCY_TTL_SECONDS  idempotency window (default 86400)
  AUTO_CREATE_PEOPLE       create unmatched People (default true)
  MAX_ATTEMPTS             attempts before dead-lettering (default 8)
  WORKER_PREFETCH          unacked deliveries per worker (default 64)
  METRICS_LISTEN           HOST:PORT for /metrics, /healthz, /readyz
  CONFIG_FILE              TOML: event categories, enrollment defaults, mappings
  LOG_LEVEL, LOG_FORMAT    debug|info|warn|error, text|json
)";

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"sync-worker: Lemlist → Attio sync worker and operator tools"};
    app.footer(environment_help);
    app.require_subcommand(1);

    auto* run = app.add_subcommand("run", "Consume Lemlist events and write them to Attio (the daemon)");

    auto* provision = app.add_subcommand("provision", "Create or verify the Attio list, attributes and options");
    bool provision_dry_run = false;
    bool provision_verbose = false;
    provision->add_flag("--dry-run", provision_dry_run, "Show the plan, change nothing");
    provision->add_flag("-v,--verbose", provision_verbose, "Also list what is already in place");

    auto* subscriptions = app.add_subcommand("subscriptions", "Lemlist webhook subscriptions");
    subscriptions->require_subcommand(1);
    auto* subs_sync = subscriptions->add_subcommand("sync", "Make Lemlist's hooks equal the enabled categories");
    bool subs_dry_run = false;
    subs_sync->add_flag("--dry-run", subs_dry_run, "Show the plan, change nothing");
    auto* subs_list = subscriptions->add_subcommand("list", "Show Lemlist's hooks and which are ours");

    CLI11_PARSE(app, argc, argv);

    try {
        auto settings = las::worker_settings::from_env(las::process_environment());
        las::log::configure(settings.log.level, settings.log.format);
        las::tools::runtime rt(std::move(settings));
        if (*run) return las::tools::run_worker(rt);
        if (*provision) return las::tools::provision_command(rt, provision_dry_run, provision_verbose);
        if (*subs_sync) return las::tools::subscriptions_sync_command(rt, subs_dry_run);
        if (*subs_list) return las::tools::subscriptions_list_command(rt);
    } catch (const las::config_error& e) {
        std::cerr << "sync-worker: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "sync-worker: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
