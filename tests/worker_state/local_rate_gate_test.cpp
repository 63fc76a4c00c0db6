#include <catch2/catch.hpp>

#include <deque>

#include "state/local_rate_gate.hpp"

using namespace las::state;
using namespace std::chrono_literals;
using steady = las::window_limiter::clock;

namespace {

struct fake_steady {
    steady::time_point now = steady::time_point{} + 1000s;
    auto fn() {
        return [this] { return now; };
    }
};

}  // namespace

TEST_CASE("local rate gate: the budget, then the wait until the oldest grant leaves the window") {
    fake_steady clock;
    local_rate_gate gate("lemlist", 5, 1s, clock.fn());
    CHECK(gate.name() == "lemlist");
    for (int i = 0; i < 5; ++i) {
        INFO("grant " << i);
        CHECK(gate.try_acquire().granted());
        clock.now += 100ms;
    }
    auto refused = gate.try_acquire();  // 500 ms after the first grant
    CHECK_FALSE(refused.granted());
    CHECK_FALSE(refused.error.has_value());
    CHECK(refused.wait == 500ms);
    clock.now += 500ms;
    CHECK(gate.try_acquire().granted());
}

TEST_CASE("local rate gate: waits are rounded up, never down") {
    fake_steady clock;
    local_rate_gate gate("g", 1, 1s, clock.fn());
    REQUIRE(gate.try_acquire().granted());
    clock.now += 250us;
    CHECK(gate.try_acquire().wait == 1000ms);  // 999.75 ms → 1000 ms
}

TEST_CASE("local rate gate: no window ever holds more than the limit") {
    fake_steady clock;
    local_rate_gate gate("attio-write", 20, 2s, clock.fn());
    std::deque<steady::time_point> recent;
    int total = 0;
    const auto start = clock.now;
    while (clock.now < start + 10s) {
        if (gate.try_acquire().granted()) {
            ++total;
            recent.push_back(clock.now);
            while (clock.now - recent.front() >= 2s) recent.pop_front();
            REQUIRE(recent.size() <= 20);
        }
        clock.now += 3ms;
    }
    CHECK(total == 100);  // and the budget is used: 5 windows of 20
}

TEST_CASE("local rate gate: a 429's pause refuses everything until it ends") {
    fake_steady clock;
    local_rate_gate gate("lemlist", 100, 1s, clock.fn());
    REQUIRE(gate.try_acquire().granted());
    CHECK_FALSE(gate.pause_for(3s).has_value());
    auto refused = gate.try_acquire();
    CHECK(refused.wait == 3s);
    clock.now += 2s;
    CHECK(gate.try_acquire().wait == 1s);
    clock.now += 1s;
    CHECK(gate.try_acquire().granted());
}
