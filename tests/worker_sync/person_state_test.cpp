#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "sync/person_state.hpp"

using namespace las;
using namespace las::sync;
using lemlist::event_category;
using namespace std::chrono;

namespace {

event_time at(int hh, int mm) { return event_time(sys_days(year(2026) / 11 / 23)) + hours(hh) + minutes(mm); }

event_facts ev(std::string type, event_category c, event_time t, std::optional<std::string> campaign = "Q4",
               std::optional<std::string> lead = "lea_1") {
    return {std::move(type), c, t, std::move(lead), std::move(campaign)};
}

person_state fold(const std::vector<event_facts>& events) {
    person_state s;
    for (const auto& e : events) s = merge(s, e);
    return s;
}

}  // namespace

TEST_CASE("a resumed delivered after a later paused leaves the Person paused") {
    const auto s = fold({ev("paused", event_category::paused, at(10, 5)), ev("resumed", event_category::resumed, at(10, 0))});
    CHECK(s.paused());
    CHECK(s.last_paused_at == at(10, 5));
    CHECK(s.last_resumed_at == at(10, 0));
    CHECK(s.last_event_type == "paused");
    CHECK(s.last_event_at == at(10, 5));
}

TEST_CASE("status only moves up the lead-state groups") {
    const auto s = fold({ev("emailsReplied", event_category::warmed, at(9, 0)),
                         ev("emailsSent", event_category::contacted, at(11, 0)),
                         ev("emailsOpened", event_category::hooked, at(12, 0))});
    CHECK(s.status == "warmed");
    CHECK(s.last_event_type == "emailsOpened");
}

TEST_CASE("an unknown status read back from Attio is replaced by a real one") {
    person_state s;
    s.status = "something-else";
    CHECK(merge(s, ev("emailsSent", event_category::contacted, at(9, 0))).status == "contacted");
}

TEST_CASE("interest is the latest by event time, recorded apart from status") {
    const auto s = fold({ev("emailsInterested", event_category::interested, at(12, 0)),
                         ev("manualNotInterested", event_category::not_interested, at(11, 0))});
    CHECK(s.interest == "interested");
    CHECK(s.interest_at == at(12, 0));
    CHECK_FALSE(s.status);
}

TEST_CASE("events without campaign keep the last known campaign and lead") {
    const auto s = fold({ev("emailsSent", event_category::contacted, at(9, 0), "Q4", "lea_1"),
                         ev("enrichmentDone", event_category::other, at(10, 0), std::nullopt, std::nullopt)});
    CHECK(s.last_campaign == "Q4");
    CHECK(s.lead_id == "lea_1");
    CHECK(s.last_campaign_at == at(9, 0));
    CHECK(s.last_event_type == "enrichmentDone");
}

TEST_CASE("every ordering of a paused/resumed/interested/unsubscribed sequence ends in the same state") {
    std::vector<event_facts> events{
        ev("emailsSent", event_category::contacted, at(9, 0), "Q4", "lea_1"),
        ev("paused", event_category::paused, at(10, 5), "Q4", "lea_1"),
        ev("resumed", event_category::resumed, at(10, 0), "Q4", "lea_1"),
        ev("emailsInterested", event_category::interested, at(10, 30), "Q4", "lea_1"),
        ev("emailsNotInterested", event_category::not_interested, at(10, 20), "Q4", "lea_1"),
        ev("emailsUnsubscribed", event_category::unsubscribed, at(11, 0), "Q1", "lea_2"),
        ev("emailsOpened", event_category::hooked, at(11, 0), "Q1", "lea_2"),  // same time as the unsubscribe
        ev("enrichmentDone", event_category::other, at(12, 0), std::nullopt, std::nullopt),
    };
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.type < b.type; });
    const auto expected = fold(events);
    CHECK(expected.paused());
    CHECK(expected.interest == "interested");
    CHECK(expected.unsubscribed_at == at(11, 0));
    CHECK(expected.status == "hooked");
    CHECK(expected.last_event_type == "enrichmentDone");
    CHECK(expected.last_campaign == "Q1");  // the latest event naming a campaign is at 11:00
    CHECK(expected.lead_id == "lea_2");
    std::size_t orderings = 0;
    do {
        REQUIRE(fold(events) == expected);
        ++orderings;
    } while (std::next_permutation(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.type < b.type; }));
    CHECK(orderings == 40320);  // 8!
}

TEST_CASE("duplicates change nothing") {
    std::mt19937 rng(7);
    std::vector<event_facts> events{
        ev("emailsSent", event_category::contacted, at(9, 0)),
        ev("paused", event_category::paused, at(10, 0)),
        ev("resumed", event_category::resumed, at(10, 1)),
        ev("emailsBounced", event_category::bounced, at(10, 2)),
    };
    const auto expected = fold(events);
    CHECK_FALSE(expected.paused());
    CHECK(expected.bounced_at == at(10, 2));
    for (int round = 0; round < 200; ++round) {
        auto copy = events;
        for (int i = 0; i < 4; ++i) copy.push_back(events[rng() % events.size()]);
        std::shuffle(copy.begin(), copy.end(), rng);
        REQUIRE(fold(copy) == expected);
    }
}

TEST_CASE("equal event times are broken by the values, not the arrival order") {
    const auto a = ev("emailsOpened", event_category::hooked, at(10, 0), "A", "lea_a");
    const auto b = ev("emailsClicked", event_category::attracted, at(10, 0), "B", "lea_b");
    CHECK(fold({a, b}) == fold({b, a}));
    CHECK(fold({a, b}).last_event_type == "emailsOpened");  // "emailsOpened" > "emailsClicked"
    CHECK(fold({a, b}).last_campaign == "B");
}
