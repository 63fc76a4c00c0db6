#include "tools/subscriptions.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "lemlist/event_type.hpp"

namespace las::tools {
namespace {

// Someone else's targetUrl may carry their token in its path: show scheme and host only.
std::string masked_url(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return url.empty() ? "(no targetUrl)" : "(unreadable targetUrl)";
    const auto host_end = url.find_first_of("/?#", scheme_end + 3);
    if (host_end == std::string_view::npos) return std::string(url);
    return std::string(url.substr(0, host_end)) + "/…";
}

std::string type_label(std::string_view type) { return type.empty() ? "every type" : std::string(type); }

bool stops_everything(const outbound::call_error& e) {
    // The account cannot do this at all (bad key, blocked user, plan gate): the next call would
    // be refused the same way.
    return e.status == 401 || e.status == 402 || e.status == 403;
}

}  // namespace

result<std::vector<std::string>, std::string> desired_hook_types(const file_settings& settings) {
    std::set<std::string> out;
    for (const auto& slug : settings.enabled_categories) {
        const auto category = lemlist::category_from_string(slug);
        if (!category) {
            std::string known;
            for (auto c : lemlist::all_categories()) known += (known.empty() ? "" : ", ") + std::string(lemlist::to_string(c));
            return fail("enabled_categories: unknown category '" + slug + "' (known: " + known + ")");
        }
        for (const auto& info : lemlist::known_event_types()) {
            if (info.removed || info.category != *category || lemlist::is_lead_state_group(info.name)) continue;
            out.emplace(info.name);
        }
    }
    for (const auto& type : settings.enabled_types) {
        if (type.empty()) return fail(std::string("enabled_types: an empty type name"));
        out.insert(type);
    }
    return std::vector<std::string>(out.begin(), out.end());
}

std::string_view to_string(hook_step step) {
    switch (step) {
        case hook_step::create: return "create";
        case hook_step::remove: return "remove";
        case hook_step::keep: return "keep";
        case hook_step::foreign: return "foreign";
    }
    return "foreign";
}

std::string hook_target_url(std::string_view base, std::string_view type) {
    if (type.empty()) return std::string(base);
    const char sep = base.find('?') == std::string_view::npos ? '?' : '&';
    return std::string(base) + sep + "type=" + std::string(type);
}

bool is_our_hook_url(std::string_view base, std::string_view url) {
    if (base.empty() || !url.starts_with(base)) return false;
    if (url.size() == base.size()) return true;
    const char sep = base.find('?') == std::string_view::npos ? '?' : '&';
    return url.substr(base.size()).starts_with(std::string(1, sep) + "type=");
}

std::vector<hook_action> plan_subscriptions(const std::vector<std::string>& desired_types,
                                            const std::vector<outbound::lemlist_hook>& existing,
                                            std::string_view base_url, hook_mode mode) {
    // What the mode wants: type → its URL ("" → the all-events hook at the base URL).
    std::map<std::string, std::string, std::less<>> wanted;
    if (mode == hook_mode::all) {
        if (!desired_types.empty()) wanted.emplace("", std::string(base_url));
    } else {
        for (const auto& type : desired_types) wanted.emplace(type, hook_target_url(base_url, type));
    }
    std::set<std::string, std::less<>> kept_types;
    std::vector<hook_action> removes, creates, keeps, foreign;
    for (const auto& h : existing) {
        if (!is_our_hook_url(base_url, h.target_url)) {
            foreign.push_back({hook_step::foreign, h.type, h.id, masked_url(h.target_url), {}});
            continue;
        }
        const auto it = wanted.find(h.type);
        std::string why;
        if (!h.campaign_id.empty()) why = "campaign-scoped (" + h.campaign_id + ")";
        else if (it == wanted.end()) why = h.type.empty() ? "catch-all hook (every type)" : "type not enabled";
        else if (h.target_url != it->second) why = "at " + h.target_url + ", wants " + it->second;
        else if (!kept_types.insert(h.type).second) why = "duplicate";
        if (why.empty()) keeps.push_back({hook_step::keep, h.type, h.id, {}, h.target_url});
        else removes.push_back({hook_step::remove, h.type, h.id, std::move(why), h.target_url});
    }
    for (const auto& [type, url] : wanted) {
        if (!kept_types.contains(type)) creates.push_back({hook_step::create, type, {}, {}, url});
    }
    std::vector<hook_action> out;
    out.reserve(removes.size() + creates.size() + keeps.size() + foreign.size());
    for (auto* part : {&removes, &creates, &keeps, &foreign}) {
        std::move(part->begin(), part->end(), std::back_inserter(out));
    }
    return out;
}

subscription_settings subscription_settings_for(const worker_settings& settings, std::vector<std::string> types) {
    subscription_settings out;
    out.target_url = settings.public_webhook_url.value_or("");
    out.secret = settings.lemlist_webhook_secret;
    out.types = std::move(types);
    out.mode = settings.file.events_mode;
    return out;
}

std::string describe_refusal(const outbound::call_error& error) {
    std::string out;
    if (error.status != 0) {
        out = "HTTP " + std::to_string(error.status);
    } else {
        out = std::string(outbound::to_string(error.kind)) + (error.code.empty() ? "" : " (" + error.code + ")");
    }
    if (!error.message.empty()) out += ": " + error.message;
    if (error.kind == outbound::failure::unknown_fate) out += " (it may have been applied: run the sync again to see)";
    return out;
}

bool subscription_report::has_errors() const {
    if (listing_error) return true;
    return std::any_of(outcomes.begin(), outcomes.end(), [](const auto& o) { return o.error.has_value(); });
}

int subscription_report::exit_code() const { return has_errors() ? 2 : 0; }

std::vector<std::string> subscription_report::lines() const {
    std::vector<std::string> out;
    if (listing_error) {
        out.push_back("ERROR listing Lemlist hooks: " + describe_refusal(*listing_error));
        out.push_back("nothing planned, nothing changed");
        return out;
    }
    std::size_t created = 0, deleted = 0, errors = 0, kept = 0, skipped = 0, to_create = 0, to_delete = 0;
    for (const auto& o : outcomes) {
        const auto& a = o.action;
        auto hook = "hook " + (a.hook_id.empty() ? std::string() : a.hook_id + " ") + "(" + type_label(a.type) + ")";
        if (a.step == hook_step::create) hook += " at " + a.target_url;
        std::string line;
        switch (a.step) {
            case hook_step::keep:
                ++kept;
                line = "ok " + hook;
                break;
            case hook_step::foreign:
                line = "not ours, untouched: " + hook + " -> " + a.detail;
                break;
            case hook_step::remove:
            case hook_step::create: {
                const bool create = a.step == hook_step::create;
                (create ? to_create : to_delete) += 1;
                if (o.error) {
                    ++errors;
                    line = std::string("ERROR ") + (create ? "creating " : "deleting ") + hook + ": " + describe_refusal(*o.error);
                } else if (o.applied) {
                    (create ? created : deleted) += 1;
                    line = std::string(create ? "created " : "deleted ") + hook;
                } else if (dry_run) {
                    line = std::string(create ? "would create " : "would delete ") + hook;
                } else {
                    ++skipped;
                    line = std::string(create ? "NOT created " : "NOT deleted ") + hook;
                }
                if (!create && !a.detail.empty()) line += ": " + a.detail;
                break;
            }
        }
        if (!o.note.empty()) line += " [" + o.note + "]";
        out.push_back(std::move(line));
    }
    std::string summary;
    if (dry_run) {
        summary = to_create + to_delete == 0 ? "dry run: in sync, nothing to change"
                                             : "dry run: " + std::to_string(to_create) + " hook(s) to create, " +
                                                   std::to_string(to_delete) + " to delete";
    } else if (to_create + to_delete == 0) {
        summary = "in sync: nothing to change";
    } else {
        summary = std::to_string(created) + " hook(s) created, " + std::to_string(deleted) + " deleted";
        if (errors) summary += ", " + std::to_string(errors) + " refused";
        if (skipped) summary += ", " + std::to_string(skipped) + " skipped";
    }
    summary += " (" + std::to_string(kept) + " of ours already right)";
    out.push_back(std::move(summary));
    return out;
}

awaitable<subscription_report> sync_subscriptions(outbound::lemlist_client& lemlist, subscription_settings settings) {
    subscription_report report;
    report.dry_run = settings.dry_run;
    auto listed = co_await lemlist.list_hooks();
    if (!listed) {
        report.listing_error = std::move(listed.error());
        co_return report;
    }
    std::optional<outbound::call_error> blocker;  // a refusal that dooms every further write
    for (auto& action : plan_subscriptions(settings.types, listed.value(), settings.target_url, settings.mode)) {
        hook_outcome outcome;
        outcome.action = std::move(action);
        auto& a = outcome.action;
        const bool write = a.step == hook_step::create || a.step == hook_step::remove;
        if (write && !settings.dry_run) {
            if (blocker) {
                outcome.note = "skipped: Lemlist refused an earlier call with HTTP " + std::to_string(blocker->status);
            } else if (a.step == hook_step::remove) {
                auto done = co_await lemlist.delete_hook(a.hook_id);
                if (done) {
                    outcome.applied = true;
                    if (done.value() == outbound::delete_outcome::already_gone) outcome.note = "already gone";
                } else {
                    outcome.error = std::move(done.error());
                }
            } else {
                auto made = co_await lemlist.create_hook(a.target_url, a.type, settings.secret);
                if (made) {
                    outcome.applied = true;
                    a.hook_id = made->id;
                } else {
                    outcome.error = std::move(made.error());
                }
            }
            if (outcome.error && stops_everything(*outcome.error)) blocker = outcome.error;
        }
        report.outcomes.push_back(std::move(outcome));
    }
    co_return report;
}

awaitable<outbound::call_result<std::vector<hook_row>>> list_subscriptions(outbound::lemlist_client& lemlist,
                                                                           std::string base_url) {
    auto listed = co_await lemlist.list_hooks();
    if (!listed) co_return fail(std::move(listed.error()));
    std::vector<hook_row> rows;
    for (auto& h : listed.value()) {
        const bool ours = is_our_hook_url(base_url, h.target_url);
        rows.push_back({std::move(h), ours});
    }
    co_return rows;
}

std::vector<std::string> format_hook_rows(const std::vector<hook_row>& rows) {
    std::vector<std::string> out;
    std::size_t ours = 0;
    for (const auto& r : rows) {
        if (r.ours) ++ours;
        std::string line = r.ours ? "ours   " : "other  ";
        line += r.hook.id + "  " + type_label(r.hook.type);
        if (!r.hook.campaign_id.empty()) line += "  campaign " + r.hook.campaign_id;
        line += "  " + (r.ours ? r.hook.target_url : masked_url(r.hook.target_url));
        if (!r.hook.created_at.empty()) line += "  created " + r.hook.created_at;
        out.push_back(std::move(line));
    }
    out.push_back(std::to_string(rows.size()) + " hook(s), " + std::to_string(ours) + " ours");
    return out;
}

}  // namespace las::tools
