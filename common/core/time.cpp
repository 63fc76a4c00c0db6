#include "core/time.hpp"

#include <cstdio>

namespace las {
namespace {

// A forward-only reader over the text; every accessor fails instead of reading past the end.
struct cursor {
    std::string_view text;
    std::size_t pos = 0;

    bool done() const { return pos == text.size(); }
    bool at_digit() const { return pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; }

    bool eat(std::string_view choices) {
        if (pos < text.size() && choices.find(text[pos]) != std::string_view::npos) {
            ++pos;
            return true;
        }
        return false;
    }

    std::optional<int> number(std::size_t width) {
        int value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            if (!at_digit()) return std::nullopt;
            value = value * 10 + (text[pos++] - '0');
        }
        return value;
    }
};

}  // namespace

std::optional<sys_ms> parse_iso8601(std::string_view text) {
    using namespace std::chrono;
    cursor in{text};

    const auto y = in.number(4);
    if (!y || !in.eat("-")) return std::nullopt;
    const auto mo = in.number(2);
    if (!mo || !in.eat("-")) return std::nullopt;
    const auto d = in.number(2);
    if (!d || !in.eat("Tt ")) return std::nullopt;
    const auto h = in.number(2);
    if (!h || !in.eat(":")) return std::nullopt;
    const auto mi = in.number(2);
    if (!mi || !in.eat(":")) return std::nullopt;
    const auto s = in.number(2);
    if (!s) return std::nullopt;

    int millis = 0;
    if (in.eat(".,")) {
        if (!in.at_digit()) return std::nullopt;
        for (int scale = 100; in.at_digit(); scale /= 10) {
            millis += (in.text[in.pos++] - '0') * scale;  // digits past the third add 0
        }
    }

    minutes offset{0};
    if (!in.eat("Zz")) {
        const bool ahead = in.eat("+");
        if (!ahead && !in.eat("-")) return std::nullopt;
        const auto oh = in.number(2);
        if (!oh) return std::nullopt;
        int om = 0;
        if (!in.done()) {
            in.eat(":");
            const auto m = in.number(2);
            if (!m) return std::nullopt;
            om = *m;
        }
        if (*oh > 23 || om > 59) return std::nullopt;
        offset = minutes(*oh * 60 + om) * (ahead ? 1 : -1);
    }
    if (!in.done()) return std::nullopt;

    const year_month_day date{year(*y), month(static_cast<unsigned>(*mo)), day(static_cast<unsigned>(*d))};
    if (!date.ok() || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;

    // Local time minus the zone's offset is UTC.
    return sys_ms(sys_days(date)) + hours(*h) + minutes(*mi) + seconds(*s) + milliseconds(millis) - offset;
}

std::string format_iso8601(sys_ms time) {
    using namespace std::chrono;
    const auto midnight = floor<days>(time);
    const year_month_day date{midnight};
    const hh_mm_ss clock{time - midnight};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
    return buf;
}

}  // namespace las
