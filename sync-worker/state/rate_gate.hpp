#pragma once
// A gate in front of a provider's API: at most `limit` calls in ANY interval of length
// `window` (the semantics of las::window_limiter), plus a pause that a 429's Retry-After
// imposes on every caller of the gate. Two implementations: local_rate_gate (one process)
// and shared_limiter (the whole worker pool, through Redis). The caller never blocks inside:
// it asks, and on a refusal waits `wait` (on its own timer) before asking again.

#include <chrono>
#include <optional>
#include <string>

#include "state/store_error.hpp"

namespace las::state {

struct gate_answer {
    std::chrono::milliseconds wait{0};  // zero: granted; otherwise ask again after this long
    std::optional<store_error> error;   // the shared store failed: refused, wait is a short back-off

    bool granted() const { return wait == std::chrono::milliseconds::zero() && !error; }
};

class rate_gate {
public:
    virtual ~rate_gate() = default;

    // Takes one call from the budget, or says how long to wait.
    virtual gate_answer try_acquire() = 0;

    // A 429 said "retry after `duration`": nothing is granted to anyone before then. Returns
    // the error when the pause could not be shared (it still holds in this process).
    virtual std::optional<store_error> pause_for(std::chrono::milliseconds duration) = 0;

    virtual const std::string& name() const = 0;
};

}  // namespace las::state
