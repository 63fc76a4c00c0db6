// Integration: the Redis idempotency store and named locks against a real Redis
// (LAS_TEST_REDIS_URL). Leases that must expire are short real ones (200 ms).

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "job_store_checks.hpp"
#include "state/redis_store.hpp"
#include "state/shared_limiter.hpp"
#include "test_support.hpp"

using namespace las::state;
using namespace std::chrono_literals;

namespace {

struct redis_fixture {
    std::shared_ptr<redis_client> client = std::make_shared<redis_client>(test::redis_url());
    std::string prefix = test::unique_prefix();

    redis_store store(std::chrono::seconds ttl = 3600s) const { return redis_store(client, {prefix, ttl}); }
};

claim_result must_claim(idempotency_store& store, std::string_view key, std::chrono::milliseconds lease) {
    auto r = store.claim(key, lease);
    if (!r) FAIL("claim failed: " << r.error().to_string());
    return std::move(r).value();
}

bool must(las::result<bool, store_error> r) {
    if (!r) FAIL("store call failed: " << r.error().to_string());
    return *r;
}

// A loopback port with nothing listening: bound once to learn a free number, then closed.
std::uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("redis store: claim, held elsewhere, complete, already done") {
    redis_fixture fx;
    auto store = fx.store();
    REQUIRE(must(store.check()));

    const auto a = must_claim(store, "evt", 30s);
    CHECK(a.status == claim_status::claimed);
    CHECK(a.token.size() == 32);
    CHECK(a.claims == 1);
    CHECK(a.steps.empty());

    const auto b = must_claim(store, "evt", 30s);
    CHECK(b.status == claim_status::held_elsewhere);
    CHECK(b.lease_remaining > 25s);
    CHECK(b.lease_remaining <= 30s);
    CHECK(b.token.empty());

    // The hash carries the idempotency TTL.
    auto pttl = fx.client->command({"PTTL", store.key_of("evt")});
    REQUIRE(pttl.ok());
    CHECK(pttl->integer > 3500 * 1000);
    CHECK(pttl->integer <= 3600 * 1000);

    REQUIRE(must(store.record_step("evt", a.token, "entry", "entry-1")));
    REQUIRE(must(store.complete("evt", a.token)));
    CHECK(must(store.complete("evt", a.token)));  // a retried complete
    CHECK_FALSE(must(store.complete("evt", "someone-else")));
    const auto c = must_claim(store, "evt", 30s);
    CHECK(c.status == claim_status::already_done);
    CHECK(c.claims == 1);
    auto fields = fx.client->command({"HEXISTS", store.key_of("evt"), "step:entry"});
    REQUIRE(fields.ok());
    CHECK(fields->integer == 0);  // steps dropped at completion
}

TEST_CASE("redis store: an expired lease is taken over, steps kept, the stale token fenced") {
    redis_fixture fx;
    auto store = fx.store();
    const auto first = must_claim(store, "evt", 200ms);
    REQUIRE(must(store.record_step("evt", first.token, "entry", "entry-123")));
    CHECK(must_claim(store, "evt", 200ms).status == claim_status::held_elsewhere);

    std::this_thread::sleep_for(250ms);
    const auto second = must_claim(store, "evt", 30s);
    REQUIRE(second.status == claim_status::claimed);
    CHECK(second.token != first.token);
    CHECK(second.claims == 2);
    CHECK(second.steps == std::map<std::string, std::string>{{"entry", "entry-123"}});

    CHECK_FALSE(must(store.record_step("evt", first.token, "person", "p")));
    CHECK_FALSE(must(store.extend("evt", first.token, 30s)));
    CHECK_FALSE(must(store.complete("evt", first.token)));
    CHECK_FALSE(must(store.release("evt", first.token)));

    CHECK(must(store.record_step("evt", second.token, "person", "p-1")));
    CHECK(must(store.complete("evt", second.token)));
    CHECK(must_claim(store, "evt", 30s).status == claim_status::already_done);
}

TEST_CASE("redis store: release keeps the steps and frees the key at once") {
    redis_fixture fx;
    auto store = fx.store();
    const auto first = must_claim(store, "evt", 30s);
    REQUIRE(must(store.record_step("evt", first.token, "entry", "entry-1")));
    REQUIRE(must(store.release("evt", first.token)));
    CHECK_FALSE(must(store.release("evt", first.token)));

    const auto retry = must_claim(store, "evt", 30s);
    REQUIRE(retry.status == claim_status::claimed);
    CHECK(retry.claims == 2);
    CHECK(retry.steps == std::map<std::string, std::string>{{"entry", "entry-1"}});
}

TEST_CASE("redis store: extend keeps a long event's lease") {
    redis_fixture fx;
    auto store = fx.store();
    const auto c = must_claim(store, "evt", 200ms);
    REQUIRE(must(store.extend("evt", c.token, 30s)));
    std::this_thread::sleep_for(250ms);
    const auto other = must_claim(store, "evt", 30s);
    CHECK(other.status == claim_status::held_elsewhere);
    CHECK(other.lease_remaining > 20s);
}

TEST_CASE("redis store: a completed key is new again once the TTL has passed") {
    redis_fixture fx;
    auto store = fx.store(1s);
    const auto c = must_claim(store, "evt", 200ms);
    REQUIRE(must(store.record_step("evt", c.token, "entry", "e")));
    REQUIRE(must(store.complete("evt", c.token)));
    CHECK(must_claim(store, "evt", 200ms).status == claim_status::already_done);
    std::this_thread::sleep_for(1100ms);
    const auto again = must_claim(store, "evt", 200ms);
    CHECK(again.status == claim_status::claimed);
    CHECK(again.claims == 1);
    CHECK(again.steps.empty());
}

TEST_CASE("redis store: scripts come back after the server forgot them (EVAL fallback)") {
    redis_fixture fx;
    auto store = fx.store();
    REQUIRE(must_claim(store, "before", 30s).status == claim_status::claimed);
    auto flushed = fx.client->command({"SCRIPT", "FLUSH"});
    REQUIRE(flushed.ok());
    REQUIRE_FALSE(flushed->is_error());
    const auto c = must_claim(store, "after", 30s);
    CHECK(c.status == claim_status::claimed);
    CHECK(must(store.complete("after", c.token)));
    CHECK(must(store.check()));
}

TEST_CASE("redis store: 8 workers racing over 200 keys claim each key exactly once") {
    redis_fixture fx;
    constexpr int workers = 8;
    constexpr int keys = 200;
    std::vector<std::vector<int>> won(workers, std::vector<int>(keys, 0));
    std::vector<int> errors(workers, 0);
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
        threads.emplace_back([&, w] {
            // Each worker has its own connections, as separate processes would.
            redis_store store(std::make_shared<redis_client>(test::redis_url(), redis_options{.pool_size = 1}),
                              {fx.prefix, 3600s});
            std::vector<int> order(keys);
            for (int i = 0; i < keys; ++i) order[i] = i;
            std::shuffle(order.begin(), order.end(), std::mt19937(static_cast<unsigned>(w) * 7919u + 1u));
            for (int k : order) {
                auto r = store.claim("race-" + std::to_string(k), 30s);
                if (!r) {
                    ++errors[w];
                } else if (r->status == claim_status::claimed) {
                    ++won[w][k];
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int w = 0; w < workers; ++w) CHECK(errors[w] == 0);
    int doubles = 0;
    int missing = 0;
    for (int k = 0; k < keys; ++k) {
        int total = 0;
        for (int w = 0; w < workers; ++w) total += won[w][k];
        doubles += total > 1;
        missing += total == 0;
    }
    CHECK(doubles == 0);
    CHECK(missing == 0);
}

TEST_CASE("redis store: named locks are exclusive until unlocked or expired") {
    redis_fixture fx;
    auto store = fx.store();
    auto first = store.try_lock("person:ada", 200ms);
    REQUIRE(first.ok());
    REQUIRE(first->has_value());
    auto second = store.try_lock("person:ada", 200ms);
    REQUIRE(second.ok());
    CHECK_FALSE(second->has_value());

    std::this_thread::sleep_for(250ms);
    auto third = store.try_lock("person:ada", 30s);
    REQUIRE(third.ok());
    REQUIRE(third->has_value());
    CHECK(**third != **first);
    CHECK_FALSE(must(store.unlock("person:ada", **first)));  // the dead holder cannot free the new lock
    CHECK_FALSE(store.try_lock("person:ada", 30s)->has_value());
    CHECK(must(store.unlock("person:ada", **third)));
    CHECK(store.try_lock("person:ada", 30s)->has_value());
}

TEST_CASE("redis store: Redis down answers store_error within the timeouts, and recovers nothing by guessing") {
    const auto port = closed_port();
    redis_options options;
    options.connect_timeout = 500ms;
    options.command_timeout = 500ms;
    auto client = std::make_shared<redis_client>("redis://127.0.0.1:" + std::to_string(port) + "/", options);
    redis_store store(client, {test::unique_prefix(), 3600s});
    shared_limiter gate(client, "down", 10, 1s);

    const auto start = std::chrono::steady_clock::now();
    auto c = store.claim("evt", 30s);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().what == store_error::kind::unreachable);
    CHECK_FALSE(c.error().message.empty());
    auto step = store.record_step("evt", "t", "entry", "e");
    CHECK_FALSE(step.ok());
    auto lock = store.try_lock("person:x", 1s);
    CHECK_FALSE(lock.ok());
    CHECK_FALSE(store.check().ok());

    // The limiter fails safe: refused with a short wait and the error, never granted.
    for (int i = 0; i < 5; ++i) {
        const auto answer = gate.try_acquire();
        CHECK_FALSE(answer.granted());
        CHECK(answer.error.has_value());
        CHECK(answer.wait > 0ms);
    }
    CHECK(gate.pause_for(1s).has_value());
    const auto paused = gate.try_acquire();  // the pause could not be shared, but holds here
    CHECK_FALSE(paused.granted());
    CHECK(paused.wait > 500ms);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("redis store: a server that accepts and never answers costs one command timeout, not a hang") {
    // A listening socket nobody accepts from: the kernel completes the handshake, nothing replies.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);

    redis_options options;
    options.command_timeout = 300ms;
    options.pool_size = 1;
    redis_store store(std::make_shared<redis_client>("redis://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)),
                                                     options),
                      {test::unique_prefix(), 3600s});
    const auto start = std::chrono::steady_clock::now();
    auto c = store.claim("evt", 30s);
    const auto took = std::chrono::steady_clock::now() - start;
    ::close(fd);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().what == store_error::kind::unreachable);
    CHECK(c.error().message.find("timed out") != std::string::npos);
    CHECK(took >= 250ms);
    CHECK(took < 3s);
}

TEST_CASE("redis store: a dropped connection fails one call, and the next call reconnects") {
    redis_fixture fx;
    redis_options options;
    options.pool_size = 1;
    auto client = std::make_shared<redis_client>(test::redis_url(), options);
    redis_store store(client, {fx.prefix, 3600s});
    const auto first = must_claim(store, "evt-1", 30s);
    REQUIRE(first.status == claim_status::claimed);

    auto id = client->command({"CLIENT", "ID"});
    REQUIRE(id.ok());
    REQUIRE(id->kind == redis_value::type::integer);
    auto killed = fx.client->command({"CLIENT", "KILL", "ID", std::to_string(id->integer)});
    REQUIRE(killed.ok());
    REQUIRE(killed->integer == 1);

    // The server closed our socket: this call may fail (it must not crash on SIGPIPE) ...
    auto during = store.claim("evt-2", 30s);
    if (!during) CHECK(during.error().what == store_error::kind::unreachable);
    // ... and the one after it works on a fresh connection, with the state intact.
    auto after = store.claim("evt-1", 30s);
    REQUIRE(after.ok());
    CHECK(after->status == claim_status::held_elsewhere);
    auto id2 = client->command({"CLIENT", "ID"});
    REQUIRE(id2.ok());
    CHECK(id2->integer != id->integer);
}

TEST_CASE("redis job store: the contract, and the TTL from the last update") {
    redis_fixture f;
    SECTION("contract") {
        auto store = f.store();
        test::check_job_store_contract(store);
    }
    SECTION("ttl") {
        auto store = f.store(1s);
        test::must_do(store.begin_job("job_ttl", 1));
        std::this_thread::sleep_for(600ms);
        test::must_do(store.settle_record("job_ttl", "r", "{}"));
        std::this_thread::sleep_for(600ms);
        CHECK(test::must_get(store, "job_ttl").results.size() == 1);
        std::this_thread::sleep_for(1100ms);
        auto gone = store.get_job("job_ttl");
        REQUIRE(gone);
        CHECK_FALSE(gone.value().has_value());
    }
}
