#include "core/log.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/json.hpp"

namespace las::log {
namespace {

std::atomic<int> g_level{static_cast<int>(level::info)};
std::atomic<format> g_format{format::text};

// Logs go to stderr so that stdout stays clean for the operator tools' own output.
// spdlog gives us a thread-safe sink that writes each line whole.
spdlog::logger& sink() {
    static auto logger = [] {
        auto l = std::make_shared<spdlog::logger>("las", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        l->set_pattern("%v");
        l->set_level(spdlog::level::trace);
        l->flush_on(spdlog::level::trace);
        return l;
    }();
    return *logger;
}

constexpr std::array<std::string_view, 5> level_names{"debug", "info", "warn", "error", "off"};

void append_timestamp(std::string& out) {
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
    const std::time_t t = std::chrono::system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
    out.append(buf, static_cast<std::size_t>(n));
}

bool needs_quotes(std::string_view s) {
    if (s.empty()) return true;
    for (char c : s) {
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
    }
    return false;
}

void append_number(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%.6g", v);
    out.append(buf, static_cast<std::size_t>(n));
}

void append_value(std::string& out, format fmt, const field& f) {
    if (is_secret_key(f.key)) {
        out += fmt == format::json ? "\"[redacted]\"" : "[redacted]";
        return;
    }
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string_view>) {
                const std::string masked = mask_url_credentials(v);
                if (fmt == format::json || needs_quotes(masked)) json::append_quoted(out, masked);
                else out += masked;
            } else if constexpr (std::is_same_v<V, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<V, double>) {
                append_number(out, v);
            } else {
                out += std::to_string(v);
            }
        },
        f.value);
}

}  // namespace

void configure(level min_level, format fmt) {
    g_level.store(static_cast<int>(min_level));
    g_format.store(fmt);
}

bool enabled(level lvl) { return static_cast<int>(lvl) >= g_level.load(std::memory_order_relaxed) && lvl != level::off; }

bool is_secret_key(std::string_view key) {
    std::string lower(key);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::string_view word : {"secret", "token", "password", "passwd", "api_key", "apikey", "authorization", "cookie"}) {
        if (lower.find(word) != std::string::npos) return true;
    }
    return false;
}

std::string mask_url_credentials(std::string_view text) {
    // scheme://user:password@host → scheme://user:***@host, for every occurrence.
    std::string out;
    std::size_t pos = 0;
    while (true) {
        const auto scheme_end = text.find("://", pos);
        if (scheme_end == std::string_view::npos) break;
        const auto auth_start = scheme_end + 3;
        const auto auth_end = text.find_first_of("@/ \"", auth_start);
        if (auth_end == std::string_view::npos || text[auth_end] != '@') {
            out.append(text.substr(pos, auth_start - pos));
            pos = auth_start;
            continue;
        }
        const auto colon = text.find(':', auth_start);
        if (colon != std::string_view::npos && colon < auth_end) {
            out.append(text.substr(pos, colon + 1 - pos));
            out += "***";
        } else {
            out.append(text.substr(pos, auth_end - pos));
        }
        pos = auth_end;
    }
    out.append(text.substr(pos));
    return out;
}

std::string format_line(level lvl, format fmt, std::string_view event, std::initializer_list<field> fields,
                        bool with_time) {
    std::string out;
    out.reserve(128);
    const auto lvl_name = level_names[static_cast<std::size_t>(lvl)];
    if (fmt == format::json) {
        out += '{';
        if (with_time) {
            out += "\"ts\":\"";
            append_timestamp(out);
            out += "\",";
        }
        out += "\"level\":\"";
        out += lvl_name;
        out += "\",\"event\":";
        json::append_quoted(out, event);
        for (const auto& f : fields) {
            out += ',';
            json::append_quoted(out, f.key);
            out += ':';
            append_value(out, fmt, f);
        }
        out += '}';
    } else {
        if (with_time) {
            append_timestamp(out);
            out += ' ';
        }
        for (char c : lvl_name) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out += ' ';
        out += event;
        for (const auto& f : fields) {
            out += ' ';
            out += f.key;
            out += '=';
            append_value(out, fmt, f);
        }
    }
    return out;
}

void write(level lvl, std::string_view event, std::initializer_list<field> fields) {
    if (!enabled(lvl)) return;
    sink().info(format_line(lvl, g_format.load(std::memory_order_relaxed), event, fields));
}

}  // namespace las::log
