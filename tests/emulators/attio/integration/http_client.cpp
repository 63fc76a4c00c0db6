#include "http_client.hpp"

#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace attio_test {

using namespace las;

test_client::test_client(std::string host, unsigned short port)
    : stream_(ioc_), host_(std::move(host)), port_(port) {}

test_client::~test_client() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
}

http_reply test_client::send(const std::string& method, const std::string& target, const std::string& body,
                             const std::string& authorization, std::chrono::milliseconds timeout) {
    http_reply out;
    bool done = false;
    boost::system::error_code ec;
    http_proto::request<http_proto::string_body> req{http_proto::string_to_verb(method), target, 11};
    req.set(http_proto::field::host, host_);
    if (!authorization.empty()) req.set(http_proto::field::authorization, authorization);
    if (!body.empty()) req.set(http_proto::field::content_type, "application/json");
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    http_proto::response<http_proto::string_body> res;

    const auto on_read = [&](boost::system::error_code e, std::size_t) {
        ec = e;
        done = true;
    };
    const auto on_write = [&](boost::system::error_code e, std::size_t) {
        if (e) {
            ec = e;
            done = true;
            return;
        }
        http_proto::async_read(stream_, buffer_, res, on_read);
    };
    const auto start = [&] {
        stream_.expires_after(timeout);
        http_proto::async_write(stream_, req, on_write);
    };
    if (!connected_) {
        stream_.expires_after(timeout);
        stream_.async_connect(tcp::endpoint(asio::ip::make_address(host_), port_), [&](boost::system::error_code e) {
            if (e) {
                ec = e;
                done = true;
                return;
            }
            connected_ = true;
            start();
        });
    } else {
        start();
    }
    ioc_.restart();
    ioc_.run();  // every operation has the stream's deadline
    if (!done || ec) {
        out.error = ec ? ec.message() : "no answer";
        connected_ = false;
        boost::system::error_code ignored;
        stream_.socket().close(ignored);
        buffer_.clear();
        return out;
    }
    out.status = res.result_int();
    out.body = res.body();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
    }
    if (!res.keep_alive()) {
        connected_ = false;
        boost::system::error_code ignored;
        stream_.socket().close(ignored);
        buffer_.clear();
    }
    return out;
}

emulator_process::emulator_process(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        std::vector<char*> argv;
        std::string exe = ATTIO_EMULATOR_EXE;
        argv.push_back(exe.data());
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(exe.c_str(), argv.data());
        _exit(127);
    }
    close(fds[1]);
    // Read the banner line, 10 s at most.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string line;
    while (line.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[256];
        const auto n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        line.append(buf, static_cast<std::size_t>(n));
    }
    stdout_fd_ = fds[0];  // kept open until stop(): a closed pipe would SIGPIPE the child
    banner_ = line.substr(0, line.find('\n'));
    const auto colon = banner_.rfind(':');
    if (banner_.rfind("attio-emulator listening on ", 0) != 0 || colon == std::string::npos) {
        stop();
        throw std::runtime_error("attio-emulator did not start: \"" + banner_ + "\"");
    }
    port_ = static_cast<unsigned short>(std::stoul(banner_.substr(colon + 1)));
}

emulator_process::~emulator_process() { stop(); }

int emulator_process::stop() {
    if (stdout_fd_ >= 0) {
        close(stdout_fd_);
        stdout_fd_ = -1;
    }
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {  // 10 s
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        usleep(100'000);
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
}

}  // namespace attio_test
