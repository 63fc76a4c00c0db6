#pragma once
// Building request targets from values that come from outside (slugs, ids, emails, dates):
// every path segment and query value is percent-encoded, so no value can add a path segment
// or a query parameter of its own.

#include <string>
#include <string_view>

namespace las::outbound {

// RFC 3986: unreserved characters (ALPHA DIGIT - . _ ~) kept, every other byte %XX.
std::string percent_encode(std::string_view text);

// "?a=1&b=x%40y" (empty when nothing was added), names and values encoded.
class query_string {
public:
    query_string& add(std::string_view name, std::string_view value);
    query_string& add(std::string_view name, bool value) { return add(name, std::string_view(value ? "true" : "false")); }
    query_string& add(std::string_view name, const char* value) { return add(name, std::string_view(value)); }
    query_string& add(std::string_view name, const std::string& value) { return add(name, std::string_view(value)); }
    query_string& add(std::string_view name, std::size_t value) { return add(name, std::string_view(std::to_string(value))); }
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

}  // namespace las::outbound
