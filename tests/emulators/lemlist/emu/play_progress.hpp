#pragma once
// Progress of one delivery job (a play, delivered inserts, or the webhooks of an API
// action), shared by the emulator (which reports it) and the dispatcher (which updates it
// from several coroutines). Counters are atomics; the maps sit behind a mutex.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emu/player.hpp"
#include "emu/time_util.hpp"

namespace las::lemlist_emu {

struct job_summary {
    std::string id;        // ply_… for plays, job_… otherwise
    std::string kind;      // "play" | "insert" | "api"
    std::string campaign_id;
    std::size_t leads = 0;
    std::size_t generated = 0;  // distinct events
    std::size_t hooks = 0;      // hooks registered when the plan was made
    std::size_t planned = 0;    // deliveries, duplicates included
    std::size_t duplicates_planned = 0;
    std::size_t out_of_order_pairs = 0;  // swapped pairs (two deliveries each)
    std::uint64_t seed = 0;
};

class play_progress {
public:
    explicit play_progress(job_summary summary);

    const job_summary& summary() const { return summary_; }

    void started(sys_ms now);
    // One delivery finished: `ok` when a 2xx came back within max_attempts.
    void finished_delivery(bool ok, bool duplicate, bool out_of_order);
    void attempt(unsigned status);  // status 0 = transport error
    void transport_error(const std::string& kind);
    void retry() { retries_.fetch_add(1); }
    void in_flight(int delta) { in_flight_.fetch_add(delta); }
    void finished(sys_ms now);
    void cancel() { cancelled_.store(true); }

    bool cancelled() const { return cancelled_.load(); }
    bool done() const { return done_.load(); }
    std::size_t delivered() const { return delivered_.load(); }
    std::size_t failed() const { return failed_.load(); }
    std::size_t duplicates_sent() const { return duplicates_sent_.load(); }
    std::size_t out_of_order_sent() const { return out_of_order_sent_.load(); }
    std::size_t completed() const { return completed_.load(); }
    std::size_t retries() const { return retries_.load(); }

    std::string to_json() const;

private:
    job_summary summary_;
    std::atomic<std::size_t> delivered_{0}, failed_{0}, completed_{0}, retries_{0}, attempts_{0};
    std::atomic<std::size_t> duplicates_sent_{0}, out_of_order_sent_{0};
    std::atomic<int> in_flight_{0};
    std::atomic<bool> done_{false}, cancelled_{false};
    mutable std::mutex mutex_;
    std::map<unsigned, std::size_t> statuses_;
    std::map<std::string, std::size_t> errors_;
    sys_ms started_at_{}, finished_at_{};
    bool has_started_ = false, has_finished_ = false;
};

// Deliveries to run and how; the progress is shared with the emulator's job list.
struct play_job {
    std::vector<delivery> deliveries;
    delivery_settings settings;
    std::shared_ptr<play_progress> progress;
};

}  // namespace las::lemlist_emu
