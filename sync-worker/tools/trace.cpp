#include "tools/trace.hpp"

#include <iostream>

#include "amqp/topology.hpp"
#include "core/json.hpp"
#include "sync/attio_schema.hpp"
#include "tools/dlq.hpp"

namespace las::tools {
namespace {

std::string text_of(const rapidjson::Value& doc, std::string_view field) {
    return std::string(json::get_string(doc, field).value_or(""));
}

// One trace line as a readable row: "2026-… attempt 2 (webhook) retry: transient — Attio 503".
std::string describe_line(const std::string& line) {
    const auto doc = json::parse(line);
    if (!doc || !doc->IsObject()) return "  (unreadable trace line) " + line;
    const auto& d = doc.value();
    const auto attempt = static_cast<long long>(json::get_number(d, "attempt").value_or(0));
    std::string out = "  " + text_of(d, "at") + "  attempt " + std::to_string(attempt);
    out += " (" + text_of(d, "source") + ")  " + text_of(d, "outcome");
    if (const auto disposition = text_of(d, "disposition"); !disposition.empty()) out += " → " + disposition;
    if (const auto reason = text_of(d, "reason"); !reason.empty()) out += ": " + reason;
    if (const auto error = text_of(d, "error"); !error.empty()) out += " — " + error;
    if (const auto person = text_of(d, "record_id"); !person.empty()) out += "  Person " + person;
    if (const auto entry = text_of(d, "entry_id"); !entry.empty()) out += "  entry " + entry;
    return out;
}

}  // namespace

trace_report format_trace(const trace_sources& s) {
    trace_report r;
    auto& out = r.lines;
    out.push_back("trace " + s.key);

    if (s.trace_error) {
        out.push_back("deliveries: cannot read the trace log: " + *s.trace_error);
    } else if (s.lines.empty()) {
        out.push_back("deliveries: none recorded (never received, or longer ago than IDEMPOTENCY_TTL_SECONDS)");
    } else {
        const auto first = json::parse(s.lines.front());
        if (first && first->IsObject()) {
            out.push_back("received:   " + text_of(*first, "received_at") + " via " + text_of(*first, "source") + ", type " +
                          text_of(*first, "type"));
        }
        out.push_back("deliveries: " + std::to_string(s.lines.size()));
        for (const auto& line : s.lines) out.push_back(describe_line(line));
    }

    if (s.dlq_error) {
        out.push_back("dead letter: cannot read the DLQ: " + *s.dlq_error);
    } else if (s.dead_letter) {
        const auto row = describe_dead_letter(*s.dead_letter);
        out.push_back("dead letter: reason " + row.reason + ", " +
                      (row.attempts ? std::to_string(*row.attempts) : std::string("?")) + " attempt(s), failed at " +
                      row.failed_at + (row.last_error.empty() ? "" : ": " + row.last_error));
        out.push_back("             replay it with `sync-worker dlq replay --id " + s.key + "` once the cause is fixed");
    } else {
        out.push_back("dead letter: none");
    }

    if (s.attio_error) {
        out.push_back("attio:      cannot look the entry up: " + *s.attio_error);
        r.exit_code = 2;
    } else if (s.entries.empty()) {
        out.push_back("attio:      no entry with activity_id " + s.key + " in " + std::string(sync::events_list_slug));
        if (!r.exit_code) r.exit_code = 1;
    } else {
        for (const auto& e : s.entries) {
            out.push_back("attio:      entry " + e.entry_id + " on Person " + e.record_id + " (" + e.event_type + " at " +
                          e.occurred_at + ")");
        }
        if (s.entries.size() > 1) out.push_back("            WARNING: " + std::to_string(s.entries.size()) + " entries for one event");
    }
    if (r.exit_code == 0 && (s.trace_error || s.dlq_error)) r.exit_code = 2;
    return r;
}

int trace_command(runtime& rt, const std::string& activity_id) {
    trace_sources s;
    s.key = activity_id;

    if (auto lines = rt.state().traces->lines(activity_id)) s.lines = std::move(lines).value();
    else s.trace_error = lines.error().message;

    // The DLQ, browsed: nothing is removed.
    auto dead = find_dead_letter(make_dlq_context(rt.settings(), amqp::lemlist_events()), activity_id);
    if (dead) s.dead_letter = std::move(*dead);
    else s.dlq_error = std::move(dead.error());

    auto& attio = rt.attio("trace");
    auto found = rt.run(attio.find_entries_by_activity_id(std::string(sync::events_list_slug), activity_id));
    if (!found) {
        s.attio_error = found.error().describe();
    } else {
        for (const auto& e : found.value()) {
            trace_sources::attio_entry row{e.entry_id, e.parent_record_id, {}, {}};
            if (const auto* v = json::find(e.values, "occurred_at"); v && v->IsArray() && !v->Empty())
                row.occurred_at = text_of((*v)[0], "value");
            if (const auto* v = json::find(e.values, "event_type"); v && v->IsArray() && !v->Empty())
                row.event_type = text_of((*v)[0], "value");
            s.entries.push_back(std::move(row));
        }
    }

    const auto report = format_trace(s);
    for (const auto& line : report.lines) std::cout << line << "\n";
    std::cout.flush();
    return report.exit_code;
}

}  // namespace las::tools
