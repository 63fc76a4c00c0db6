#include "tools/attio_webhook.hpp"

#include <iostream>
#include <set>

namespace las::tools {
namespace {

constexpr std::string_view attio_path = "/webhooks/attio";

// scheme://host[:port] of a URL (nothing after the authority).
std::string origin_of(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return {};
    const auto authority_end = url.find_first_of("/?#", scheme_end + 3);
    return std::string(url.substr(0, authority_end));
}

std::string subscriptions_text(const std::vector<attio::webhook_subscription>& subscriptions) {
    std::string out;
    for (const auto& s : subscriptions) out += (out.empty() ? "" : "; ") + attio::describe(s);
    return out.empty() ? std::string("none") : out;
}

}  // namespace

result<std::string, std::string> attio_webhook_url(const worker_settings& s) {
    std::string url;
    std::string setting = "PUBLIC_ATTIO_WEBHOOK_URL";
    if (s.public_attio_webhook_url) {
        url = *s.public_attio_webhook_url;
    } else if (s.public_webhook_url) {
        setting = "PUBLIC_WEBHOOK_URL";
        const auto origin = origin_of(*s.public_webhook_url);
        if (origin.empty()) return fail(setting + ": \"" + *s.public_webhook_url + "\" has no scheme://host");
        url = origin + std::string(attio_path);
    } else {
        return fail(setting + ": required by `sync-worker attio-webhook sync` (or PUBLIC_WEBHOOK_URL, whose origin + " +
                    std::string(attio_path) + " it defaults to)");
    }
    if (!url.starts_with("https://"))
        return fail(setting + ": Attio only delivers webhooks to https:// URLs, got \"" + url + "\"");
    return url;
}

std::vector<attio::webhook_subscription> enrollment_subscriptions(std::string_view list_id) {
    attio::webhook_filter filter;
    filter.combinator = "$and";
    filter.conditions.push_back({"id.list_id", "equals", std::string(list_id)});
    return {{"list-entry.created", filter}, {"list-entry.updated", filter}};
}

webhook_plan plan_webhook(const std::vector<attio::webhook_info>& existing, std::string_view target_url,
                          const std::vector<attio::webhook_subscription>& desired) {
    webhook_plan plan;
    for (const auto& w : existing) {
        if (w.target_url != target_url) continue;
        // Prefer one that already matches, so a run never rewrites a good webhook for a stale twin.
        const bool matches = attio::same_subscriptions(w.subscriptions, desired);
        if (!plan.ours) {
            plan.ours = &w;
        } else if (matches && !attio::same_subscriptions(plan.ours->subscriptions, desired)) {
            plan.also_ours.push_back(plan.ours);
            plan.ours = &w;
        } else {
            plan.also_ours.push_back(&w);
        }
    }
    if (!plan.ours) plan.what = webhook_plan::action::create;
    else if (attio::same_subscriptions(plan.ours->subscriptions, desired)) plan.what = webhook_plan::action::keep;
    else plan.what = webhook_plan::action::update;
    return plan;
}

awaitable<attio_webhook_report> sync_attio_webhook(attio::client& attio, attio_webhook_settings settings) {
    attio_webhook_report report;
    auto error = [&](std::string line) {
        report.lines.push_back("ERROR " + std::move(line));
        report.exit_code = 2;
        return report;
    };
    auto list = co_await attio.get_list(settings.list);
    if (!list) {
        if (attio::is_not_found(list.error()))
            co_return error("the enrollment list " + settings.list + " is not in Attio: run `sync-worker provision` first");
        co_return error("reading the enrollment list " + settings.list + ": " + list.error().describe());
    }
    const auto desired = enrollment_subscriptions(list->list_id);

    std::vector<attio::webhook_info> existing;
    std::set<std::string, std::less<>> seen;
    for (std::size_t page = 0; page < settings.max_pages; ++page) {
        auto one = co_await attio.list_webhooks(settings.page_size, page * settings.page_size);
        if (!one) co_return error("listing Attio's webhooks: " + one.error().describe());
        std::size_t fresh = 0;
        const std::size_t size = one->size();
        for (auto& w : one.value()) {
            if (seen.insert(w.webhook_id).second) {
                existing.push_back(std::move(w));
                ++fresh;
            }
        }
        // A short page ends the list; so does a page with nothing new (a server ignoring offset).
        if (size < settings.page_size || fresh == 0) break;
    }

    const auto plan = plan_webhook(existing, settings.target_url, desired);
    const std::string wanted = subscriptions_text(desired);
    const std::string on_list = " (list " + settings.list + " = " + list->list_id + ")";
    for (const auto* twin : plan.also_ours) {
        report.lines.push_back("NOTE webhook " + twin->webhook_id + " also targets " + settings.target_url +
                               " and is left as it is: delete it in Attio if it is a leftover (" +
                               subscriptions_text(twin->subscriptions) + ")");
    }
    auto check_status = [&](const attio::webhook_info& w) {
        if (w.status.empty() || w.status == "active") return;
        report.lines.push_back("WARNING webhook " + w.webhook_id + " is " + w.status +
                               " at Attio: its deliveries to " + settings.target_url +
                               " failed (check the gateway, its URL and ATTIO_WEBHOOK_SECRET)");
        if (report.exit_code == 0) report.exit_code = 1;
    };

    switch (plan.what) {
        case webhook_plan::action::keep:
            report.lines.push_back("ok webhook " + plan.ours->webhook_id + " → " + settings.target_url + ": " + wanted +
                                   on_list);
            check_status(*plan.ours);
            report.lines.push_back("nothing to change");
            co_return report;
        case webhook_plan::action::update: {
            const std::string was = subscriptions_text(plan.ours->subscriptions);
            if (settings.dry_run) {
                report.lines.push_back("would update webhook " + plan.ours->webhook_id + " → " + settings.target_url +
                                       ": " + was + " becomes " + wanted + on_list);
                report.lines.push_back("dry run: 1 change would be made");
                co_return report;
            }
            // Named, not braced in the co_await: g++ 12 destroys braced temporaries there twice.
            std::string id = plan.ours->webhook_id;
            auto updated = co_await attio.update_webhook(id, desired);
            if (!updated) co_return error("updating webhook " + id + ": " + updated.error().describe());
            report.lines.push_back("updated webhook " + id + " → " + settings.target_url + ": " + was + " became " +
                                   wanted + on_list);
            report.lines.push_back("its secret is unchanged (Attio shows a secret only when it creates the webhook): "
                                   "keep ATTIO_WEBHOOK_SECRET as it is");
            check_status(updated.value());
            report.lines.push_back("1 change made");
            co_return report;
        }
        case webhook_plan::action::create: break;
    }
    if (settings.dry_run) {
        report.lines.push_back("would create a webhook → " + settings.target_url + ": " + wanted + on_list);
        report.lines.push_back("its signing secret is printed when it is created");
        report.lines.push_back("dry run: 1 change would be made");
        co_return report;
    }
    auto created = co_await attio.create_webhook(settings.target_url, desired);
    if (!created) co_return error("creating the webhook → " + settings.target_url + ": " + created.error().describe());
    report.lines.push_back("created webhook " + created->webhook_id + " → " + settings.target_url + ": " + wanted +
                           on_list);
    if (created->secret) {
        report.lines.push_back("secret: " + *created->secret);
        report.lines.push_back("Attio shows this secret only now: set ATTIO_WEBHOOK_SECRET=" + *created->secret +
                               " on the gateway (it verifies each delivery's Attio-Signature with it) and restart it");
    } else {
        report.lines.push_back("WARNING Attio's answer carried no secret: delete the webhook in Attio and run this again");
        report.exit_code = 2;
    }
    report.lines.push_back("1 change made");
    co_return report;
}

int attio_webhook_sync_command(runtime& rt, bool dry_run) {
    const auto& s = rt.settings();
    auto& attio = rt.attio("attio-webhook sync");
    auto url = attio_webhook_url(s);
    if (!url) {
        std::cerr << "sync-worker: " << url.error() << "\n";  // the message names the setting
        return 2;
    }
    if (s.file.enrollment_list.empty())
        throw config_error("CONFIG_FILE", "[enrollment] list is empty: there is no enrollment list to subscribe to");
    attio_webhook_settings settings;
    settings.target_url = *url;
    settings.list = s.file.enrollment_list;
    settings.dry_run = dry_run;
    const auto report = rt.run(sync_attio_webhook(attio, std::move(settings)));
    for (const auto& line : report.lines) std::cout << line << "\n";
    std::cout.flush();
    return report.exit_code;
}

}  // namespace las::tools
