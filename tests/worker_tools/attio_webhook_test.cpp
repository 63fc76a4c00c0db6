// `sync-worker attio-webhook sync` without a network: the target URL, the plan against
// Attio's webhooks, and the run against scripted answers (paging, create with the secret,
// update, a dry run, a missing list).
#include <catch2/catch.hpp>

#include "attio/client.hpp"
#include "state/local_rate_gate.hpp"
#include "support.hpp"
#include "tools/attio_webhook.hpp"

using namespace las;
using namespace std::chrono_literals;
using action = tools::webhook_plan::action;
using verb = http_proto::verb;

namespace {

constexpr const char* list_id = "11111111-0000-4000-8000-000000000001";
constexpr const char* target = "https://sync.example.com/webhooks/attio";

std::string webhook_json(const std::string& id, const std::string& url, const std::string& filter_value,
                         const std::string& status = "active", const std::string& secret = "") {
    const std::string filter = R"({"$and":[{"field":"id.list_id","operator":"equals","value":")" + filter_value + R"("}]})";
    return R"({"target_url":")" + url + R"(","subscriptions":[{"event_type":"list-entry.created","filter":)" + filter +
           R"(},{"event_type":"list-entry.updated","filter":)" + filter + R"(}],"id":{"workspace_id":"w","webhook_id":")" +
           id + R"("},"status":")" + status + R"(","created_at":"2026-01-01T00:00:00.000000000Z")" +
           (secret.empty() ? "" : R"(,"secret":")" + secret + "\"") + "}";
}

attio::webhook_info info(const std::string& id, const std::string& url, const std::string& filter_value) {
    return attio::parse_webhook_answer("{\"data\":" + webhook_json(id, url, filter_value) + "}").value();
}

struct fixture {
    asio::io_context ctx;
    state::local_rate_gate reads{"r", 1000, 1s}, writes{"w", 1000, 1s};
    tools_test::fake_transport wire;
    attio::client attio{wire.as_transport(), attio::gates{reads, writes}, attio::client_options{.api_key = "k"}};
    std::vector<std::string> pages{"[]"};  // answers to GET /v2/webhooks, in order (then [])
    std::size_t page_calls = 0;
    bool list_exists = true;

    fixture() {
        wire.respond = [this](const http::client_request& r) -> tools_test::fake_transport::reply {
            if (r.target == "/v2/lists/lemlist_enrollments") {
                if (!list_exists)
                    return tools_test::answer(404, R"({"status_code":404,"type":"invalid_request_error","code":"not_found","message":"List not found"})");
                return tools_test::answer(200, R"({"data":{"id":{"workspace_id":"w","list_id":")" + std::string(list_id) +
                                                   R"("},"api_slug":"lemlist_enrollments","name":"Lemlist enrollments","parent_object":["people"]}})");
            }
            if (r.method == verb::get && r.target.starts_with("/v2/webhooks?")) {
                const auto body = page_calls < pages.size() ? pages[page_calls] : std::string("[]");
                ++page_calls;
                return tools_test::answer(200, "{\"data\":" + body + "}");
            }
            if (r.method == verb::post && r.target == "/v2/webhooks")
                return tools_test::answer(200, "{\"data\":" + webhook_json("wh-new", target, list_id, "active", "c0ffee") + "}");
            if (r.method == verb::patch && r.target.starts_with("/v2/webhooks/"))
                return tools_test::answer(200, "{\"data\":" + webhook_json(r.target.substr(13), target, list_id) + "}");
            return tools_test::answer(500, "{}");
        };
    }

    tools::attio_webhook_report sync(bool dry_run = false) {
        tools::attio_webhook_settings s;
        s.target_url = target;
        s.list = "lemlist_enrollments";
        s.dry_run = dry_run;
        return tools_test::run_sync(ctx, tools::sync_attio_webhook(attio, s));
    }
};

bool has(const tools::attio_webhook_report& r, std::string_view needle) {
    for (const auto& l : r.lines)
        if (l.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("the Attio webhook URL: its own setting, else PUBLIC_WEBHOOK_URL's origin; https only", "[attio_webhook]") {
    worker_settings s;
    CHECK(tools::attio_webhook_url(s).error().find("PUBLIC_ATTIO_WEBHOOK_URL: required") == 0);
    s.public_webhook_url = "https://sync.example.com:8443/webhooks/lemlist?x=1";
    CHECK(tools::attio_webhook_url(s).value() == "https://sync.example.com:8443/webhooks/attio");
    s.public_attio_webhook_url = "https://hooks.example.com/attio";
    CHECK(tools::attio_webhook_url(s).value() == "https://hooks.example.com/attio");
    s.public_attio_webhook_url.reset();
    s.public_webhook_url = "http://127.0.0.1:8080/webhooks/lemlist";  // fine for Lemlist, not for Attio
    CHECK(tools::attio_webhook_url(s).error().find("PUBLIC_WEBHOOK_URL: Attio only delivers webhooks to https://") == 0);

    const auto env = worker_settings::from_env(map_environment({{"PUBLIC_ATTIO_WEBHOOK_URL", "https://a.example/x"}}));
    CHECK(env.public_attio_webhook_url == "https://a.example/x");
    CHECK_THROWS_AS(worker_settings::from_env(map_environment({{"PUBLIC_ATTIO_WEBHOOK_URL", "http://a.example/x"}})),
                    config_error);
}

TEST_CASE("the subscriptions: entry created and updated, filtered to the enrollment list's id", "[attio_webhook]") {
    const auto subs = tools::enrollment_subscriptions(list_id);
    REQUIRE(subs.size() == 2);
    CHECK(subs[0].event_type == "list-entry.created");
    CHECK(subs[1].event_type == "list-entry.updated");
    for (const auto& s : subs) {
        REQUIRE(s.filter);
        CHECK(s.filter->combinator == "$and");
        REQUIRE(s.filter->conditions.size() == 1);
        CHECK(s.filter->conditions[0].field == "id.list_id");
        CHECK(s.filter->conditions[0].op == "equals");
        CHECK(s.filter->conditions[0].value == list_id);
    }
}

TEST_CASE("the plan: ours by target URL, created when missing, updated when it differs", "[attio_webhook]") {
    const auto desired = tools::enrollment_subscriptions(list_id);
    const std::vector<attio::webhook_info> none{info("wh-x", "https://other.example/hook", list_id)};
    CHECK(tools::plan_webhook(none, target, desired).what == action::create);  // another integration's: never ours

    const std::vector<attio::webhook_info> same{info("wh-x", "https://other.example/hook", list_id), info("wh-1", target, list_id)};
    auto keep = tools::plan_webhook(same, target, desired);
    CHECK(keep.what == action::keep);
    CHECK(keep.ours->webhook_id == "wh-1");

    const std::vector<attio::webhook_info> stale{info("wh-1", target, "another-list")};
    auto update = tools::plan_webhook(stale, target, desired);
    CHECK(update.what == action::update);
    CHECK(update.ours->webhook_id == "wh-1");

    // Two of ours: the matching one is kept, the other reported, neither rewritten.
    const std::vector<attio::webhook_info> twins{info("wh-old", target, "another-list"), info("wh-good", target, list_id)};
    auto both = tools::plan_webhook(twins, target, desired);
    CHECK(both.what == action::keep);
    CHECK(both.ours->webhook_id == "wh-good");
    REQUIRE(both.also_ours.size() == 1);
    CHECK(both.also_ours[0]->webhook_id == "wh-old");
}

TEST_CASE("sync creates the webhook and prints its secret, which Attio shows only then", "[attio_webhook]") {
    fixture f;
    auto r = f.sync();
    CHECK(r.exit_code == 0);
    CHECK(has(r, "created webhook wh-new → https://sync.example.com/webhooks/attio"));
    CHECK(has(r, "secret: c0ffee"));
    CHECK(has(r, "set ATTIO_WEBHOOK_SECRET=c0ffee on the gateway"));
    REQUIRE(f.wire.count(verb::post, "/v2/webhooks") == 1);
    const auto& post = f.wire.sent().back();
    CHECK(post.body.find(R"("target_url":"https://sync.example.com/webhooks/attio")") != std::string::npos);
    CHECK(post.body.find(R"({"field":"id.list_id","operator":"equals","value":")" + std::string(list_id) + "\"}") !=
          std::string::npos);
}

TEST_CASE("sync pages through Attio's webhooks, and changes nothing when ours is in place", "[attio_webhook]") {
    fixture f;
    std::string full = "[";
    for (int i = 0; i < 100; ++i) full += (i ? "," : "") + webhook_json("wh-" + std::to_string(i), "https://other.example/" + std::to_string(i), list_id);
    full += "]";
    f.pages = {full, "[" + webhook_json("wh-ours", target, list_id, "degraded") + "]"};
    auto r = f.sync();
    CHECK(f.page_calls == 2);
    CHECK(f.wire.sent()[1].target == "/v2/webhooks?limit=100&offset=0");
    CHECK(f.wire.sent()[2].target == "/v2/webhooks?limit=100&offset=100");
    CHECK(has(r, "ok webhook wh-ours"));
    CHECK(has(r, "nothing to change"));
    CHECK(has(r, "WARNING webhook wh-ours is degraded"));
    CHECK(r.exit_code == 1);  // deliveries failed: an operator looks
    CHECK(f.wire.count(verb::post, "/v2/webhooks") == 0);
    CHECK(f.wire.count(verb::patch, "/v2/webhooks") == 0);
}

TEST_CASE("sync updates subscriptions that differ, keeping the secret; a dry run writes nothing", "[attio_webhook]") {
    fixture f;
    f.pages = {"[" + webhook_json("wh-1", target, "another-list") + "]"};
    auto dry = f.sync(true);
    CHECK(dry.exit_code == 0);
    CHECK(has(dry, "would update webhook wh-1"));
    CHECK(f.wire.count(verb::patch, "/v2/webhooks") == 0);

    f.page_calls = 0;
    auto r = f.sync();
    CHECK(r.exit_code == 0);
    CHECK(has(r, "updated webhook wh-1"));
    CHECK(has(r, "keep ATTIO_WEBHOOK_SECRET as it is"));
    REQUIRE(f.wire.count(verb::patch, "/v2/webhooks/wh-1") == 1);

    fixture empty;
    auto plan = empty.sync(true);
    CHECK(has(plan, "would create a webhook"));
    CHECK(empty.wire.count(verb::post, "/v2/webhooks") == 0);
}

TEST_CASE("sync needs the provisioned enrollment list", "[attio_webhook]") {
    fixture f;
    f.list_exists = false;
    auto r = f.sync();
    CHECK(r.exit_code == 2);
    CHECK(has(r, "run `sync-worker provision` first"));
    CHECK(f.page_calls == 0);
}
