#pragma once
// Deadlines for rabbitmq-c 0.11 calls that have none. In 0.11 `amqp_basic_publish` and
// every RPC write with an infinite deadline, and a broker that stops reading (frozen,
// partitioned) leaves the calling thread blocked in poll() forever. An `io_deadline`
// registers the socket with one process-wide watchdog thread; if the guarded call is
// still running when the deadline passes, the watchdog shuts the socket down
// (shutdown(2), not close(2), so the descriptor cannot be reused underneath), which makes
// the blocked call fail with a socket error that the owner then treats as connection loss.

#include <chrono>
#include <cstdint>

namespace las::amqp {

class io_deadline {
public:
    // Arms the watchdog for `fd` until this object is destroyed or `timeout` elapses.
    // fd < 0 arms nothing.
    io_deadline(int fd, std::chrono::milliseconds timeout);
    ~io_deadline();
    io_deadline(const io_deadline&) = delete;
    io_deadline& operator=(const io_deadline&) = delete;

    // True when the watchdog fired: the socket was shut down because the deadline passed.
    bool expired() const;

private:
    std::uint64_t id_ = 0;
};

}  // namespace las::amqp
