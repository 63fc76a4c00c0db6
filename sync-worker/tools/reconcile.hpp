#pragma once
// `sync-worker reconcile --since TIME [--until TIME] [--campaign ID] [--type T] [--dry-run]`:
// backfill from Lemlist's activity log. Pages GET /api/activities?version=v2 (limit 100,
// offset stepping until a short page; minDate/maxDate bound the window, maxDate = now when
// --until is not given so new activity cannot shift the pages), turns each activity into an
// event exactly as the gateway does a webhook (lemlist::event_from_document: same
// idempotency key, the activity `_id`) and publishes it to `lemlist.events` (persistent,
// mandatory, message_id = the key, x-source=reconcile, x-attempts=0) with confirms, one page
// pipelined at a time; an unconfirmed publish is retried, a final failure makes the exit
// code 1. The worker's idempotency drops what already landed through the webhooks.
// The Lemlist budget (20 requests / 2 s) is the client's gate's business.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "amqp/message.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "outbound/lemlist_client.hpp"
#include "tools/runtime.hpp"
#include "tools/time_arg.hpp"

namespace las::tools {

struct reconcile_options {
    sys_ms since{};
    sys_ms until{};
    std::optional<std::string> campaign_id;
    std::optional<std::string> type;
    bool dry_run = false;
    std::size_t page_size = 100;    // Lemlist's maximum
    std::size_t max_pages = 10'000;  // a bound on paging whatever the server does
    unsigned publish_attempts = 3;
    std::chrono::milliseconds confirm_timeout{10'000};
};

// The command line as given, checked and turned into options (--until defaults to `now`).
struct reconcile_args {
    std::string since;
    std::optional<std::string> until;
    std::optional<std::string> campaign_id;
    std::optional<std::string> type;
    bool dry_run = false;
};
result<reconcile_options, std::string> make_reconcile_options(const reconcile_args& args, sys_ms now);

// The activity query of one page.
outbound::activity_query page_query(const reconcile_options& options, std::size_t offset);

// One activity as the message the gateway would have published for its webhook (pure).
// The error is the validation failure (an activity without a usable `type`).
result<amqp::publish_request, std::string> reconcile_message(rapidjson::Document activity, sys_ms now);

int reconcile_command(runtime& rt, const reconcile_options& options);

}  // namespace las::tools
