#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "amqp/confirm_tracker.hpp"

using namespace las::amqp;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct recorder {
    std::vector<std::pair<int, publish_outcome>> settled;
    auto sink() {
        return [this](int&& id, publish_outcome o) { settled.emplace_back(id, o); };
    }
};

const auto far = clock_type::now() + 1h;

return_key key(std::string id, std::string rk = "q") { return return_key{"x", std::move(rk), std::move(id)}; }

}  // namespace

TEST_CASE("confirm_tracker: tags are sequential from 1") {
    confirm_tracker<int> t;
    CHECK(t.on_publish(10, key("a"), far) == 1);
    CHECK(t.on_publish(11, key("b"), far) == 2);
    CHECK(t.on_publish(12, key("c"), far) == 3);
    CHECK(t.outstanding() == 3);
    CHECK(t.next_tag() == 4);
}

TEST_CASE("confirm_tracker: single ack settles only its tag") {
    confirm_tracker<int> t;
    recorder r;
    for (int i = 1; i <= 3; ++i) t.on_publish(i, key(std::to_string(i)), far);
    CHECK(t.on_ack(2, false, r.sink()) == 1);
    REQUIRE(r.settled.size() == 1);
    CHECK(r.settled[0] == std::pair{2, publish_outcome::confirmed});
    CHECK(t.outstanding() == 2);
}

TEST_CASE("confirm_tracker: a multiple ack settles every tag up to it, in order") {
    confirm_tracker<int> t;
    recorder r;
    for (int i = 1; i <= 5; ++i) t.on_publish(i, key(std::to_string(i)), far);
    t.on_ack(2, false, r.sink());
    CHECK(t.on_ack(4, true, r.sink()) == 3);  // 1, 3 and 4 (2 was already settled)
    REQUIRE(r.settled.size() == 4);
    CHECK(r.settled[1].first == 1);
    CHECK(r.settled[2].first == 3);
    CHECK(r.settled[3].first == 4);
    for (const auto& [id, o] : r.settled) CHECK(o == publish_outcome::confirmed);
    CHECK(t.outstanding() == 1);
    CHECK(t.on_ack(5, true, r.sink()) == 1);
    CHECK(t.outstanding() == 0);
}

TEST_CASE("confirm_tracker: a return followed by its ack settles as returned") {
    confirm_tracker<int> t;
    recorder r;
    t.on_publish(1, key("a"), far);
    t.on_publish(2, key("b", "nowhere"), far);
    t.on_publish(3, key("c"), far);
    CHECK(t.on_return(key("b", "nowhere")));
    t.on_ack(3, true, r.sink());  // the broker acks the returned message too
    REQUIRE(r.settled.size() == 3);
    CHECK(r.settled[0] == std::pair{1, publish_outcome::confirmed});
    CHECK(r.settled[1] == std::pair{2, publish_outcome::returned});
    CHECK(r.settled[2] == std::pair{3, publish_outcome::confirmed});
}

TEST_CASE("confirm_tracker: returns match the oldest unreturned entry with the same key") {
    confirm_tracker<int> t;
    recorder r;
    t.on_publish(1, key("same", "nowhere"), far);
    t.on_publish(2, key("same", "nowhere"), far);
    CHECK(t.on_return(key("same", "nowhere")));
    t.on_ack(1, false, r.sink());
    t.on_ack(2, false, r.sink());
    CHECK(r.settled[0] == std::pair{1, publish_outcome::returned});
    CHECK(r.settled[1] == std::pair{2, publish_outcome::confirmed});
}

TEST_CASE("confirm_tracker: an unmatched return changes nothing") {
    confirm_tracker<int> t;
    recorder r;
    t.on_publish(1, key("a"), far);
    CHECK_FALSE(t.on_return(key("zzz")));
    CHECK_FALSE(t.on_return(return_key{"other-exchange", "q", "a"}));
    t.on_ack(1, false, r.sink());
    CHECK(r.settled[0].second == publish_outcome::confirmed);
}

TEST_CASE("confirm_tracker: nack, single and multiple") {
    confirm_tracker<int> t;
    recorder r;
    for (int i = 1; i <= 4; ++i) t.on_publish(i, key(std::to_string(i)), far);
    t.on_nack(1, false, r.sink());
    t.on_return(key("3"));
    t.on_nack(3, true, r.sink());
    REQUIRE(r.settled.size() == 3);
    CHECK(r.settled[0] == std::pair{1, publish_outcome::nacked});
    CHECK(r.settled[1] == std::pair{2, publish_outcome::nacked});
    CHECK(r.settled[2] == std::pair{3, publish_outcome::returned});
    CHECK(t.outstanding() == 1);
}

TEST_CASE("confirm_tracker: deadlines settle as timed_out and a late ack is ignored") {
    confirm_tracker<int> t;
    recorder r;
    const auto now = clock_type::now();
    t.on_publish(1, key("a"), now + 10s);
    t.on_publish(2, key("b"), now + 1s);
    t.on_publish(3, key("c"), now + 20s);
    REQUIRE(t.next_deadline().has_value());
    CHECK(*t.next_deadline() == now + 1s);
    CHECK(t.expire(now, r.sink()) == 0);
    CHECK(t.expire(now + 15s, r.sink()) == 2);
    CHECK(r.settled[0] == std::pair{2, publish_outcome::timed_out});
    CHECK(r.settled[1] == std::pair{1, publish_outcome::timed_out});
    CHECK(t.on_ack(1, false, r.sink()) == 0);
    CHECK(t.on_ack(3, true, r.sink()) == 1);  // multiple skips the expired tags
    CHECK(r.settled.back() == std::pair{3, publish_outcome::confirmed});
    CHECK_FALSE(t.next_deadline().has_value());
}

TEST_CASE("confirm_tracker: reset fails everything and restarts the sequence") {
    confirm_tracker<int> t;
    recorder r;
    for (int i = 1; i <= 3; ++i) t.on_publish(i, key(std::to_string(i)), far);
    t.on_ack(1, false, r.sink());
    CHECK(t.reset(publish_outcome::connection_lost, r.sink()) == 2);
    CHECK(r.settled[1] == std::pair{2, publish_outcome::connection_lost});
    CHECK(r.settled[2] == std::pair{3, publish_outcome::connection_lost});
    CHECK(t.outstanding() == 0);
    CHECK(t.next_tag() == 1);
    // The new channel's tag 1 is a new message: an ack settles it, not the old one.
    CHECK(t.on_publish(42, key("new"), far) == 1);
    t.on_ack(1, false, r.sink());
    CHECK(r.settled.back() == std::pair{42, publish_outcome::confirmed});
}

TEST_CASE("confirm_tracker: unknown tags are ignored") {
    confirm_tracker<int> t;
    recorder r;
    CHECK(t.on_ack(7, false, r.sink()) == 0);
    CHECK(t.on_ack(7, true, r.sink()) == 0);
    CHECK(t.on_nack(7, false, r.sink()) == 0);
    CHECK(r.settled.empty());
}
