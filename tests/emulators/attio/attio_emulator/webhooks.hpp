#pragma once
// The workspace's webhooks (reference §5; spec /v2/webhooks): created, listed, read, updated
// and deleted as the real API does — target_url must match ^https://, each subscription has
// an event_type of the spec's enum and a filter (`null`, or {"$and"|"$or":[{field,
// operator:"equals"|"not_equals", value}]}), the answer to a creation alone carries the
// signing secret (64 hex), list pages take limit 10..100 (default 10) and offset.
// Stored, never delivered: the emulator sends no events. Not thread-safe: the service
// serialises access.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "attio_emulator/api_error.hpp"
#include "attio_emulator/ids.hpp"
#include "attio_emulator/values.hpp"
#include "core/result.hpp"

namespace las::attio_emulator {

struct webhook {
    std::string id;
    std::string target_url;
    std::string status = "active";  // active | degraded | inactive
    std::string created_at;
    std::string secret;
    std::string subscriptions_json;  // the validated subscriptions, normalised: [{event_type, filter}]
};

class webhook_registry {
public:
    // `seed` 0 draws ids from the OS.
    explicit webhook_registry(std::uint64_t seed = 0)
        : ids_(seed == 0 ? id_generator() : id_generator(seed ^ 0x5bd1e995u)) {}

    // `data` is the request's `data` member.
    result<const webhook*, api_error> create(const rapidjson::Value& data, const std::string& now);
    result<const webhook*, api_error> update(std::string_view id, const rapidjson::Value& data);
    std::optional<api_error> remove(std::string_view id);
    const webhook* find(std::string_view id) const;
    const std::deque<webhook>& all() const { return hooks_; }
    void clear() { hooks_.clear(); }

private:
    id_generator ids_;
    std::deque<webhook> hooks_;  // creation order
};

// The event types the spec's subscription enum lists (api-01).
bool is_webhook_event_type(std::string_view type);

// Attio's webhook object: {target_url, subscriptions, id:{workspace_id, webhook_id}, status,
// created_at} plus `secret` when `with_secret` (the creation's answer).
void write_webhook(json_writer& w, std::string_view workspace_id, const webhook& h, bool with_secret);

api_error webhook_not_found(std::string_view id);

}  // namespace las::attio_emulator
