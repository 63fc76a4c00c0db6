#pragma once
// The enrollment side of `sync-worker run`: a second consumer, on `attio.enrollments`
// (small prefetch: one job is up to 250 Lemlist calls), beside the event pipeline.
//
// A delivery is a job from the gateway's POST /v1/enrollments, or a raw Attio webhook body
// (x-source=attio_webhook) whose list-entry.created/.updated events on the enrollment list
// enroll the entry's parent Person into the campaign named by the entry's campaign attribute
// once it holds a cam_… id, with the entry's options over the TOML defaults, once per entry
// and campaign (enrollment_entry.hpp). The records run with bounded concurrency through the
// enrollment_processor; the job then settles like an event (disposition.hpp, names of amqp::attio_enrollments()):
//   every record settled                       → ack
//   some record failed transiently             → the whole job to the retry ladder (records
//                                                already settled are skipped next time);
//                                                retries exhausted → `failed` written on
//                                                those Persons, the job dead-lettered
//   another worker holds a record              → deferred (first rung, same attempt)
//   something for an operator (Person missing, → DLQ with the reason; a replay redoes only
//   Attio refused the write-back, bad job)       what had not completed
// Republish confirmed, then ack; an unconfirmed republish requeues the original.
// A job with reply_to/correlation_id (the gateway's ?wait=true, direct reply-to) gets its
// results once the job is settled: {"job_id","results":[{"record_id","status",…}]}.
// With track_jobs(), the gateway's jobs (job_…) also leave their progress in the job store
// for GET /v1/enrollments/{job_id}: running when taken, each record as it settles, queued
// when the job goes back to the queue, done when settled (best effort: a store failure is
// logged, never fails the job).

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amqp/consumer.hpp"
#include "amqp/publisher.hpp"
#include "attio/client.hpp"
#include <boost/asio/thread_pool.hpp>

#include "core/metrics.hpp"
#include "core/asio.hpp"
#include "state/job_store.hpp"
#include "sync/enrollment_job.hpp"
#include "sync/enrollment_processor.hpp"
#include "sync/event_processor.hpp"

namespace las::sync {

struct enrollment_pipeline_settings {
    unsigned max_attempts = 8;
    std::uint16_t prefetch = 4;
    std::size_t record_concurrency = 4;  // records of one job in flight
    enrollment_defaults defaults;        // flags a job leaves out, and Attio-triggered enrollments
    std::string enrollment_list = "lemlist_enrollments";
    std::string campaign_attribute = "lemlist_campaign_id";
};

// The job's outcome from its records' (pure): any retry → retry; else any deferred →
// deferred; else any dead_letter → dead_letter; else done. The reason and detail are the
// first such record's; retry_after the longest asked for.
processing_outcome job_outcome(const std::vector<record_outcome>& records);

// The reply items for settled records (a record still pending is reported `failed`).
std::vector<reply_item> reply_items(const std::vector<record_outcome>& records);

class enrollment_pipeline {
public:
    enrollment_pipeline(asio::io_context& io, amqp::connection_settings broker, amqp::publisher& publisher,
                        enrollment_processor& processor, attio::client& attio, metrics::registry& registry,
                        enrollment_pipeline_settings settings);
    ~enrollment_pipeline();

    // Before start(): record job progress in `jobs` (blocking calls run on `blocking`).
    void track_jobs(state::job_store& jobs, asio::thread_pool& blocking);

    void start();
    // Stops taking jobs and waits up to `drain` for those in flight. Blocks: call it off the I/O thread.
    void stop(std::chrono::milliseconds drain);

    bool consuming() const;
    std::size_t in_flight() const { return in_flight_.load(); }

private:
    struct job_run;
    awaitable<void> handle(amqp::delivery delivery);
    awaitable<job_run> run_api_job(const amqp::delivery& delivery);
    awaitable<job_run> run_attio_webhook(const amqp::delivery& delivery);
    awaitable<std::vector<record_outcome>> run_records(std::vector<record_request> requests);
    awaitable<std::optional<record_outcome>> resolve_entry(const attio_entry_event& event,
                                                           std::vector<record_request>& requests,
                                                           const std::string& job_id, bool replay);
    void reply(const amqp::delivery& delivery, std::string body);
    bool tracked(const std::string& job_id) const;
    awaitable<void> note_begin(const std::string& job_id, std::size_t total);
    awaitable<void> note_settled(const std::string& job_id, const reply_item& item);
    awaitable<void> note_state(const std::string& job_id, state::job_state s);

    asio::io_context& io_;
    amqp::connection_settings broker_;
    amqp::publisher& publisher_;
    enrollment_processor& processor_;
    attio::client& attio_;
    enrollment_pipeline_settings settings_;
    std::unique_ptr<amqp::consumer> consumer_;
    std::atomic<std::size_t> in_flight_{0};
    std::optional<std::string> list_id_;  // the enrollment list's id, read once (I/O thread only)
    state::job_store* job_store_ = nullptr;
    asio::thread_pool* blocking_ = nullptr;

    metrics::family<metrics::counter>& jobs_;
    metrics::family<metrics::counter>& records_;
    metrics::counter& republish_failures_;
};

}  // namespace las::sync
