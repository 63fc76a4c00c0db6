// Fault tier: the broker goes away under load, and the gateway is SIGKILLed with a
// non-empty spool. The figure is events lost: zero. Needs LAS_TEST_AMQP_URL and
// LAS_TEST_RABBITMQ_PORT (the broker is stopped and started through deploy/rabbitmq.sh).
#include <signal.h>

#include <mutex>
#include <set>

#include <catch2/catch.hpp>

#include "amqp/sync_channel.hpp"
#include "amqp/topology.hpp"
#include "broker_test_support.hpp"
#include "gateway_process.hpp"
#include "test_support.hpp"

using namespace las;
using namespace las::gateway::test;
using namespace std::chrono_literals;

namespace {

// Whatever happens in the test, the broker is running again afterwards.
struct broker_restorer {
    ~broker_restorer() {
        if (stopped) amqp::test::rabbitmq_script("start");
    }
    void stop() {
        REQUIRE(amqp::test::rabbitmq_script("stop") == 0);
        stopped = true;
    }
    void start() {
        REQUIRE(amqp::test::rabbitmq_script("start") == 0);
        stopped = false;
    }
    bool stopped = false;
};

amqp::sync_channel open_channel() {
    std::optional<amqp::sync_channel> ch;
    amqp::test::eventually(
        [&] {
            auto c = amqp::sync_channel::open(amqp::test::broker_settings(), "gateway-faults");
            if (c) ch.emplace(std::move(*c));
            return ch.has_value();
        },
        30s);
    if (!ch) FAIL("cannot reach the broker");
    if (auto d = amqp::declare_topology(ch->conn()); !d) FAIL("declare: " << d.error().message);
    return std::move(*ch);
}

// Takes every message of lemlist.events until `expected` ids are all there or `timeout`.
std::multiset<std::string> collect(amqp::sync_channel& ch, const std::set<std::string>& expected,
                                   std::chrono::milliseconds timeout) {
    std::multiset<std::string> seen;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto got = ch.get("lemlist.events");
        if (!got) FAIL("get: " << got.error().message);
        if (*got) {
            seen.insert((*got)->message_id);
            REQUIRE(ch.ack(**got));
            continue;
        }
        const bool all = std::all_of(expected.begin(), expected.end(), [&](const auto& id) { return seen.count(id) > 0; });
        if (all || std::chrono::steady_clock::now() > until) return seen;
        std::this_thread::sleep_for(50ms);
    }
}

double metric(http_client& c, const std::string& name) {
    const auto m = c.get("/metrics");
    const auto at = m.body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(m.body.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("faults: broker stopped while clients keep posting: every 200 is on the queue afterwards") {
    broker_restorer broker;
    {
        auto ch = open_channel();
        REQUIRE(ch.purge("lemlist.events"));
    }
    temp_dir spool;
    gateway_process gw{{{"AMQP_URL", test_amqp_url()}, {"SPOOL_DIR", spool.path().string()}, {"LOG_LEVEL", "warn"}}};
    http_client probe(gw.port());
    REQUIRE(amqp::test::eventually(
        [&] { return probe.get("/readyz").body.find("\"broker_connected\":true") != std::string::npos; }, 15s));

    std::mutex mutex;
    std::set<std::string> ok_ids, refused_ids, failed_ids;
    std::atomic<bool> posting{true};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
        clients.emplace_back([&, t] {
            http_client c(gw.port(), 20s);
            for (int i = 0; posting; ++i) {
                const std::string id = "act_fault_" + std::to_string(t) + "_" + std::to_string(i);
                const auto r = c.post_json("/webhooks/lemlist", lemlist_event(id));
                std::lock_guard lock(mutex);
                if (r.status == 200) ok_ids.insert(id);
                else if (r.status == 503) refused_ids.insert(id);
                else failed_ids.insert(id);
                // Paced (~100 events/s per client): enough to cross the outage, few enough to
                // read back quickly.
                std::this_thread::sleep_for(10ms);
            }
        });
    }
    const auto count_ok = [&] {
        std::lock_guard lock(mutex);
        return ok_ids.size();
    };
    std::this_thread::sleep_for(1s);
    const auto before_stop = count_ok();
    broker.stop();
    const auto at_stop = count_ok();
    std::this_thread::sleep_for(1500ms);  // the outage: the spool takes everything
    const double spooled_during_outage = metric(probe, "gateway_spool_events");
    broker.start();
    REQUIRE(amqp::test::eventually(
        [&] { return probe.get("/readyz").body.find("\"broker_connected\":true") != std::string::npos; }, 30s));
    std::this_thread::sleep_for(500ms);
    posting = false;
    for (auto& c : clients) c.join();

    INFO("200s: " << ok_ids.size() << " (before stop " << before_stop << ", at stop " << at_stop
                  << "), 503s: " << refused_ids.size() << ", transport failures: " << failed_ids.size()
                  << ", spooled during the outage: " << spooled_during_outage);
    CHECK(before_stop > 0);
    CHECK(spooled_during_outage > 0);  // the outage really went through the spool
    CHECK(ok_ids.size() > at_stop);    // and 200s kept coming during it

    REQUIRE(amqp::test::eventually([&] { return metric(probe, "gateway_spool_events") == 0; }, 30s));
    auto ch = open_channel();
    const auto seen = collect(ch, ok_ids, 30s);
    std::vector<std::string> lost;
    for (const auto& id : ok_ids)
        if (seen.count(id) == 0) lost.push_back(id);
    INFO("lost (answered 200, not on the queue): " << lost.size() << (lost.empty() ? "" : " e.g. " + lost.front()));
    CHECK(lost.empty());
    // Nothing appears that was never posted; what is missing was answered 503 or not answered.
    std::size_t unknown = 0;
    for (const auto& id : seen) unknown += ok_ids.count(id) || refused_ids.count(id) || failed_ids.count(id) ? 0 : 1;
    CHECK(unknown == 0);
    CHECK(gw.stop(SIGTERM) == 0);
}

TEST_CASE("faults: SIGKILL with a non-empty spool - the next start drains it to the queue") {
    broker_restorer broker;
    {
        auto ch = open_channel();
        REQUIRE(ch.purge("lemlist.events"));
    }
    temp_dir spool;
    const env_list env{{"AMQP_URL", test_amqp_url()}, {"SPOOL_DIR", spool.path().string()}, {"LOG_LEVEL", "warn"}};
    broker.stop();
    std::set<std::string> ids;
    {
        gateway_process gw{env};
        http_client c(gw.port());
        for (int i = 0; i < 200; ++i) {
            const std::string id = "act_kill_" + std::to_string(i);
            const auto r = c.post_json("/webhooks/lemlist", lemlist_event(id));
            REQUIRE(r.status == 200);
            CHECK(parse_json(r.body)["stored"].GetString() == std::string("spool"));
            ids.insert(id);
        }
        CHECK(metric(c, "gateway_spool_events") == 200);
        gw.kill_now();  // SIGKILL: no flush, no goodbye
    }
    broker.start();
    gateway_process gw{env};
    http_client c(gw.port());
    auto ch = open_channel();
    const auto seen = collect(ch, ids, 30s);
    std::size_t missing = 0;
    for (const auto& id : ids) missing += seen.count(id) == 0 ? 1 : 0;
    CHECK(missing == 0);
    REQUIRE(amqp::test::eventually([&] { return metric(c, "gateway_spool_events") == 0; }, 10s));
    CHECK(gw.stop(SIGTERM) == 0);
}
