#pragma once
// Lemlist's published limit: 20 requests per 2 seconds per API key, with Retry-After,
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset on every response.
//
// Model: a fixed window per key that opens with the key's first request and lasts
// `window`; requests 1..limit inside it pass, the next ones get 429 until it closes.
// Lemlist does not document the algorithm; a fixed window fits headers that announce a
// single reset instant. Time is passed in, so tests drive it without sleeping.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "emu/time_util.hpp"

namespace las::lemlist_emu {

struct rate_decision {
    bool allowed = true;
    int limit = 0;
    int remaining = 0;   // requests left in the window after this one
    sys_ms reset_at{};   // when the window closes
    int retry_after_s = 0;  // 0 while requests are left; whole seconds (>= 1) until reset otherwise
};

class rate_limiter {
public:
    explicit rate_limiter(int limit = 20, std::chrono::milliseconds window = std::chrono::milliseconds(2000));

    // Counts one request for `key` at `now` (rejected requests are not counted).
    rate_decision acquire(std::string_view key, sys_ms now);
    void clear();

    int limit() const { return limit_; }
    std::chrono::milliseconds window() const { return window_; }

private:
    struct window_state {
        sys_ms start{};
        int count = 0;
    };
    void prune(sys_ms now);

    int limit_;
    std::chrono::milliseconds window_;
    std::unordered_map<std::string, window_state> windows_;
};

}  // namespace las::lemlist_emu
