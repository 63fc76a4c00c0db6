#pragma once
// `sync-worker enroll --campaign ID (--record ID… | --from-file F) [--dry-run] [--find-email …]`:
// bulk enrollment from the command line. The records are processed directly (not through
// the queue) by the same enrollment_processor as the worker's jobs, with bounded concurrency
// and progress lines; transient failures are retried in place a few times, then recorded as
// `failed` on the Person. Every status (enrolled, duplicate, rejected, failed) is written
// back on the Person. Exit code 1 when any record failed, 2 when nothing could start (bad
// ids, bad campaign, missing settings).

#include <chrono>
#include <memory>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "amqp/publisher.hpp"
#include "amqp/topology.hpp"
#include "amqp/url.hpp"
#include "core/result.hpp"
#include "core/settings.hpp"
#include "outbound/lemlist_client.hpp"
#include "tools/runtime.hpp"

namespace las::sync {
class enrollment_processor;
class enrollment_pipeline;
}  // namespace las::sync

namespace las::tools {

// An Attio record id: a UUID (8-4-4-4-12 hex digits, either case).
bool is_record_id(std::string_view id);

struct record_list {
    std::vector<std::string> ids;        // valid, de-duplicated, in order
    std::vector<std::string> problems;   // "line 3: \"abc\" is not an Attio record id (a UUID)"
    std::vector<std::string> notes;      // "line 9: duplicate of line 2, skipped"
};

// A record file: one id per line; `#` starts a comment; blank lines are ignored.
record_list parse_record_file(std::string_view text);
// --record arguments (problems name the argument instead of a line).
record_list check_record_args(const std::vector<std::string>& ids);

struct enroll_options {
    std::string campaign_id;
    std::vector<std::string> record_ids;
    outbound::enrollment_flags flags;
    std::optional<std::string> icebreaker;
    bool dry_run = false;
    std::size_t concurrency = 4;
    unsigned attempts = 4;                                    // per record, for transient failures
    std::chrono::milliseconds retry_base{std::chrono::seconds(2)};  // doubles per attempt
    std::vector<std::string> notes;                           // e.g. duplicate ids skipped
};

// The command line as given. Unset flags take the TOML enrollment defaults.
struct enroll_args {
    std::string campaign_id;
    std::vector<std::string> record_ids;  // --record
    std::optional<std::string> from_file;
    std::optional<bool> find_email, verify_email, find_phone, linkedin_enrichment, deduplicate;
    std::optional<std::string> icebreaker;
    bool dry_run = false;
    std::size_t concurrency = 4;
};
// Checks the campaign, reads and checks the record ids (the file, or --record); the error
// lists every problem, one per line, with line numbers for a file.
result<enroll_options, std::vector<std::string>> make_enroll_options(const enroll_args& args,
                                                                     const enrollment_defaults& defaults);

struct enroll_tally {
    std::size_t enrolled = 0, duplicate = 0, rejected = 0, failed = 0;
    std::size_t done() const { return enrolled + duplicate + rejected + failed; }
    // "[120/500] enrolled=100 duplicate=12 rejected=5 failed=3"
    std::string progress_line(std::size_t total) const;
};

int enroll_command(runtime& rt, const enroll_options& options);

// The enrollment side of `sync-worker run`: consumes `attio.enrollments` beside the event
// pipeline (sync/enrollment_pipeline.hpp). Needs LEMLIST_API_KEY; without it the consumer is
// not started (one warning line) and jobs wait in the queue.
class enrollment_consumer {
public:
    enrollment_consumer(runtime& rt, const amqp::connection_settings& broker, amqp::publisher& publisher);
    ~enrollment_consumer();
    enrollment_consumer(const enrollment_consumer&) = delete;
    enrollment_consumer& operator=(const enrollment_consumer&) = delete;

    // Stops taking jobs and waits up to `drain` for those in flight. Blocks: not on the I/O thread.
    void stop(std::chrono::milliseconds drain);
    // For /readyz: consuming, or deliberately not started.
    bool ready() const;

private:
    std::unique_ptr<sync::enrollment_processor> processor_;
    std::unique_ptr<sync::enrollment_pipeline> pipeline_;
};

}  // namespace las::tools
