#include <catch2/catch.hpp>

#include "amqp/publisher.hpp"
#include "broker_test_support.hpp"

using namespace las::amqp;
using namespace las::amqp::test;
using namespace std::chrono_literals;

TEST_CASE("topology: the contract declares twice without error, every queue exists") {
    auto ch = sync_channel::open(broker_settings());
    REQUIRE(ch.ok());
    auto first = declare_topology(ch->conn());
    INFO((first ? std::string() : first.error().message));
    REQUIRE(first.ok());
    auto second = declare_topology(ch->conn());
    INFO((second ? std::string() : second.error().message));
    REQUIRE(second.ok());
    for (const auto& q : contract_topology().queues) {
        INFO(q.name);
        CHECK(ch->queue_depth(q.name).ok());
    }
}

TEST_CASE("topology: exchange -> queue binding and a retry queue dead-letters back to the main queue") {
    scratch_pipeline p("topo");
    auto& ch = p.channel();
    REQUIRE(declare(ch.conn(), plan_for(p.names())).ok());  // idempotent on an existing pipeline

    REQUIRE(ch.publish_confirmed(p.request("via-exchange", R"({"n":1})")) == publish_outcome::confirmed);
    CHECK(eventually([&] { return p.depth() == 1; }, 5s));

    // Through the default exchange into the 5 s rung: back on the main queue after the TTL.
    publish_request retry = p.request("via-retry", R"({"n":2})");
    retry.exchange = "";
    retry.routing_key = p.names().retry_queue_for_attempt(1);
    REQUIRE(ch.publish_confirmed(retry) == publish_outcome::confirmed);
    CHECK(p.depth_of(p.names().retry_queue(0)) == 1);
    REQUIRE(eventually([&] { return p.depth() == 2; }, 20s));
    CHECK(p.depth_of(p.names().retry_queue(0)) == 0);

    std::set<std::string> ids;
    for (int i = 0; i < 2; ++i) {
        auto d = ch.get(p.names().queue());
        REQUIRE(d.ok());
        REQUIRE(d->has_value());
        ids.insert((*d)->message_id);
        CHECK(ch.ack(**d).ok());
    }
    CHECK(ids == std::set<std::string>{"via-exchange", "via-retry"});
}

TEST_CASE("topology: a queue that exists with other arguments is reported, the connection survives") {
    auto ch = sync_channel::open(broker_settings());
    REQUIRE(ch.ok());
    const pipeline p(unique_name("mismatch"));
    // Pre-create the main queue as a classic queue: the plan wants it quorum.
    topology_plan conflicting;
    conflicting.queues.push_back({p.queue(), queue_kind::classic, 60000ms, std::nullopt, std::nullopt});
    REQUIRE(declare(ch->conn(), conflicting).ok());

    const auto st = declare(ch->conn(), plan_for(p));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().reply_code == reply_precondition_failed);
    CHECK_FALSE(st.error().connection_dead());
    CHECK_THAT(st.error().message, Catch::Contains("queue " + p.queue() + " exists with other arguments"));
    CHECK(ch->conn().alive());

    // The same connection keeps working.
    CHECK(ch->queue_depth(p.queue()).ok());
    CHECK(ch->delete_queue(p.queue()).ok());
    CHECK(ch->delete_exchange(p.exchange()).ok());
}
