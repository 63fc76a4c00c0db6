#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "amqp/topology.hpp"

using namespace las::amqp;
using namespace std::chrono_literals;

TEST_CASE("topology: contract names") {
    const auto& p = lemlist_events();
    CHECK(p.exchange() == "lemlist.events");
    CHECK(p.queue() == "lemlist.events");
    CHECK(p.routing_key() == "lemlist.events");
    CHECK(p.dlq() == "lemlist.events.dlq");
    CHECK(p.retry_queue(0) == "lemlist.events.retry.5s");
    CHECK(p.retry_queue(4) == "lemlist.events.retry.1h");
    CHECK(attio_enrollments().queue() == "attio.enrollments");
    CHECK(attio_enrollments().dlq() == "attio.enrollments.dlq");
    CHECK(attio_enrollments().retry_queue(2) == "attio.enrollments.retry.2m");
}

TEST_CASE("topology: the n-th retry climbs the ladder and stays on the last rung") {
    const auto& p = lemlist_events();
    CHECK(p.retry_queue_for_attempt(1) == "lemlist.events.retry.5s");
    CHECK(p.retry_queue_for_attempt(2) == "lemlist.events.retry.30s");
    CHECK(p.retry_queue_for_attempt(3) == "lemlist.events.retry.2m");
    CHECK(p.retry_queue_for_attempt(4) == "lemlist.events.retry.10m");
    CHECK(p.retry_queue_for_attempt(5) == "lemlist.events.retry.1h");
    CHECK(p.retry_queue_for_attempt(8) == "lemlist.events.retry.1h");
    CHECK(p.retry_queue_for_attempt(0) == "lemlist.events.retry.5s");
    CHECK(retry_delay_for_attempt(1) == 5s);
    CHECK(retry_delay_for_attempt(3) == 120s);
    CHECK(retry_delay_for_attempt(100) == 3600s);
}

TEST_CASE("topology: a pipeline's plan follows the pattern") {
    const pipeline p("t.base");
    const auto plan = plan_for(p);
    REQUIRE(plan.exchanges.size() == 1);
    CHECK(plan.exchanges[0].name == "t.base");
    CHECK(plan.exchanges[0].type == "direct");
    REQUIRE(plan.bindings.size() == 1);
    CHECK(plan.bindings[0].queue == "t.base");
    CHECK(plan.bindings[0].exchange == "t.base");
    CHECK(plan.bindings[0].routing_key == "t.base");

    REQUIRE(plan.queues.size() == 2 + retry_ladder.size());
    const auto find = [&](const std::string& name) {
        const auto it = std::find_if(plan.queues.begin(), plan.queues.end(), [&](const auto& q) { return q.name == name; });
        REQUIRE(it != plan.queues.end());
        return *it;
    };
    const auto main = find("t.base");
    CHECK(main.kind == queue_kind::quorum);
    CHECK_FALSE(main.message_ttl.has_value());
    const auto dlq = find("t.base.dlq");
    CHECK(dlq.kind == queue_kind::quorum);
    CHECK_FALSE(dlq.dead_letter_exchange.has_value());
    for (std::size_t i = 0; i < retry_ladder.size(); ++i) {
        const auto q = find(p.retry_queue(i));
        CHECK(q.kind == queue_kind::classic);
        REQUIRE(q.message_ttl.has_value());
        CHECK(*q.message_ttl == retry_ladder[i].delay);
        CHECK(q.dead_letter_exchange == std::optional<std::string>("t.base"));
        CHECK(q.dead_letter_routing_key == std::optional<std::string>("t.base"));
    }
}

TEST_CASE("topology: the contract covers both pipelines, each name once") {
    const auto plan = contract_topology();
    std::set<std::string> queues;
    for (const auto& q : plan.queues) CHECK(queues.insert(q.name).second);
    CHECK(queues.size() == 2 * (2 + retry_ladder.size()) + 1);
    CHECK(queues.count("lemlist.events.dlq") == 1);
    // The app's requests: classic (transient, per-message expiry), through the default exchange.
    const auto requests = std::find_if(plan.queues.begin(), plan.queues.end(),
                                       [](const auto& q) { return q.name == "sync.requests"; });
    REQUIRE(requests != plan.queues.end());
    CHECK(requests->kind == queue_kind::classic);
    CHECK_FALSE(requests->message_ttl.has_value());
    CHECK_FALSE(requests->dead_letter_exchange.has_value());
    CHECK(queues.count("attio.enrollments.retry.1h") == 1);
    CHECK(plan.exchanges.size() == 2);
    CHECK(plan.bindings.size() == 2);
}
