#include "amqp/wakeup.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>

namespace las::amqp {

wakeup::wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

wakeup::~wakeup() {
    if (fd_ >= 0) ::close(fd_);
}

void wakeup::notify() noexcept {
    const std::uint64_t one = 1;
    // EAGAIN only when the counter is saturated: it is already signalled.
    [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
}

void wakeup::drain() noexcept {
    std::uint64_t value = 0;
    [[maybe_unused]] const auto n = ::read(fd_, &value, sizeof value);
}

wait_result wait_for(int socket_fd, wakeup& wake, std::chrono::milliseconds timeout) {
    pollfd fds[2]{};
    int n = 0;
    fds[n++] = pollfd{wake.fd(), POLLIN, 0};
    if (socket_fd >= 0) fds[n++] = pollfd{socket_fd, POLLIN, 0};
    const int ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, timeout.count()));
    const int rc = ::poll(fds, static_cast<nfds_t>(n), ms);
    wait_result r;
    if (rc <= 0) return r;  // timeout or EINTR: the caller loops anyway
    r.woken = (fds[0].revents & POLLIN) != 0;
    if (n == 2) r.socket_readable = fds[1].revents != 0;
    return r;
}

}  // namespace las::amqp
