#pragma once
// A publish_request as a spool record payload and back. Kept: exchange, routing key,
// message_id, content_type, body, headers, persistent, mandatory. Not kept: reply_to,
// correlation_id, expiration (a spooled request/reply call has no caller left to answer).

#include <optional>
#include <string>
#include <string_view>

#include "amqp/message.hpp"

namespace las::gateway {

std::string encode_message(const amqp::publish_request& message);
// nullopt when the payload is not a record of this format (a bug or a foreign file).
std::optional<amqp::publish_request> decode_message(std::string_view payload);

}  // namespace las::gateway
