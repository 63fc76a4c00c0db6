#pragma once
// Attio's published limits (reference §4): 100 read requests and 25 write requests per
// second, counted separately, per access token. Counted in fixed one-second windows aligned
// to the wall clock, which is what "Retry-After: <HTTP-date>, usually the following second"
// implies. Pure: the caller passes the time (tests use a fake clock). Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace las::attio_emulator {

enum class request_kind { read, write };

struct rate_limit_settings {
    bool enabled = true;
    double scale = 1.0;  // multiplies both figures (benchmarks); at least 1 request per window
    unsigned reads_per_second = 100;
    unsigned writes_per_second = 25;
};

class rate_limiter {
public:
    using time_point = std::chrono::system_clock::time_point;

    explicit rate_limiter(rate_limit_settings settings = {});

    // nullopt: admitted (and counted). Otherwise the request is refused and not counted;
    // the value is when the next window opens (for Retry-After).
    std::optional<time_point> admit(std::string_view key, request_kind kind, time_point now);

    void configure(rate_limit_settings settings);
    rate_limit_settings settings() const;
    unsigned limit(request_kind kind) const;
    void reset();

private:
    struct window {
        std::int64_t second = INT64_MIN;
        unsigned count = 0;
    };
    struct key_windows {
        window read;
        window write;
    };

    mutable std::mutex mutex_;
    rate_limit_settings settings_;
    std::unordered_map<std::string, key_windows> windows_;
};

}  // namespace las::attio_emulator
