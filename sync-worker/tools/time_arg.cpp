#include "tools/time_arg.hpp"

#include <chrono>

namespace las::tools {
namespace {

bool is_unit(char c) { return c == 's' || c == 'm' || c == 'h' || c == 'd' || c == 'w'; }

std::chrono::seconds unit_seconds(char c) {
    switch (c) {
        case 's': return std::chrono::seconds(1);
        case 'm': return std::chrono::minutes(1);
        case 'h': return std::chrono::hours(1);
        case 'd': return std::chrono::hours(24);
        default: return std::chrono::hours(24 * 7);
    }
}

}  // namespace

result<sys_ms, std::string> parse_time_arg(std::string_view text, sys_ms now, std::string_view option) {
    const std::string opt(option);
    if (text.empty()) return fail(opt + ": empty; give an ISO-8601 time (2025-03-01T00:00:00Z) or a duration (24h, 7d)");
    const std::string_view digits = text.substr(0, text.size() - 1);
    if (is_unit(text.back()) && !digits.empty() &&
        digits.find_first_not_of("0123456789") == std::string_view::npos) {
        if (digits.size() > 7) return fail(opt + ": \"" + std::string(text) + "\" reaches too far back");
        const long n = std::stol(std::string(digits));
        if (n <= 0) return fail(opt + ": \"" + std::string(text) + "\" must be a positive duration");
        return now - std::chrono::duration_cast<std::chrono::milliseconds>(unit_seconds(text.back()) * n);
    }
    if (auto t = parse_iso8601(text)) return *t;
    return fail(opt + ": \"" + std::string(text) +
                "\" is neither an ISO-8601 time with a zone (2025-03-01T00:00:00Z) nor a duration (90m, 24h, 7d, 2w)");
}

}  // namespace las::tools
