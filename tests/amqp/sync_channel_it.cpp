#include <catch2/catch.hpp>

#include "broker_test_support.hpp"

using namespace las::amqp;
using namespace las::amqp::test;
using namespace std::chrono_literals;

TEST_CASE("sync_channel: list without ack, then requeue everything") {
    scratch_pipeline p("synclist");
    auto& ch = p.channel();
    for (int i = 0; i < 5; ++i) REQUIRE(ch.publish_confirmed(p.request("l-" + std::to_string(i))) == publish_outcome::confirmed);
    std::vector<std::string> listed;
    for (;;) {
        auto d = ch.get(p.names().queue());
        REQUIRE(d.ok());
        if (!d->has_value()) break;
        listed.push_back((*d)->message_id);
    }
    CHECK(listed == std::vector<std::string>{"l-0", "l-1", "l-2", "l-3", "l-4"});
    CHECK(p.depth() == 0);  // all unacked, none ready
    REQUIRE(ch.requeue_unacked().ok());
    CHECK(eventually([&] { return p.depth() == 5; }, 5s));
    auto again = ch.get(p.names().queue());
    REQUIRE(again.ok());
    REQUIRE(again->has_value());
    CHECK((*again)->message_id == "l-0");
    CHECK((*again)->redelivered);
}

TEST_CASE("sync_channel: replay moves a dead letter back with confirm before ack") {
    scratch_pipeline p("syncreplay");
    auto& ch = p.channel();
    publish_request dead = p.request("dl-1", R"({"type":"emailsOpened"})");
    dead.exchange = "";
    dead.routing_key = p.names().dlq();
    dead.headers = {{"x-dlq-reason", std::string("unmatched")}, {"x-attempts", std::int64_t{8}}};
    REQUIRE(ch.publish_confirmed(dead) == publish_outcome::confirmed);
    CHECK(p.depth_of(p.names().dlq()) == 1);

    auto d = ch.get(p.names().dlq());
    REQUIRE(d.ok());
    REQUIRE(d->has_value());
    const delivery& m = **d;
    CHECK(header_string(m.headers, "x-dlq-reason") == std::optional<std::string_view>("unmatched"));
    publish_request replay = p.request(m.message_id, m.body);
    replay.headers = m.headers;
    replay.headers.insert_or_assign("x-source", std::string("replay"));
    REQUIRE(ch.publish_confirmed(replay) == publish_outcome::confirmed);
    REQUIRE(ch.ack(m).ok());
    CHECK(p.depth_of(p.names().dlq()) == 0);
    CHECK(p.depth() == 1);
}

TEST_CASE("sync_channel: purge, and a channel error does not break the next call") {
    scratch_pipeline p("syncpurge");
    auto& ch = p.channel();
    for (int i = 0; i < 3; ++i) REQUIRE(ch.publish_confirmed(p.request("p-" + std::to_string(i))) == publish_outcome::confirmed);
    auto purged = ch.purge(p.names().queue());
    REQUIRE(purged.ok());
    CHECK(*purged == 3);
    CHECK(p.depth() == 0);

    auto missing = ch.queue_depth(unique_name("no.such.queue"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().reply_code == reply_not_found);
    CHECK_FALSE(missing.error().connection_dead());
    CHECK(ch.queue_depth(p.names().queue()).ok());  // reopened transparently

    publish_request bad = p.request("x");
    bad.exchange = unique_name("no.such.exchange");
    CHECK(ch.publish_confirmed(bad) == publish_outcome::channel_closed);
    publish_request unroutable = p.request("y");
    unroutable.routing_key = "nobody-binds-this";
    CHECK(ch.publish_confirmed(unroutable) == publish_outcome::returned);
    CHECK(ch.publish_confirmed(p.request("z")) == publish_outcome::confirmed);
    CHECK(p.depth() == 1);
}

TEST_CASE("sync_channel: an ack after the channel was reopened is refused, not misapplied") {
    scratch_pipeline p("syncstale");
    auto& ch = p.channel();
    REQUIRE(ch.publish_confirmed(p.request("s-1")) == publish_outcome::confirmed);
    auto d = ch.get(p.names().queue());
    REQUIRE(d.ok());
    REQUIRE(d->has_value());
    REQUIRE(ch.requeue_unacked().ok());
    const auto st = ch.ack(**d);
    CHECK_FALSE(st.ok());
    CHECK(eventually([&] { return p.depth() == 1; }, 5s));
}
