#include "emu/time_util.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace las::lemlist_emu {

namespace {

// Howard Hinnant's civil-date algorithms (proleptic Gregorian, days since 1970-01-01).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
    std::int64_t y;
    unsigned m;
    unsigned d;
};

constexpr civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

struct broken_down {
    civil date;
    int hour, minute, second, millis;
    int weekday;  // 0 = Sunday
};

broken_down split(sys_ms t) {
    const std::int64_t ms = to_unix_ms(t);
    std::int64_t days = ms / 86'400'000;
    std::int64_t rem = ms % 86'400'000;
    if (rem < 0) {
        rem += 86'400'000;
        --days;
    }
    broken_down b{};
    b.date = civil_from_days(days);
    b.hour = static_cast<int>(rem / 3'600'000);
    b.minute = static_cast<int>(rem / 60'000 % 60);
    b.second = static_cast<int>(rem / 1000 % 60);
    b.millis = static_cast<int>(rem % 1000);
    b.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
    return b;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

}  // namespace

sys_ms system_now() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

std::int64_t to_unix_ms(sys_ms t) { return t.time_since_epoch().count(); }
sys_ms from_unix_ms(std::int64_t ms) { return sys_ms(std::chrono::milliseconds(ms)); }

std::string iso8601(sys_ms t) {
    const auto b = split(t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(b.date.y), b.date.m,
                  b.date.d, b.hour, b.minute, b.second, b.millis);
    return buf;
}

std::string js_date_string(sys_ms t) {
    static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto b = split(t);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s %s %02u %04lld %02d:%02d:%02d GMT+0000 (Coordinated Universal Time)",
                  days[static_cast<std::size_t>(b.weekday)], months[b.date.m - 1], b.date.d,
                  static_cast<long long>(b.date.y), b.hour, b.minute, b.second);
    return buf;
}

std::optional<sys_ms> parse_iso8601(std::string_view s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    std::size_t pos = 10;
    std::int64_t millis = 0;
    int offset_minutes = 0;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
        ++pos;
        if (!digits(s, pos, 2, h) || pos + 2 >= s.size() || s[pos + 2] != ':' || !digits(s, pos + 3, 2, mi))
            return std::nullopt;
        pos += 5;
        if (pos < s.size() && s[pos] == ':') {
            if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
            pos += 3;
            if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
                ++pos;
                int scale = 100;
                std::size_t n = 0;
                while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
                    if (scale > 0) millis += (s[pos] - '0') * scale;
                    scale /= 10;
                    ++pos;
                    ++n;
                }
                if (n == 0) return std::nullopt;
            }
        }
        if (pos < s.size()) {
            if (s[pos] == 'Z' || s[pos] == 'z') {
                ++pos;
            } else if (s[pos] == '+' || s[pos] == '-') {
                const int sign = s[pos] == '-' ? -1 : 1;
                int oh = 0, om = 0;
                if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
                pos += 3;
                if (pos < s.size() && s[pos] == ':') ++pos;
                if (!digits(s, pos, 2, om)) return std::nullopt;
                pos += 2;
                offset_minutes = sign * (oh * 60 + om);
            }
        }
    }
    if (pos != s.size()) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    const std::int64_t ms =
        ((days * 24 + h) * 60 + mi - offset_minutes) * 60'000LL + static_cast<std::int64_t>(sec) * 1000 + millis;
    return from_unix_ms(ms);
}

std::optional<sys_ms> parse_date_param(std::string_view s) {
    if (s.empty()) return std::nullopt;
    bool all_numeric = true;
    bool seen_dot = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '.' && !seen_dot) {
            seen_dot = true;
        } else if (!std::isdigit(static_cast<unsigned char>(c)) && !(i == 0 && c == '-')) {
            all_numeric = false;
            break;
        }
    }
    // Four digits alone read as a year in ISO; Unix seconds of a plausible date have more.
    if (all_numeric && s.size() > 4) {
        try {
            const double seconds = std::stod(std::string(s));
            return from_unix_ms(static_cast<std::int64_t>(seconds * 1000.0));
        } catch (...) {
            return std::nullopt;
        }
    }
    return parse_iso8601(s);
}

}  // namespace las::lemlist_emu
