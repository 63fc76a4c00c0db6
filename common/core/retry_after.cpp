#include "core/retry_after.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <string>

namespace las {
namespace {

constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> weekdays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

int month_index(std::string_view m) {
    for (std::size_t i = 0; i < months.size(); ++i) {
        if (months[i] == m) return static_cast<int>(i);
    }
    return -1;
}

bool parse_int(std::string_view s, int& out) {
    if (s.empty()) return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::optional<std::chrono::system_clock::time_point> make_time(int year, int month, int day, int hh, int mm, int ss) {
    if (month < 0 || month > 11 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
    using namespace std::chrono;
    const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month + 1)),
                             std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) return std::nullopt;
    return sys_days(ymd) + hours(hh) + minutes(mm) + seconds(ss);
}

bool parse_clock(std::string_view s, int& hh, int& mm, int& ss) {
    return s.size() == 8 && s[2] == ':' && s[5] == ':' && parse_int(s.substr(0, 2), hh) &&
           parse_int(s.substr(3, 2), mm) && parse_int(s.substr(6, 2), ss);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
    value = trim(value);
    int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (value.size() == 29 && value[3] == ',' && value.substr(26) == "GMT") {
        if (!parse_int(value.substr(5, 2), day) || !parse_int(value.substr(12, 4), year) ||
            !parse_clock(value.substr(17, 8), hh, mm, ss))
            return std::nullopt;
        return make_time(year, month_index(value.substr(8, 3)), day, hh, mm, ss);
    }
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    if (const auto comma = value.find(", "); comma != std::string_view::npos && value.ends_with(" GMT")) {
        const auto rest = value.substr(comma + 2);
        if (rest.size() == 22 && rest[2] == '-' && rest[6] == '-') {
            if (!parse_int(rest.substr(0, 2), day) || !parse_int(rest.substr(7, 2), year) ||
                !parse_clock(rest.substr(10, 8), hh, mm, ss))
                return std::nullopt;
            year += year < 70 ? 2000 : 1900;
            return make_time(year, month_index(rest.substr(3, 3)), day, hh, mm, ss);
        }
    }
    // asctime: "Sun Nov  6 08:49:37 1994"
    if (value.size() == 24 && value[3] == ' ' && value[7] == ' ') {
        const auto d = trim(value.substr(8, 2));
        if (!parse_int(d, day) || !parse_clock(value.substr(11, 8), hh, mm, ss) || !parse_int(value.substr(20, 4), year))
            return std::nullopt;
        return make_time(year, month_index(value.substr(4, 3)), day, hh, mm, ss);
    }
    return std::nullopt;
}

std::string format_http_date(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[40];
    const int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                                std::string(weekdays[static_cast<std::size_t>(tm.tm_wday)]).c_str(), tm.tm_mday,
                                std::string(months[static_cast<std::size_t>(tm.tm_mon)]).c_str(), tm.tm_year + 1900,
                                tm.tm_hour, tm.tm_min, tm.tm_sec);
    return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (value.find_first_not_of("0123456789") == std::string_view::npos) {
        long long seconds = 0;
        const auto r = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (r.ec != std::errc()) return std::nullopt;
        return std::chrono::milliseconds(seconds * 1000);
    }
    const auto at = parse_http_date(value);
    if (!at) return std::nullopt;
    if (*at <= now) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(*at - now);
}

}  // namespace las
