#pragma once
// `sync-worker dlq list|show|replay|purge [--queue events|enrollments]`: the dead letters of
// one pipeline (`lemlist.events.dlq` or `attio.enrollments.dlq`), inspected and replayed
// over one blocking channel (amqp/sync_channel.hpp).
//
// Reading a dead letter is basic.get WITHOUT ack: while the tool holds a message it is
// invisible to others; when the tool is done (or dies) it closes the channel and the broker
// puts back everything it did not ack. So:
//   list, show  ack nothing;
//   replay      publishes a copy to the pipeline's exchange (x-source=replay, x-attempts=0,
//               the DLQ headers removed, same message_id and body), waits for the broker's
//               confirm, and only THEN acks the dead letter. A copy not confirmed leaves the
//               dead letter where it was (if the copy did land after all, the worker's
//               idempotency drops the second one). When the channel itself is lost, the
//               broker has requeued every held message: the replay stops and says so.
//   purge       acks exactly the messages selected (by id, or by reason), printing each;
//               --dry-run only prints them. Never the whole queue: an id or a reason is required.
// The tools do not declare the topology: a missing queue or exchange is reported, not created.
//
// Exit codes: 0 done; 1 something selected was not replayed/purged or not found; 2 the
// broker or the queue could not be used.

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/message.hpp"
#include "amqp/topology.hpp"
#include "amqp/url.hpp"
#include "core/result.hpp"
#include "core/settings.hpp"
#include "core/time.hpp"

namespace las::tools {

// `events` → lemlist.events, `enrollments` → attio.enrollments.
result<const amqp::pipeline*, std::string> dlq_pipeline(std::string_view name);

// One dead letter, as `dlq list` shows it (pure).
struct dead_letter_row {
    std::string message_id;
    std::string type;  // the event's `type`; `job` / `attio_webhook` on the enrollment DLQ; `?` when unreadable
    std::string reason;
    std::optional<std::int64_t> attempts;
    std::string failed_at;
    std::string last_error;
};
dead_letter_row describe_dead_letter(const amqp::delivery& d);
std::string format_row(const dead_letter_row& row, std::size_t error_width = 80);
std::string row_header();

// `dlq show`: properties, every header, and the body (pretty JSON, or as is).
std::string format_dead_letter(const amqp::delivery& d);

// The copy a replay publishes (pure): to the pipeline's exchange and routing key, same body,
// message_id and content type, x-received-at kept, x-source=replay, x-attempts=0, the DLQ
// headers (x-dlq-reason, x-last-error, x-failed-at) removed; persistent, mandatory.
amqp::publish_request replay_copy(const amqp::delivery& d, const amqp::pipeline& p);

// Which dead letters a replay (or a purge) takes: the named ids; or every one (--all); or
// those matching every filter given: --type (the event type), --reason (x-dlq-reason
// exactly), --since (x-failed-at at or after; a dead letter without a readable x-failed-at
// does not match). No id and no filter selects nothing.
struct dlq_selection {
    bool all = false;
    std::set<std::string, std::less<>> ids;
    std::optional<std::string> type;
    std::optional<std::string> reason;
    std::optional<sys_ms> since;
    bool matches(const dead_letter_row& row) const;
    bool has_filter() const { return type || reason || since; }
};

// The command line of `replay` and `purge`, checked (pure): --id excludes the filters,
// --all excludes everything else, --since is an ISO-8601 time or a duration back from `now`
// (7d, 12h, 30m, as reconcile takes it). `purge` also needs --id or --reason (it never
// empties the whole queue) and has no --all. The error is one line naming the option.
struct dlq_args {
    std::vector<std::string> ids;
    bool all = false;
    std::optional<std::string> type;
    std::optional<std::string> reason;
    std::optional<std::string> since;
};
enum class dlq_verb { replay, purge };
result<dlq_selection, std::string> make_dlq_selection(const dlq_args& args, dlq_verb verb, sys_ms now);

struct dlq_context {
    amqp::connection_settings broker;
    const amqp::pipeline* pipeline = nullptr;
    std::chrono::milliseconds confirm_timeout{5000};
};
// From the worker settings (AMQP_URL) and --queue; throws config_error on a bad AMQP_URL.
dlq_context make_dlq_context(const worker_settings& settings, const amqp::pipeline& pipeline);

// The dead letter whose message id is `message_id`, browsed without ack (every message read is
// given back); nullopt when there is none. The error is one line: what could not be used.
result<std::optional<amqp::delivery>, std::string> find_dead_letter(const dlq_context& ctx, std::string_view message_id);

int dlq_list_command(const dlq_context& ctx, std::size_t limit);
int dlq_show_command(const dlq_context& ctx, const std::string& message_id);
int dlq_replay_command(const dlq_context& ctx, const dlq_selection& selection);
int dlq_purge_command(const dlq_context& ctx, const dlq_selection& selection, bool dry_run);

}  // namespace las::tools
