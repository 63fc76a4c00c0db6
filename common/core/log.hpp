#pragma once
// Logs are events: one line per outcome, an event name plus key=value fields, as JSON or
// text (LOG_FORMAT). Never bodies, never secrets: fields whose key names a secret are
// redacted, and URL credentials in string values are masked, whatever the caller passes.
//
//   las::log::info("event.acked", {{"key", key}, {"attempt", 2}, {"latency_ms", 12.5}});

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace las::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };
enum class format { text, json };

struct field {
    using value_type = std::variant<std::string_view, std::int64_t, double, bool>;

    field(std::string_view k, std::string_view v) : key(k), value(v) {}
    field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
    field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
    field(std::string_view k, bool v) : key(k), value(v) {}
    field(std::string_view k, double v) : key(k), value(v) {}
    template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
    field(std::string_view k, I v) : key(k), value(static_cast<std::int64_t>(v)) {}

    std::string_view key;
    value_type value;
};

// Called once at start-up by each main; before that, text at info level to stderr.
void configure(level min_level, format fmt);
bool enabled(level lvl);
void write(level lvl, std::string_view event, std::initializer_list<field> fields = {});

inline void debug(std::string_view event, std::initializer_list<field> fields = {}) { write(level::debug, event, fields); }
inline void info(std::string_view event, std::initializer_list<field> fields = {}) { write(level::info, event, fields); }
inline void warn(std::string_view event, std::initializer_list<field> fields = {}) { write(level::warn, event, fields); }
inline void error(std::string_view event, std::initializer_list<field> fields = {}) { write(level::error, event, fields); }

// Exposed for tests: the line write() would emit (without the timestamp when `with_time` is false).
std::string format_line(level lvl, format fmt, std::string_view event, std::initializer_list<field> fields,
                        bool with_time = true);
// True when a field key names something secret (secret, token, password, api_key, authorization, cookie).
bool is_secret_key(std::string_view key);
// "amqp://user:pass@host/" -> "amqp://user:***@host/"; other text unchanged.
std::string mask_url_credentials(std::string_view text);

}  // namespace las::log
