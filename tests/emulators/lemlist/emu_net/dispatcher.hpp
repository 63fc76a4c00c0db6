#pragma once
// Executes delivery jobs: POSTs each planned webhook body to its hook's targetUrl through
// las::http::client (one pooled client per target base URL), with bounded concurrency,
// optional pacing (deliveries per second) and retries with exponential backoff for
// transport failures and non-2xx answers. Progress goes to the job's play_progress.
//
// Lemlist does not document its own retry policy; the emulator's (max_attempts tries,
// retry_base × 2^n between them) is a test-friendly choice, set per play.

#include <chrono>
#include <memory>
#include <string>

#include "emu/play_progress.hpp"
#include "core/asio.hpp"

namespace las::lemlist_emu {

class webhook_dispatcher {
public:
    explicit webhook_dispatcher(asio::any_io_executor executor, std::string user_agent = "lemlist-emulator/0.1");
    ~webhook_dispatcher();
    webhook_dispatcher(const webhook_dispatcher&) = delete;
    webhook_dispatcher& operator=(const webhook_dispatcher&) = delete;

    // Starts the job in the background; returns at once. A null job is ignored.
    void start(std::shared_ptr<play_job> job);
    // Completes when every delivery of the job has finished (or the job was cancelled).
    awaitable<void> run(std::shared_ptr<play_job> job);
    // Cancels running jobs: no new attempts start; requests in flight end by their deadline.
    void cancel_all();
    // Jobs started and not finished.
    std::size_t running() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace las::lemlist_emu
