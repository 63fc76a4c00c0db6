#include "lemlist/linkedin_url.hpp"

#include <algorithm>
#include <vector>

#include "lemlist/text.hpp"

namespace las::lemlist {
namespace {

constexpr std::string_view canonical_origin = "https://linkedin.com";

// Characters people and spreadsheets leave around a pasted URL; none can end a profile path.
bool is_wrapping(char c) {
    return text::is_ascii_space(c) || std::string_view("\"'<>()[]{}").find(c) != std::string_view::npos;
}
bool is_trailing_junk(char c) {
    return is_wrapping(c) || std::string_view(",.;:!?/").find(c) != std::string_view::npos;
}

std::string_view strip_surroundings(std::string_view s) {
    while (!s.empty() && is_wrapping(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_trailing_junk(s.back())) s.remove_suffix(1);
    return s;
}

bool is_linkedin_host(std::string_view host) {
    constexpr std::string_view apex = "linkedin.com";
    if (host == apex) return true;
    if (host.size() <= apex.size() + 1 || !host.ends_with(apex)) return false;
    // What precedes the apex must be whole labels, each followed by a dot: "www.", "fr.".
    bool in_label = false;
    for (const char c : host.substr(0, host.size() - apex.size())) {
        if (c == '.') {
            if (!in_label) return false;
            in_label = false;
        } else if (text::is_ascii_alnum(c) || c == '-') {
            in_label = true;
        } else {
            return false;
        }
    }
    return !in_label;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = text::to_lower_ascii(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Decodes the escapes that cannot change meaning (unreserved ASCII, UTF-8 bytes), keeps the
// others with upper-case hex, lower-cases ASCII letters when asked. nullopt on a malformed
// escape or when the result is not valid UTF-8.
std::optional<std::string> canonical_segment(std::string_view segment, bool lower) {
    static constexpr char hex_digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(segment.size());
    for (std::size_t i = 0; i < segment.size(); ++i) {
        char c = segment[i];
        if (c == '%') {
            if (segment.size() - i < 3) return std::nullopt;
            const int high = hex_value(segment[i + 1]);
            const int low = hex_value(segment[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            i += 2;
            const auto byte = static_cast<unsigned char>(high * 16 + low);
            const bool safe = byte >= 0x80 || text::is_ascii_alnum(static_cast<char>(byte)) ||
                              std::string_view("-._~").find(static_cast<char>(byte)) != std::string_view::npos;
            if (!safe) {
                out += '%';
                out += hex_digits[byte >> 4];
                out += hex_digits[byte & 0xF];
                continue;
            }
            c = static_cast<char>(byte);
        }
        out += lower ? text::to_lower_ascii(c) : c;
    }
    if (!text::is_valid_utf8(out)) return std::nullopt;
    return out;
}

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> segments;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        if (!segment.empty()) segments.push_back(segment);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

// Member URN ids (`ACoAA…` classic, `ACwAA…` Sales Navigator) are case-sensitive base64.
bool is_member_urn_id(std::string_view slug) {
    return slug.starts_with("ACoAA") || slug.starts_with("ACwAA");
}

// The canonical path of a member profile, or nullopt when the path names no one member.
std::optional<std::string> profile_path(std::vector<std::string_view> segments) {
    if (segments.size() >= 2 && text::to_lower_ascii(segments[0]) == "mwlite") {
        segments.erase(segments.begin());  // the mobile-lite site mirrors /in/<slug>
    }
    if (segments.size() < 2) return std::nullopt;
    const auto kind = text::to_lower_ascii(segments[0]);

    if (kind == "in") {
        const auto slug = canonical_segment(segments[1], !is_member_urn_id(segments[1]));
        if (!slug) return std::nullopt;
        return "/in/" + *slug;
    }
    if (kind == "sales" && segments.size() >= 3) {
        const auto view = text::to_lower_ascii(segments[1]);
        if (view != "lead" && view != "people") return std::nullopt;
        // `<id>,<search>,<token>`, the commas sometimes escaped: the id is the leading base64url run.
        const auto& part = segments[2];
        const auto end = std::find_if_not(part.begin(), part.end(), [](char c) {
            return text::is_ascii_alnum(c) || c == '-' || c == '_';
        });
        if (end == part.begin()) return std::nullopt;
        return "/sales/lead/" + std::string(part.begin(), end);
    }
    if (kind == "pub" && text::to_lower_ascii(segments[1]) != "dir") {  // /pub/dir/ is a search page
        std::string path;
        for (const auto segment : segments) {
            const auto canonical = canonical_segment(segment, true);
            if (!canonical) return std::nullopt;
            path += '/';
            path += *canonical;
        }
        return path;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> normalize_linkedin_url(std::string_view raw) {
    auto s = strip_surroundings(raw);
    if (s.empty() || !text::is_valid_utf8(s)) return std::nullopt;
    for (const char c : s) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return std::nullopt;
    }

    if (const auto scheme_end = s.find("://"); scheme_end != std::string_view::npos) {
        const auto scheme = text::to_lower_ascii(s.substr(0, scheme_end));
        if (scheme != "http" && scheme != "https") return std::nullopt;
        s.remove_prefix(scheme_end + 3);
    } else if (s.starts_with("//")) {
        s.remove_prefix(2);
    }

    const auto authority_end = s.find_first_of("/?#");
    auto authority = s.substr(0, authority_end);
    const auto rest = authority_end == std::string_view::npos ? std::string_view() : s.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;  // `linkedin.com@evil.example`
    if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
        const auto port = authority.substr(colon + 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
        authority = authority.substr(0, colon);
    }
    auto host = text::to_lower_ascii(authority);
    if (!host.empty() && host.back() == '.') host.pop_back();  // fully qualified `linkedin.com.`
    if (!is_linkedin_host(host)) return std::nullopt;

    const auto path = profile_path(split_path(rest.substr(0, rest.find_first_of("?#"))));
    if (!path) return std::nullopt;
    return std::string(canonical_origin) + *path;
}

}  // namespace las::lemlist
