#include "tools/commands.hpp"

#include <iostream>

#include "tools/provision.hpp"
#include "tools/subscriptions.hpp"

namespace las::tools {
namespace {

void print(const std::vector<std::string>& lines) {
    for (const auto& line : lines) std::cout << line << "\n";
    std::cout.flush();
}

}  // namespace

int provision_command(runtime& rt, bool dry_run, bool verbose) {
    auto& attio = rt.attio("provision");
    provision_options options;
    options.dry_run = dry_run;
    options.enrollment = enrollment_list_from(rt.settings().file);
    options.on_wait = [](const std::string& line) { std::cerr << "provision: " << line << std::endl; };
    options.retry_budget = rt.settings().provision_retry;
    options.mappings = rt.settings().file.mappings;
    const auto report = rt.run(provision(attio, options));
    print(report.lines(verbose));
    return report.exit_code();
}

int subscriptions_sync_command(runtime& rt, bool dry_run) {
    const auto& s = rt.settings();
    auto& lemlist = rt.lemlist("subscriptions sync");
    if (!s.public_webhook_url) throw config_error("PUBLIC_WEBHOOK_URL", "required by `sync-worker subscriptions sync`");
    auto types = desired_hook_types(s.file);
    if (!types) throw config_error("CONFIG_FILE", types.error());
    auto settings = subscription_settings_for(s, std::move(types.value()));
    settings.dry_run = dry_run;
    const auto report = rt.run(sync_subscriptions(lemlist, std::move(settings)));
    print(report.lines());
    return report.exit_code();
}

int subscriptions_list_command(runtime& rt) {
    auto& lemlist = rt.lemlist("subscriptions list");
    auto rows = rt.run(list_subscriptions(lemlist, rt.settings().public_webhook_url.value_or("")));
    if (!rows) {
        std::cerr << "sync-worker: cannot list Lemlist hooks: " << describe_refusal(rows.error()) << "\n";
        return 2;
    }
    print(format_hook_rows(rows.value()));
    return 0;
}

}  // namespace las::tools
