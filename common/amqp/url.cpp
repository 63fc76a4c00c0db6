#include "amqp/url.hpp"

#include <charconv>
#include <optional>

namespace las::amqp {
namespace {

// The URL with the password (if any) replaced by ***, for error messages.
std::string redacted(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        // Without a scheme we cannot tell where credentials are: show nothing after '@'.
        const auto at = url.rfind('@');
        return at == std::string_view::npos ? std::string(url) : "***" + std::string(url.substr(at));
    }
    const auto authority_begin = scheme_end + 3;
    const auto authority_end = std::min(url.find_first_of("/?", authority_begin), url.size());
    const auto authority = url.substr(authority_begin, authority_end - authority_begin);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    const auto userinfo = authority.substr(0, at);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) return std::string(url);
    std::string out(url.substr(0, authority_begin));
    out.append(userinfo.substr(0, colon)).append(":***");
    out.append(url.substr(authority_begin + at));
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;  // a '%' needs two hex digits after it
        const int hi = hex_value(s[i + 1]);
        const int lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

template <class T>
std::optional<T> parse_unsigned(std::string_view s) {
    T value{};
    if (s.empty()) return std::nullopt;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return value;
}

}  // namespace

result<connection_settings, std::string> parse_url(std::string_view url) {
    const auto bad = [&](std::string_view what) {
        return fail("invalid AMQP_URL " + redacted(url) + ": " + std::string(what));
    };
    constexpr std::string_view scheme = "amqp://";
    if (url.substr(0, 8) == "amqps://") return bad("amqps (TLS) is not supported");
    if (url.substr(0, scheme.size()) != scheme) return bad("must start with amqp://");

    connection_settings settings;
    std::string_view rest = url.substr(scheme.size());

    // Split off the query, then the path; what remains is the authority.
    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    std::optional<std::string_view> path;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        path = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
    }
    std::string_view authority = rest;

    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const auto userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const auto colon = userinfo.find(':');
        const auto user = percent_decode(userinfo.substr(0, colon));
        if (!user) return bad("bad percent-escape in the user name");
        settings.user = *user;
        if (colon != std::string_view::npos) {
            const auto password = percent_decode(userinfo.substr(colon + 1));
            if (!password) return bad("bad percent-escape in the password");
            settings.password = *password;
        } else {
            settings.password.clear();
        }
        if (settings.user.empty()) return bad("empty user name");
    }

    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return bad("unterminated [IPv6] host");
        settings.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return bad("unexpected text after ]");
            port_text = after.substr(1);
            if (port_text.empty()) return bad("empty port");
        }
    } else {
        const auto colon = authority.rfind(':');
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return bad("empty port");
            authority = authority.substr(0, colon);
        }
        // No silent default host: a URL that names none is a configuration mistake.
        const auto host = percent_decode(authority);
        if (!host) return bad("bad percent-escape in the host");
        settings.host = *host;
    }
    if (settings.host.empty()) return bad("empty host");
    if (!port_text.empty()) {
        const auto port = parse_unsigned<std::uint32_t>(port_text);
        if (!port || *port == 0 || *port > 65535) return bad("port must be a number in 1..65535");
        settings.port = static_cast<std::uint16_t>(*port);
    }

    if (path && !path->empty()) {
        if (path->find('/') != std::string_view::npos) return bad("a '/' inside the vhost must be written %2f");
        const auto vhost = percent_decode(*path);
        if (!vhost) return bad("bad percent-escape in the vhost");
        settings.vhost = *vhost;
    }

    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) return bad("query parameter without a value");
        const auto key = pair.substr(0, eq);
        const auto value = pair.substr(eq + 1);
        if (key == "heartbeat") {
            const auto v = parse_unsigned<std::uint32_t>(value);
            if (!v || *v > 65535) return bad("heartbeat must be 0..65535 seconds");
            settings.heartbeat = std::chrono::seconds(*v);
        } else if (key == "connection_timeout") {
            const auto v = parse_unsigned<std::uint32_t>(value);
            if (!v || *v == 0) return bad("connection_timeout must be a positive number of milliseconds");
            settings.connect_timeout = std::chrono::milliseconds(*v);
        } else if (key == "frame_max") {
            const auto v = parse_unsigned<std::uint32_t>(value);
            if (!v || *v < 4096) return bad("frame_max must be at least 4096");
            settings.frame_max = *v;
        } else {
            return bad("unknown query parameter '" + std::string(key) + "'");
        }
    }
    return settings;
}

std::string describe(const connection_settings& settings) {
    std::string out = "amqp://" + settings.user + "@";
    if (settings.host.find(':') != std::string::npos) {
        out += "[" + settings.host + "]";
    } else {
        out += settings.host;
    }
    out += ":" + std::to_string(settings.port) + "/";
    if (settings.vhost != "/") {  // the default vhost is the bare "/" path
        for (const char c : settings.vhost) {
            if (c == '/') out += "%2f";
            else out += c;
        }
    }
    return out;
}

}  // namespace las::amqp
