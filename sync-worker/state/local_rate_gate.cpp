#include "state/local_rate_gate.hpp"

namespace las::state {

local_rate_gate::local_rate_gate(std::string name, std::size_t limit, std::chrono::milliseconds window,
                                 clock_fn clock)
    : name_(std::move(name)), limiter_(limit, window), clock_(std::move(clock)) {}

gate_answer local_rate_gate::try_acquire() {
    const auto wait = limiter_.try_acquire(clock_());
    gate_answer out;
    if (wait > window_limiter::clock::duration::zero()) {
        // Round up: waiting less than asked would only earn another refusal.
        out.wait = std::chrono::ceil<std::chrono::milliseconds>(wait);
    }
    return out;
}

std::optional<store_error> local_rate_gate::pause_for(std::chrono::milliseconds duration) {
    limiter_.pause_until(clock_() + duration);
    return std::nullopt;
}

}  // namespace las::state
