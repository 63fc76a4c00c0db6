#pragma once
// ISO-8601 timestamps as Lemlist and Attio write them (`2025-02-27T14:58:05.000Z`), held as
// UTC milliseconds since the epoch.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace las {

using sys_ms = std::chrono::sys_time<std::chrono::milliseconds>;

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH[:MM])`. The fraction may have any number of
// digits (truncated to milliseconds); `t`, `z` and a space separator are tolerated. A zone is
// required: a local time would be guessed, and a guessed event time reorders state updates.
// Invalid dates (2025-02-30), hours past 23 and leap seconds are refused.
std::optional<sys_ms> parse_iso8601(std::string_view text);

// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form Lemlist sends and Attio accepts.
std::string format_iso8601(sys_ms time);

}  // namespace las
