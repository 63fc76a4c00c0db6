// The drainer with a real spool and a fake broker: order, removal only after confirm.
#include <catch2/catch.hpp>

#include "amqp/publish_outcome.hpp"
#include "core/metrics.hpp"
#include "gateway/drainer.hpp"
#include "gateway/spool_message.hpp"
#include "test_support.hpp"

using namespace las;
using namespace las::gateway;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<spool> filled(const std::filesystem::path& dir, int n) {
    auto s = spool::open(spool_options{dir, 1 << 20});
    if (!s) FAIL(s.error());
    for (int i = 0; i < n; ++i) {
        amqp::publish_request m;
        m.exchange = "lemlist.events";
        m.routing_key = "lemlist.events";
        m.message_id = "m" + std::to_string(i);
        m.body = "{}";
        REQUIRE(s.value()->append_wait(encode_message(m)) == append_status::stored);
    }
    return std::move(s.value());
}

std::vector<std::string> ids(const std::vector<amqp::publish_request>& v) {
    std::vector<std::string> out;
    for (const auto& m : v) out.push_back(m.message_id);
    return out;
}

}  // namespace

TEST_CASE("drainer: publishes the spool in order and empties it once confirmed") {
    test::temp_dir dir;
    auto s = filled(dir.path(), 50);
    metrics::registry registry;
    gateway_metrics metrics(registry);
    test::fake_broker broker;
    spool_drainer d(*s, broker, metrics, drainer_options{16, 20ms, 20ms});
    d.start();
    REQUIRE(test::eventually([&] { return s->events() == 0; }));
    d.stop();
    std::vector<std::string> expected;
    for (int i = 0; i < 50; ++i) expected.push_back("m" + std::to_string(i));
    CHECK(ids(broker.published()) == expected);
    CHECK(d.drained() == 50);
    CHECK(metrics.drained.value() == 50);
}

TEST_CASE("drainer: waits while the broker is away - then drains") {
    test::temp_dir dir;
    auto s = filled(dir.path(), 5);
    metrics::registry registry;
    gateway_metrics metrics(registry);
    test::fake_broker broker;
    broker.up = false;
    spool_drainer d(*s, broker, metrics, drainer_options{16, 20ms, 20ms});
    d.start();
    std::this_thread::sleep_for(100ms);
    CHECK(s->events() == 5);
    CHECK(broker.published().empty());
    broker.up = true;
    d.notify();
    REQUIRE(test::eventually([&] { return s->events() == 0; }));
}

TEST_CASE("drainer: an unconfirmed record and everything after it stay until confirmed") {
    test::temp_dir dir;
    auto s = filled(dir.path(), 10);
    metrics::registry registry;
    gateway_metrics metrics(registry);
    test::fake_broker broker;
    std::atomic<int> failures_left{3};
    broker.decide = [&](const amqp::publish_request& m) {
        if (m.message_id == "m4" && failures_left.fetch_sub(1) > 0) return amqp::publish_outcome::nacked;
        return amqp::publish_outcome::confirmed;
    };
    spool_drainer d(*s, broker, metrics, drainer_options{100, 30ms, 20ms});
    d.start();
    // After the first window, m0..m3 are gone and m4..m9 remain.
    REQUIRE(test::eventually([&] { return broker.published().size() >= 10; }));
    REQUIRE(test::eventually([&] { return s->events() == 0; }));
    d.stop();
    const auto published = ids(broker.published());
    // m0..m9, then three retries of m4..m9 (m4 nacked on the first three tries).
    CHECK(published.size() == 10 + 3 * 6);
    CHECK(std::vector<std::string>(published.begin(), published.begin() + 4) ==
          std::vector<std::string>{"m0", "m1", "m2", "m3"});
    CHECK(std::count(published.begin(), published.end(), "m0") == 1);
    CHECK(std::count(published.begin(), published.end(), "m4") == 4);
    CHECK(metrics.drain_failures.value() == 3);
}

TEST_CASE("drainer: records survive a restart until drained") {
    test::temp_dir dir;
    {
        auto s = filled(dir.path(), 3);
        metrics::registry registry;
        gateway_metrics metrics(registry);
        test::fake_broker broker;
        broker.decide = [](const amqp::publish_request&) { return amqp::publish_outcome::timed_out; };
        spool_drainer d(*s, broker, metrics, drainer_options{16, 20ms, 20ms});
        d.start();
        REQUIRE(test::eventually([&] { return broker.published().size() >= 3; }));
        d.stop();
        CHECK(s->events() == 3);
    }
    auto reopened = spool::open(spool_options{dir.path(), 1 << 20});
    REQUIRE(reopened);
    CHECK(reopened.value()->events() == 3);
}
