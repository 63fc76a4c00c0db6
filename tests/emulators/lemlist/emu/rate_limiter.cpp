#include "emu/rate_limiter.hpp"

namespace las::lemlist_emu {

rate_limiter::rate_limiter(int limit, std::chrono::milliseconds window) : limit_(limit), window_(window) {}

void rate_limiter::clear() { windows_.clear(); }

void rate_limiter::prune(sys_ms now) {
    // Keys are few (configured API keys plus whatever wrong keys clients try); drop closed
    // windows only when the map grows, so a flood of random keys cannot grow it for ever.
    if (windows_.size() < 1024) return;
    for (auto it = windows_.begin(); it != windows_.end();) {
        if (now >= it->second.start + window_) it = windows_.erase(it);
        else ++it;
    }
}

rate_decision rate_limiter::acquire(std::string_view key, sys_ms now) {
    prune(now);
    auto& w = windows_[std::string(key)];
    if (w.count == 0 || now >= w.start + window_ || now < w.start) {
        w.start = now;
        w.count = 0;
    }
    rate_decision d;
    d.limit = limit_;
    d.reset_at = w.start + window_;
    const auto until_reset = d.reset_at - now;
    const int seconds_to_reset = static_cast<int>((until_reset.count() + 999) / 1000);
    if (w.count >= limit_) {
        d.allowed = false;
        d.remaining = 0;
        d.retry_after_s = seconds_to_reset < 1 ? 1 : seconds_to_reset;
        return d;
    }
    ++w.count;
    d.remaining = limit_ - w.count;
    d.retry_after_s = d.remaining > 0 ? 0 : (seconds_to_reset < 1 ? 1 : seconds_to_reset);
    return d;
}

}  // namespace las::lemlist_emu
