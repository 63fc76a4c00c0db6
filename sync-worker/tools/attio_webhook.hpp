#pragma once
// `sync-worker attio-webhook sync [--dry-run]`: make Attio send the enrollment list's entry
// events to the gateway's `POST /webhooks/attio`.
//
// OUR webhook is the one whose target_url equals the Attio webhook URL exactly
// (PUBLIC_ATTIO_WEBHOOK_URL, else PUBLIC_WEBHOOK_URL's origin + /webhooks/attio); webhooks
// with any other target_url are never touched. It must subscribe to `list-entry.created` and
// `list-entry.updated`, each filtered to the enrollment list
// (`{"$and":[{"field":"id.list_id","operator":"equals","value":"<list uuid>"}]}`: Attio's
// filter fields are dot paths into the event payload, reference §5). Missing: it is created
// and its signing secret printed — Attio shows it in that one answer only, so the operator
// sets ATTIO_WEBHOOK_SECRET on the gateway from it. Different subscriptions: they are
// replaced (PATCH; the secret stays). Otherwise nothing changes: a second run is a no-op.
//
// Exit codes: 0 in place (or created/updated, or planned in a dry run); 1 our webhook is
// `degraded` or `inactive` at Attio (deliveries failed); 2 a setting or an Attio call failed.

#include <string>
#include <string_view>
#include <vector>

#include "attio/client.hpp"
#include "core/result.hpp"
#include "core/settings.hpp"
#include "core/asio.hpp"
#include "tools/runtime.hpp"

namespace las::tools {

// The URL Attio posts to. Attio only takes https:// targets; the error names the setting.
result<std::string, std::string> attio_webhook_url(const worker_settings& settings);

// The subscriptions our webhook must have for the enrollment list `list_id` (a uuid).
std::vector<attio::webhook_subscription> enrollment_subscriptions(std::string_view list_id);

// Pure diff against Attio's webhooks.
struct webhook_plan {
    enum class action { create, update, keep } what = action::create;
    const attio::webhook_info* ours = nullptr;    // update, keep
    std::vector<const attio::webhook_info*> also_ours;  // more webhooks with our target_url: reported, not touched
};
webhook_plan plan_webhook(const std::vector<attio::webhook_info>& existing, std::string_view target_url,
                          const std::vector<attio::webhook_subscription>& desired);

struct attio_webhook_settings {
    std::string target_url;
    std::string list;  // the enrollment list's slug
    bool dry_run = false;
    std::size_t page_size = 100;  // Attio's maximum for GET /v2/webhooks
    std::size_t max_pages = 100;
};

struct attio_webhook_report {
    std::vector<std::string> lines;
    int exit_code = 0;
};
awaitable<attio_webhook_report> sync_attio_webhook(attio::client& attio, attio_webhook_settings settings);

int attio_webhook_sync_command(runtime& rt, bool dry_run);

}  // namespace las::tools
