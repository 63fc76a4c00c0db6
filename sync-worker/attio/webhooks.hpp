#pragma once
// Attio webhooks as the client sends and reads them (reference §5, pure): a webhook is a
// target_url (https only), its subscriptions — an event_type and a filter, `null` (always
// passes) or {"$and"|"$or":[{"field","operator":"equals"|"not_equals","value"}]} where
// `field` is a dot path into the event payload (`id.list_id`) — an id, a status
// (active | degraded | inactive) and, in the answer to its creation only, the signing secret.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace las::attio {

struct webhook_condition {
    std::string field;
    std::string op;  // "equals" | "not_equals"
    std::string value;
};

struct webhook_filter {
    std::string combinator = "$and";  // "$and" | "$or"
    std::vector<webhook_condition> conditions;
};

struct webhook_subscription {
    std::string event_type;
    std::optional<webhook_filter> filter;  // nullopt: JSON null, every event passes
};

struct webhook_info {
    std::string webhook_id;
    std::string target_url;
    std::string status;
    std::string created_at;
    std::vector<webhook_subscription> subscriptions;
    std::optional<std::string> secret;  // only in the answer to POST /v2/webhooks
};

// Whether two subscription lists ask for the same events: compared as sets, conditions too
// (Attio does not promise to keep our order).
bool same_subscriptions(const std::vector<webhook_subscription>& a, const std::vector<webhook_subscription>& b);

// One line per subscription, for reports: `list-entry.created where id.list_id equals <uuid>`.
std::string describe(const webhook_subscription& s);

// `{"data":{"target_url":…,"subscriptions":[…]}}`; an empty target_url is left out (PATCH).
std::string webhook_body(std::string_view target_url, const std::vector<webhook_subscription>& subscriptions);

result<webhook_info, std::string> parse_webhook_answer(std::string_view body);
result<std::vector<webhook_info>, std::string> parse_webhook_list(std::string_view body);

}  // namespace las::attio
