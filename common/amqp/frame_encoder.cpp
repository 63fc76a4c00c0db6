#include "amqp/frame_encoder.hpp"

#include <algorithm>

#include "amqp/message_codec.hpp"

namespace las::amqp {
namespace {

constexpr std::size_t frame_header_size = 7;  // type(1) channel(2) size(4)
constexpr std::size_t frame_overhead = frame_header_size + 1;  // + frame-end

void put16(char* p, std::uint16_t v) {
    p[0] = static_cast<char>(v >> 8);
    p[1] = static_cast<char>(v);
}
void put32(char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (24 - 8 * i));
}
void put64(char* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (56 - 8 * i));
}

// Starts a frame at the end of `out` with room for `payload_room` bytes; returns its offset.
std::size_t open_frame(std::string& out, std::uint8_t type, amqp_channel_t channel, std::size_t payload_room) {
    const std::size_t at = out.size();
    out.resize(at + frame_header_size + payload_room + 1);
    out[at] = static_cast<char>(type);
    put16(&out[at + 1], channel);
    return at;
}

// Fixes the size of the frame at `at` holding `payload` bytes and terminates it.
void close_frame(std::string& out, std::size_t at, std::size_t payload) {
    put32(&out[at + 3], static_cast<std::uint32_t>(payload));
    out.resize(at + frame_header_size + payload + 1);
    out.back() = static_cast<char>(AMQP_FRAME_END);
}

std::size_t properties_room(const publish_request& r) {
    std::size_t n = 64 + r.content_type.size() + r.message_id.size();
    if (r.expiration) n += r.expiration->size();
    if (r.reply_to) n += r.reply_to->size();
    if (r.correlation_id) n += r.correlation_id->size();
    for (const auto& [key, value] : r.headers) {
        n += 16 + key.size();
        if (const auto* s = std::get_if<std::string>(&value)) n += s->size();
    }
    return n;
}

}  // namespace

int append_publish_frames(std::string& out, amqp_channel_t channel, std::uint32_t frame_max,
                          const publish_request& request, std::vector<amqp_table_entry_t>& scratch) {
    const std::size_t start = out.size();
    const auto rollback = [&](int status) {
        out.resize(start);
        return status < 0 ? status : AMQP_STATUS_BAD_AMQP_DATA;
    };

    // Method frame: basic.publish.
    amqp_basic_publish_t method{};
    method.exchange = as_bytes(request.exchange);
    method.routing_key = as_bytes(request.routing_key);
    method.mandatory = request.mandatory ? 1 : 0;
    const std::size_t method_room = 4 + 16 + request.exchange.size() + request.routing_key.size();
    std::size_t at = open_frame(out, AMQP_FRAME_METHOD, channel, method_room);
    put32(&out[at + frame_header_size], AMQP_BASIC_PUBLISH_METHOD);
    int n = amqp_encode_method(AMQP_BASIC_PUBLISH_METHOD, &method,
                               amqp_bytes_t{method_room - 4, &out[at + frame_header_size + 4]});
    if (n <= 0) return rollback(n);
    close_frame(out, at, 4 + static_cast<std::size_t>(n));

    // Content header frame: class, weight, body size, properties.
    amqp_basic_properties_t properties = encode_properties(request, scratch);
    const std::size_t header_room = 12 + properties_room(request);
    at = open_frame(out, AMQP_FRAME_HEADER, channel, header_room);
    char* header = &out[at + frame_header_size];
    put16(header, AMQP_BASIC_CLASS);
    put16(header + 2, 0);
    put64(header + 4, request.body.size());
    n = amqp_encode_properties(AMQP_BASIC_CLASS, &properties, amqp_bytes_t{header_room - 12, header + 12});
    if (n < 0) return rollback(n);
    close_frame(out, at, 12 + static_cast<std::size_t>(n));

    // Body frames.
    const std::size_t chunk = std::max<std::size_t>(frame_max > frame_overhead ? frame_max - frame_overhead : 0, 1);
    for (std::size_t offset = 0; offset < request.body.size(); offset += chunk) {
        const std::size_t len = std::min(chunk, request.body.size() - offset);
        at = open_frame(out, AMQP_FRAME_BODY, channel, len);
        request.body.copy(&out[at + frame_header_size], len, offset);
        close_frame(out, at, len);
    }
    return AMQP_STATUS_OK;
}

}  // namespace las::amqp
