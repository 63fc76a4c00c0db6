#include "amqp/watchdog.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace las::amqp {
namespace {

using clock = std::chrono::steady_clock;

class watchdog {
public:
    static watchdog& instance() {
        // Leaked on purpose: the thread may outlive static destruction at exit.
        static watchdog* const w = new watchdog();
        return *w;
    }

    std::uint64_t arm(int fd, clock::time_point deadline) {
        std::lock_guard lock(mutex_);
        const auto id = ++next_id_;
        entries_.emplace(id, entry{fd, deadline, false});
        // The thread never sleeps past `sleeping_until_` (at most a second), so the usual
        // multi-second deadline needs no wake-up: arming stays a lock and an insert.
        if (deadline < sleeping_until_) cv_.notify_one();
        return id;
    }

    void disarm(std::uint64_t id) {
        std::lock_guard lock(mutex_);
        entries_.erase(id);
    }

    bool fired(std::uint64_t id) {
        std::lock_guard lock(mutex_);
        const auto it = entries_.find(id);
        return it != entries_.end() && it->second.fired;
    }

private:
    struct entry {
        int fd;
        clock::time_point deadline;
        bool fired;
    };

    watchdog() { std::thread([this] { run(); }).detach(); }

    clock::time_point earliest_deadline() const {
        auto earliest = clock::time_point::max();
        for (const auto& [id, e] : entries_) {
            if (!e.fired && e.deadline < earliest) earliest = e.deadline;
        }
        return earliest;
    }

    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            sleeping_until_ = std::min(earliest_deadline(), clock::now() + std::chrono::seconds(1));
            cv_.wait_until(lock, sleeping_until_);
            const auto now = clock::now();
            for (auto& [id, e] : entries_) {
                if (!e.fired && e.deadline <= now) {
                    // Under the mutex: the owner cannot have closed the fd yet, since it
                    // disarms (same mutex) before it destroys the connection.
                    ::shutdown(e.fd, SHUT_RDWR);
                    e.fired = true;
                }
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::map<std::uint64_t, entry> entries_;
    std::uint64_t next_id_ = 0;
    clock::time_point sleeping_until_ = clock::time_point::min();
};

}  // namespace

io_deadline::io_deadline(int fd, std::chrono::milliseconds timeout) {
    if (fd >= 0) id_ = watchdog::instance().arm(fd, clock::now() + timeout);
}

io_deadline::~io_deadline() {
    if (id_ != 0) watchdog::instance().disarm(id_);
}

bool io_deadline::expired() const { return id_ != 0 && watchdog::instance().fired(id_); }

}  // namespace las::amqp
