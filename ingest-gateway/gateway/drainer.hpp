#pragma once
// Moves spooled messages to the broker once it is connected, oldest first, on its own
// thread: a window of records is published pipelined (on the publisher's one channel, so
// their queue order is the spool order) and the window's longest confirmed prefix is then
// removed from the spool. Anything not confirmed stays and is retried after a pause; a
// confirmed message behind it is published again (the worker dedupes by message_id).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gateway/metrics.hpp"
#include "gateway/ports.hpp"
#include "gateway/spool.hpp"

namespace las::gateway {

struct drainer_options {
    std::size_t window = 512;                       // records published before waiting for their confirms
    std::chrono::milliseconds retry_delay{1000};    // after a window that was not fully confirmed
    std::chrono::milliseconds poll{250};            // re-check even without a wake-up
};

class spool_drainer {
public:
    spool_drainer(spool& s, broker_port& broker, gateway_metrics& metrics, drainer_options options = {});
    ~spool_drainer();  // stop()
    spool_drainer(const spool_drainer&) = delete;
    spool_drainer& operator=(const spool_drainer&) = delete;

    void start();
    // Finishes the window in flight (the publisher completes every publish by its
    // deadline), then joins. Idempotent.
    void stop();
    // Something changed (records stored, broker connected): look again now.
    void notify();

    std::uint64_t drained() const { return drained_.load(); }

private:
    void run();
    // One window; false when it was not fully confirmed.
    bool drain_window();

    spool& spool_;
    broker_port& broker_;
    gateway_metrics& metrics_;
    drainer_options options_;

    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool poked_ = false;
    std::atomic<std::uint64_t> drained_{0};
    std::thread thread_;
};

}  // namespace las::gateway
