#include "attio_emulator/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace las::attio_emulator {

rate_limiter::rate_limiter(rate_limit_settings settings) : settings_(settings) {}

unsigned rate_limiter::limit(request_kind kind) const {
    std::lock_guard lock(mutex_);
    const unsigned base = kind == request_kind::read ? settings_.reads_per_second : settings_.writes_per_second;
    return static_cast<unsigned>(std::max(1.0, std::floor(base * settings_.scale)));
}

std::optional<rate_limiter::time_point> rate_limiter::admit(std::string_view key, request_kind kind, time_point now) {
    const unsigned cap = limit(kind);
    std::lock_guard lock(mutex_);
    if (!settings_.enabled) return std::nullopt;
    const auto since_epoch = now.time_since_epoch();
    const std::int64_t second = std::chrono::floor<std::chrono::seconds>(since_epoch).count();
    auto& kw = windows_[std::string(key)];
    window& w = kind == request_kind::read ? kw.read : kw.write;
    if (w.second != second) {
        w.second = second;
        w.count = 0;
    }
    if (w.count >= cap) {
        return time_point(std::chrono::duration_cast<time_point::duration>(std::chrono::seconds(second + 1)));
    }
    ++w.count;
    return std::nullopt;
}

void rate_limiter::configure(rate_limit_settings settings) {
    std::lock_guard lock(mutex_);
    settings_ = settings;
}

rate_limit_settings rate_limiter::settings() const {
    std::lock_guard lock(mutex_);
    return settings_;
}

void rate_limiter::reset() {
    std::lock_guard lock(mutex_);
    windows_.clear();
}

}  // namespace las::attio_emulator
