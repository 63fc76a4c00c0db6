#pragma once
// Client-side rate limit that never exceeds a provider's published figure: at most `limit`
// grants in ANY interval of length `window` (a sliding log of the last `limit` grants).
// A token bucket would allow burst + rate in one window and earn 429s from a server that
// counts fixed windows; this lets the full budget through and no more. Pure: the caller
// passes the time, so tests drive it with a fake clock.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <vector>

namespace las {

class window_limiter {
public:
    using clock = std::chrono::steady_clock;

    window_limiter(std::size_t limit, clock::duration window);

    // Grants one call at `now` and returns zero, or grants nothing and returns how long to
    // wait before asking again. Thread-safe.
    clock::duration try_acquire(clock::time_point now);

    // A 429 said "not before `until`": nothing is granted before then.
    void pause_until(clock::time_point until);

    std::size_t limit() const { return limit_; }
    clock::duration window() const { return window_; }

private:
    std::mutex mutex_;
    std::size_t limit_;
    clock::duration window_;
    std::vector<clock::time_point> grants_;  // ring of the last `limit_` grant times
    std::size_t next_ = 0;                   // oldest grant / next slot to overwrite
    std::size_t count_ = 0;
    clock::time_point paused_until_{};
};

}  // namespace las
