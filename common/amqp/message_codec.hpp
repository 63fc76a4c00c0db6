#pragma once
// Conversion between our message values and rabbitmq-c structures. Internal to the amqp
// area (publisher, consumer, sync channel).

#include <amqp.h>

#include <vector>

#include "amqp/message.hpp"

namespace las::amqp {

// amqp_basic_properties_t pointing into `request` and `scratch`: both must outlive the
// publish call that uses the result.
amqp_basic_properties_t encode_properties(const publish_request& request, std::vector<amqp_table_entry_t>& scratch);

// Copies properties and headers out of a received message into `out`.
void decode_properties(const amqp_basic_properties_t& properties, delivery& out);

header_table decode_table(const amqp_table_t& table);

inline amqp_bytes_t as_bytes(std::string_view s) { return amqp_bytes_t{s.size(), const_cast<char*>(s.data())}; }
inline std::string to_string(const amqp_bytes_t& b) {
    return b.bytes == nullptr ? std::string() : std::string(static_cast<const char*>(b.bytes), b.len);
}

// amqp_basic_publish with our request; returns the library status (0 = written).
int publish_raw(amqp_connection_state_t state, amqp_channel_t channel, const publish_request& request,
                std::vector<amqp_table_entry_t>& scratch);

}  // namespace las::amqp
