// The Lemlist client and the subscriptions sync against the real lemlist-emulator.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/metrics.hpp"
#include "lemlist/event_type.hpp"
#include "outbound/lemlist_client.hpp"
#include "state/local_rate_gate.hpp"
#include "support/child_process.hpp"
#include "test_support.hpp"
#include "tools/subscriptions.hpp"

using namespace las;
using las::hook_mode;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view api_key = "lemlist-sandbox-key";
constexpr std::string_view our_url = "https://sync.example.com/webhooks/lemlist";
constexpr std::string_view sandbox_campaign = "cam_SandboxOutreach01";

struct lemlist_env {
    explicit lemlist_env(std::size_t per_two_seconds = outbound::lemlist_default_limit, std::string base_path = {})
        : http(ctx.get_executor(), emulator.base_url() + base_path),
          gate("lemlist", per_two_seconds, outbound::lemlist_default_window) {}

    test::emulator emulator{"lemlist-emulator"};
    asio::io_context ctx;
    http::client http;
    state::local_rate_gate gate;
    metrics::registry registry;
    outbound::call_metrics metrics{registry, "lemlist"};
    outbound::lemlist_client client{outbound::http_transport(http), gate, {.api_key = std::string(api_key)}, &metrics};

    template <class T>
    T run(awaitable<T> task) {
        return test::run_in(ctx, std::move(task));
    }

    // An emulator control call (no auth, not rate limited).
    void control(http_proto::verb method, std::string target, std::string body = {}) {
        http::client_request r;
        r.method = method;
        r.target = std::move(target);
        r.body = std::move(body);
        auto answer = run(http.send(std::move(r)));
        REQUIRE(answer.ok());
        REQUIRE(answer->status == 200);
    }

    std::vector<outbound::lemlist_hook> hooks() {
        auto r = run(client.list_hooks());
        REQUIRE(r.ok());
        return std::move(r).value();
    }
};

std::size_t count_ours(const std::vector<outbound::lemlist_hook>& hooks, std::string_view type) {
    return static_cast<std::size_t>(std::count_if(hooks.begin(), hooks.end(), [&](const auto& h) {
        return h.target_url == tools::hook_target_url(our_url, type) && h.type == type;
    }));
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

}  // namespace

TEST_CASE("subscriptions sync against the emulator creates and deletes only ours") {
    lemlist_env env;
    // Someone else's hook, and a stale one of ours.
    auto foreign = env.run(env.client.create_hook("https://hooks.zapier.com/hooks/catch/1/abc/", "emailsOpened", std::nullopt));
    REQUIRE(foreign.ok());
    auto stale = env.run(env.client.create_hook(std::string(our_url), "emailsClicked", std::string("s3cret")));
    REQUIRE(stale.ok());

    tools::subscription_settings settings{std::string(our_url), "s3cret", {"paused", "resumed"}, true};
    const auto plan = env.run(tools::sync_subscriptions(env.client, settings));
    INFO(joined(plan.lines()));
    CHECK(plan.exit_code() == 0);
    CHECK(env.hooks().size() == 2);  // the dry run changed nothing

    settings.dry_run = false;
    const auto applied = env.run(tools::sync_subscriptions(env.client, settings));
    INFO(joined(applied.lines()));
    CHECK(applied.exit_code() == 0);
    auto hooks = env.hooks();
    CHECK(count_ours(hooks, "paused") == 1);
    CHECK(count_ours(hooks, "resumed") == 1);
    CHECK(count_ours(hooks, "emailsClicked") == 0);
    CHECK(std::any_of(hooks.begin(), hooks.end(), [&](const auto& h) { return h.id == foreign->id; }));
    CHECK(hooks.size() == 3);

    // Narrow the set: only `resumed`'s hook goes; a re-run is then in sync.
    settings.types = {"paused"};
    const auto narrowed = env.run(tools::sync_subscriptions(env.client, settings));
    INFO(joined(narrowed.lines()));
    hooks = env.hooks();
    CHECK(count_ours(hooks, "paused") == 1);
    CHECK(count_ours(hooks, "resumed") == 0);
    CHECK(std::any_of(hooks.begin(), hooks.end(), [&](const auto& h) { return h.id == foreign->id; }));
    const auto again = env.run(tools::sync_subscriptions(env.client, settings));
    CHECK(again.lines().back().find("in sync: nothing to change") != std::string::npos);

    auto rows = env.run(tools::list_subscriptions(env.client, std::string(our_url)));
    REQUIRE(rows.ok());
    CHECK(std::count_if(rows->begin(), rows->end(), [](const auto& r) { return r.ours; }) == 1);
    CHECK(tools::format_hook_rows(*rows).back() == "2 hook(s), 1 ours");

    // One all-events hook instead: the per-type hook goes first, so nothing is refused.
    settings.mode = hook_mode::all;
    const auto all = env.run(tools::sync_subscriptions(env.client, settings));
    INFO(joined(all.lines()));
    CHECK(all.exit_code() == 0);
    hooks = env.hooks();
    REQUIRE(hooks.size() == 2);
    CHECK(std::count_if(hooks.begin(), hooks.end(), [](const auto& h) { return h.target_url == our_url && h.type.empty(); }) == 1);
}

TEST_CASE("Lemlist keeps one hook per targetUrl: every type subscribed, none refused") {
    lemlist_env env;
    // What the sync did before each hook had its own URL: the second create is refused.
    REQUIRE(env.run(env.client.create_hook(std::string(our_url), "paused", std::nullopt)).ok());
    auto twin = env.run(env.client.create_hook(std::string(our_url), "resumed", std::nullopt));
    REQUIRE_FALSE(twin.ok());
    CHECK(twin.error().status == 409);

    std::vector<std::string> types;
    for (const auto& info : lemlist::known_event_types())
        if (!info.removed && !lemlist::is_lead_state_group(info.name)) types.emplace_back(info.name);
    tools::subscription_settings settings{std::string(our_url), "s", types, false};
    const auto report = env.run(tools::sync_subscriptions(env.client, settings));
    INFO(joined(report.lines()));
    CHECK(report.exit_code() == 0);
    const auto hooks = env.hooks();
    CHECK(hooks.size() == types.size());
    for (const auto& t : types) CHECK(count_ours(hooks, t) == 1);
}

TEST_CASE("a plan-gated hooks route is surfaced verbatim") {
    lemlist_env env;
    env.control(http_proto::verb::post, "/__emulator/config", R"({"plan_gated_hooks":true})");
    const auto report = env.run(tools::sync_subscriptions(env.client, {std::string(our_url), "s", {"paused", "resumed"}, false}));
    const auto lines = report.lines();
    INFO(joined(lines));
    CHECK(report.exit_code() == 2);
    CHECK(std::any_of(lines.begin(), lines.end(), [](const auto& l) { return l.find("HTTP 402: ") != std::string::npos; }));
}

TEST_CASE("enrollment against the emulator: enrolled, then duplicate, and a rejection") {
    lemlist_env env;
    auto campaigns = env.run(env.client.list_campaigns());
    REQUIRE(campaigns.ok());
    CHECK(std::any_of(campaigns->begin(), campaigns->end(), [](const auto& c) { return c.id == sandbox_campaign; }));

    outbound::lead_input lead;
    lead.email = "enroll-it@example.com";
    lead.first_name = "Ada";
    lead.last_name = "Lovelace";
    lead.variables = {{"attio_record_id", "rec-1"}};
    auto first = env.run(env.client.enroll_lead(std::string(sandbox_campaign), lead, {}));
    REQUIRE(first.ok());
    const auto* enrolled = std::get_if<outbound::enrolled>(&first.value());
    REQUIRE(enrolled);
    CHECK(enrolled->lead_id.starts_with("lea_"));

    auto second = env.run(env.client.enroll_lead(std::string(sandbox_campaign), lead, {}));
    REQUIRE(second.ok());
    const auto* duplicate = std::get_if<outbound::duplicate_lead>(&second.value());
    REQUIRE(duplicate);
    CHECK(duplicate->where == outbound::duplicate_lead::scope::this_campaign);

    auto missing = env.run(env.client.enroll_lead("cam_DoesNotExist00000", lead, {}));
    REQUIRE(missing.ok());
    const auto* rejected = std::get_if<outbound::rejected_lead>(&missing.value());
    REQUIRE(rejected);
    CHECK(rejected->status == 404);
    CHECK(rejected->message == "Campaign not found");
}

TEST_CASE("activities page as a JSON array - an unknown route's HTML is an error") {
    lemlist_env env;
    outbound::activity_query q;
    q.limit = 10;
    auto page = env.run(env.client.list_activities(q));
    REQUIRE(page.ok());
    CHECK(page->IsArray());
    CHECK(page->Size() <= 10);

    lemlist_env wrong_base(outbound::lemlist_default_limit, "/not-the-api");
    auto html = wrong_base.run(wrong_base.client.list_hooks());
    REQUIRE_FALSE(html.ok());
    CHECK(html.error().code == "not_json");
    CHECK(html.error().kind == outbound::failure::permanent);
}

TEST_CASE("30 calls past Lemlist's 20 per 2 s: 429s honoured, none lost") {
    lemlist_env env(1000);  // our gate lets everything through: the emulator has to say 429
    constexpr int total = 30;
    int ok = 0;
    std::vector<std::string> failures;
    for (int i = 0; i < total; ++i) {
        asio::co_spawn(
            env.ctx,
            [&]() -> awaitable<void> {
                auto r = co_await env.client.list_hooks();
                if (r) {
                    ++ok;
                } else {
                    failures.push_back(r.error().describe());
                }
            },
            asio::detached);
    }
    while (ok + static_cast<int>(failures.size()) < total) env.ctx.run_one();
    INFO((failures.empty() ? std::string() : failures.front()));
    CHECK(ok == total);
    const auto text = env.registry.render();
    const auto at = text.find(R"(lemlist_api_rate_limited_total{operation="list_hooks"})");
    REQUIRE(at != std::string::npos);
    const auto line = text.substr(at, text.find('\n', at) - at);
    CHECK(std::stoul(line.substr(line.rfind(' ') + 1)) > 0);
}
