#pragma once
// RapidJSON helpers for untrusted input: a parse that validates UTF-8, never recurses,
// and refuses nesting bombs before RapidJSON sees them (its Value destructor recurses, so
// a deep document must never be built), plus null-safe member access.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/result.hpp"

namespace las::json {

struct parse_limits {
    std::size_t max_depth = 64;  // nested objects/arrays
};

struct parse_failure {
    std::string message;     // what is wrong, for a 400 body or a log line
    std::size_t offset = 0;  // byte offset in the input
};

// Parses `text` into a document. Fails on invalid JSON, invalid UTF-8, or nesting deeper
// than limits.max_depth.
result<rapidjson::Document, parse_failure> parse(std::string_view text, parse_limits limits = {});

// Nesting depth of the JSON text (objects and arrays, strings skipped), computed without
// building anything. Exposed for tests.
std::size_t nesting_depth(std::string_view text);

// Member access that never asserts: nullptr / nullopt when absent or of another type.
const rapidjson::Value* find(const rapidjson::Value& object, std::string_view key);
std::optional<std::string_view> get_string(const rapidjson::Value& object, std::string_view key);
std::optional<double> get_number(const rapidjson::Value& object, std::string_view key);
std::optional<std::int64_t> get_int(const rapidjson::Value& object, std::string_view key);
std::optional<bool> get_bool(const rapidjson::Value& object, std::string_view key);

// A string member that is present and non-empty after trimming ASCII whitespace.
std::optional<std::string_view> get_nonempty_string(const rapidjson::Value& object, std::string_view key);

// Compact serialisation.
std::string to_string(const rapidjson::Value& value);

// Appends `s` to `out` as a JSON string literal (quotes and escapes included).
void append_quoted(std::string& out, std::string_view s);
std::string quoted(std::string_view s);

}  // namespace las::json
