#pragma once
// Test-side helpers: a small keep-alive HTTP/1.1 client with a deadline on every exchange,
// and a child process running the real attio-emulator executable (always stopped).

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "support/child_process.hpp"

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

// Starts the executable with `args` (its --listen among them) and waits for
// "attio-emulator listening on ADDR:PORT" (support/child_process.hpp).
class emulator_process {
public:
    explicit emulator_process(std::vector<std::string> args);

    unsigned short port() const { return port_; }
    // The line the emulator announced itself with.
    std::string banner() const;
    // SIGTERM and wait; the exit status (or -1 when it had to be killed).
    int stop();

private:
    std::unique_ptr<las::test::child> process_;
    unsigned short port_ = 0;
};

}  // namespace attio_test
