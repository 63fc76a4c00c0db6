// Integration: the pool-wide rate limiter against a real Redis (LAS_TEST_REDIS_URL).

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "state/shared_limiter.hpp"
#include "test_support.hpp"

using namespace las::state;
using namespace std::chrono_literals;

TEST_CASE("shared limiter: several workers never exceed the limit in any sliding window, and use the budget") {
    constexpr std::size_t limit = 20;
    constexpr std::int64_t window_us = 1'000'000;
    const auto prefix = test::unique_prefix();
    const auto name = "lemlist-" + las::crypto::random_hex(4);

    // Two "workers" (own connections), two threads each, hammering for 2 s.
    std::vector<std::unique_ptr<shared_limiter>> limiters;
    for (int i = 0; i < 2; ++i) {
        limiters.push_back(std::make_unique<shared_limiter>(std::make_shared<redis_client>(test::redis_url()), name,
                                                            limit, 1s, shared_limiter_options{prefix}));
    }
    std::mutex mutex;
    std::vector<std::int64_t> grants;  // server time of each grant, µs: the clock the script decided by
    std::atomic<int> errors{0};
    std::atomic<int> refusals{0};
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            auto& gate = *limiters[t % 2];
            while (std::chrono::steady_clock::now() < deadline) {
                const auto r = gate.try_acquire_timed();
                if (r.answer.error) {
                    ++errors;
                    std::this_thread::sleep_for(r.answer.wait);
                } else if (r.answer.granted()) {
                    std::lock_guard lock(mutex);
                    grants.push_back(r.granted_at_us);
                } else {
                    ++refusals;
                    // Honour the wait, but not past the end of the run.
                    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(r.answer.wait, 50ms));
                }
            }
        });
    }
    for (auto& th : threads) th.join();

    CHECK(errors == 0);
    CHECK(refusals > 0);  // the threads did ask for more than the budget
    std::sort(grants.begin(), grants.end());
    // Every grant opens a window [t, t + 1 s): it may hold at most `limit` grants. The times are
    // Redis's own, read inside the atomic script, so no tolerance is needed.
    std::size_t worst = 0;
    for (std::size_t i = 0, j = 0; i < grants.size(); ++i) {
        while (j < grants.size() && grants[j] < grants[i] + window_us) ++j;
        worst = std::max(worst, j - i);
    }
    INFO("grants: " << grants.size() << ", fullest 1 s window: " << worst);
    CHECK(worst <= limit);
    CHECK(worst == limit);
    // Two seconds of a 20/s budget is 40 grants; ask for at least 90 % of it.
    CHECK(grants.size() >= 36);
}

TEST_CASE("shared limiter: a 429's pause set by one worker holds for all of them") {
    const auto prefix = test::unique_prefix();
    shared_limiter a(std::make_shared<redis_client>(test::redis_url()), "attio", 100, 1s, {prefix});
    shared_limiter b(std::make_shared<redis_client>(test::redis_url()), "attio", 100, 1s, {prefix});
    shared_limiter other(std::make_shared<redis_client>(test::redis_url()), "lemlist", 100, 1s, {prefix});
    REQUIRE(b.try_acquire().granted());

    REQUIRE_FALSE(a.pause_for(300ms).has_value());
    const auto refused = b.try_acquire();
    CHECK_FALSE(refused.granted());
    CHECK_FALSE(refused.error.has_value());
    CHECK(refused.wait > 0ms);
    CHECK(refused.wait <= 300ms);
    CHECK(other.try_acquire().granted());  // another provider's bucket is not paused

    // A shorter pause never shortens a longer one.
    REQUIRE_FALSE(b.pause_for(10ms).has_value());
    CHECK(b.try_acquire().wait > 100ms);

    std::this_thread::sleep_for(350ms);
    CHECK(b.try_acquire().granted());
    CHECK(a.try_acquire().granted());
}
