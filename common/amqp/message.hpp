#pragma once
// What we publish and what we receive, as plain values (no rabbitmq-c types), so the
// gateway, the worker and the tools never touch amqp_basic_properties_t.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace las::amqp {

// Header values we write and read: strings and integers. On the way in, other AMQP field
// kinds are folded: booleans and timestamps become integers, floats and decimals become
// their decimal text, arrays and nested tables (e.g. the broker's `x-death`) and voids are
// left out.
using header_value = std::variant<std::string, std::int64_t>;
using header_table = std::map<std::string, header_value, std::less<>>;

// Well-known header names (ARCHITECTURE.md, "Messages" and "Retry, dead letters").
namespace header {
inline constexpr std::string_view received_at = "x-received-at";
inline constexpr std::string_view source = "x-source";  // webhook | reconcile | replay
inline constexpr std::string_view attempts = "x-attempts";
inline constexpr std::string_view dlq_reason = "x-dlq-reason";
inline constexpr std::string_view last_error = "x-last-error";
inline constexpr std::string_view failed_at = "x-failed-at";
}  // namespace header

// Null-safe header access.
std::optional<std::string_view> header_string(const header_table& headers, std::string_view key);
std::optional<std::int64_t> header_int(const header_table& headers, std::string_view key);

// One message to publish. Defaults match the contract: persistent JSON, mandatory (an
// unroutable message comes back as `returned` instead of vanishing).
struct publish_request {
    std::string exchange;     // "" = default exchange (routing key = queue name)
    std::string routing_key;
    std::string body;
    std::string message_id;   // the idempotency key
    std::string content_type = "application/json";
    header_table headers;
    std::optional<std::string> expiration;      // per-message TTL in ms, as text ("60000")
    std::optional<std::string> reply_to;
    std::optional<std::string> correlation_id;
    bool persistent = true;   // delivery_mode 2
    bool mandatory = true;
};

// One message received (consumer delivery or basic.get). Everything is copied out of the
// library's buffers, so it can cross threads and outlive the connection.
struct delivery {
    std::string body;
    std::string message_id;
    std::string content_type;
    std::string correlation_id;
    std::string reply_to;
    std::string expiration;
    header_table headers;
    std::string exchange;      // the exchange it was published to ("" = default)
    std::string routing_key;
    bool redelivered = false;
    bool persistent = false;
    std::uint64_t delivery_tag = 0;
    // Which connection/channel incarnation the tag belongs to (see consumer.hpp): a tag is
    // meaningless on any other channel.
    std::uint64_t generation = 0;
    // basic.get only: messages left in the queue after this one.
    std::uint32_t message_count = 0;
};

// The answer to `request` over RabbitMQ direct reply-to: to its reply_to through the default
// exchange, with its correlation_id and message_id; transient, and not mandatory (a caller
// that gave up leaves no queue behind).
publish_request reply_message(const delivery& request, std::string body);

}  // namespace las::amqp
