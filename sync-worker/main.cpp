// sync-worker: the consumer daemon and the operators' tools, in one binary.
// main only parses the command line, loads the settings and hands over to a command.

#include <chrono>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "core/log.hpp"
#include "core/settings.hpp"
#include "tools/attio_webhook.hpp"
#include "tools/commands.hpp"
#include "tools/dlq.hpp"
#include "tools/enroll.hpp"
#include "tools/reconcile.hpp"
#include "tools/trace.hpp"
#include "tools/run_command.hpp"
#include "tools/runtime.hpp"

namespace {

constexpr const char* environment_help = R"(
Environment (see docs/configuration.md):
  AMQP_URL                 RabbitMQ (default amqp://guest:guest@127.0.0.1:5672/)
  ATTIO_BASE_URL, ATTIO_API_KEY        Attio REST v2 (default https://api.attio.com)
  LEMLIST_BASE_URL, LEMLIST_API_KEY    Lemlist REST (default https://api.lemlist.com)
  PUBLIC_WEBHOOK_URL       the gateway URL Lemlist posts to (subscriptions)
  PUBLIC_ATTIO_WEBHOOK_URL the gateway URL Attio posts to (attio-webhook; default:
                           PUBLIC_WEBHOOK_URL's origin + /webhooks/attio)
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

    auto* attio_webhook = app.add_subcommand("attio-webhook", "The Attio webhook of the enrollment list");
    attio_webhook->require_subcommand(1);
    auto* attio_webhook_sync =
        attio_webhook->add_subcommand("sync", "Create or update Attio's webhook for the enrollment list's entries");
    bool attio_webhook_dry_run = false;
    attio_webhook_sync->add_flag("--dry-run", attio_webhook_dry_run, "Show the plan, change nothing");

    auto* enroll = app.add_subcommand("enroll", "Enroll Attio People into a Lemlist campaign, progress shown");
    las::tools::enroll_args enroll_args;
    std::string enroll_from_file;
    bool find_email = false, verify_email = false, find_phone = false, linkedin_enrichment = false, deduplicate = false;
    enroll->add_option("--campaign", enroll_args.campaign_id, "Lemlist campaign id (cam_…)")->required();
    auto* enroll_records = enroll->add_option("--record", enroll_args.record_ids, "Attio Person record id (repeatable)");
    auto* enroll_file = enroll->add_option("--from-file", enroll_from_file, "File of record ids, one per line (# comments)");
    enroll_records->excludes(enroll_file);
    auto* find_email_flag = enroll->add_flag("--find-email,!--no-find-email", find_email, "Lemlist findEmail (default: TOML)");
    auto* verify_email_flag = enroll->add_flag("--verify-email,!--no-verify-email", verify_email, "Lemlist verifyEmail");
    auto* find_phone_flag = enroll->add_flag("--find-phone,!--no-find-phone", find_phone, "Lemlist findPhone");
    auto* linkedin_flag = enroll->add_flag("--linkedin-enrichment,!--no-linkedin-enrichment", linkedin_enrichment,
                                           "Lemlist linkedinEnrichment");
    auto* dedupe_flag = enroll->add_flag("--deduplicate,!--no-deduplicate", deduplicate, "Lemlist deduplicate");
    std::string icebreaker;
    auto* icebreaker_option = enroll->add_option("--icebreaker", icebreaker, "Icebreaker text for every lead");
    enroll->add_flag("--dry-run", enroll_args.dry_run, "Read the People and show what would be sent; write nothing");
    enroll->add_option("--concurrency", enroll_args.concurrency, "Records in flight (default 4)");

    auto* reconcile = app.add_subcommand("reconcile", "Publish Lemlist activities as events (backfill)");
    las::tools::reconcile_args reconcile_args;
    std::string reconcile_until, reconcile_campaign, reconcile_type;
    reconcile->add_option("--since", reconcile_args.since, "ISO-8601 time with zone, or a duration back (24h, 7d)")
        ->required();
    auto* until_option = reconcile->add_option("--until", reconcile_until, "End of the window (default: now)");
    auto* campaign_option = reconcile->add_option("--campaign", reconcile_campaign, "Only this campaign (cam_…)");
    auto* type_option = reconcile->add_option("--type", reconcile_type, "Only this activity type (or group)");
    reconcile->add_flag("--dry-run", reconcile_args.dry_run, "Page and count, publish nothing");

    auto* trace = app.add_subcommand("trace", "What became of one event: deliveries, dead letter, Attio entry");
    std::string trace_id;
    trace->add_option("activity_id", trace_id, "The event's activity id (its idempotency key)")->required();

    auto* dlq = app.add_subcommand("dlq", "Inspect, replay and purge dead letters");
    dlq->require_subcommand(1);
    std::string dlq_queue = "events";
    dlq->add_option("--queue", dlq_queue, "events (lemlist.events.dlq) or enrollments (attio.enrollments.dlq)")
        ->capture_default_str();
    auto* dlq_list = dlq->add_subcommand("list", "List every dead letter (nothing is removed)");
    std::size_t dlq_limit = 0;
    dlq_list->add_option("--limit", dlq_limit, "Show at most N (default: all)");
    auto* dlq_show = dlq->add_subcommand("show", "Headers and body of one dead letter");
    std::string dlq_show_id;
    dlq_show->add_option("id", dlq_show_id, "Message id")->required();
    auto* dlq_replay = dlq->add_subcommand("replay", "Republish dead letters to the pipeline (confirmed, then removed)");
    las::tools::dlq_args replay_args;
    std::string replay_type, replay_reason, replay_since;
    dlq_replay->add_option("--id", replay_args.ids, "Message id (repeatable)");
    dlq_replay->add_flag("--all", replay_args.all, "Every dead letter");
    auto* replay_type_option = dlq_replay->add_option("--type", replay_type, "Only this event type");
    auto* replay_reason_option = dlq_replay->add_option("--reason", replay_reason, "Only this x-dlq-reason");
    auto* replay_since_option =
        dlq_replay->add_option("--since", replay_since, "Only those failed at or after TIME (ISO-8601, or 7d, 12h, 30m)");
    auto* dlq_purge = dlq->add_subcommand("purge", "Remove the named dead letters, or those of a reason");
    las::tools::dlq_args purge_args;
    std::string purge_type, purge_reason, purge_since;
    bool purge_dry_run = false;
    dlq_purge->add_option("--id", purge_args.ids, "Message id (repeatable)");
    auto* purge_reason_option = dlq_purge->add_option("--reason", purge_reason, "Every dead letter of this x-dlq-reason");
    auto* purge_type_option = dlq_purge->add_option("--type", purge_type, "With --reason: only this event type");
    auto* purge_since_option =
        dlq_purge->add_option("--since", purge_since, "With --reason: only those failed at or after TIME");
    dlq_purge->add_flag("--dry-run", purge_dry_run, "Print what would be removed, remove nothing");
    for (auto* sub : {dlq_list, dlq_show, dlq_replay, dlq_purge}) sub->fallthrough();  // `dlq list --queue …` too

    CLI11_PARSE(app, argc, argv);
    auto take = [](CLI::Option* option, std::string& value, std::optional<std::string>& into) {
        if (option->count() > 0) into = value;
    };
    take(replay_type_option, replay_type, replay_args.type);
    take(replay_reason_option, replay_reason, replay_args.reason);
    take(replay_since_option, replay_since, replay_args.since);
    take(purge_type_option, purge_type, purge_args.type);
    take(purge_reason_option, purge_reason, purge_args.reason);
    take(purge_since_option, purge_since, purge_args.since);

    try {
        auto settings = las::worker_settings::from_env(las::process_environment());
        las::log::configure(settings.log.level, settings.log.format);
        if (*dlq) {
            // Broker only: no runtime, so no state directory or provider clients.
            auto pipeline = las::tools::dlq_pipeline(dlq_queue);
            if (!pipeline) throw las::config_error("--queue", pipeline.error());
            const auto ctx = las::tools::make_dlq_context(settings, *pipeline.value());
            if (*dlq_list) return las::tools::dlq_list_command(ctx, dlq_limit);
            if (*dlq_show) return las::tools::dlq_show_command(ctx, dlq_show_id);
            if (*dlq_replay || *dlq_purge) {
                const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
                const auto verb = *dlq_replay ? las::tools::dlq_verb::replay : las::tools::dlq_verb::purge;
                auto selection = las::tools::make_dlq_selection(*dlq_replay ? replay_args : purge_args, verb, now);
                if (!selection) {
                    std::cerr << "sync-worker: " << selection.error() << "\n";
                    return 2;
                }
                if (*dlq_replay) return las::tools::dlq_replay_command(ctx, *selection);
                return las::tools::dlq_purge_command(ctx, *selection, purge_dry_run);
            }
        }
        std::optional<las::tools::reconcile_options> reconcile_options;
        if (*reconcile) {
            if (until_option->count() > 0) reconcile_args.until = reconcile_until;
            if (campaign_option->count() > 0) reconcile_args.campaign_id = reconcile_campaign;
            if (type_option->count() > 0) reconcile_args.type = reconcile_type;
            const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
            auto options = las::tools::make_reconcile_options(reconcile_args, now);
            if (!options) {
                std::cerr << "sync-worker: " << options.error() << "\n";
                return 2;
            }
            reconcile_options = std::move(options).value();
        }
        std::optional<las::tools::enroll_options> enroll_options;
        if (*enroll) {
            if (enroll_file->count() > 0) enroll_args.from_file = enroll_from_file;
            if (find_email_flag->count() > 0) enroll_args.find_email = find_email;
            if (verify_email_flag->count() > 0) enroll_args.verify_email = verify_email;
            if (find_phone_flag->count() > 0) enroll_args.find_phone = find_phone;
            if (linkedin_flag->count() > 0) enroll_args.linkedin_enrichment = linkedin_enrichment;
            if (dedupe_flag->count() > 0) enroll_args.deduplicate = deduplicate;
            if (icebreaker_option->count() > 0) enroll_args.icebreaker = icebreaker;
            auto options = las::tools::make_enroll_options(enroll_args, settings.file.enrollment);
            if (!options) {
                for (const auto& problem : options.error()) std::cerr << "sync-worker: " << problem << "\n";
                return 2;
            }
            enroll_options = std::move(options).value();
        }
        las::tools::runtime rt(std::move(settings));
        if (*run) return las::tools::run_worker(rt);
        if (*provision) return las::tools::provision_command(rt, provision_dry_run, provision_verbose);
        if (*subs_sync) return las::tools::subscriptions_sync_command(rt, subs_dry_run);
        if (*subs_list) return las::tools::subscriptions_list_command(rt);
        if (*attio_webhook_sync) return las::tools::attio_webhook_sync_command(rt, attio_webhook_dry_run);
        if (enroll_options) return las::tools::enroll_command(rt, *enroll_options);
        if (reconcile_options) return las::tools::reconcile_command(rt, *reconcile_options);
        if (*trace) return las::tools::trace_command(rt, trace_id);
    } catch (const las::config_error& e) {
        std::cerr << "sync-worker: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "sync-worker: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
