// Write-behind's algebra: folding pending updates in any order, twice, or over the state
// written last gives one answer; and which updates are news to reps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "core/json.hpp"
#include "sync/pending_state.hpp"
#include "sync/person_writer.hpp"

using namespace las;
using namespace las::sync;
using lemlist::event_category;
using namespace std::chrono;

namespace {

event_time at(int hh, int mm) { return event_time(sys_days(year(2026) / 11 / 23)) + hours(hh) + minutes(mm); }

person_update upd(std::string type, event_category c, event_time t, std::string mapping = "{}",
                  std::optional<std::string> email = std::nullopt) {
    person_update u;
    u.facts = {std::move(type), c, t, "lea_1", "Q4"};
    u.mapping_values = std::move(mapping);
    u.email = std::move(email);
    return u;
}

std::vector<person_update> campaign() {
    return {upd("emailsSent", event_category::contacted, at(9, 0), R"({"tier":"a"})", "Ann@Example.com"),
            upd("emailsOpened", event_category::hooked, at(9, 30), R"({"tier":"b"})"),
            upd("paused", event_category::paused, at(10, 0)),
            upd("resumed", event_category::resumed, at(10, 5)),
            upd("emailsInterested", event_category::interested, at(11, 0), R"({"tier":"c","score":3})", "ann@example.com"),
            upd("emailsBounced", event_category::bounced, at(12, 0))};
}

pending_state fold(const std::vector<person_update>& updates) {
    pending_state p;
    for (const auto& u : updates) absorb(p, pending_of(u));
    return p;
}

}  // namespace

TEST_CASE("pending state: any order, duplicates and re-folding the written state give the same result") {
    const auto updates = campaign();
    const auto reference = fold(updates);
    CHECK(reference.state.status == "hooked");
    CHECK(reference.state.interest == "interested");
    CHECK_FALSE(reference.state.paused());
    CHECK(reference.state.bounced_at == at(12, 0));
    CHECK(reference.mappings.at("tier").value == "\"c\"");
    CHECK(reference.mappings.at("score").at == at(11, 0));
    CHECK(reference.emails == std::vector<std::string>{"Ann@Example.com"});  // one address, whatever its case

    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
        auto shuffled = updates;
        shuffled.push_back(updates[static_cast<std::size_t>(round) % updates.size()]);  // a redelivery
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        auto p = fold(shuffled);
        CHECK(p.state == reference.state);
        CHECK(p.mappings == reference.mappings);
        CHECK(p.emails.size() == 1);
        absorb(p, reference);  // the state written last, folded in again by the next flush
        CHECK(p.state == reference.state);
    }
}

TEST_CASE("pending state: join of two states is merge of their events") {
    const auto updates = campaign();
    person_state by_merge;
    for (const auto& u : updates) by_merge = merge(by_merge, u.facts);
    const std::vector<person_update> first(updates.begin(), updates.begin() + 3);
    const std::vector<person_update> second(updates.begin() + 3, updates.end());
    CHECK(join(fold(first).state, fold(second).state) == by_merge);
    CHECK(join(fold(second).state, fold(first).state) == by_merge);
}

TEST_CASE("pending state: JSON round trip for the store, and foreign text refused") {
    const auto p = fold(campaign());
    const auto back = pending_state_from_json(to_json(p));
    REQUIRE(back.has_value());
    CHECK(*back == p);
    CHECK_FALSE(pending_state_from_json("not json").has_value());
    CHECK_FALSE(pending_state_from_json(R"({"mappings":{}})").has_value());
    CHECK(pending_state_from_json(to_json(pending_state{})) == pending_state{});
}

TEST_CASE("rep state: status, interest, paused, unsubscribed and bounced are news; timestamps are not") {
    const auto base = fold({upd("emailsSent", event_category::contacted, at(9, 0))}).state;
    auto after = [&](person_update u) { return join(base, pending_of(u).state); };
    CHECK(moves_rep_state(base, after(upd("emailsOpened", event_category::hooked, at(9, 10)))));
    CHECK(moves_rep_state(base, after(upd("emailsInterested", event_category::interested, at(9, 10)))));
    CHECK(moves_rep_state(base, after(upd("paused", event_category::paused, at(9, 10)))));
    CHECK(moves_rep_state(base, after(upd("emailsUnsubscribed", event_category::unsubscribed, at(9, 10)))));
    CHECK(moves_rep_state(base, after(upd("emailsBounced", event_category::bounced, at(9, 10)))));
    // A second email sent moves only the last-event timestamps.
    CHECK_FALSE(moves_rep_state(base, after(upd("emailsSent", event_category::contacted, at(9, 20)))));
    // An unknown Person: its first event is news.
    CHECK(moves_rep_state(person_state{}, base));
}

TEST_CASE("creation: the assert carries the first event's state and mappings, no identity") {
    const auto p = pending_of(upd("emailsOpened", event_category::hooked, at(9, 30), R"({"tier":"b"})", "a@b.c"));
    const auto values = person_writer::creation_state_values(p, at(9, 31));
    auto doc = json::parse(values);
    REQUIRE(doc.ok());
    CHECK(json::get_string(*doc, "lemlist_status") == "hooked");
    CHECK(json::get_string(*doc, "tier") == "b");
    CHECK(json::find(*doc, "lemlist_last_event_at") != nullptr);
    CHECK(json::find(*doc, "email_addresses") == nullptr);  // the matcher's identity values own that

    // Written over a Person that already holds it, nothing moves: no PATCH.
    rapidjson::Document empty;
    empty.SetObject();
    CHECK_FALSE(person_writer::patch_for(empty, p, at(9, 31)).empty());
}
