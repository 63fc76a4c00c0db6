#include "emulator_process.hpp"

#include <csignal>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace las::test {

std::optional<std::filesystem::path> find_binary(const std::string& name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path root(LAS_BINARY_DIR);
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().filename() == name && it->is_regular_file(ec) && ::access(it->path().c_str(), X_OK) == 0) {
            return it->path();
        }
    }
    return std::nullopt;
}

emulator_process::emulator_process(const std::string& name, std::vector<std::string> extra_args,
                                   std::chrono::seconds startup_timeout) {
    const auto binary = find_binary(name);
    if (!binary) {
        throw std::runtime_error(name + " is not built under " + std::string(LAS_BINARY_DIR) + " (build the target " +
                                 name + " first)");
    }
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));

    std::vector<std::string> args{binary->string(), "--listen", "127.0.0.1:0"};
    for (auto& a : extra_args) args.push_back(std::move(a));
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    stdout_fd_ = fds[0];

    // Read lines until the announcement, within the deadline.
    const std::string marker = name + " listening on 127.0.0.1:";
    std::string buffer;
    const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
    while (port_ == 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            stop();
            throw std::runtime_error(name + " did not announce its port within the deadline; output: " + buffer);
        }
        pollfd p{stdout_fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char chunk[512];
        const auto n = ::read(stdout_fd_, chunk, sizeof chunk);
        if (n <= 0) {
            stop();
            throw std::runtime_error(name + " exited before announcing its port; output: " + buffer);
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
        if (const auto at = buffer.find(marker); at != std::string::npos) {
            const auto digits = buffer.find_first_not_of("0123456789", at + marker.size());
            if (digits == std::string::npos) continue;  // the number may still be arriving
            port_ = static_cast<std::uint16_t>(std::stoul(buffer.substr(at + marker.size(), digits - at - marker.size())));
        }
    }
    drain_ = std::thread([fd = stdout_fd_] {
        char chunk[4096];
        while (::read(fd, chunk, sizeof chunk) > 0) {
        }
    });
}

emulator_process::~emulator_process() { stop(); }

void emulator_process::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        pid_ = -1;
    }
    if (drain_.joinable()) drain_.join();  // the pipe reaches EOF once the child is gone
    if (stdout_fd_ >= 0) {
        ::close(stdout_fd_);
        stdout_fd_ = -1;
    }
}

}  // namespace las::test
