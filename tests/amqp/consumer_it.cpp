#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <vector>

#include <future>

#include "amqp/consumer.hpp"
#include "amqp/publisher.hpp"
#include "broker_test_support.hpp"

using namespace las::amqp;
using namespace las::amqp::test;
using namespace std::chrono_literals;

namespace {

// Deliveries handed out by a consumer, kept for the test thread.
struct inbox {
    std::mutex mutex;
    std::vector<delivery> items;
    std::size_t size() {
        std::lock_guard lock(mutex);
        return items.size();
    }
    std::vector<delivery> take() {
        std::lock_guard lock(mutex);
        return std::exchange(items, {});
    }
};

consumer_options options_for(const scratch_pipeline& p, inbox& box) {
    consumer_options o;
    o.queue = p.names().queue();
    o.prefetch = 50;
    o.connection_name = "las-test-consumer";
    o.reconnect = {100ms, 1000ms};
    o.on_connect = [&p](connection& c) { return declare(c, plan_for(p.names())); };
    o.on_delivery = [&box](delivery d) {
        std::lock_guard lock(box.mutex);
        box.items.push_back(std::move(d));
    };
    return o;
}

void publish_n(scratch_pipeline& p, int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) {
        publish_request r = p.request(prefix + std::to_string(i), R"({"i":)" + std::to_string(i) + "}");
        r.headers = {{"x-attempts", std::int64_t{i}}};
        REQUIRE(p.channel().publish_confirmed(r) == publish_outcome::confirmed);
    }
}

}  // namespace

TEST_CASE("consumer: manual ack from another thread removes the messages") {
    scratch_pipeline p("consack");
    publish_n(p, 100, "c-");
    inbox box;
    consumer c(broker_settings(), options_for(p, box));
    REQUIRE(c.wait_consuming(10s));
    std::set<std::string> ids;
    std::thread acker([&] {
        const auto until = std::chrono::steady_clock::now() + 20s;
        while (ids.size() < 100 && std::chrono::steady_clock::now() < until) {
            for (auto& d : box.take()) {
                ids.insert(d.message_id);
                CHECK(d.generation == c.generation());
                CHECK_FALSE(d.redelivered);
                CHECK(header_int(d.headers, "x-attempts").has_value());
                c.ack(d);
            }
            std::this_thread::sleep_for(5ms);
        }
    });
    acker.join();
    CHECK(ids.size() == 100);
    CHECK(eventually([&] { return c.unacked() == 0; }, 5s));
    c.stop(2s);
    CHECK(p.depth() == 0);  // acked, not requeued by the close
    CHECK(c.stale_acks_dropped() == 0);
}

TEST_CASE("consumer: unacked deliveries come back after stop (at-least-once)") {
    scratch_pipeline p("consunacked");
    publish_n(p, 10, "u-");
    inbox box;
    {
        consumer c(broker_settings(), options_for(p, box));
        REQUIRE(eventually([&] { return box.size() == 10; }, 10s));
        CHECK(c.unacked() == 10);
        const auto started = std::chrono::steady_clock::now();
        c.stop(300ms);  // nobody acks: the drain ends at its deadline
        CHECK(std::chrono::steady_clock::now() - started < 5s);
        CHECK(c.state() == consumer_state::stopped);
    }
    CHECK(eventually([&] { return p.depth() == 10; }, 5s));
    auto d = p.channel().get(p.names().queue());
    REQUIRE(d.ok());
    REQUIRE(d->has_value());
    CHECK((*d)->redelivered);
}

TEST_CASE("consumer: stop lets in-flight deliveries be acked before closing") {
    scratch_pipeline p("consdrain");
    publish_n(p, 5, "d-");
    inbox box;
    consumer c(broker_settings(), options_for(p, box));
    REQUIRE(eventually([&] { return box.size() == 5; }, 10s));
    std::thread late_acker([&] {
        std::this_thread::sleep_for(200ms);  // acks arrive while stop() is draining
        for (auto& d : box.take()) c.ack(d);
    });
    c.stop(5s);
    late_acker.join();
    CHECK(p.depth() == 0);
}

TEST_CASE("consumer: after a reconnect, an ack of the old generation is dropped") {
    scratch_pipeline p("consstale");
    publish_n(p, 1, "old-");
    inbox box;
    consumer c(broker_settings(), options_for(p, box));
    REQUIRE(eventually([&] { return box.size() == 1; }, 10s));
    const delivery old = box.take().front();
    const auto first_generation = c.generation();

    // Deleting the queue cancels the consumer; it reconnects and redeclares (on_connect).
    REQUIRE(p.channel().delete_queue(p.names().queue()).ok());
    REQUIRE(eventually([&] { return c.generation() > first_generation && c.consuming(); }, 15s));
    const auto second_generation = c.generation();

    publish_n(p, 1, "new-");
    REQUIRE(eventually([&] { return box.size() == 1; }, 10s));
    const delivery fresh = box.take().front();
    CHECK(fresh.generation == second_generation);
    // Same tag number on the new channel: acking `old` there would ack `fresh` instead.
    CHECK(fresh.delivery_tag == old.delivery_tag);

    c.ack(old);
    REQUIRE(eventually([&] { return c.stale_acks_dropped() == 1; }, 5s));
    CHECK(c.unacked() == 1);  // `fresh` is still held
    c.ack(fresh);
    CHECK(eventually([&] { return c.unacked() == 0; }, 5s));
    c.stop(2s);
    CHECK(c.generation() == second_generation);  // no channel error, no further reconnect
    CHECK(p.depth() == 0);
}

TEST_CASE("consumer: reject with and without requeue") {
    scratch_pipeline p("consreject");
    publish_n(p, 2, "r-");
    inbox box;
    consumer c(broker_settings(), options_for(p, box));
    REQUIRE(eventually([&] { return box.size() == 2; }, 10s));
    auto first = box.take();
    std::sort(first.begin(), first.end(), [](const auto& a, const auto& b) { return a.message_id < b.message_id; });
    c.reject(first[0], false);  // r-0 dropped (no dead-letter policy on the main queue)
    c.reject(first[1], true);   // r-1 comes back
    REQUIRE(eventually([&] { return box.size() == 1; }, 10s));
    const auto again = box.take().front();
    CHECK(again.message_id == "r-1");
    CHECK(again.redelivered);
    c.ack(again);
    CHECK(eventually([&] { return c.unacked() == 0; }, 5s));
    c.stop(2s);
    CHECK(p.depth() == 0);
}

TEST_CASE("heartbeats: an idle publisher and consumer keep their connections") {
    scratch_pipeline p("idle");
    connection_settings settings = broker_settings();
    settings.heartbeat = std::chrono::seconds(1);  // the broker drops a silent peer after ~2 s
    inbox box;
    consumer c(settings, options_for(p, box));
    publisher_options popts;
    popts.on_connect = [&p](connection& conn) { return declare(conn, plan_for(p.names())); };
    publisher pub(settings, popts);
    REQUIRE(c.wait_consuming(10s));
    REQUIRE(pub.wait_connected(10s));
    // The premise: a connection nobody services is dropped by the broker within that time.
    auto unserviced = connection::open(settings, "las-test-unserviced");
    REQUIRE(unserviced.ok());
    std::this_thread::sleep_for(5s);  // nothing to do: only heartbeats keep them alive
    CHECK_FALSE(unserviced->open_channel().ok());
    CHECK(c.consuming());
    CHECK(c.generation() == 1);
    CHECK(pub.connected());
    CHECK(pub.connection_generation() == 1);
    std::promise<publish_outcome> done;
    pub.publish(p.request("after-idle"), [&](publish_outcome o) { done.set_value(o); });
    CHECK(done.get_future().get() == publish_outcome::confirmed);
    REQUIRE(eventually([&] { return box.size() == 1; }, 10s));
    for (auto& d : box.take()) c.ack(d);
    CHECK(eventually([&] { return c.unacked() == 0; }, 5s));
}
