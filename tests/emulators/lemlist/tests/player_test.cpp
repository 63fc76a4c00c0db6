#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "emu/event_types.hpp"
#include "emu/player.hpp"
#include "test_support.hpp"

using namespace lemlist_emu_test;

namespace {

campaign test_campaign() {
    campaign c;
    c.id = "cam_TestCampaign00001";
    c.name = "🫅🏻🐘Bauma 2025";
    c.created_by = "usr_TestOwner0000001";
    c.sequence_id = "seq_TestSequence0001";
    c.senders.push_back({"usr_TestSender000001", "Sam Sender", "sam@sender.example", "usm_TestMailbox00001"});
    return c;
}

const sys_ms start = *parse_iso8601("2026-02-01T08:00:00Z");

generated_play play(const play_spec& spec, std::uint64_t seed = 11) {
    return generate_play(spec, test_campaign(), "tea_TestTeam000000001", "ply_test", seed, start);
}

std::map<std::string, std::vector<const event*>> by_lead(const generated_play& g) {
    std::map<std::string, std::vector<const event*>> m;
    for (const auto& e : g.events)
        if (!e.lead_id.empty()) m[e.lead_id].push_back(&e);
    return m;
}

}  // namespace

TEST_CASE("the same seed and start give the same play; another seed does not", "[player]") {
    play_spec spec;
    spec.leads = 30;
    const auto a = play(spec, 5), b = play(spec, 5), c = play(spec, 6);
    REQUIRE(a.events.size() == b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        CHECK(a.events[i].id == b.events[i].id);
        CHECK(a.events[i].webhook_body() == b.events[i].webhook_body());
    }
    REQUIRE(a.leads.size() == 30);
    CHECK(a.leads[0].id == b.leads[0].id);
    CHECK(a.leads[0].id != c.leads[0].id);
    CHECK(a.events[0].webhook_body() != c.events[0].webhook_body());
}

TEST_CASE("events_per_lead gives exact counts; every body is a coherent JSON activity", "[player]") {
    play_spec spec;
    spec.leads = 40;
    spec.events_per_lead = 7;
    const auto g = play(spec);
    CHECK(g.leads.size() == 40);
    CHECK(g.events.size() == 280);

    std::set<std::string> ids;
    std::map<std::string, std::size_t> per_lead;
    std::set<std::string> types;
    for (const auto& e : g.events) {
        ++per_lead[e.origin_lead_id];
        const auto body = parse_json(e.webhook_body());
        REQUIRE(body.IsObject());
        CHECK(str(body, "type") == e.type);
        types.insert(e.type);
        if (e.type == "enrichmentDone") {
            CHECK_FALSE(body.HasMember("_id"));
            CHECK(body["data"][0]["data"]["find_email"].HasMember("email"));
            continue;
        }
        CHECK(ids.insert(e.id).second);
        CHECK(str(body, "_id") == e.id);
        CHECK(e.id.rfind("act_", 0) == 0);
        CHECK(str(body, "teamId") == "tea_TestTeam000000001");
        CHECK(parse_iso8601(str(body, "createdAt")).has_value());
        if (body.HasMember("isThirdPartyReply")) {
            CHECK_FALSE(body.HasMember("campaignId"));
            CHECK_FALSE(body.HasMember("leadId"));
            CHECK_FALSE(body.HasMember("sequenceId"));
            CHECK(body.HasMember("fromEmail"));
            continue;
        }
        CHECK(e.lead_id == e.origin_lead_id);
        CHECK(str(body, "campaignId") == "cam_TestCampaign00001");
        CHECK(str(body, "campaignName") == "🫅🏻🐘Bauma 2025");
        CHECK(str(body, "leadId") == e.lead_id);
        CHECK(body.HasMember("leadFirstName"));
        CHECK(body["metaData"].IsObject());
        CHECK(str(body["metaData"], "type") == e.type);
        if (e.type == "emailsSent" || e.type == "emailsReplied") CHECK(body.HasMember("subject"));
        if (e.type == "emailsSent") {
            REQUIRE(body["to"].IsArray());
            CHECK(str(body["to"][0], "address") == str(body, "leadEmail"));
            CHECK(str(body, "sendUserEmail") == "sam@sender.example");
        }
        if (body.HasMember("sequenceStep")) CHECK(body["sequenceStep"].GetInt() <= body["totalSequenceStep"].GetInt());
        CHECK_FALSE(body.HasMember("secret"));
    }
    // Exactly 7 per lead, enrichment and third-party bodies included.
    REQUIRE(per_lead.size() == 40);
    for (const auto& [lead_id, n] : per_lead) {
        INFO(lead_id);
        CHECK(n == 7);
    }
    CHECK(types.count("emailsSent") == 1);
    CHECK(types.count("linkedinVisitDone") + types.count("linkedinInviteDone") > 0);
}

TEST_CASE("createdAt increases per lead, and the play is in createdAt order", "[player]") {
    play_spec spec;
    spec.leads = 50;
    const auto g = play(spec);
    for (std::size_t i = 1; i < g.events.size(); ++i) CHECK(g.events[i - 1].created_at <= g.events[i].created_at);
    for (const auto& [lead_id, evs] : by_lead(g)) {
        for (std::size_t i = 1; i < evs.size(); ++i) CHECK(evs[i - 1]->created_at < evs[i]->created_at);
        // isFirst marks the first event of each type for the lead.
        std::set<std::string> seen;
        for (const auto* e : evs) CHECK(e->is_first == seen.insert(e->type).second);
    }
    for (const auto& l : g.leads) CHECK(by_lead(g).count(l.id) == 1);
}

TEST_CASE("LinkedIn-only leads have no email anywhere", "[player]") {
    play_spec spec;
    spec.leads = 10;
    spec.linkedin_only_share = 1.0;
    const auto g = play(spec);
    REQUIRE_FALSE(g.events.empty());
    for (const auto& l : g.leads) {
        CHECK(l.var("email").empty());
        CHECK_FALSE(l.var("linkedinUrl").empty());
    }
    for (const auto& e : g.events) {
        const auto body = parse_json(e.webhook_body());
        CHECK_FALSE(body.HasMember("leadEmail"));
        CHECK_FALSE(body.HasMember("email"));
        CHECK(body.HasMember("linkedinUrl"));
        CHECK(e.type.rfind("emails", 0) != 0);
    }
    // The default share mixes both kinds.
    play_spec mixed;
    mixed.leads = 200;
    const auto m = play(mixed);
    std::size_t without = 0;
    for (const auto& l : m.leads) without += l.var("email").empty() ? 1 : 0;
    CHECK(without > 0);
    CHECK(without < 60);
}

TEST_CASE("channels restrict the types; shares produce the special bodies", "[player]") {
    play_spec email_only;
    email_only.leads = 40;
    email_only.channels = {"email"};
    email_only.unknown_type_share = 0;
    for (const auto& e : play(email_only).events) {
        INFO(e.type);
        CHECK((e.type.rfind("emails", 0) == 0 || e.type == "paused" || e.type == "resumed" || e.type == "enrichmentDone"));
    }

    play_spec special;
    special.leads = 30;
    special.linkedin_only_share = 0;
    special.third_party_reply_share = 1;
    special.enrichment_share = 1;
    special.unknown_type_share = 1;
    special.pause_share = 1;
    const auto g = play(special);
    std::size_t third = 0, enrich = 0, unknown = 0, paused = 0;
    for (const auto& e : g.events) {
        const auto body = parse_json(e.webhook_body());
        if (body.HasMember("isThirdPartyReply")) ++third;
        if (e.type == "enrichmentDone") ++enrich;
        if (!is_documented_type(e.type)) ++unknown;
        if (e.type == "paused") ++paused;
    }
    CHECK(third > 20);  // every lead whose first email went out
    CHECK(enrich == 30);
    CHECK(unknown == 30);
    // A lead whose sequence stopped (reply, bounce) before the chosen step is not paused.
    CHECK(paused >= 15);
    CHECK(paused <= 30);
}

TEST_CASE("hook matching: type, group, campaign, isFirst", "[player]") {
    event e;
    e.type = "emailsOpened";
    e.campaign_id = "cam_A";
    e.is_first = true;
    e.state_change = true;
    hook all;
    CHECK(hook_matches(all, e));
    hook typed;
    typed.type = "emailsOpened";
    CHECK(hook_matches(typed, e));
    typed.type = "emailsReplied";
    CHECK_FALSE(hook_matches(typed, e));
    hook group;
    group.type = "hooked";
    CHECK(hook_matches(group, e));
    e.state_change = false;
    CHECK_FALSE(hook_matches(group, e));
    group.type = "contacted";
    e.state_change = true;
    CHECK_FALSE(hook_matches(group, e));
    hook camp;
    camp.campaign_id = "cam_B";
    CHECK_FALSE(hook_matches(camp, e));
    camp.campaign_id = "cam_A";
    CHECK(hook_matches(camp, e));
    hook first;
    first.is_first = true;
    CHECK(hook_matches(first, e));
    e.is_first = false;
    CHECK_FALSE(hook_matches(first, e));
    first.is_first = false;
    CHECK(hook_matches(first, e));
}

TEST_CASE("delivery plans: one per matching hook, duplicates and out-of-order on request", "[player]") {
    play_spec spec;
    spec.leads = 60;
    const auto g = play(spec);
    hook a;
    a.id = "hoo_A";
    a.target_url = "http://127.0.0.1:1/a";
    a.secret = "sec-a";
    hook replies;
    replies.id = "hoo_R";
    replies.target_url = "http://127.0.0.1:1/r";
    replies.type = "emailsReplied";

    SECTION("no shares: createdAt order, no extras") {
        rng r(1);
        const auto plan = plan_deliveries(g.events, {a, replies}, 0, 0, r);
        std::size_t n_replies = 0;
        for (const auto& e : g.events) n_replies += e.type == "emailsReplied" ? 1 : 0;
        CHECK(plan.deliveries.size() == g.events.size() + n_replies);
        CHECK(plan.duplicates == 0);
        CHECK(plan.out_of_order == 0);
        for (std::size_t i = 1; i < plan.deliveries.size(); ++i)
            CHECK(plan.deliveries[i - 1].created_at <= plan.deliveries[i].created_at);
        for (const auto& d : plan.deliveries) {
            const auto body = parse_json(d.body);
            if (d.hook_id == "hoo_A") CHECK(str(body, "secret") == "sec-a");
            else CHECK_FALSE(body.HasMember("secret"));
        }
    }
    SECTION("duplicates resend the same body; out-of-order puts a later event of a lead first") {
        rng r(2);
        const auto plan = plan_deliveries(g.events, {a}, 0.1, 0.2, r);
        CHECK(plan.duplicates > 0);
        CHECK(plan.out_of_order > 0);
        CHECK(plan.deliveries.size() == g.events.size() + plan.duplicates);
        std::map<std::string, std::size_t> seen_bodies;
        std::size_t dups = 0;
        for (const auto& d : plan.deliveries) {
            if (d.duplicate) {
                ++dups;
                CHECK(seen_bodies.count(d.body) == 1);  // the original went first
            }
            ++seen_bodies[d.body];
        }
        CHECK(dups == plan.duplicates);
        // Find a lead whose deliveries arrive with a later createdAt before an earlier one.
        std::map<std::string, sys_ms> latest;
        std::size_t inversions = 0;
        for (const auto& d : plan.deliveries) {
            if (d.lead_id.empty() || d.duplicate) continue;
            auto it = latest.find(d.lead_id);
            if (it != latest.end() && d.created_at < it->second) ++inversions;
            if (it == latest.end() || d.created_at > it->second) latest[d.lead_id] = d.created_at;
        }
        CHECK(inversions >= plan.out_of_order / 2);
        CHECK(inversions > 0);
        // Same seed, same plan.
        rng r2(2);
        const auto again = plan_deliveries(g.events, {a}, 0.1, 0.2, r2);
        REQUIRE(again.deliveries.size() == plan.deliveries.size());
        for (std::size_t i = 0; i < plan.deliveries.size(); ++i) CHECK(again.deliveries[i].body == plan.deliveries[i].body);
    }
    SECTION("a group hook gets each lead's first event of the group only") {
        hook contacted;
        contacted.id = "hoo_C";
        contacted.type = "contacted";
        rng r(3);
        const auto plan = plan_deliveries(g.events, {contacted}, 0, 0, r);
        std::set<std::string> leads;
        for (const auto& d : plan.deliveries) {
            CHECK(group_contains("contacted", d.event_type));
            CHECK(leads.insert(d.lead_id).second);
        }
        CHECK_FALSE(leads.empty());
    }
}

TEST_CASE("play specs are validated", "[player]") {
    const auto parse = [](const char* text) {
        auto doc = parse_json(text);
        return parse_play_spec(doc);
    };
    const auto ok = parse(R"({"leads":5,"events_per_lead":3,"channels":["email","aircall"],"duplicate_share":0.5,"seed":"12","rate":100,"concurrency":2,"start_time":"2026-01-01T00:00:00Z"})");
    REQUIRE(ok.ok());
    CHECK(ok->leads == 5);
    CHECK(ok->events_per_lead.value() == 3);
    CHECK(ok->channels == std::vector<std::string>{"email", "call"});
    CHECK(ok->seed.value() == 12);
    CHECK(ok->delivery.rate == 100);
    CHECK(ok->delivery.concurrency == 2);
    const auto defaults = parse("{}");
    REQUIRE(defaults.ok());
    CHECK(defaults->duplicate_share == Approx(0.05));
    CHECK(defaults->out_of_order_share == Approx(0.1));
    CHECK(defaults->linkedin_only_share == Approx(0.1));
    for (const char* bad : {R"({"leads":0})", R"({"leads":-1})", R"({"leads":"x"})", R"({"duplicate_share":1.5})",
                            R"({"channels":["fax"]})", R"({"channels":[]})", R"({"rate":-1})", R"({"seed":-4})",
                            R"({"start_time":"soon"})", R"({"leads":100000,"events_per_lead":1000})", "[]"}) {
        INFO(bad);
        CHECK_FALSE(parse(bad).ok());
    }
}
