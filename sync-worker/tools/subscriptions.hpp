#pragma once
// `sync-worker subscriptions sync [--dry-run]` and `subscriptions list`: make Lemlist's
// webhook subscriptions equal the enabled categories and types of the TOML settings.
//
// Lemlist keeps one hook per targetUrl: a second POST /api/hooks with a URL another hook
// already has is refused (409), whatever its type. So each hook gets its own URL:
//
//   per_type  PUBLIC_WEBHOOK_URL?type=<type>, one hook per desired type (the gateway routes
//             on the path and ignores the query, except to cross-check the type)
//   all       PUBLIC_WEBHOOK_URL itself, one hook without a type (every event); the worker
//             drops the disabled categories
//
// OUR hooks are those whose targetUrl is PUBLIC_WEBHOOK_URL, or PUBLIC_WEBHOOK_URL followed
// by our `type=` query; any other targetUrl belongs to someone else (Zapier, n8n, another
// install) and is never touched. Among ours, the hooks the mode wants are kept, missing ones
// created (targetUrl, type, secret = LEMLIST_WEBHOOK_SECRET) and the rest deleted (types no
// longer enabled, duplicates, a hook at the wrong URL for its type, campaign-scoped hooks),
// deletions first so a URL they held is free for its new hook. Lemlist's refusals (a 402
// plan gate above all) are shown verbatim: status and body text.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/settings.hpp"
#include "core/asio.hpp"
#include "outbound/lemlist_client.hpp"

namespace las::tools {

// The Lemlist types to subscribe to, sorted and unique: every documented (not removed) type
// of each enabled category, plus `enabled_types` as given. Lemlist's aggregate lead-state
// types (contacted, hooked, attracted, warmed, interested, notInterested) are not implied by
// a category: they re-announce the per-channel events (list them in enabled_types to get
// them). Fails naming an unknown category.
result<std::vector<std::string>, std::string> desired_hook_types(const file_settings& settings);

// The targetUrl of our hook for `type` ("" = the all-events hook): `base` itself, or
// `base?type=<type>` (`&type=` when `base` already has a query).
std::string hook_target_url(std::string_view base, std::string_view type);

// Whether `url` is one of ours: `base`, or `base` followed by our `type=` query.
bool is_our_hook_url(std::string_view base, std::string_view url);

enum class hook_step {
    create,   // a desired type without a hook of ours
    remove,   // a hook of ours that is not desired (or a duplicate)
    keep,     // a hook of ours for a desired type
    foreign,  // not ours: shown, never touched
};
std::string_view to_string(hook_step step);

struct hook_action {
    hook_step step = hook_step::keep;
    std::string type;        // "" = a catch-all hook (every type)
    std::string hook_id;     // empty for create
    std::string detail;      // why (e.g. "duplicate", "campaign-scoped")
    std::string target_url;  // create: the URL to give Lemlist; keep/remove: ours, as listed
};

// Pure diff: deletions first, then creations; foreign and kept hooks listed for display.
// In `all` mode the desired types only decide whether the one all-events hook is wanted
// (any type enabled) or not.
std::vector<hook_action> plan_subscriptions(const std::vector<std::string>& desired_types,
                                            const std::vector<outbound::lemlist_hook>& existing,
                                            std::string_view base_url, hook_mode mode = hook_mode::per_type);

struct subscription_settings {
    std::string target_url;             // PUBLIC_WEBHOOK_URL
    std::optional<std::string> secret;  // LEMLIST_WEBHOOK_SECRET
    std::vector<std::string> types;     // desired_hook_types()
    bool dry_run = false;
    hook_mode mode = hook_mode::per_type;
};

// The sync's settings from the worker's: PUBLIC_WEBHOOK_URL (the caller checked it is set),
// LEMLIST_WEBHOOK_SECRET, `[events] mode`, and the desired `types`.
subscription_settings subscription_settings_for(const worker_settings& settings, std::vector<std::string> types);

struct hook_outcome {
    hook_action action;
    bool applied = false;                        // the create / delete was made
    std::optional<outbound::call_error> error;   // Lemlist's refusal, verbatim
    std::string note;                            // e.g. "already gone", "skipped after a 402"
};

struct subscription_report {
    bool dry_run = false;
    std::optional<outbound::call_error> listing_error;  // GET /api/hooks failed: nothing was planned
    std::vector<hook_outcome> outcomes;

    bool has_errors() const;
    int exit_code() const;  // 0 in sync (or planned), 2 on any error
    std::vector<std::string> lines() const;  // one per action, then a summary
};

// Lists the hooks, plans, and (unless dry_run) applies deletions then creations. Never
// throws for API answers. After a 401/402/403 the remaining writes are skipped (they would
// all be refused the same way).
awaitable<subscription_report> sync_subscriptions(outbound::lemlist_client& lemlist, subscription_settings settings);

// `subscriptions list`: every hook of the team, ours marked.
struct hook_row {
    outbound::lemlist_hook hook;
    bool ours = false;
};
awaitable<outbound::call_result<std::vector<hook_row>>> list_subscriptions(outbound::lemlist_client& lemlist,
                                                                           std::string base_url);
std::vector<std::string> format_hook_rows(const std::vector<hook_row>& rows);

// One line for a failed call, with Lemlist's status and text: "HTTP 402: <body text>".
std::string describe_refusal(const outbound::call_error& error);

}  // namespace las::tools
