// Subscriptions: the desired types, the pure diff, and a sync against scripted answers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "core/json.hpp"
#include "lemlist/event_type.hpp"
#include "test_support.hpp"
#include "tools/subscriptions.hpp"

using namespace las;
using tools::hook_step;
using las::hook_mode;

namespace {

constexpr std::string_view ours = "https://sync.example.com/webhooks/lemlist";

bool contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

outbound::lemlist_hook hook(std::string id, std::string url, std::string type, std::string campaign = {}) {
    return {std::move(id), std::move(url), std::move(type), std::move(campaign), "2025-01-01T00:00:00.000Z"};
}

std::size_t count(const std::vector<tools::hook_action>& plan, hook_step step) {
    return static_cast<std::size_t>(std::count_if(plan.begin(), plan.end(), [&](const auto& a) { return a.step == step; }));
}

}  // namespace

TEST_CASE("desired types come from the categories' per-channel types, plus enabled_types") {
    file_settings s;
    s.enabled_categories = {"bounced", "contacted"};
    s.enabled_types = {"customThing", "emailsBounced"};
    auto types = tools::desired_hook_types(s);
    REQUIRE(types.ok());
    CHECK(contains(*types, "emailsBounced"));
    CHECK(contains(*types, "emailsSent"));
    CHECK(contains(*types, "linkedinInviteDone"));
    CHECK(contains(*types, "customThing"));
    CHECK_FALSE(contains(*types, "contacted"));     // Lemlist's aggregate is not implied
    CHECK_FALSE(contains(*types, "emailsOpened"));  // hooked is not enabled
    CHECK(std::is_sorted(types->begin(), types->end()));
    CHECK(std::adjacent_find(types->begin(), types->end()) == types->end());
    for (const auto& t : *types) {
        if (t == "customThing") continue;
        const auto c = lemlist::classify(t);
        CHECK((c.category == lemlist::event_category::bounced || c.category == lemlist::event_category::contacted));
        CHECK_FALSE(c.removed);
    }

    s.enabled_categories = {"nonsense"};
    auto bad = tools::desired_hook_types(s);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().find("nonsense") != std::string::npos);

    CHECK(tools::desired_hook_types(file_settings{})->empty());  // all off by default
}

TEST_CASE("each hook of ours has its own targetUrl - Lemlist keeps one hook per URL") {
    CHECK(tools::hook_target_url(ours, "emailsOpened") == std::string(ours) + "?type=emailsOpened");
    CHECK(tools::hook_target_url(ours, "") == ours);
    CHECK(tools::hook_target_url("https://h.example/in?token=abc", "paused") == "https://h.example/in?token=abc&type=paused");

    CHECK(tools::is_our_hook_url(ours, ours));
    CHECK(tools::is_our_hook_url(ours, std::string(ours) + "?type=paused"));
    CHECK_FALSE(tools::is_our_hook_url(ours, std::string(ours) + "/"));
    CHECK_FALSE(tools::is_our_hook_url(ours, std::string(ours) + "-other?type=paused"));
    CHECK_FALSE(tools::is_our_hook_url(ours, std::string(ours) + "?evt=paused"));  // someone else's scheme
    CHECK_FALSE(tools::is_our_hook_url("", ours));
    CHECK(tools::is_our_hook_url("https://h.example/in?token=abc", "https://h.example/in?token=abc&type=paused"));
    CHECK_FALSE(tools::is_our_hook_url("https://h.example/in?token=abc", "https://h.example/in?token=abcd"));
}

TEST_CASE("the plan touches only our hooks: keep, create missing, delete the rest") {
    const std::vector<std::string> desired{"emailsBounced", "emailsOpened", "paused"};
    const std::string at_opened = tools::hook_target_url(ours, "emailsOpened");
    const std::vector<outbound::lemlist_hook> existing{
        hook("hoo_keep", at_opened, "emailsOpened"),
        hook("hoo_dup", at_opened, "emailsOpened"),
        hook("hoo_legacy", std::string(ours), "emailsBounced"),  // an earlier version's shared URL
        hook("hoo_off", tools::hook_target_url(ours, "emailsClicked"), "emailsClicked"),
        hook("hoo_all", std::string(ours), ""),
        hook("hoo_camp", tools::hook_target_url(ours, "paused"), "paused", "cam_1"),
        hook("hoo_zap", "https://hooks.zapier.com/hooks/catch/1/secretpath/", "emailsBounced"),
        hook("hoo_near", std::string(ours) + "/", "emailsClicked"),  // not our URL
    };
    const auto plan = tools::plan_subscriptions(desired, existing, ours);
    CHECK(count(plan, hook_step::keep) == 1);
    CHECK(count(plan, hook_step::remove) == 5);
    CHECK(count(plan, hook_step::create) == 2);
    CHECK(count(plan, hook_step::foreign) == 2);
    std::set<std::string> create_urls;
    for (const auto& a : plan) {
        if (a.hook_id == "hoo_zap" || a.hook_id == "hoo_near") {
            CHECK(a.step == hook_step::foreign);
        }
        if (a.hook_id == "hoo_keep") CHECK(a.step == hook_step::keep);
        if (a.step == hook_step::create) {
            CHECK((a.type == "emailsBounced" || a.type == "paused"));
            CHECK(a.target_url == tools::hook_target_url(ours, a.type));
            create_urls.insert(a.target_url);
        }
        if (a.step == hook_step::foreign) CHECK(a.detail.find("secretpath") == std::string::npos);
    }
    CHECK(create_urls.size() == 2);  // distinct URLs, none already held by a kept hook
    CHECK_FALSE(create_urls.contains(at_opened));
    // Deletions come before creations: the legacy hook frees the shared URL first.
    const auto first_create = std::find_if(plan.begin(), plan.end(), [](const auto& a) { return a.step == hook_step::create; });
    CHECK(std::none_of(first_create, plan.end(), [](const auto& a) { return a.step == hook_step::remove; }));
    // Without a target URL nothing is ours.
    CHECK(count(tools::plan_subscriptions(desired, existing, ""), hook_step::foreign) == existing.size());
}

TEST_CASE("mode all: one hook without a type at the base URL, the per-type ones go") {
    const std::vector<std::string> desired{"emailsOpened", "paused"};
    const std::vector<outbound::lemlist_hook> existing{
        hook("hoo_t1", tools::hook_target_url(ours, "emailsOpened"), "emailsOpened"),
        hook("hoo_t2", tools::hook_target_url(ours, "paused"), "paused"),
    };
    auto plan = tools::plan_subscriptions(desired, existing, ours, hook_mode::all);
    CHECK(count(plan, hook_step::remove) == 2);
    REQUIRE(count(plan, hook_step::create) == 1);
    const auto create = std::find_if(plan.begin(), plan.end(), [](const auto& a) { return a.step == hook_step::create; });
    CHECK(create->type.empty());
    CHECK(create->target_url == ours);

    // Already in place: kept; nothing enabled: removed.
    const std::vector<outbound::lemlist_hook> in_place{hook("hoo_all", std::string(ours), "")};
    plan = tools::plan_subscriptions(desired, in_place, ours, hook_mode::all);
    CHECK(count(plan, hook_step::keep) == 1);
    CHECK(count(plan, hook_step::create) == 0);
    plan = tools::plan_subscriptions({}, in_place, ours, hook_mode::all);
    CHECK(count(plan, hook_step::remove) == 1);
    CHECK(count(plan, hook_step::create) == 0);
}

TEST_CASE("sync: deletes, creates with targetUrl/type/secret, then reports in sync") {
    test::scripted_transport t;
    test::recording_gate gate;
    outbound::lemlist_client client(t.as_transport(), gate, {.api_key = "k"});
    t.push(test::answer(200, R"([{"_id":"hoo_old","targetUrl":")" + std::string(ours) +
                                 R"(?type=emailsClicked","type":"emailsClicked"},{"_id":"hoo_other","targetUrl":"https://x.example/h","type":"emailsOpened"}])"));
    t.push(test::answer(200, R"({"_id":"hoo_old","targetUrl":"x"})"));
    t.push(test::answer(200, R"({"_id":"hoo_new","targetUrl":")" + std::string(ours) + R"(?type=emailsOpened","type":"emailsOpened"})"));

    auto report = test::run_sync(tools::sync_subscriptions(client, {std::string(ours), "s3cret", {"emailsOpened"}, false}));

    CHECK(report.exit_code() == 0);
    REQUIRE(t.sent().size() == 3);
    CHECK(t.sent()[1].method == http_proto::verb::delete_);
    CHECK(t.sent()[1].target == "/api/hooks/hoo_old");
    CHECK(t.sent()[2].method == http_proto::verb::post);
    auto body = json::parse(t.sent()[2].body);
    REQUIRE(body);
    CHECK(json::get_string(*body, "targetUrl") == std::string(ours) + "?type=emailsOpened");
    CHECK(json::get_string(*body, "type") == "emailsOpened");
    CHECK(json::get_string(*body, "secret") == "s3cret");
    const auto lines = report.lines();
    CHECK(contains(lines, "deleted hook hoo_old (emailsClicked): type not enabled"));
    CHECK(contains(lines, "created hook hoo_new (emailsOpened) at " + std::string(ours) + "?type=emailsOpened"));
    CHECK(lines.back().find("1 hook(s) created, 1 deleted") != std::string::npos);
}

TEST_CASE("sync --dry-run only lists") {
    test::scripted_transport t;
    test::recording_gate gate;
    outbound::lemlist_client client(t.as_transport(), gate, {.api_key = "k"});
    t.push(test::answer(200, "[]"));
    auto report = test::run_sync(tools::sync_subscriptions(client, {std::string(ours), std::nullopt, {"paused", "resumed"}, true}));
    CHECK(t.sent().size() == 1);
    CHECK(report.exit_code() == 0);
    CHECK(contains(report.lines(), "would create hook (paused) at " + std::string(ours) + "?type=paused"));
    CHECK(report.lines().back().find("dry run: 2 hook(s) to create, 0 to delete") != std::string::npos);
}

TEST_CASE("a plan-gated answer is shown verbatim and stops the remaining writes") {
    test::scripted_transport t;
    test::recording_gate gate;
    outbound::lemlist_client client(t.as_transport(), gate, {.api_key = "k"});
    t.push(test::answer(200, "[]"));
    t.push(test::answer(402, "Webhooks are not available on your plan", "text/plain"));
    auto report = test::run_sync(tools::sync_subscriptions(client, {std::string(ours), "s", {"paused", "resumed", "stopped"}, false}));
    CHECK(t.sent().size() == 2);  // the list, one refused create, nothing more
    CHECK(report.exit_code() == 2);
    const auto lines = report.lines();
    CHECK(contains(lines, "ERROR creating hook (paused) at " + std::string(ours) +
                              "?type=paused: HTTP 402: Webhooks are not available on your plan"));
    CHECK(std::count_if(lines.begin(), lines.end(), [](const auto& l) { return l.find("skipped: Lemlist refused") != std::string::npos; }) == 2);
}

TEST_CASE("list marks ours - a failed listing is reported") {
    test::scripted_transport t;
    test::recording_gate gate;
    outbound::lemlist_client client(t.as_transport(), gate, {.api_key = "k"});
    t.push(test::answer(200, R"([{"_id":"hoo_1","targetUrl":")" + std::string(ours) +
                                 R"(","type":"paused"},{"_id":"hoo_2","targetUrl":"https://n8n.example.com/webhook/abc"}])"));
    t.push(test::answer(401, "The authentication you supplied is incorrect", "text/plain"));
    auto rows = test::run_sync(tools::list_subscriptions(client, std::string(ours)));
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 2);
    CHECK(rows->at(0).ours);
    CHECK_FALSE(rows->at(1).ours);
    const auto lines = tools::format_hook_rows(*rows);
    CHECK(lines.at(0).starts_with("ours   hoo_1  paused  " + std::string(ours)));
    CHECK(lines.at(1).starts_with("other  hoo_2  every type  https://n8n.example.com/"));
    CHECK(lines.at(1).find("abc") == std::string::npos);
    CHECK(lines.back() == "2 hook(s), 1 ours");

    auto report = test::run_sync(tools::sync_subscriptions(client, {std::string(ours), "s", {"paused"}, false}));
    CHECK(report.exit_code() == 2);
    CHECK(report.lines().front() == "ERROR listing Lemlist hooks: HTTP 401: The authentication you supplied is incorrect");
}
