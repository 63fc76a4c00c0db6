#pragma once
// How other threads wake an AMQP owner thread that sleeps in poll(2) on its socket: an
// eventfd polled next to the socket. Internal to the amqp area.

#include <chrono>

namespace las::amqp {

class wakeup {
public:
    wakeup();  // throws std::system_error if no eventfd can be created (start-up failure)
    ~wakeup();
    wakeup(const wakeup&) = delete;
    wakeup& operator=(const wakeup&) = delete;

    // Any thread: makes the next (or current) wait return.
    void notify() noexcept;
    // Owner thread: clears pending notifications.
    void drain() noexcept;
    int fd() const noexcept { return fd_; }

private:
    int fd_ = -1;
};

struct wait_result {
    bool socket_readable = false;  // includes errors/hang-up: the next read reports them
    bool woken = false;
};

// Waits until `socket_fd` is readable, `wake` is notified, or `timeout` passes.
// socket_fd < 0 waits on the wakeup alone (an interruptible sleep).
wait_result wait_for(int socket_fd, wakeup& wake, std::chrono::milliseconds timeout);

}  // namespace las::amqp
