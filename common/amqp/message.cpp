#include <cstdio>

#include "amqp/message.hpp"
#include "amqp/message_codec.hpp"

namespace las::amqp {

std::optional<std::string_view> header_string(const header_table& headers, std::string_view key) {
    const auto it = headers.find(key);
    if (it == headers.end()) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&it->second)) return std::string_view(*s);
    return std::nullopt;
}

std::optional<std::int64_t> header_int(const header_table& headers, std::string_view key) {
    const auto it = headers.find(key);
    if (it == headers.end()) return std::nullopt;
    if (const auto* i = std::get_if<std::int64_t>(&it->second)) return *i;
    return std::nullopt;
}

amqp_basic_properties_t encode_properties(const publish_request& request, std::vector<amqp_table_entry_t>& scratch) {
    amqp_basic_properties_t p{};
    p._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    p.delivery_mode = request.persistent ? 2 : 1;
    if (!request.content_type.empty()) {
        p._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
        p.content_type = as_bytes(request.content_type);
    }
    if (!request.message_id.empty()) {
        p._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        p.message_id = as_bytes(request.message_id);
    }
    if (request.expiration) {
        p._flags |= AMQP_BASIC_EXPIRATION_FLAG;
        p.expiration = as_bytes(*request.expiration);
    }
    if (request.reply_to) {
        p._flags |= AMQP_BASIC_REPLY_TO_FLAG;
        p.reply_to = as_bytes(*request.reply_to);
    }
    if (request.correlation_id) {
        p._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
        p.correlation_id = as_bytes(*request.correlation_id);
    }
    if (!request.headers.empty()) {
        scratch.clear();
        scratch.reserve(request.headers.size());
        for (const auto& [key, value] : request.headers) {
            amqp_table_entry_t e{};
            e.key = as_bytes(key);
            if (const auto* s = std::get_if<std::string>(&value)) {
                e.value.kind = AMQP_FIELD_KIND_UTF8;
                e.value.value.bytes = as_bytes(*s);
            } else {
                e.value.kind = AMQP_FIELD_KIND_I64;
                e.value.value.i64 = std::get<std::int64_t>(value);
            }
            scratch.push_back(e);
        }
        p._flags |= AMQP_BASIC_HEADERS_FLAG;
        p.headers = amqp_table_t{static_cast<int>(scratch.size()), scratch.data()};
    }
    return p;
}

namespace {

std::optional<header_value> decode_field(const amqp_field_value_t& v) {
    switch (v.kind) {
        case AMQP_FIELD_KIND_UTF8:
        case AMQP_FIELD_KIND_BYTES: return header_value(to_string(v.value.bytes));
        case AMQP_FIELD_KIND_BOOLEAN: return header_value(std::int64_t{v.value.boolean != 0});
        case AMQP_FIELD_KIND_I8: return header_value(std::int64_t{v.value.i8});
        case AMQP_FIELD_KIND_U8: return header_value(std::int64_t{v.value.u8});
        case AMQP_FIELD_KIND_I16: return header_value(std::int64_t{v.value.i16});
        case AMQP_FIELD_KIND_U16: return header_value(std::int64_t{v.value.u16});
        case AMQP_FIELD_KIND_I32: return header_value(std::int64_t{v.value.i32});
        case AMQP_FIELD_KIND_U32: return header_value(std::int64_t{v.value.u32});
        case AMQP_FIELD_KIND_I64: return header_value(std::int64_t{v.value.i64});
        case AMQP_FIELD_KIND_U64:
        case AMQP_FIELD_KIND_TIMESTAMP: return header_value(static_cast<std::int64_t>(v.value.u64));
        case AMQP_FIELD_KIND_F32:
        case AMQP_FIELD_KIND_F64: {
            char buf[64];
            const double d = v.kind == AMQP_FIELD_KIND_F32 ? v.value.f32 : v.value.f64;
            std::snprintf(buf, sizeof buf, "%.17g", d);
            return header_value(std::string(buf));
        }
        case AMQP_FIELD_KIND_DECIMAL: {
            // value * 10^-decimals, as text
            std::string digits = std::to_string(v.value.decimal.value);
            const auto places = static_cast<std::size_t>(v.value.decimal.decimals);
            if (places > 0) {
                while (digits.size() <= places) digits.insert(0, "0");
                digits.insert(digits.size() - places, ".");
            }
            return header_value(std::move(digits));
        }
        default: return std::nullopt;  // arrays, tables, void
    }
}

}  // namespace

header_table decode_table(const amqp_table_t& table) {
    header_table out;
    for (int i = 0; i < table.num_entries; ++i) {
        const auto& e = table.entries[i];
        if (auto v = decode_field(e.value)) out.insert_or_assign(to_string(e.key), std::move(*v));
    }
    return out;
}

void decode_properties(const amqp_basic_properties_t& p, delivery& out) {
    if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) out.message_id = to_string(p.message_id);
    if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) out.content_type = to_string(p.content_type);
    if (p._flags & AMQP_BASIC_CORRELATION_ID_FLAG) out.correlation_id = to_string(p.correlation_id);
    if (p._flags & AMQP_BASIC_REPLY_TO_FLAG) out.reply_to = to_string(p.reply_to);
    if (p._flags & AMQP_BASIC_EXPIRATION_FLAG) out.expiration = to_string(p.expiration);
    if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) out.persistent = p.delivery_mode == 2;
    if (p._flags & AMQP_BASIC_HEADERS_FLAG) out.headers = decode_table(p.headers);
}

int publish_raw(amqp_connection_state_t state, amqp_channel_t channel, const publish_request& request,
                std::vector<amqp_table_entry_t>& scratch) {
    const amqp_basic_properties_t properties = encode_properties(request, scratch);
    return amqp_basic_publish(state, channel, as_bytes(request.exchange), as_bytes(request.routing_key),
                              request.mandatory ? 1 : 0, 0, &properties, as_bytes(request.body));
}

publish_request reply_message(const delivery& request, std::string body) {
    publish_request r;
    r.exchange = "";
    r.routing_key = request.reply_to;
    r.correlation_id = request.correlation_id;
    r.message_id = request.message_id;
    r.body = std::move(body);
    r.persistent = false;
    r.mandatory = false;
    return r;
}

}  // namespace las::amqp
