#include "attio_emulator/time_format.hpp"

#include <cstdio>

namespace las::attio_emulator {

namespace {

using namespace std::chrono;

struct cursor {
    std::string_view s;
    std::size_t i = 0;

    bool done() const { return i >= s.size(); }
    bool peek(char c) const { return i < s.size() && s[i] == c; }
    bool take(char c) {
        if (!peek(c)) return false;
        ++i;
        return true;
    }
    // Exactly `n` digits.
    std::optional<int> digits(std::size_t n) {
        if (i + n > s.size()) return std::nullopt;
        int v = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const char c = s[i + k];
            if (c < '0' || c > '9') return std::nullopt;
            v = v * 10 + (c - '0');
        }
        i += n;
        return v;
    }
};

struct parsed_time {
    year_month_day date{};
    nanoseconds time_of_day{0};
    std::optional<minutes> offset;  // local = UTC + offset
    bool has_time = false;
};

std::optional<parsed_time> parse_loose(std::string_view text) {
    cursor c{text};
    const auto y = c.digits(4);
    if (!y || *y < 1) return std::nullopt;
    int mo = 1;
    int d = 1;
    if (c.take('-')) {
        const auto m = c.digits(2);
        if (!m) return std::nullopt;
        mo = *m;
        if (c.take('-')) {
            const auto dd = c.digits(2);
            if (!dd) return std::nullopt;
            d = *dd;
        }
    }
    parsed_time out;
    out.date = year{*y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)};
    if (!out.date.ok()) return std::nullopt;
    if (c.done()) return out;
    if (!(c.take('T') || c.take('t') || c.take(' '))) return std::nullopt;
    const auto hh = c.digits(2);
    if (!hh || !c.take(':')) return std::nullopt;
    const auto mi = c.digits(2);
    if (!mi || *hh > 23 || *mi > 59) return std::nullopt;
    int ss = 0;
    long long frac_ns = 0;
    if (c.take(':')) {
        const auto s2 = c.digits(2);
        if (!s2 || *s2 > 59) return std::nullopt;
        ss = *s2;
        if (c.take('.') || c.take(',')) {
            std::size_t n = 0;
            long long scale = 100'000'000;
            while (!c.done() && c.s[c.i] >= '0' && c.s[c.i] <= '9') {
                if (n < 9) {
                    frac_ns += (c.s[c.i] - '0') * scale;
                    scale /= 10;
                }
                ++n;
                ++c.i;
            }
            if (n == 0) return std::nullopt;
        }
    }
    out.has_time = true;
    out.time_of_day = hours{*hh} + minutes{*mi} + seconds{ss} + nanoseconds{frac_ns};
    if (c.done()) return out;
    if (c.take('Z') || c.take('z')) {
        out.offset = minutes{0};
    } else if (c.peek('+') || c.peek('-')) {
        const int sign = c.s[c.i] == '-' ? -1 : 1;
        ++c.i;
        const auto oh = c.digits(2);
        if (!oh || *oh > 23) return std::nullopt;
        int om = 0;
        if (c.take(':')) {
            const auto m2 = c.digits(2);
            if (!m2 || *m2 > 59) return std::nullopt;
            om = *m2;
        } else if (!c.done()) {
            const auto m2 = c.digits(2);
            if (!m2 || *m2 > 59) return std::nullopt;
            om = *m2;
        }
        out.offset = minutes{sign * (*oh * 60 + om)};
    } else {
        return std::nullopt;
    }
    if (!c.done()) return std::nullopt;
    return out;
}

sys_nanoseconds to_utc(const parsed_time& p) {
    sys_nanoseconds t = sys_days{p.date} + p.time_of_day;
    if (p.offset) t -= *p.offset;
    return t;
}

}  // namespace

std::string format_timestamp(sys_nanoseconds t) {
    const auto day_point = floor<days>(t);
    const year_month_day ymd{day_point};
    const auto since_midnight = t - day_point;
    const auto h = duration_cast<hours>(since_midnight);
    const auto m = duration_cast<minutes>(since_midnight - h);
    const auto s = duration_cast<seconds>(since_midnight - h - m);
    const auto ns = (since_midnight - h - m - s).count();
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%09lldZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(h.count()),
                  static_cast<int>(m.count()), static_cast<int>(s.count()), static_cast<long long>(ns));
    return buf;
}

std::optional<sys_nanoseconds> parse_timestamp_input(std::string_view text) {
    const auto p = parse_loose(text);
    if (!p) return std::nullopt;
    const auto t = to_utc(*p);
    const year_month_day ymd{floor<days>(t)};
    if (ymd.year() < year{1} || ymd.year() > year{9999}) return std::nullopt;
    return t;
}

std::optional<std::string> parse_date_input(std::string_view text) {
    const auto p = parse_loose(text);
    if (!p) return std::nullopt;
    year_month_day ymd = p->date;
    if (p->offset) ymd = year_month_day{floor<days>(to_utc(*p))};
    if (ymd.year() < year{1} || ymd.year() > year{9999}) return std::nullopt;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return std::string(buf);
}

}  // namespace las::attio_emulator
