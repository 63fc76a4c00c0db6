#pragma once
// Attio's time formats: timestamps with nine fractional digits and a `Z`
// ("2025-07-27T01:45:27.220000000Z"), dates as "YYYY-MM-DD", and the loose input forms the
// timestamp and date attribute docs promise to coerce ("2023", "2023-01", "2023-01-02T13:00",
// "…+02:00"; UTC assumed when no zone is given).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace las::attio_emulator {

using sys_nanoseconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

// "2025-07-27T01:45:27.220000000Z". Fixed width, so formatted values sort as strings.
std::string format_timestamp(sys_nanoseconds t);

// Parses the documented timestamp input forms into a UTC instant; nullopt when malformed
// or out of range (years 0001–9999).
std::optional<sys_nanoseconds> parse_timestamp_input(std::string_view text);

// The timestamp input forms, reduced to the UTC calendar date "YYYY-MM-DD" (a zone that
// moves the UTC date is applied first: "2023-01-02T23:00:00-10:00" is "2023-01-03").
std::optional<std::string> parse_date_input(std::string_view text);

}  // namespace las::attio_emulator
