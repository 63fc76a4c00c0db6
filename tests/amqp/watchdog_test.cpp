#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "amqp/watchdog.hpp"
#include "amqp/wakeup.hpp"

using namespace las::amqp;
using namespace std::chrono_literals;

namespace {
struct socket_pair {
    int fd[2]{-1, -1};
    socket_pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
    ~socket_pair() {
        ::close(fd[0]);
        ::close(fd[1]);
    }
};
}  // namespace

TEST_CASE("watchdog: a call still blocked at its deadline is released by shutting the socket down") {
    socket_pair s;
    io_deadline deadline(s.fd[0], 100ms);
    char c;
    // Nobody writes to fd[1]: without the watchdog this recv would block forever.
    const auto n = ::recv(s.fd[0], &c, 1, 0);
    CHECK(n == 0);  // EOF after shutdown(2)
    CHECK(deadline.expired());
}

TEST_CASE("watchdog: a disarmed deadline never fires") {
    socket_pair s;
    {
        io_deadline deadline(s.fd[0], 50ms);
        CHECK_FALSE(deadline.expired());
    }
    std::this_thread::sleep_for(200ms);
    REQUIRE(::send(s.fd[1], "x", 1, 0) == 1);
    char c = 0;
    CHECK(::recv(s.fd[0], &c, 1, 0) == 1);
    CHECK(c == 'x');
}

TEST_CASE("wakeup: a notification interrupts a wait, and once drained the next wait times out") {
    wakeup wake;
    std::thread notifier([&] {
        std::this_thread::sleep_for(50ms);
        wake.notify();
    });
    const auto r = wait_for(-1, wake, 10s);
    notifier.join();
    CHECK(r.woken);
    CHECK_FALSE(r.socket_readable);
    wake.drain();
    CHECK_FALSE(wait_for(-1, wake, 10ms).woken);
}
