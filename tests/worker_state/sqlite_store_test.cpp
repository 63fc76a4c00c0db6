#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include "state/sqlite_store.hpp"
#include "test_support.hpp"

using namespace las::state;
using namespace std::chrono_literals;
using las::state::test::fake_clock;
using las::state::test::temp_dir;

namespace {

sqlite_store_options options_for(const temp_dir& dir, fake_clock& clock) {
    sqlite_store_options o;
    o.directory = dir.path() / "nested" / "state";  // the store creates missing directories
    o.ttl = 1h;
    o.clock = clock.fn();
    return o;
}

claim_result must_claim(idempotency_store& store, std::string_view key, std::chrono::milliseconds lease) {
    auto r = store.claim(key, lease);
    REQUIRE(r.ok());
    return std::move(r).value();
}

bool must(las::result<bool, store_error> r) {
    REQUIRE(r.ok());
    return *r;
}

}  // namespace

TEST_CASE("sqlite store: a new key is claimed with a fresh token") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));
    CHECK(std::filesystem::exists(dir.path() / "nested" / "state" / "idempotency.sqlite3"));

    auto a = must_claim(store, "evt-1", 30s);
    CHECK(a.status == claim_status::claimed);
    CHECK(a.token.size() == 32);
    CHECK(a.steps.empty());
    CHECK(a.claims == 1);

    auto b = must_claim(store, "evt-2", 30s);
    CHECK(b.status == claim_status::claimed);
    CHECK(b.token != a.token);
}

TEST_CASE("sqlite store: a live lease makes a second claim wait, with the time left") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));
    const auto first = must_claim(store, "evt", 30s);
    clock.advance(10s);
    const auto second = must_claim(store, "evt", 30s);
    CHECK(second.status == claim_status::held_elsewhere);
    CHECK(second.lease_remaining == 20s);
    CHECK(second.token.empty());
    CHECK(second.claims == 1);
    // The holder is unaffected.
    CHECK(must(store.record_step("evt", first.token, "entry", "e-1")));
}

TEST_CASE("sqlite store: an expired lease is taken over with a new token, the steps kept") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));
    const auto first = must_claim(store, "evt", 30s);
    REQUIRE(must(store.record_step("evt", first.token, "entry", "entry-123")));

    clock.advance(30s);  // the worker died: its lease runs out
    const auto second = must_claim(store, "evt", 30s);
    REQUIRE(second.status == claim_status::claimed);
    CHECK(second.token != first.token);
    CHECK(second.claims == 2);
    CHECK(second.steps == std::map<std::string, std::string>{{"entry", "entry-123"}});

    SECTION("the stale token is fenced off") {
        CHECK_FALSE(must(store.record_step("evt", first.token, "person", "p-1")));
        CHECK_FALSE(must(store.extend("evt", first.token, 30s)));
        CHECK_FALSE(must(store.complete("evt", first.token)));
        CHECK_FALSE(must(store.release("evt", first.token)));
        // ... and none of that touched the new holder's claim.
        CHECK(must(store.record_step("evt", second.token, "person", "p-1")));
        CHECK(must(store.complete("evt", second.token)));
        CHECK(must_claim(store, "evt", 30s).status == claim_status::already_done);
    }
    SECTION("a third attempt sees both steps of the pair") {
        REQUIRE(must(store.record_step("evt", second.token, "person", "p-9")));
        clock.advance(31s);
        const auto third = must_claim(store, "evt", 30s);
        REQUIRE(third.status == claim_status::claimed);
        CHECK(third.claims == 3);
        CHECK(third.steps == std::map<std::string, std::string>{{"entry", "entry-123"}, {"person", "p-9"}});
    }
}

TEST_CASE("sqlite store: an expired lease nobody took over still lets its holder record and finish") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));
    const auto c = must_claim(store, "evt", 5s);
    clock.advance(6s);
    CHECK(must(store.record_step("evt", c.token, "entry", "e")));
    CHECK(must(store.complete("evt", c.token)));
}

TEST_CASE("sqlite store: complete holds for the TTL, then the key is new again") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));  // ttl 1 h
    const auto c = must_claim(store, "evt", 30s);
    REQUIRE(must(store.record_step("evt", c.token, "entry", "e")));
    REQUIRE(must(store.complete("evt", c.token)));
    CHECK(must(store.complete("evt", c.token)));  // a retried complete is still true
    CHECK_FALSE(must(store.complete("evt", "not-the-token")));

    clock.advance(59min);
    auto again = must_claim(store, "evt", 30s);
    CHECK(again.status == claim_status::already_done);
    CHECK(again.claims == 1);
    CHECK(again.token.empty());

    clock.advance(2min);
    again = must_claim(store, "evt", 30s);
    CHECK(again.status == claim_status::claimed);
    CHECK(again.claims == 1);
    CHECK(again.steps.empty());  // dropped at completion
}

TEST_CASE("sqlite store: release drops the lease and keeps the steps") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));
    const auto first = must_claim(store, "evt", 30s);
    REQUIRE(must(store.record_step("evt", first.token, "entry", "entry-1")));
    REQUIRE(must(store.release("evt", first.token)));
    CHECK_FALSE(must(store.release("evt", first.token)));

    // No waiting for the lease: the retry claims at once and skips the entry write.
    const auto retry = must_claim(store, "evt", 30s);
    REQUIRE(retry.status == claim_status::claimed);
    CHECK(retry.claims == 2);
    CHECK(retry.steps == std::map<std::string, std::string>{{"entry", "entry-1"}});
    CHECK_FALSE(must(store.complete("evt", first.token)));
    CHECK(must(store.complete("evt", retry.token)));
}

TEST_CASE("sqlite store: extend keeps a long event's lease alive") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));
    const auto c = must_claim(store, "evt", 10s);
    clock.advance(8s);
    REQUIRE(must(store.extend("evt", c.token, 10s)));
    clock.advance(8s);  // 16 s after the claim: past the first lease, inside the extended one
    const auto other = must_claim(store, "evt", 10s);
    CHECK(other.status == claim_status::held_elsewhere);
    CHECK(other.lease_remaining == 2s);
    clock.advance(2s);
    CHECK(must_claim(store, "evt", 10s).status == claim_status::claimed);
    CHECK_FALSE(must(store.extend("evt", c.token, 10s)));
}

TEST_CASE("sqlite store: a step recorded twice keeps the latest value") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));
    const auto c = must_claim(store, "evt", 10s);
    REQUIRE(must(store.record_step("evt", c.token, "entry", "a")));
    REQUIRE(must(store.record_step("evt", c.token, "entry", "b")));
    REQUIRE(must(store.release("evt", c.token)));
    CHECK(must_claim(store, "evt", 10s).steps == std::map<std::string, std::string>{{"entry", "b"}});
}

TEST_CASE("sqlite store: expired rows are purged") {
    temp_dir dir;
    fake_clock clock;
    auto options = options_for(dir, clock);
    options.ttl = 60s;

    SECTION("on demand") {
        options.purge_every = 1'000'000;
        sqlite_store store(options);
        for (int i = 0; i < 10; ++i) {
            const auto key = "old-" + std::to_string(i);
            const auto c = must_claim(store, key, 5s);
            REQUIRE(must(store.record_step(key, c.token, "entry", "e")));
            if (i % 2 == 0) REQUIRE(must(store.complete(key, c.token)));
        }
        REQUIRE(store.try_lock("person:x", 5s).ok());
        clock.advance(30s);
        must_claim(store, "young", 5s);
        CHECK(*store.stored_keys() == 11);
        CHECK(*store.purge_expired() == 1);  // only the expired lock: nothing is past the TTL yet

        clock.advance(31s);  // the ten old keys are now 61 s old
        auto purged = store.purge_expired();
        REQUIRE(purged.ok());
        CHECK(*purged == 10);
        CHECK(*store.stored_keys() == 1);
        // A purged key is simply new, without the steps of its previous life.
        const auto fresh = must_claim(store, "old-1", 5s);
        CHECK(fresh.status == claim_status::claimed);
        CHECK(fresh.claims == 1);
        CHECK(fresh.steps.empty());
    }
    SECTION("lazily, every N-th claim") {
        options.purge_every = 4;
        sqlite_store store(options);
        for (int i = 0; i < 3; ++i) must_claim(store, "old-" + std::to_string(i), 5s);
        clock.advance(2min);
        CHECK(*store.stored_keys() == 3);
        must_claim(store, "new-0", 5s);  // the 4th claim purges the three expired keys
        CHECK(*store.stored_keys() == 1);
    }
}

TEST_CASE("sqlite store: claims and completions survive a restart") {
    temp_dir dir;
    fake_clock clock;
    std::string token;
    {
        sqlite_store store(options_for(dir, clock));
        const auto done = must_claim(store, "done", 30s);
        REQUIRE(must(store.complete("done", done.token)));
        const auto half = must_claim(store, "half", 30s);
        REQUIRE(must(store.record_step("half", half.token, "entry", "e-7")));
    }
    sqlite_store reopened(options_for(dir, clock));
    CHECK(must_claim(reopened, "done", 30s).status == claim_status::already_done);
    clock.advance(31s);
    const auto half = must_claim(reopened, "half", 30s);
    CHECK(half.status == claim_status::claimed);
    CHECK(half.steps == std::map<std::string, std::string>{{"entry", "e-7"}});
}

TEST_CASE("sqlite store: two store objects on one file agree (as two processes would)") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store a(options_for(dir, clock));
    sqlite_store b(options_for(dir, clock));

    const auto ca = must_claim(a, "evt", 30s);
    REQUIRE(ca.status == claim_status::claimed);
    CHECK(must_claim(b, "evt", 30s).status == claim_status::held_elsewhere);
    REQUIRE(must(a.complete("evt", ca.token)));
    CHECK(must_claim(b, "evt", 30s).status == claim_status::already_done);

    // Concurrently: two threads per object race over the same keys; each key goes to one.
    constexpr int keys = 150;
    std::vector<std::vector<int>> won(4, std::vector<int>(keys, 0));
    std::vector<int> errors(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            sqlite_store& store = t % 2 == 0 ? a : b;
            for (int i = 0; i < keys; ++i) {
                const int k = (t < 2) ? i : keys - 1 - i;  // half the threads walk backwards
                auto r = store.claim("race-" + std::to_string(k), 30s);
                if (!r) {
                    ++errors[t];
                } else if (r->status == claim_status::claimed) {
                    ++won[t][k];
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t) CHECK(errors[t] == 0);
    int doubles = 0;
    int missing = 0;
    for (int k = 0; k < keys; ++k) {
        const int total = won[0][k] + won[1][k] + won[2][k] + won[3][k];
        doubles += total > 1;
        missing += total == 0;
    }
    CHECK(doubles == 0);
    CHECK(missing == 0);
}

TEST_CASE("sqlite store: named locks are exclusive until unlocked or expired") {
    temp_dir dir;
    fake_clock clock;
    sqlite_store store(options_for(dir, clock));
    auto first = store.try_lock("person:linkedin.com/in/ada", 10s);
    REQUIRE(first.ok());
    REQUIRE(first->has_value());

    auto second = store.try_lock("person:linkedin.com/in/ada", 10s);
    REQUIRE(second.ok());
    CHECK_FALSE(second->has_value());
    CHECK(store.try_lock("person:linkedin.com/in/bob", 10s)->has_value());  // other names are independent

    clock.advance(10s);  // the holder died
    auto third = store.try_lock("person:linkedin.com/in/ada", 10s);
    REQUIRE(third.ok());
    REQUIRE(third->has_value());
    CHECK(**third != **first);
    CHECK_FALSE(must(store.unlock("person:linkedin.com/in/ada", **first)));  // cannot free the new holder's lock
    CHECK_FALSE(store.try_lock("person:linkedin.com/in/ada", 10s)->has_value());
    CHECK(must(store.unlock("person:linkedin.com/in/ada", **third)));
    CHECK(store.try_lock("person:linkedin.com/in/ada", 10s)->has_value());
}

TEST_CASE("sqlite store: a directory that cannot be created stops start-up") {
    temp_dir dir;
    std::filesystem::create_directories(dir.path());
    const auto blocker = dir.path() / "file";
    { std::ofstream(blocker) << "x"; }
    sqlite_store_options o;
    o.directory = blocker / "state";  // a directory under a regular file
    CHECK_THROWS_AS(sqlite_store(o), std::runtime_error);
}
