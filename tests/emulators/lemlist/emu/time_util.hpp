#pragma once
// Time as Lemlist writes it: ISO 8601 UTC with milliseconds in bodies, a JavaScript
// Date.toString() in X-RateLimit-Reset, Unix seconds or ISO 8601 in query filters.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace las::lemlist_emu {

using sys_ms = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
// The emulator's clock, injected so tests control time (rate limiter, createdAt).
using clock_fn = std::function<sys_ms()>;

sys_ms system_now();

// "2025-11-18T23:11:26.000Z"
std::string iso8601(sys_ms t);
// "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff…]]" with "Z", "±HH:MM", "±HHMM" or no zone (UTC).
std::optional<sys_ms> parse_iso8601(std::string_view text);
// A date filter value: Unix seconds (digits, optionally fractional) or ISO 8601.
std::optional<sys_ms> parse_date_param(std::string_view text);
// "Tue Feb 16 2021 09:02:42 GMT+0000 (Coordinated Universal Time)", as Node prints a Date in UTC.
std::string js_date_string(sys_ms t);

std::int64_t to_unix_ms(sys_ms t);
sys_ms from_unix_ms(std::int64_t ms);

}  // namespace las::lemlist_emu
