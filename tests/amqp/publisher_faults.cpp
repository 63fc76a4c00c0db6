// Fault tests: they stop, restart and freeze the broker at LAS_TEST_RABBITMQ_PORT (which
// LAS_TEST_AMQP_URL must point at). Give them a broker of their own.
#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "amqp/consumer.hpp"
#include "amqp/publisher.hpp"
#include "broker_test_support.hpp"

using namespace las::amqp;
using namespace las::amqp::test;
using namespace std::chrono_literals;

namespace {

struct ledger {
    std::mutex mutex;
    std::map<std::string, std::vector<publish_outcome>> by_id;
    std::atomic<int> completed{0};

    publisher::completion record(std::string id) {
        return [this, id = std::move(id)](publish_outcome o) {
            std::lock_guard lock(mutex);
            by_id[id].push_back(o);
            ++completed;
        };
    }
    std::set<std::string> confirmed() {
        std::lock_guard lock(mutex);
        std::set<std::string> out;
        for (const auto& [id, v] : by_id) {
            if (v.size() == 1 && v[0] == publish_outcome::confirmed) out.insert(id);
        }
        return out;
    }
    std::map<publish_outcome, int> histogram() {
        std::lock_guard lock(mutex);
        std::map<publish_outcome, int> h;
        for (const auto& [id, v] : by_id) {
            for (auto o : v) ++h[o];
        }
        return h;
    }
    bool each_exactly_once() {
        std::lock_guard lock(mutex);
        for (const auto& [id, v] : by_id) {
            if (v.size() != 1) return false;
        }
        return true;
    }
};

// Reads every message id off `queue` through a consumer (acking them): basic.get on a
// quorum queue costs a Raft round trip per message, far too slow for tens of thousands.
std::multiset<std::string> drain_ids(const std::string& queue) {
    auto ch = sync_channel::open(broker_settings(), "las-test-drain");
    REQUIRE(ch.ok());
    auto depth = ch->queue_depth(queue);
    REQUIRE(depth.ok());
    std::mutex mutex;
    std::multiset<std::string> ids;
    consumer_options o;
    o.queue = queue;
    o.prefetch = 2000;
    consumer* self = nullptr;
    o.on_delivery = [&](delivery d) {
        {
            std::lock_guard lock(mutex);
            ids.insert(d.message_id);
        }
        self->ack(d);
    };
    consumer reader(broker_settings(), o);
    self = &reader;
    const bool all = eventually(
        [&] {
            std::lock_guard lock(mutex);
            return ids.size() >= *depth;
        },
        120s);
    reader.stop(10s);
    REQUIRE(all);
    return ids;
}

std::string describe(const std::map<publish_outcome, int>& h) {
    std::string s;
    for (const auto& [o, n] : h) s += std::string(to_string(o)) + "=" + std::to_string(n) + " ";
    return s;
}

// Resumes a SIGSTOPped broker whatever happens in the test.
struct resume_on_exit {
    int pid;
    ~resume_on_exit() {
        if (pid > 0) ::kill(pid, SIGCONT);
    }
};

}  // namespace

TEST_CASE("faults: broker stopped and restarted mid-stream: every publish completes, nothing confirmed is lost") {
    const pipeline names(unique_name("fault.restart"));
    publisher_options opts;
    opts.connection_name = "las-fault-publisher";
    opts.confirm_timeout = 10s;
    opts.reconnect = {200ms, 2000ms};
    opts.on_connect = [&names](connection& c) { return declare(c, plan_for(names)); };
    std::atomic<int> disconnects{0};
    opts.on_state_change = [&](publisher_state s, std::string_view) {
        if (s == publisher_state::disconnected) ++disconnects;
    };
    publisher pub(broker_settings(), opts);
    REQUIRE(pub.wait_connected(15s));

    ledger book;
    std::atomic<bool> producing{true};
    std::atomic<int> sent{0};
    std::thread producer([&] {
        while (producing) {
            const std::string id = "f-" + std::to_string(sent.load());
            publish_request r;
            r.exchange = names.exchange();
            r.routing_key = names.routing_key();
            r.message_id = id;
            r.body = R"({"seq":)" + std::to_string(sent.load()) + "}";
            pub.publish(std::move(r), book.record(id));
            ++sent;
            if (sent % 5 == 0) std::this_thread::sleep_for(1ms);  // a steady few thousand per second
        }
    });

    std::this_thread::sleep_for(1500ms);
    REQUIRE(rabbitmq_script("stop") == 0);
    std::this_thread::sleep_for(1000ms);
    REQUIRE(rabbitmq_script("start") == 0);
    REQUIRE(pub.wait_connected(30s));
    std::this_thread::sleep_for(1500ms);  // publish on the new connection for a while
    producing = false;
    producer.join();

    // Every publish completes (confirmed or a failure), none hangs.
    REQUIRE(eventually([&] { return book.completed.load() == sent.load(); }, 30s));
    CHECK(book.each_exactly_once());
    CHECK(pub.outstanding() == 0);
    const auto h = book.histogram();
    INFO("outcomes: " << describe(h) << " sent=" << sent.load());
    CHECK(disconnects.load() >= 1);
    CHECK(pub.connection_generation() >= 2);
    CHECK(h.count(publish_outcome::confirmed) == 1);
    pub.stop();

    // Zero lost: every confirmed id is on the queue after the restart.
    const auto confirmed = book.confirmed();
    const auto on_queue = drain_ids(names.queue());
    std::size_t missing = 0;
    for (const auto& id : confirmed) missing += on_queue.count(id) == 0 ? 1 : 0;
    INFO("confirmed=" << confirmed.size() << " on_queue=" << on_queue.size());
    CHECK(missing == 0);
    CHECK(confirmed.size() > 1000);
    // Nothing is republished by the publisher itself: every id is on the queue at most once.
    CHECK(std::set<std::string>(on_queue.begin(), on_queue.end()).size() == on_queue.size());

    auto ch = sync_channel::open(broker_settings());
    REQUIRE(ch.ok());
    ch->delete_queue(names.queue());
    ch->delete_queue(names.dlq());
    for (const auto& q : names.retry_queues()) ch->delete_queue(q);
    ch->delete_exchange(names.exchange());
}

TEST_CASE("faults: a frozen broker cannot hang publishes, and the publisher comes back after it thaws") {
    const pipeline names(unique_name("fault.freeze"));
    connection_settings settings = broker_settings();
    settings.heartbeat = 2s;
    settings.io_timeout = 3000ms;
    publisher_options opts;
    opts.connection_name = "las-freeze-publisher";
    opts.confirm_timeout = 60s;  // the failure must come from loss detection, not the deadline
    opts.reconnect = {200ms, 1000ms};
    opts.on_connect = [&names](connection& c) { return declare(c, plan_for(names)); };
    publisher pub(settings, opts);
    REQUIRE(pub.wait_connected(15s));

    ledger book;
    for (int i = 0; i < 100; ++i) pub.publish(publish_request{names.exchange(), names.routing_key(), "{}", "warm-" + std::to_string(i)}, book.record("warm-" + std::to_string(i)));
    REQUIRE(eventually([&] { return book.completed.load() == 100; }, 10s));

    const int pid = rabbitmq_pid();
    REQUIRE(pid > 0);
    resume_on_exit resume{pid};
    REQUIRE(::kill(pid, SIGSTOP) == 0);
    // Far more bytes than the socket buffers hold, so the writer blocks inside
    // amqp_basic_publish (the 0.11 hang) unless the watchdog / heartbeat check rescues it.
    const std::string body(64 * 1024, 'x');
    constexpr int frozen_publishes = 600;
    const auto frozen_at = std::chrono::steady_clock::now();
    for (int i = 0; i < frozen_publishes; ++i) {
        pub.publish(publish_request{names.exchange(), names.routing_key(), body, "frozen-" + std::to_string(i)},
                    book.record("frozen-" + std::to_string(i)));
    }
    const bool all_done = eventually([&] { return book.completed.load() == 100 + frozen_publishes; }, 30s);
    const auto took = std::chrono::steady_clock::now() - frozen_at;
    INFO("outcomes: " << describe(book.histogram()));
    REQUIRE(all_done);  // none hangs
    CHECK(took < 20s);
    CHECK_FALSE(pub.connected());

    ::kill(pid, SIGCONT);
    REQUIRE(pub.wait_connected(30s));
    std::optional<publish_outcome> after;
    std::promise<publish_outcome> done;
    pub.publish(publish_request{names.exchange(), names.routing_key(), "{}", "after-thaw"},
                [&](publish_outcome o) { done.set_value(o); });
    CHECK(done.get_future().get() == publish_outcome::confirmed);
    pub.stop();

    const auto confirmed = book.confirmed();
    const auto on_queue = drain_ids(names.queue());
    for (const auto& id : confirmed) {
        INFO(id);
        CHECK(on_queue.count(id) >= 1);
    }
    auto ch = sync_channel::open(broker_settings());
    REQUIRE(ch.ok());
    ch->delete_queue(names.queue());
    ch->delete_queue(names.dlq());
    for (const auto& q : names.retry_queues()) ch->delete_queue(q);
    ch->delete_exchange(names.exchange());
}

TEST_CASE("faults: a frozen broker with an idle connection is detected by the heartbeat check") {
    const pipeline names(unique_name("fault.heartbeat"));
    connection_settings settings = broker_settings();
    settings.heartbeat = 2s;
    publisher_options opts;
    opts.connection_name = "las-heartbeat-publisher";
    opts.confirm_timeout = 60s;  // the failure must come from the heartbeat, not the deadline
    opts.on_connect = [&names](connection& c) { return declare(c, plan_for(names)); };
    std::atomic<bool> saw_disconnect{false};
    opts.on_state_change = [&](publisher_state s, std::string_view) {
        if (s == publisher_state::disconnected) saw_disconnect = true;
    };
    publisher pub(settings, opts);
    REQUIRE(pub.wait_connected(15s));

    const int pid = rabbitmq_pid();
    REQUIRE(pid > 0);
    resume_on_exit resume{pid};
    REQUIRE(::kill(pid, SIGSTOP) == 0);
    ledger book;
    for (int i = 0; i < 5; ++i) {
        pub.publish(publish_request{names.exchange(), names.routing_key(), "{}", "hb-" + std::to_string(i)},
                    book.record("hb-" + std::to_string(i)));
    }
    // Small writes fit in the socket buffers: only the missing heartbeats reveal the freeze
    // (rabbitmq-c gives up after twice the heartbeat).
    const bool all_done = eventually([&] { return book.completed.load() == 5; }, 20s);
    INFO("outcomes: " << describe(book.histogram()));
    REQUIRE(all_done);
    CHECK(book.histogram()[publish_outcome::connection_lost] == 5);
    CHECK(saw_disconnect.load());
    ::kill(pid, SIGCONT);
    CHECK(pub.wait_connected(30s));
    pub.stop();

    auto ch = sync_channel::open(broker_settings());
    REQUIRE(ch.ok());
    ch->delete_queue(names.queue());
    ch->delete_queue(names.dlq());
    for (const auto& q : names.retry_queues()) ch->delete_queue(q);
    ch->delete_exchange(names.exchange());
}

TEST_CASE("faults: a consumer survives a broker restart and gets its unacked deliveries again") {
    const pipeline names(unique_name("fault.consumer"));
    {
        auto ch = sync_channel::open(broker_settings());
        REQUIRE(ch.ok());
        REQUIRE(declare(ch->conn(), plan_for(names)).ok());
        for (int i = 0; i < 20; ++i) {
            REQUIRE(ch->publish_confirmed(publish_request{names.exchange(), names.routing_key(), "{}",
                                                          "c-" + std::to_string(i)}) == publish_outcome::confirmed);
        }
    }
    std::mutex mutex;
    std::vector<delivery> got;
    consumer_options o;
    o.queue = names.queue();
    o.prefetch = 100;
    o.reconnect = {200ms, 2000ms};
    o.on_connect = [&names](connection& c) { return declare(c, plan_for(names)); };
    o.on_delivery = [&](delivery d) {
        std::lock_guard lock(mutex);
        got.push_back(std::move(d));
    };
    consumer c(broker_settings(), o);
    const auto count = [&] {
        std::lock_guard lock(mutex);
        return got.size();
    };
    REQUIRE(eventually([&] { return count() == 20; }, 15s));
    const auto first_generation = c.generation();
    std::vector<delivery> before;
    {
        std::lock_guard lock(mutex);
        before = std::exchange(got, {});
    }
    // Ack half before the restart; the other half is unacked when the broker goes away.
    for (int i = 0; i < 10; ++i) c.ack(before[static_cast<std::size_t>(i)]);
    REQUIRE(eventually([&] { return c.unacked() == 10; }, 5s));

    REQUIRE(rabbitmq_script("stop") == 0);
    REQUIRE(eventually([&] { return !c.consuming(); }, 15s));
    for (int i = 10; i < 20; ++i) c.ack(before[static_cast<std::size_t>(i)]);  // too late: dropped
    REQUIRE(rabbitmq_script("start") == 0);
    REQUIRE(eventually([&] { return c.consuming() && c.generation() > first_generation; }, 60s));
    REQUIRE(eventually([&] { return count() == 10; }, 15s));
    std::set<std::string> again;
    {
        std::lock_guard lock(mutex);
        for (const auto& d : got) {
            again.insert(d.message_id);
            CHECK(d.generation == c.generation());
            c.ack(d);
        }
    }
    std::set<std::string> expected;
    for (int i = 10; i < 20; ++i) expected.insert(before[static_cast<std::size_t>(i)].message_id);
    CHECK(again == expected);  // exactly the unacked ones came back
    CHECK(c.stale_acks_dropped() >= 10);
    CHECK(eventually([&] { return c.unacked() == 0; }, 5s));
    c.stop(5s);

    auto ch = sync_channel::open(broker_settings());
    REQUIRE(ch.ok());
    auto depth = ch->queue_depth(names.queue());
    REQUIRE(depth.ok());
    CHECK(*depth == 0);
    ch->delete_queue(names.queue());
    ch->delete_queue(names.dlq());
    for (const auto& q : names.retry_queues()) ch->delete_queue(q);
    ch->delete_exchange(names.exchange());
}
