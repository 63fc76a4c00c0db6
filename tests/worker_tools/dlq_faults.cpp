// `sync-worker dlq replay` killed (SIGKILL) in the middle of a large replay: no dead letter is
// lost. Every message is afterwards in the DLQ or in lemlist.events (at most one in both: a
// copy confirmed whose dead letter was not yet acked, which the worker's idempotency drops).
#include <catch2/catch.hpp>

#include <csignal>
#include <map>
#include <set>

#include "amqp/publisher.hpp"
#include "it_support.hpp"

using namespace las;
using namespace las::tools_test;
using namespace std::chrono_literals;

TEST_CASE("a replay killed mid-way loses no dead letter", "[dlq][faults]") {
    test_broker broker;
    broker.purge("lemlist.events");
    broker.purge("lemlist.events.dlq");
    temp_dir state;

    constexpr int total = 1500;
    {
        amqp::publisher pub(*amqp::parse_url(broker.url()));
        REQUIRE(pub.wait_connected(10s));
        std::atomic<int> confirmed{0};
        for (int i = 0; i < total; ++i) {
            amqp::publish_request r;
            r.exchange = "";
            r.routing_key = "lemlist.events.dlq";
            r.message_id = "act_kill" + std::to_string(i);
            r.body = R"({"type":"emailsOpened","_id":")" + r.message_id + "\"}";
            r.headers = {{"x-dlq-reason", std::string("unmatched")}, {"x-attempts", std::int64_t{1}}};
            pub.publish(std::move(r), [&](amqp::publish_outcome o) { confirmed += o == amqp::publish_outcome::confirmed; });
        }
        REQUIRE(eventually([&] { return confirmed.load() == total; }, 30s));
        pub.stop();
    }
    REQUIRE(broker.depth("lemlist.events.dlq") == total);

    child replay({worker_binary(), "dlq", "replay", "--all"}, worker_env(broker, state));
    REQUIRE(replay.wait_for_output("replayed act_kill100 ", 60s));
    ::kill(replay.pid(), SIGKILL);
    CHECK(replay.wait(10s) == -SIGKILL);

    // The broker requeues what the dead connection held.
    std::map<std::string, int> where;  // id → 1 in the DLQ, 2 in the main queue, 3 both
    REQUIRE(eventually([&] { return broker.depth("lemlist.events.dlq") + broker.depth("lemlist.events") >= total; }, 10s));
    for (const auto& d : broker.take_all("lemlist.events.dlq")) where[d.message_id] |= 1;
    std::size_t in_main = 0;
    for (const auto& d : broker.take_all("lemlist.events")) {
        where[d.message_id] |= 2;
        ++in_main;
    }
    CHECK(where.size() == static_cast<std::size_t>(total));
    std::size_t both = 0;
    for (const auto& [id, w] : where) both += w == 3;
    CHECK(both <= 1);
    CHECK(in_main >= 100);  // the replay did get going
    if (in_main == static_cast<std::size_t>(total)) WARN("the replay finished before the kill: nothing was cut short");
}
