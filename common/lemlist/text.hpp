#pragma once
// Byte-level string helpers for the Lemlist model. ASCII-only case folding on purpose:
// Lemlist ids, event types, e-mail addresses and LinkedIn slugs are compared as bytes.

#include <string>
#include <string_view>

namespace las::lemlist::text {

bool is_ascii_space(char c);
bool is_ascii_alnum(char c);
char to_lower_ascii(char c);
std::string to_lower_ascii(std::string_view s);

// Without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view s);

// Well-formed UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool is_valid_utf8(std::string_view s);

// Non-empty, and every byte printable ASCII other than space (0x21..0x7E).
bool is_visible_ascii(std::string_view s);

}  // namespace las::lemlist::text
