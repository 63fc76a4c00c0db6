#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "amqp/async_publish.hpp"
#include "amqp/consumer.hpp"
#include "amqp/publisher.hpp"
#include "broker_test_support.hpp"

using namespace las::amqp;
using namespace las::amqp::test;
using namespace std::chrono_literals;

namespace {

// Collects outcomes by message id; completions may run on any thread.
struct outcomes {
    std::mutex mutex;
    std::map<std::string, std::vector<publish_outcome>> by_id;
    std::atomic<int> count{0};

    publisher::completion record(std::string id) {
        return [this, id = std::move(id)](publish_outcome o) {
            std::lock_guard lock(mutex);
            by_id[id].push_back(o);
            ++count;
        };
    }
    std::size_t with(publish_outcome o) {
        std::lock_guard lock(mutex);
        std::size_t n = 0;
        for (const auto& [id, v] : by_id) n += static_cast<std::size_t>(std::count(v.begin(), v.end(), o));
        return n;
    }
};

publisher_options options_for(const scratch_pipeline& p) {
    publisher_options o;
    o.connection_name = "las-test-publisher";
    o.on_connect = [&p](connection& c) { return declare(c, plan_for(p.names())); };
    return o;
}

}  // namespace

TEST_CASE("publisher: 10,000 concurrent publishes are all confirmed and on the queue with their properties") {
    scratch_pipeline p("pub10k");
    publisher pub(broker_settings(), options_for(p));
    REQUIRE(pub.wait_connected(10s));

    constexpr int threads = 4;
    constexpr int per_thread = 2500;
    outcomes out;
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
        producers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const std::string id = "m-" + std::to_string(t) + "-" + std::to_string(i);
                publish_request r = p.request(id, R"({"type":"emailsSent","n":)" + std::to_string(i) + "}");
                r.headers = {{std::string(header::received_at), std::string("2024-05-01T10:00:00Z")},
                             {std::string(header::source), std::string("webhook")},
                             {std::string(header::attempts), std::int64_t{t}}};
                pub.publish(std::move(r), 30s, out.record(id));
            }
        });
    }
    for (auto& t : producers) t.join();
    REQUIRE(eventually([&] { return out.count.load() == threads * per_thread; }, 60s));
    CHECK(out.with(publish_outcome::confirmed) == threads * per_thread);
    CHECK(out.by_id.size() == static_cast<std::size_t>(threads * per_thread));
    CHECK(pub.outstanding() == 0);
    CHECK(p.depth() == threads * per_thread);

    // Every message, read back (a consumer: basic.get on a quorum queue costs a Raft round
    // each): each id once, properties and headers intact.
    std::mutex seen_mutex;
    std::set<std::string> seen;
    std::atomic<int> duplicates{0}, bad_properties{0};
    consumer_options copts;
    copts.queue = p.names().queue();
    copts.prefetch = 1000;
    consumer* reader_ptr = nullptr;
    copts.on_delivery = [&](delivery m) {
        const auto t = m.message_id.substr(2, 1);
        const bool good = m.persistent && m.content_type == "application/json" && m.exchange == p.names().exchange() &&
                          header_string(m.headers, header::source) == std::optional<std::string_view>("webhook") &&
                          header_string(m.headers, header::received_at) ==
                              std::optional<std::string_view>("2024-05-01T10:00:00Z") &&
                          header_int(m.headers, header::attempts) == std::optional<std::int64_t>(std::stoi(t)) &&
                          m.body.rfind(R"({"type":"emailsSent","n":)", 0) == 0;
        if (!good) ++bad_properties;
        {
            std::lock_guard lock(seen_mutex);
            if (!seen.insert(m.message_id).second) ++duplicates;
        }
        reader_ptr->ack(m);
    };
    consumer reader(broker_settings(), copts);
    reader_ptr = &reader;
    CHECK(eventually(
        [&] {
            std::lock_guard lock(seen_mutex);
            return seen.size() == static_cast<std::size_t>(threads * per_thread);
        },
        60s));
    reader.stop(10s);
    CHECK(duplicates.load() == 0);
    CHECK(bad_properties.load() == 0);
    CHECK(seen.count("m-3-2499") == 1);
    CHECK(seen.count("m-0-0") == 1);
    CHECK(p.depth() == 0);
}

TEST_CASE("publisher: a missing exchange fails the publish, the publisher recovers on the same connection") {
    scratch_pipeline p("pubmissing");
    std::vector<publisher_state> states;
    std::mutex states_mutex;
    auto opts = options_for(p);
    opts.on_state_change = [&](publisher_state s, std::string_view) {
        std::lock_guard lock(states_mutex);
        states.push_back(s);
    };
    publisher pub(broker_settings(), opts);
    REQUIRE(pub.wait_connected(10s));
    const auto generation = pub.connection_generation();

    outcomes out;
    publish_request bad = p.request("bad");
    bad.exchange = unique_name("no.such.exchange");
    pub.publish(std::move(bad), out.record("bad"));
    REQUIRE(eventually([&] { return out.count.load() == 1; }, 10s));
    CHECK(out.by_id["bad"] == std::vector{publish_outcome::channel_closed});

    for (int i = 0; i < 50; ++i) pub.publish(p.request("good-" + std::to_string(i)), out.record("good"));
    REQUIRE(eventually([&] { return out.count.load() == 51; }, 10s));
    CHECK(out.with(publish_outcome::confirmed) == 50);
    CHECK(pub.connected());
    CHECK(pub.connection_generation() == generation);  // a channel error, not a reconnect
    CHECK(p.depth() == 50);
    std::lock_guard lock(states_mutex);
    CHECK(states == std::vector{publisher_state::connected});
}

TEST_CASE("publisher: an unroutable mandatory publish is returned, not confirmed") {
    scratch_pipeline p("pubreturn");
    publisher pub(broker_settings(), options_for(p));
    REQUIRE(pub.wait_connected(10s));
    outcomes out;
    for (int i = 0; i < 20; ++i) {
        pub.publish(p.request("ok-" + std::to_string(i)), out.record("ok-" + std::to_string(i)));
        publish_request lost = p.request("lost-" + std::to_string(i));
        lost.routing_key = "no-binding-for-this";
        pub.publish(std::move(lost), out.record("lost-" + std::to_string(i)));
    }
    REQUIRE(eventually([&] { return out.count.load() == 40; }, 10s));
    for (int i = 0; i < 20; ++i) {
        CHECK(out.by_id["ok-" + std::to_string(i)] == std::vector{publish_outcome::confirmed});
        CHECK(out.by_id["lost-" + std::to_string(i)] == std::vector{publish_outcome::returned});
    }
    CHECK(p.depth() == 20);
}

TEST_CASE("publisher: fails fast while the broker is unreachable") {
    connection_settings nowhere = broker_settings();
    nowhere.port = 1;  // nothing listens there
    std::atomic<int> state_changes{0};
    publisher_options opts;
    opts.on_state_change = [&](publisher_state, std::string_view) { ++state_changes; };
    publisher pub(nowhere, opts);
    CHECK_FALSE(pub.wait_connected(300ms));
    CHECK_FALSE(pub.connected());
    std::optional<publish_outcome> got;
    const auto started = std::chrono::steady_clock::now();
    pub.publish(publish_request{}, [&](publish_outcome o) { got = o; });
    CHECK(got == publish_outcome::rejected_not_connected);  // inline, before publish() returned
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    CHECK(pub.outstanding() == 0);
    pub.stop();
    CHECK(pub.state() == publisher_state::stopped);
}

TEST_CASE("publisher: a deadline that passes completes as timed_out") {
    scratch_pipeline p("pubtimeout");
    publisher pub(broker_settings(), options_for(p));
    REQUIRE(pub.wait_connected(10s));
    outcomes out;
    pub.publish(p.request("late"), 0ms, out.record("late"));
    REQUIRE(eventually([&] { return out.count.load() == 1; }, 5s));
    CHECK(out.by_id["late"] == std::vector{publish_outcome::timed_out});
}

TEST_CASE("publisher: stop() waits for outstanding confirms") {
    scratch_pipeline p("pubstop");
    outcomes out;
    {
        publisher pub(broker_settings(), options_for(p));
        REQUIRE(pub.wait_connected(10s));
        for (int i = 0; i < 3000; ++i) pub.publish(p.request("s-" + std::to_string(i)), 30s, out.record("s"));
        pub.stop(20s);
        CHECK(pub.outstanding() == 0);
        std::optional<publish_outcome> after;
        pub.publish(p.request("after"), [&](publish_outcome o) { after = o; });
        CHECK(after == publish_outcome::rejected_not_connected);
    }
    CHECK(out.count.load() == 3000);
    CHECK(out.with(publish_outcome::confirmed) == 3000);
    CHECK(p.depth() == 3000);
}

TEST_CASE("publisher: co_await async_publish resumes on the caller's executor") {
    scratch_pipeline p("pubasync");
    publisher pub(broker_settings(), options_for(p));
    REQUIRE(pub.wait_connected(10s));
    las::asio::io_context io;
    std::thread::id io_thread;
    std::vector<publish_outcome> got;
    bool all_on_io_thread = true;
    las::asio::co_spawn(
        io,
        [&]() -> las::awaitable<void> {
            for (int i = 0; i < 100; ++i) {
                got.push_back(co_await async_publish(pub, p.request("a-" + std::to_string(i))));
                if (std::this_thread::get_id() != io_thread) all_on_io_thread = false;
            }
        },
        las::asio::detached);
    std::thread runner([&] {
        io_thread = std::this_thread::get_id();
        io.run();  // returns when the coroutine finished (the work guard holds it meanwhile)
    });
    runner.join();
    REQUIRE(got.size() == 100);
    CHECK(std::count(got.begin(), got.end(), publish_outcome::confirmed) == 100);
    CHECK(all_on_io_thread);
    CHECK(p.depth() == 100);
}

TEST_CASE("publisher: call() over direct reply-to gets the reply, or times out without one") {
    scratch_pipeline p("pubcall");
    auto opts = options_for(p);
    opts.direct_reply_to = true;
    publisher requester(broker_settings(), opts);
    publisher replier(broker_settings(), options_for(p));
    consumer_options copts;
    copts.queue = p.names().queue();
    std::atomic<bool> answer{true};
    consumer* self = nullptr;
    copts.on_delivery = [&](delivery d) {
        if (answer) {
            publish_request reply;
            reply.routing_key = d.reply_to;
            reply.correlation_id = d.correlation_id;
            reply.mandatory = false;
            reply.body = R"({"echo":)" + d.body + "}";
            replier.publish(std::move(reply), [](publish_outcome) {});
        }
        self->ack(d);
    };
    consumer worker(broker_settings(), copts);
    self = &worker;
    REQUIRE(requester.wait_connected(10s));
    REQUIRE(replier.wait_connected(10s));
    REQUIRE(worker.wait_consuming(10s));

    std::promise<call_result> first;
    requester.call(p.request("job-1", R"({"x":1})"), 10s, [&](call_result r) { first.set_value(std::move(r)); });
    const auto r1 = first.get_future().get();
    CHECK(r1.publish == publish_outcome::confirmed);
    REQUIRE(r1.reply.has_value());
    CHECK(r1.reply->body == R"({"echo":{"x":1}})");

    answer = false;
    std::promise<call_result> second;
    requester.call(p.request("job-2"), 500ms, [&](call_result r) { second.set_value(std::move(r)); });
    const auto r2 = second.get_future().get();
    CHECK(r2.publish == publish_outcome::confirmed);  // queued, but nobody answered
    CHECK_FALSE(r2.reply.has_value());
    worker.stop();
}
