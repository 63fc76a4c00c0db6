#include "gateway/spool_message.hpp"

#include <cstdint>

namespace las::gateway {
namespace {

constexpr char format_version = 1;

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_string(std::string& out, std::string_view s) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

// A cursor that refuses to read past the end.
struct reader {
    std::string_view rest;
    bool ok = true;

    std::uint32_t u32() {
        if (rest.size() < 4) return ok = false, 0;
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(rest[static_cast<std::size_t>(i)]);
        rest.remove_prefix(4);
        return v;
    }
    std::uint64_t u64() {
        const std::uint64_t lo = u32();
        return lo | (static_cast<std::uint64_t>(u32()) << 32);
    }
    char byte() {
        if (rest.empty()) return ok = false, 0;
        const char c = rest.front();
        rest.remove_prefix(1);
        return c;
    }
    std::string string() {
        const std::uint32_t n = u32();
        if (!ok || rest.size() < n) return ok = false, std::string();
        std::string s(rest.substr(0, n));
        rest.remove_prefix(n);
        return s;
    }
};

}  // namespace

std::string encode_message(const amqp::publish_request& m) {
    std::string out;
    out.reserve(64 + m.exchange.size() + m.routing_key.size() + m.message_id.size() + m.content_type.size() +
                m.body.size() + m.headers.size() * 32);
    out.push_back(format_version);
    put_string(out, m.exchange);
    put_string(out, m.routing_key);
    put_string(out, m.message_id);
    put_string(out, m.content_type);
    out.push_back(static_cast<char>((m.persistent ? 1 : 0) | (m.mandatory ? 2 : 0)));
    put_u32(out, static_cast<std::uint32_t>(m.headers.size()));
    for (const auto& [key, value] : m.headers) {
        put_string(out, key);
        if (const auto* s = std::get_if<std::string>(&value)) {
            out.push_back('s');
            put_string(out, *s);
        } else {
            out.push_back('i');
            const auto v = static_cast<std::uint64_t>(std::get<std::int64_t>(value));
            put_u32(out, static_cast<std::uint32_t>(v));
            put_u32(out, static_cast<std::uint32_t>(v >> 32));
        }
    }
    put_string(out, m.body);
    return out;
}

std::optional<amqp::publish_request> decode_message(std::string_view payload) {
    reader r{payload};
    if (r.byte() != format_version) return std::nullopt;
    amqp::publish_request m;
    m.exchange = r.string();
    m.routing_key = r.string();
    m.message_id = r.string();
    m.content_type = r.string();
    const char flags = r.byte();
    m.persistent = (flags & 1) != 0;
    m.mandatory = (flags & 2) != 0;
    const std::uint32_t count = r.u32();
    for (std::uint32_t i = 0; r.ok && i < count; ++i) {
        std::string key = r.string();
        const char kind = r.byte();
        if (kind == 's') m.headers.emplace(std::move(key), r.string());
        else if (kind == 'i') m.headers.emplace(std::move(key), static_cast<std::int64_t>(r.u64()));
        else return std::nullopt;
    }
    m.body = r.string();
    if (!r.ok || !r.rest.empty()) return std::nullopt;
    return m;
}

}  // namespace las::gateway
