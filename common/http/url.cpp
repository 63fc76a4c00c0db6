// Base URL parsing for the client: "scheme://host[:port][/base]", nothing more (no
// credentials, query or fragment: a base URL carrying those is a configuration mistake).

#include <algorithm>
#include <cctype>
#include <charconv>

#include "http/client.hpp"

namespace las::http {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_host_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '-' || c == '.' || c == '_';
}

}  // namespace

result<parsed_url, std::string> parse_base_url(std::string_view url) {
    for (char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return fail(std::string("base URL contains whitespace or a control character"));
    }
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return fail(std::string("base URL has no scheme (expected https://host)"));
    parsed_url out;
    out.scheme = lower(url.substr(0, sep));
    if (out.scheme != "http" && out.scheme != "https")
        return fail("base URL scheme must be http or https, not '" + out.scheme + "'");
    std::string_view rest = url.substr(sep + 3);

    const auto path_start = rest.find('/');
    std::string_view authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    if (authority.find('@') != std::string_view::npos)
        return fail(std::string("base URL must not carry credentials (user@host)"));
    if (authority.find_first_of("?#") != std::string_view::npos || path.find_first_of("?#") != std::string_view::npos)
        return fail(std::string("base URL must not have a query or a fragment"));

    std::string_view host;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {  // IPv6 literal
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return fail(std::string("base URL has an unterminated IPv6 literal"));
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fail(std::string("base URL has junk after the IPv6 literal"));
            port = after.substr(1);
            if (port.empty()) return fail(std::string("base URL has an empty port"));
        }
        boost::system::error_code ec;
        auto addr = asio::ip::make_address_v6(std::string(host), ec);
        (void)addr;
        if (ec) return fail("base URL has an invalid IPv6 address '" + std::string(host) + "'");
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return fail(std::string("base URL has an empty port"));
        }
        if (!std::all_of(host.begin(), host.end(), is_host_char))
            return fail("base URL has an invalid host '" + std::string(host) + "'");
    }
    if (host.empty()) return fail(std::string("base URL has no host"));
    out.host = lower(host);

    if (port.empty()) {
        out.port = out.scheme == "https" ? "443" : "80";
    } else {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
            return fail("base URL has an invalid port '" + std::string(port) + "'");
        out.port = std::to_string(value);
    }

    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.path = std::string(path);
    return out;
}

bool is_loopback_host(std::string_view host) {
    if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    std::string h = lower(host);
    if (!h.empty() && h.back() == '.') h.pop_back();
    if (h == "localhost") return true;
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(h, ec);
    if (ec) return false;
    if (addr.is_v4()) return addr.to_v4().to_bytes()[0] == 127;
    const auto v6 = addr.to_v6();
    if (v6.is_loopback()) return true;
    return v6.is_v4_mapped() && asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_bytes()[0] == 127;
}

}  // namespace las::http
