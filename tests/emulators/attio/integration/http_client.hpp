#pragma once
// Test-side helpers: a small keep-alive HTTP/1.1 client with a deadline on every exchange,
// and a child process running the real attio-emulator executable (always stopped).

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

#include "core/asio.hpp"

namespace attio_test {

struct http_reply {
    unsigned status = 0;  // 0 when the connection failed or closed without an answer
    std::string body;
    std::map<std::string, std::string> headers;  // lowercase names
    std::string error;
};

class test_client {
public:
    test_client(std::string host, unsigned short port);
    ~test_client();
    test_client(const test_client&) = delete;
    test_client& operator=(const test_client&) = delete;

    http_reply send(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::string& authorization = "Bearer attio-sandbox-key",
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    las::asio::io_context ioc_;
    las::beast::tcp_stream stream_;
    las::beast::flat_buffer buffer_;
    std::string host_;
    unsigned short port_;
    bool connected_ = false;
};

// Starts the executable with `args`, waits for "attio-emulator listening on ADDR:PORT".
class emulator_process {
public:
    explicit emulator_process(std::vector<std::string> args);
    ~emulator_process();
    emulator_process(const emulator_process&) = delete;
    emulator_process& operator=(const emulator_process&) = delete;

    unsigned short port() const { return port_; }
    const std::string& banner() const { return banner_; }
    // SIGTERM and wait; the exit status (or -1 when it had to be killed).
    int stop();

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    unsigned short port_ = 0;
    std::string banner_;
};

}  // namespace attio_test
