// The pure parts of `dlq` (rows, the replay copy, selection) and `reconcile` (an activity
// as the message the gateway would have published).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/json.hpp"
#include "lemlist/event.hpp"
#include "support.hpp"
#include "tools/dlq.hpp"
#include "tools/reconcile.hpp"

using namespace las;

namespace {

amqp::delivery dead_letter(std::string id, std::string body) {
    return tools_test::make_delivery(std::move(id), std::move(body),
                                     {{"x-received-at", std::string("2025-03-10T11:59:00.000Z")},
                                      {"x-source", std::string("webhook")},
                                      {"x-attempts", std::int64_t{8}},
                                      {"x-dlq-reason", std::string("retries_exhausted")},
                                      {"x-last-error", std::string("transient: Attio 503\nService unavailable")},
                                      {"x-failed-at", std::string("2025-03-10T12:00:00.000Z")}});
}

std::string read_sample(const std::string& relative) {
    std::ifstream in(std::string(LAS_SAMPLES_DIR) + "/" + relative, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("the queue option names a pipeline", "[dlq]") {
    CHECK(tools::dlq_pipeline("events").value()->dlq() == "lemlist.events.dlq");
    CHECK(tools::dlq_pipeline("enrollments").value()->dlq() == "attio.enrollments.dlq");
    CHECK_FALSE(tools::dlq_pipeline("lemlist.events").ok());
}

TEST_CASE("a dead letter as a row", "[dlq]") {
    const auto row = tools::describe_dead_letter(dead_letter("act_1", R"({"type":"emailsOpened","_id":"act_1"})"));
    CHECK(row.message_id == "act_1");
    CHECK(row.type == "emailsOpened");
    CHECK(row.reason == "retries_exhausted");
    CHECK(row.attempts == 8);
    CHECK(row.failed_at == "2025-03-10T12:00:00.000Z");
    const auto line = tools::format_row(row, 20);
    CHECK(line.find("act_1") == 0);
    CHECK(line.find("retries_exhausted") != std::string::npos);
    CHECK(line.find('\n') == std::string::npos);  // the error's newline is flattened
    CHECK(line.find("transient: Attio 50") != std::string::npos);
    CHECK(line.find("Service unavailable") == std::string::npos);  // truncated at 20

    CHECK(tools::describe_dead_letter(dead_letter("j", R"({"job_id":"j","campaign_id":"cam_1"})")).type == "job");
    CHECK(tools::describe_dead_letter(dead_letter("w", R"({"webhook_id":"w","events":[]})")).type == "attio_webhook");
    const auto broken = tools::describe_dead_letter(tools_test::make_delivery("", "not json"));
    CHECK(broken.type == "?");
    CHECK(broken.reason == "?");
    CHECK_FALSE(broken.attempts);
    CHECK(broken.message_id == "(no id)");
}

TEST_CASE("show prints every header and the body as pretty JSON", "[dlq]") {
    const auto text = tools::format_dead_letter(dead_letter("act_1", R"({"type":"emailsOpened","n":[1,2]})"));
    CHECK(text.find("message_id: act_1") != std::string::npos);
    CHECK(text.find("  x-dlq-reason: retries_exhausted") != std::string::npos);
    CHECK(text.find("  x-attempts: 8") != std::string::npos);
    CHECK(text.find("\"type\": \"emailsOpened\"") != std::string::npos);
    CHECK(text.find("\n  \"n\": [\n") != std::string::npos);
    const auto raw = tools::format_dead_letter(tools_test::make_delivery("x", "{oops"));
    CHECK(raw.find("{oops") != std::string::npos);
    CHECK(raw.find("not JSON") != std::string::npos);
}

TEST_CASE("the replay copy goes to the main exchange, fresh, same id and body", "[dlq]") {
    const auto d = dead_letter("act_1", R"({"type":"emailsOpened"})");
    const auto copy = tools::replay_copy(d, amqp::lemlist_events());
    CHECK(copy.exchange == "lemlist.events");
    CHECK(copy.routing_key == "lemlist.events");
    CHECK(copy.message_id == "act_1");
    CHECK(copy.body == d.body);
    CHECK(copy.persistent);
    CHECK(copy.mandatory);
    CHECK(amqp::header_string(copy.headers, "x-source") == "replay");
    CHECK(amqp::header_int(copy.headers, "x-attempts") == 0);
    CHECK(amqp::header_string(copy.headers, "x-received-at") == "2025-03-10T11:59:00.000Z");
    CHECK_FALSE(copy.headers.contains("x-dlq-reason"));
    CHECK_FALSE(copy.headers.contains("x-last-error"));
    CHECK_FALSE(copy.headers.contains("x-failed-at"));
    CHECK_FALSE(copy.reply_to);
    CHECK(tools::replay_copy(d, amqp::attio_enrollments()).exchange == "attio.enrollments");
}

TEST_CASE("replay selection: ids, a type, or all", "[dlq]") {
    tools::dead_letter_row row;
    row.message_id = "act_1";
    row.type = "emailsOpened";
    tools::dlq_selection none;
    CHECK_FALSE(none.matches(row));
    tools::dlq_selection by_id;
    by_id.ids = {"act_2", "act_1"};
    CHECK(by_id.matches(row));
    tools::dlq_selection by_type;
    by_type.type = "emailsClicked";
    CHECK_FALSE(by_type.matches(row));
    by_type.type = "emailsOpened";
    CHECK(by_type.matches(row));
    tools::dlq_selection all;
    all.all = true;
    CHECK(all.matches(row));
}

TEST_CASE("replay selection: filters by reason and failed-at, combined with the type", "[dlq]") {
    tools::dead_letter_row row;
    row.message_id = "act_1";
    row.type = "emailsOpened";
    row.reason = "unmatched";
    row.failed_at = "2025-03-10T12:00:00.000Z";
    const auto at = [](const char* iso) { return *parse_iso8601(iso); };

    tools::dlq_selection by_reason;
    by_reason.reason = "unmatched";
    CHECK(by_reason.matches(row));
    by_reason.reason = "retries_exhausted";
    CHECK_FALSE(by_reason.matches(row));

    tools::dlq_selection since;
    since.since = at("2025-03-10T12:00:00Z");  // at or after
    CHECK(since.matches(row));
    since.since = at("2025-03-10T12:00:00.001Z");
    CHECK_FALSE(since.matches(row));

    tools::dlq_selection combined;
    combined.type = "emailsOpened";
    combined.reason = "unmatched";
    combined.since = at("2025-03-09T00:00:00Z");
    CHECK(combined.matches(row));
    combined.type = "emailsClicked";  // every filter must match
    CHECK_FALSE(combined.matches(row));

    // A dead letter whose failed-at cannot be read never matches a --since.
    tools::dlq_selection only_since;
    only_since.since = at("2000-01-01T00:00:00Z");
    row.failed_at = "?";
    CHECK_FALSE(only_since.matches(row));
}

TEST_CASE("dlq replay and purge arguments", "[dlq]") {
    const auto now = *parse_iso8601("2025-03-10T12:00:00Z");
    using tools::dlq_verb;
    auto make = [&](tools::dlq_args a, dlq_verb v) { return tools::make_dlq_selection(a, v, now); };

    tools::dlq_args since;
    since.since = "7d";
    since.reason = "unmatched";
    auto s = make(since, dlq_verb::replay);
    REQUIRE(s.ok());
    CHECK(s->since == now - std::chrono::hours(24 * 7));
    CHECK(s->reason == "unmatched");
    since.since = "2025-03-01T00:00:00Z";
    CHECK(make(since, dlq_verb::replay)->since == *parse_iso8601("2025-03-01T00:00:00Z"));
    since.since = "yesterday";
    CHECK(make(since, dlq_verb::replay).error().find("--since: \"yesterday\"") != std::string::npos);

    CHECK(make({}, dlq_verb::replay).error().find("needs --id") != std::string::npos);
    tools::dlq_args all;
    all.all = true;
    CHECK(make(all, dlq_verb::replay).ok());
    all.reason = "unmatched";
    CHECK_FALSE(make(all, dlq_verb::replay).ok());
    tools::dlq_args ids_and_filter;
    ids_and_filter.ids = {"act_1"};
    ids_and_filter.type = "emailsOpened";
    CHECK_FALSE(make(ids_and_filter, dlq_verb::replay).ok());

    // purge: by id or by reason, never everything.
    tools::dlq_args by_reason;
    by_reason.reason = "unmatched";
    CHECK(make(by_reason, dlq_verb::purge).ok());
    tools::dlq_args type_only;
    type_only.type = "emailsOpened";
    CHECK(make(type_only, dlq_verb::purge).error().find("needs --id ID… or --reason R") != std::string::npos);
    tools::dlq_args purge_all;
    purge_all.all = true;
    CHECK_FALSE(make(purge_all, dlq_verb::purge).ok());
    tools::dlq_args empty_reason;
    empty_reason.reason = "";
    CHECK(make(empty_reason, dlq_verb::purge).error().find("--reason: empty") != std::string::npos);
}

TEST_CASE("an activity becomes the message the gateway publishes for its webhook", "[reconcile]") {
    auto page = json::parse(read_sample("activities-api/emailsOpened.v2.json"));
    REQUIRE(page.ok());
    REQUIRE(page->IsArray());
    rapidjson::Document one;
    one.CopyFrom((*page)[0], one.GetAllocator());
    const auto now = *parse_iso8601("2025-03-10T12:00:00Z");
    auto message = tools::reconcile_message(std::move(one), now);
    REQUIRE(message.ok());
    CHECK(message->exchange == "lemlist.events");
    CHECK(message->routing_key == "lemlist.events");
    CHECK(message->message_id == "act_x6esGLhoPa2SMHCZ7");  // the activity _id: webhooks collide with it
    CHECK(message->persistent);
    CHECK(message->mandatory);
    CHECK(amqp::header_string(message->headers, "x-source") == "reconcile");
    CHECK(amqp::header_int(message->headers, "x-attempts") == 0);
    CHECK(amqp::header_string(message->headers, "x-received-at") == "2025-03-10T12:00:00.000Z");
    // The body is what the worker parses: the same event back.
    auto ev = lemlist::parse_event(message->body);
    REQUIRE(ev.ok());
    CHECK(ev->type == "emailsOpened");
    CHECK(ev->idempotency_key == "act_x6esGLhoPa2SMHCZ7");

    rapidjson::Document untyped;
    untyped.SetObject();
    auto refused = tools::reconcile_message(std::move(untyped), now);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().find("type") != std::string::npos);
}
