// `sync-worker reconcile` against the lemlist-emulator and the real broker: one message per
// activity in the window, with the activity `_id` as message id, across several pages.
#include <catch2/catch.hpp>

#include <set>

#include "core/json.hpp"
#include "core/time.hpp"
#include "it_support.hpp"
#include "lemlist/event.hpp"

using namespace las;
using namespace las::tools_test;
using namespace std::chrono_literals;

namespace {

const std::string events_queue = "lemlist.events";

std::string activity(const std::string& id, const std::string& type, sys_ms at, const std::string& campaign) {
    return R"({"_id":")" + id + R"(","type":")" + type + R"(","createdAt":")" + format_iso8601(at) +
           R"(","campaignId":")" + campaign + R"(","leadId":"lea_)" + id + R"(","leadEmail":")" + id +
           R"(@example.com","teamId":"tea_1"})";
}

}  // namespace

TEST_CASE("reconcile publishes one message per activity of the window, keyed by its _id", "[reconcile][integration]") {
    test_broker broker;
    broker.purge(events_queue);
    temp_dir state;
    emulator lemlist_emu("lemlist-emulator");
    lemlist_side lemlist(lemlist_emu.base_url());

    // 130 activities in the last hours (two pages of 100), one in another campaign, and one
    // three days old that a 24 h window leaves out.
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    std::string body = "[";
    std::set<std::string> in_window;
    for (int i = 0; i < 130; ++i) {
        const std::string id = "act_rc" + std::to_string(1000 + i);
        const std::string type = i % 10 == 0 ? "emailsClicked" : "emailsOpened";
        body += (i ? "," : "") + activity(id, type, now - std::chrono::minutes(5 + i), "cam_SandboxOutreach01");
        in_window.insert(id);
    }
    body += "," + activity("act_rcold", "emailsOpened", now - 72h, "cam_SandboxOutreach01");
    body += "," + activity("act_rcother", "emailsOpened", now - 10min, "cam_SandboxLinkedIn02") + "]";
    in_window.insert("act_rcother");
    auto [status, answer] = lemlist.send(http_proto::verb::post, "/__emulator/activities", body);
    REQUIRE(status == 200);

    const auto env = worker_env(broker, state, {}, lemlist_emu.base_url());

    auto dry = run({worker_binary(), "reconcile", "--since", "24h", "--dry-run"}, env);
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(dry.out.find("pages=2 activities=131 published=0") != std::string::npos);
    CHECK(broker.depth(events_queue) == 0);

    auto done = run({worker_binary(), "reconcile", "--since", "24h"}, env);
    INFO(done.out << done.err);
    REQUIRE(done.exit_code == 0);
    CHECK(done.out.find("page 1 (offset 0): 100 activities, 100 published") != std::string::npos);
    CHECK(done.out.find("pages=2 activities=131 published=131 invalid=0 repeated=0 failed=0") != std::string::npos);
    auto messages = broker.take_all(events_queue);
    std::set<std::string> ids;
    for (const auto& m : messages) {
        ids.insert(m.message_id);
        CHECK(amqp::header_string(m.headers, "x-source") == "reconcile");
        CHECK(amqp::header_int(m.headers, "x-attempts") == 0);
        CHECK(amqp::header_string(m.headers, "x-received-at"));
        CHECK(m.persistent);
        auto ev = lemlist::parse_event(m.body);
        REQUIRE(ev.ok());
        CHECK(ev->idempotency_key == m.message_id);
    }
    CHECK(messages.size() == 131);
    CHECK(ids == in_window);

    // Filters go to Lemlist; an explicit window too.
    auto clicked = run({worker_binary(), "reconcile", "--since", format_iso8601(now - 24h), "--until",
                        format_iso8601(now), "--campaign", "cam_SandboxOutreach01", "--type", "emailsClicked"},
                       env);
    INFO(clicked.out << clicked.err);
    REQUIRE(clicked.exit_code == 0);
    auto only_clicks = broker.take_all(events_queue);
    CHECK(only_clicks.size() == 13);
    for (const auto& m : only_clicks) CHECK(m.body.find("\"emailsClicked\"") != std::string::npos);

    auto bad = run({worker_binary(), "reconcile", "--since", "yesterday"}, env);
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--since: \"yesterday\"") != std::string::npos);
}

TEST_CASE("reconcile reports a Lemlist failure with a non-zero exit", "[reconcile][integration]") {
    test_broker broker;
    broker.purge(events_queue);
    temp_dir state;
    emulator lemlist_emu("lemlist-emulator");
    lemlist_side lemlist(lemlist_emu.base_url());
    auto [status, answer] = lemlist.send(http_proto::verb::post, "/__emulator/config", R"({"plan_gated_activities":true})");
    REQUIRE(status == 200);
    auto gated = run({worker_binary(), "reconcile", "--since", "1h"}, worker_env(broker, state, {}, lemlist_emu.base_url()));
    INFO(gated.out << gated.err);
    CHECK(gated.exit_code == 1);
    CHECK(gated.out.find("stopped: GET /api/activities") != std::string::npos);
    CHECK(gated.out.find("402") != std::string::npos);
}
