#include "outbound/call_error.hpp"

namespace las::outbound {

std::string_view to_string(failure f) {
    switch (f) {
        case failure::transient: return "transient";
        case failure::rate_limited: return "rate_limited";
        case failure::permanent: return "permanent";
        case failure::unknown_fate: return "unknown_fate";
    }
    return "permanent";
}

std::string call_error::describe() const {
    std::string out(to_string(kind));
    if (status != 0 || !code.empty()) {
        out += " (";
        if (status != 0) out += std::to_string(status);
        if (status != 0 && !code.empty()) out += ' ';
        out += code;
        out += ')';
    }
    if (!message.empty()) {
        out += ": ";
        out += message;
    }
    return out;
}

failure classify_status(unsigned status, bool replay_safe) {
    if (status == 429) return failure::rate_limited;
    if (status == 408) return failure::transient;
    if (status >= 500 && status <= 599) return replay_safe ? failure::transient : failure::unknown_fate;
    return failure::permanent;
}

failure classify_transport(http::transport_error_kind kind, bool replay_safe) {
    using k = http::transport_error_kind;
    switch (kind) {
        case k::resolve_failed:
        case k::connect_failed:
        case k::connect_timeout:
        case k::tls_handshake_failed:
            return failure::transient;  // nothing reached the server
        case k::timeout:
        case k::connection_closed:
        case k::response_too_large:
        case k::protocol_error:
            return replay_safe ? failure::transient : failure::unknown_fate;
    }
    return failure::unknown_fate;
}

call_error from_transport(const http::transport_error& error, bool replay_safe) {
    call_error out;
    out.kind = classify_transport(error.kind, replay_safe);
    out.code = std::string(http::to_string(error.kind));
    out.message = short_text(error.message);
    return out;
}

std::string short_text(std::string_view text, std::size_t max_bytes) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    bool cut = false;
    if (text.size() > max_bytes) {
        std::size_t end = max_bytes;
        // Back up over UTF-8 continuation bytes so a character is never split.
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        text = text.substr(0, end);
        cut = true;
    }
    std::string out;
    out.reserve(text.size() + 3);
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    if (cut) out += "\xE2\x80\xA6";  // …
    return out;
}

}  // namespace las::outbound
