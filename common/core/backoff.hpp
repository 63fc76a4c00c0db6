#pragma once
// Exponential backoff, the one growth rule of every retry loop: attempt n waits
// min(cap, base * factor^n). Reconnect loops (broker, Redis) draw full jitter, a uniform
// share of that, so a fleet that lost the broker at once does not come back in lock-step;
// in-place retries pass 1.0 and wait the whole step. Pure: the jitter draw is an argument.

#include <algorithm>
#include <chrono>
#include <random>

namespace las {

struct backoff_policy {
    std::chrono::milliseconds base{200};
    std::chrono::milliseconds cap{10'000};
    unsigned factor = 2;
};

// `unit_random` in [0, 1]. The result is at least base/2 so a loop never spins.
inline std::chrono::milliseconds backoff_delay(const backoff_policy& policy, unsigned attempt, double unit_random) {
    double step = static_cast<double>(policy.base.count());
    for (unsigned i = 0; i < attempt && step < static_cast<double>(policy.cap.count()); ++i) step *= policy.factor;
    const double ceiling = std::min(static_cast<double>(policy.cap.count()), step);
    const double floor = static_cast<double>(policy.base.count()) / 2.0;
    return std::chrono::milliseconds(static_cast<long long>(std::max(floor, ceiling * std::clamp(unit_random, 0.0, 1.0))));
}

// Stateful convenience for a reconnect loop.
class backoff {
public:
    explicit backoff(backoff_policy policy = {}) : policy_(policy), rng_(std::random_device{}()) {}
    std::chrono::milliseconds next() {
        return backoff_delay(policy_, attempt_++, std::uniform_real_distribution<double>(0.0, 1.0)(rng_));
    }
    void reset() { attempt_ = 0; }
    unsigned attempts() const { return attempt_; }

private:
    backoff_policy policy_;
    unsigned attempt_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace las
