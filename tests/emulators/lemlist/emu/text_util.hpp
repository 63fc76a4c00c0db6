#pragma once
// Small text helpers for request handling: request targets, query strings, percent
// decoding, Basic credentials, URL splitting. Pure functions, unit-tested.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace las::lemlist_emu {

struct query_params {
    std::vector<std::pair<std::string, std::string>> items;  // decoded, in order

    // First value of `name`; nullopt when absent.
    std::optional<std::string> get(std::string_view name) const;
    bool has(std::string_view name) const;
};

struct split_target {
    std::string path;              // decoded path, e.g. "/api/leads/a@b.c"
    std::vector<std::string> segments;  // decoded non-empty segments of the path
    bool trailing_slash = false;
    query_params query;
};

// "/api/leads/a%40b.c?version=v2" → path, segments ["api","leads","a@b.c"], query.
split_target parse_target(std::string_view target);

// %XX and (when plus_is_space) '+' decoding; malformed escapes are kept as written.
std::string percent_decode(std::string_view text, bool plus_is_space);
std::string percent_encode(std::string_view text);  // RFC 3986 unreserved kept

std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

// Query booleans as Lemlist clients send them: "true"/"1"/"yes" (case-insensitive).
// Absent → nullopt; anything else → false.
std::optional<bool> query_bool(const query_params& q, std::string_view name);

std::string to_lower_ascii(std::string_view s);
std::string trim_ascii(std::string_view s);

// "http://127.0.0.1:8080/webhooks/lemlist?x=1" → {"http://127.0.0.1:8080", "/webhooks/lemlist?x=1"}.
// nullopt when there is no scheme or host.
struct url_parts {
    std::string base;    // scheme://host[:port]
    std::string target;  // path + query, at least "/"
};
std::optional<url_parts> split_url(std::string_view url);

}  // namespace las::lemlist_emu
