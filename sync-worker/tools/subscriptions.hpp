#pragma once
// `sync-worker subscriptions sync [--dry-run]` and `subscriptions list`: make Lemlist's
// webhook subscriptions equal the enabled categories and types of the TOML settings.
//
// OUR hooks are those whose targetUrl equals PUBLIC_WEBHOOK_URL exactly; hooks with any
// other targetUrl belong to someone else (Zapier, n8n, another install) and are never
// touched. Among ours: one team-wide hook per desired type is kept, missing types are
// created (POST /api/hooks with targetUrl, type, secret = LEMLIST_WEBHOOK_SECRET), and the
// rest are deleted (types no longer enabled, duplicates, catch-all or campaign-scoped hooks).
// Lemlist's refusals (a 402 plan gate above all) are shown verbatim: status and body text.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/settings.hpp"
#include "http/asio.hpp"
#include "outbound/lemlist_client.hpp"

namespace las::tools {

// The Lemlist types to subscribe to, sorted and unique: every documented (not removed) type
// of each enabled category, plus `enabled_types` as given. Lemlist's aggregate lead-state
// types (contacted, hooked, attracted, warmed, interested, notInterested) are not implied by
// a category: they re-announce the per-channel events (list them in enabled_types to get
// them). Fails naming an unknown category.
result<std::vector<std::string>, std::string> desired_hook_types(const file_settings& settings);

enum class hook_step {
    create,   // a desired type without a hook of ours
    remove,   // a hook of ours that is not desired (or a duplicate)
    keep,     // a hook of ours for a desired type
    foreign,  // not ours: shown, never touched
};
std::string_view to_string(hook_step step);

struct hook_action {
    hook_step step = hook_step::keep;
    std::string type;     // "" = a catch-all hook (every type)
    std::string hook_id;  // empty for create
    std::string detail;   // why (e.g. "duplicate", "campaign-scoped")
};

// Pure diff: deletions first, then creations; foreign and kept hooks listed for display.
std::vector<hook_action> plan_subscriptions(const std::vector<std::string>& desired_types,
                                            const std::vector<outbound::lemlist_hook>& existing,
                                            std::string_view our_target_url);

struct subscription_settings {
    std::string target_url;             // PUBLIC_WEBHOOK_URL
    std::optional<std::string> secret;  // LEMLIST_WEBHOOK_SECRET
    std::vector<std::string> types;     // desired_hook_types()
    bool dry_run = false;
};

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
                                                                           std::string our_target_url);
std::vector<std::string> format_hook_rows(const std::vector<hook_row>& rows);

// One line for a failed call, with Lemlist's status and text: "HTTP 402: <body text>".
std::string describe_refusal(const outbound::call_error& error);

}  // namespace las::tools
