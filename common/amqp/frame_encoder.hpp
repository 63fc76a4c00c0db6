#pragma once
// Encodes basic.publish frames ourselves so the publisher can write a whole batch of
// messages with one send(2) instead of rabbitmq-c's three per message (method, header,
// body), and with its own deadline instead of 0.11's infinite one. Internal to the amqp
// area; the framing (AMQP 0-9-1 section 4.2.3) and the argument/property encoders
// (amqp_encode_method, amqp_encode_properties) are rabbitmq-c's.

#include <amqp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "amqp/message.hpp"

namespace las::amqp {

// Appends the method, content-header and body frames of one publish to `out`. Returns
// AMQP_STATUS_OK, or a negative amqp_status_enum (e.g. a name over 255 bytes) with `out`
// unchanged. `frame_max` is the negotiated maximum frame size (body frames are split).
int append_publish_frames(std::string& out, amqp_channel_t channel, std::uint32_t frame_max,
                          const publish_request& request, std::vector<amqp_table_entry_t>& scratch);

}  // namespace las::amqp
