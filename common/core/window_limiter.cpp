#include "core/window_limiter.hpp"

#include <stdexcept>

namespace las {

window_limiter::window_limiter(std::size_t limit, clock::duration window)
    : limit_(limit), window_(window), grants_(limit) {
    if (limit == 0) throw std::invalid_argument("window_limiter: limit must be positive");
    if (window <= clock::duration::zero()) throw std::invalid_argument("window_limiter: window must be positive");
}

window_limiter::clock::duration window_limiter::try_acquire(clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (now < paused_until_) return paused_until_ - now;
    if (count_ == limit_) {
        const auto oldest = grants_[next_];
        if (now - oldest < window_) return oldest + window_ - now;
    } else {
        ++count_;
    }
    grants_[next_] = now;
    next_ = (next_ + 1) % limit_;
    return clock::duration::zero();
}

void window_limiter::pause_until(clock::time_point until) {
    std::lock_guard lock(mutex_);
    if (until > paused_until_) paused_until_ = until;
}

}  // namespace las
