// `sync-worker trace`: the trace line the pipeline writes and the report built from the sources.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/json.hpp"
#include "core/time.hpp"
#include "sync/event_pipeline.hpp"
#include "tools/trace.hpp"

using namespace las;

namespace {

bool has(const std::vector<std::string>& lines, std::string_view needle) {
    return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.find(needle) != std::string::npos; });
}

std::string line_of(sync::processing_outcome::kind k, std::string reason, std::string error, unsigned attempt) {
    sync::processing_outcome o;
    o.what = k;
    o.reason = std::move(reason);
    o.detail = std::move(error);
    if (k == sync::processing_outcome::kind::done) {
        o.record_id = "rec-1";
        o.entry_id = "ent-1";
    }
    return sync::trace_line(o, k == sync::processing_outcome::kind::done ? "ack" : "retry", "emailsOpened", "",
                            "2026-12-07T10:00:00.000Z", attempt, *parse_iso8601("2026-12-07T10:00:0" + std::to_string(attempt) + "Z"));
}

}  // namespace

TEST_CASE("a trace line says when, from where, which attempt, the outcome and what it touched") {
    const auto line = line_of(sync::processing_outcome::kind::done, "", "", 2);
    auto doc = json::parse(line);
    REQUIRE(doc.ok());
    CHECK(json::get_string(*doc, "source") == "webhook");  // no x-source: a webhook
    CHECK(json::get_number(*doc, "attempt") == 2.0);
    CHECK(json::get_string(*doc, "outcome") == "done");
    CHECK(json::get_string(*doc, "record_id") == "rec-1");
    CHECK(json::get_string(*doc, "entry_id") == "ent-1");
    CHECK_FALSE(json::find(*doc, "error"));  // empty fields are left out
}

TEST_CASE("the trace report: deliveries, the dead letter and the entry - exit code says whether it landed") {
    tools::trace_sources s;
    s.key = "act_9";
    s.lines = {line_of(sync::processing_outcome::kind::retry, "transient", "transient (503): Attio down", 1),
               line_of(sync::processing_outcome::kind::done, "", "", 2)};
    s.entries.push_back({"ent-1", "rec-1", "2026-12-07T09:59:00.000000000Z", "emailsOpened"});
    auto r = tools::format_trace(s);
    INFO([&] { std::string t; for (const auto& l : r.lines) t += l + "\n"; return t; }());
    CHECK(r.exit_code == 0);
    CHECK(has(r.lines, "received:   2026-12-07T10:00:00.000Z via webhook, type emailsOpened"));
    CHECK(has(r.lines, "attempt 1 (webhook)  retry → retry: transient — transient (503): Attio down"));
    CHECK(has(r.lines, "attempt 2 (webhook)  done → ack  Person rec-1  entry ent-1"));
    CHECK(has(r.lines, "dead letter: none"));
    CHECK(has(r.lines, "attio:      entry ent-1 on Person rec-1"));

    // Dead-lettered, never landed.
    tools::trace_sources d;
    d.key = "act_dead";
    amqp::delivery dl;
    dl.message_id = "act_dead";
    dl.body = R"({"type":"emailsOpened"})";
    dl.headers.insert_or_assign("x-dlq-reason", std::string("unmatched"));
    dl.headers.insert_or_assign("x-attempts", std::int64_t{1});
    d.dead_letter = dl;
    r = tools::format_trace(d);
    CHECK(r.exit_code == 1);
    CHECK(has(r.lines, "dead letter: reason unmatched, 1 attempt(s)"));
    CHECK(has(r.lines, "dlq replay --id act_dead"));
    CHECK(has(r.lines, "deliveries: none recorded"));
    CHECK(has(r.lines, "attio:      no entry with activity_id act_dead"));

    // Two entries for one event is said loudly.
    s.entries.push_back({"ent-2", "rec-1", "", ""});
    CHECK(has(tools::format_trace(s).lines, "WARNING: 2 entries for one event"));
}
