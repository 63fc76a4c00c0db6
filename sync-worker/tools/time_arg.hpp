#pragma once
// A time given on the command line (`reconcile --since/--until`, `dlq replay --since`):
// ISO-8601 with a zone (`2025-03-01T00:00:00Z`), or a duration back from `now`: digits and
// one unit of s, m, h, d, w (`90m`, `24h`, `7d`). The error is one line naming the option.

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace las::tools {

result<sys_ms, std::string> parse_time_arg(std::string_view text, sys_ms now, std::string_view option);

}  // namespace las::tools
