#pragma once
// `sync-worker trace ACTIVITY_ID`: what became of one event, for the operator at 3 a.m., from
// the three places that know: the trace log (every settled delivery of the key within the
// idempotency window: when, from where, which attempt, the outcome and its error, the Person
// and the entry), the dead-letter queue (browsed without ack: nothing moves), and Attio (the
// entry with that activity_id and its Person). Read-only.
//
// Exit codes: 0 the event landed (an entry exists); 1 it did not (dead-lettered, in flight,
// or unknown); 2 a source could not be read.

#include <optional>
#include <string>
#include <vector>

#include "amqp/message.hpp"
#include "tools/runtime.hpp"

namespace las::tools {

// What each source said (pure inputs of the report).
struct trace_sources {
    std::string key;
    std::vector<std::string> lines;              // the trace log, oldest first
    std::optional<std::string> trace_error;      // the log could not be read
    std::optional<amqp::delivery> dead_letter;   // the key's copy in the DLQ
    std::optional<std::string> dlq_error;
    struct attio_entry {
        std::string entry_id;
        std::string record_id;
        std::string occurred_at;
        std::string event_type;
    };
    std::vector<attio_entry> entries;            // entries with activity_id = key
    std::optional<std::string> attio_error;
};

struct trace_report {
    std::vector<std::string> lines;
    int exit_code = 0;
};

trace_report format_trace(const trace_sources& sources);

int trace_command(runtime& rt, const std::string& activity_id);

}  // namespace las::tools
