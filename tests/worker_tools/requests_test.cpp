// The worker's answers on sync.requests (tools/requests.hpp), checked against the example
// answers of the shared contract fixture (tests/fixtures/attio-app/contract.json): the same
// field names with the same JSON types, so the Attio app reads what the worker writes.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "core/json.hpp"
#include "sync/enrollment_job.hpp"
#include "tools/requests.hpp"

using namespace las;
using namespace las::tools;

namespace {

rapidjson::Document parse(const std::string& text) {
    auto doc = json::parse(text);
    if (!doc) FAIL("not JSON: " << text);
    return std::move(doc).value();
}

const rapidjson::Document& contract() {
    static const rapidjson::Document doc = [] {
        std::ifstream in(std::string(LAS_SOURCE_DIR) + "/tests/fixtures/attio-app/contract.json");
        std::stringstream ss;
        ss << in.rdbuf();
        return parse(ss.str());
    }();
    return doc;
}

// The example response `case` of route `name`.
const rapidjson::Value& example(std::string_view name, std::string_view which) {
    for (const auto& r : contract()["routes"].GetArray()) {
        if (name != r["name"].GetString()) continue;
        for (const auto& c : r["responses"].GetArray())
            if (which == c["case"].GetString()) return c;
    }
    FAIL("no example " << which << " of " << name);
    throw std::logic_error("unreachable");
}

// `got` has the shape of `want`: every key of `got` is in `want` with the same JSON type,
// every key of `want` is in `got` unless `optional` names it; array items like want's first.
void same_shape(const rapidjson::Value& got, const rapidjson::Value& want, const std::string& at,
                const std::set<std::string>& optional = {"lead_id", "message", "field"}) {
    INFO("at " << at);
    if (want.IsNumber()) {
        CHECK(got.IsNumber());
        return;
    }
    REQUIRE(got.GetType() == want.GetType());
    if (want.IsObject()) {
        for (auto m = got.MemberBegin(); m != got.MemberEnd(); ++m) {
            const std::string key = m->name.GetString();
            INFO("key " << key);
            CHECK(want.HasMember(key.c_str()));
            if (want.HasMember(key.c_str())) same_shape(m->value, want[key.c_str()], at + "." + key, optional);
        }
        for (auto m = want.MemberBegin(); m != want.MemberEnd(); ++m) {
            const std::string key = m->name.GetString();
            if (!optional.contains(key)) {
                INFO("missing key " << key);
                CHECK(got.HasMember(key.c_str()));
            }
        }
    } else if (want.IsArray() && !want.Empty()) {
        // Items like the examples' union (one example may lack an optional key another has).
        rapidjson::Document merged;
        merged.CopyFrom(want[0], merged.GetAllocator());
        if (merged.IsObject()) {
            for (const auto& item : want.GetArray()) {
                for (auto m = item.MemberBegin(); m != item.MemberEnd(); ++m) {
                    if (merged.HasMember(m->name)) continue;
                    rapidjson::Value name(m->name, merged.GetAllocator());
                    rapidjson::Value value(m->value, merged.GetAllocator());
                    merged.AddMember(name, value, merged.GetAllocator());
                }
            }
        }
        for (rapidjson::SizeType i = 0; i < got.Size(); ++i) same_shape(got[i], merged, at + "[]", optional);
    }
}

hook_outcome outcome(hook_step step, std::string type, std::string id, std::string url, bool applied,
                     std::string detail = {}) {
    hook_outcome o;
    o.action = hook_action{step, std::move(type), std::move(id), std::move(detail), std::move(url)};
    o.applied = applied;
    return o;
}

}  // namespace

TEST_CASE("requests: campaigns answer the contract's shape") {
    outbound::lemlist_campaign c{"cam_1", "Q3 \"founders\"", "running"};
    const auto reply = campaigns_reply({c, {"cam_2", "Drafty", "draft"}});
    CHECK(reply.status == 200);
    const auto got = parse(reply.body);
    same_shape(got, example("campaigns", "listed")["body"], "campaigns");
    CHECK(std::string(got["campaigns"][0]["name"].GetString()) == "Q3 \"founders\"");
    CHECK(got["campaigns"].Size() == 2);
    CHECK(parse(campaigns_reply({}).body)["campaigns"].Empty());

    outbound::call_error refused;
    refused.status = 401;
    refused.message = "Invalid API key";
    const auto r = lemlist_refused_reply(refused);
    CHECK(r.status == 502);
    const auto body = parse(r.body);
    same_shape(body, example("campaigns", "lemlist_refused")["body"], "refused");
    CHECK(std::string(body["message"].GetString()) == "HTTP 401: Invalid API key");
}

TEST_CASE("requests: job status answers the contract's shape; unknown jobs 404") {
    CHECK(job_reply("job_1", std::nullopt).status == 404);
    same_shape(parse(job_reply("job_1", std::nullopt).body), example("enrollment_job", "not_found")["body"], "404");

    state::job_progress p;
    p.state = state::job_state::done;
    p.total = 2;
    sync::reply_item enrolled{"rec_1", "enrolled", std::string("lea_1"), ""};
    sync::reply_item duplicate{"rec_2", "duplicate", std::nullopt, "Lead already in the campaign"};
    p.results = {{"rec_1", sync::reply_item_json(enrolled)}, {"rec_2", sync::reply_item_json(duplicate)}};
    const auto reply = job_reply("job_1", p);
    CHECK(reply.status == 200);
    const auto got = parse(reply.body);
    same_shape(got, example("enrollment_job", "done")["body"], "done");
    CHECK(std::string(got["state"].GetString()) == "done");
    CHECK(std::string(got["results"][0]["lead_id"].GetString()) == "lea_1");
    CHECK_FALSE(got["results"][1].HasMember("lead_id"));

    p.state = state::job_state::queued;
    p.results.clear();
    same_shape(parse(job_reply("job_1", p).body), example("enrollment_job", "queued")["body"], "queued");
}

TEST_CASE("requests: a sync report becomes created/deleted/kept/refused/skipped") {
    const std::string base = "https://sync.example.com/webhooks/lemlist";
    subscription_report report;
    report.outcomes.push_back(outcome(hook_step::remove, "emailsUnsubscribed", "hoo_9", base + "?type=emailsUnsubscribed",
                                      true, "type not enabled"));
    report.outcomes.push_back(outcome(hook_step::create, "emailsOpened", "hoo_7", base + "?type=emailsOpened", true));
    report.outcomes.push_back(outcome(hook_step::keep, "emailsSent", "hoo_1", base + "?type=emailsSent", false));
    report.outcomes.push_back(outcome(hook_step::foreign, "", "hoo_z", "https://hooks.zapier.com/…", false));

    auto reply = subscriptions_reply(report, hook_mode::per_type, base);
    CHECK(reply.status == 200);
    auto got = parse(reply.body);
    same_shape(got, example("subscriptions_sync", "applied")["body"], "applied");
    CHECK(std::string(got["mode"].GetString()) == "per_type");
    CHECK(std::string(got["target_url"].GetString()) == base);
    REQUIRE(got["created"].Size() == 1);
    CHECK(std::string(got["created"][0]["hook_id"].GetString()) == "hoo_7");
    REQUIRE(got["deleted"].Size() == 1);
    CHECK(std::string(got["deleted"][0]["reason"].GetString()) == "type not enabled");
    CHECK(got["kept"].Size() == 1);  // the foreign hook is not listed anywhere
    CHECK(got["refused"].Empty());
    CHECK(got["skipped"].Empty());

    SECTION("plan gated: the refusal verbatim, then what was not tried") {
        subscription_report gated;
        auto refused = outcome(hook_step::create, "emailsBounced", "", base + "?type=emailsBounced", false);
        refused.error = outbound::call_error{outbound::failure::permanent, 402, "", "route is available starting emailPro plan", {}};
        gated.outcomes.push_back(refused);
        auto skipped = outcome(hook_step::create, "emailsOpened", "", base + "?type=emailsOpened", false);
        skipped.note = "skipped: Lemlist refused an earlier call with HTTP 402";
        gated.outcomes.push_back(skipped);
        reply = subscriptions_reply(gated, hook_mode::per_type, base);
        got = parse(reply.body);
        same_shape(got, example("subscriptions_sync", "plan_gated")["body"], "plan_gated");
        REQUIRE(got["refused"].Size() == 1);
        CHECK(got["refused"][0]["status"].GetInt() == 402);
        CHECK(std::string(got["refused"][0]["message"].GetString()) == "route is available starting emailPro plan");
        CHECK(std::string(got["refused"][0]["action"].GetString()) == "create");
        REQUIRE(got["skipped"].Size() == 1);
        CHECK(std::string(got["skipped"][0]["reason"].GetString()) == skipped.note);
    }
    SECTION("no answer: status 0 and what happened") {
        subscription_report lost;
        auto o = outcome(hook_step::remove, "emailsSent", "hoo_1", base + "?type=emailsSent", false);
        o.error = outbound::call_error{outbound::failure::transient, 0, "timeout", "no answer within 30 s", {}};
        lost.outcomes.push_back(o);
        got = parse(subscriptions_reply(lost, hook_mode::all, base).body);
        CHECK(std::string(got["mode"].GetString()) == "all");
        CHECK(got["refused"][0]["status"].GetInt() == 0);
        CHECK(std::string(got["refused"][0]["action"].GetString()) == "delete");
        CHECK(std::string(got["refused"][0]["message"].GetString()).find("no answer within 30 s") != std::string::npos);
    }
    SECTION("listing refused: 502 with Lemlist's words") {
        subscription_report listing;
        listing.listing_error = outbound::call_error{outbound::failure::permanent, 402, "", "route is available starting emailPro plan", {}};
        reply = subscriptions_reply(listing, hook_mode::per_type, base);
        CHECK(reply.status == 502);
        got = parse(reply.body);
        same_shape(got, example("subscriptions_sync", "listing_refused")["body"], "listing_refused");
        CHECK(std::string(got["message"].GetString()) == "HTTP 402: route is available starting emailPro plan");
    }
}
