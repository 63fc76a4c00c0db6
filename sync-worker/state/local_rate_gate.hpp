#pragma once
// rate_gate for one process: las::window_limiter on the steady clock (injectable for tests).

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "core/window_limiter.hpp"
#include "state/rate_gate.hpp"

namespace las::state {

class local_rate_gate final : public rate_gate {
public:
    using clock_fn = std::function<window_limiter::clock::time_point()>;

    local_rate_gate(std::string name, std::size_t limit, std::chrono::milliseconds window,
                    clock_fn clock = [] { return window_limiter::clock::now(); });

    gate_answer try_acquire() override;
    std::optional<store_error> pause_for(std::chrono::milliseconds duration) override;
    const std::string& name() const override { return name_; }

private:
    std::string name_;
    window_limiter limiter_;
    clock_fn clock_;
};

}  // namespace las::state
