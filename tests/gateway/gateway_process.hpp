#pragma once
// The real ingest-gateway binary as a child process on an ephemeral port (on
// support/child_process.hpp, with a clean environment), and a small
// blocking keep-alive HTTP client to talk to it (with socket timeouts, so a hung gateway
// fails the test instead of hanging it). The child is always killed at scope exit.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/asio.hpp"
#include "support/child_process.hpp"

namespace las::gateway::test {

using las::test::env_list;

class gateway_process {
public:
    // Starts LAS_GATEWAY_BIN with GATEWAY_LISTEN=127.0.0.1:0 plus `env` (later entries win)
    // and waits for its "listening on" line. FAILs the test if it does not come up.
    explicit gateway_process(env_list env);
    ~gateway_process();
    gateway_process(const gateway_process&) = delete;
    gateway_process& operator=(const gateway_process&) = delete;

    std::uint16_t port() const { return port_; }
    pid_t pid() const;
    // Sends `signal` and waits up to `timeout`; returns the exit code (-1 killed by a
    // signal, -2 still running after the timeout: then it is SIGKILLed).
    int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(20));
    void kill_now();  // SIGKILL, reaped
    // What the child wrote to stderr so far (its log).
    std::string log() const;

private:
    std::unique_ptr<las::test::child> process_;
    std::uint16_t port_ = 0;
};

// The gateway's exit status and output when run to completion (for --help / bad settings).
using las::test::run_result;
run_result run_gateway(const std::vector<std::string>& args, const env_list& env,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct http_reply {
    unsigned status = 0;  // 0: transport failure (connection refused/reset, timeout)
    std::string body;
    std::map<std::string, std::string> headers;  // lowercase names
    std::string error;
};

class http_client {
public:
    explicit http_client(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    http_reply request(http_proto::verb method, const std::string& target, const std::string& body = {},
                       const std::vector<std::pair<std::string, std::string>>& headers = {});
    http_reply post_json(const std::string& target, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        auto h = headers;
        h.emplace_back("Content-Type", "application/json");
        return request(http_proto::verb::post, target, body, h);
    }
    http_reply get(const std::string& target) { return request(http_proto::verb::get, target); }

private:
    bool connect();
    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    asio::io_context ioc_;
    std::optional<tcp::socket> socket_;
    beast::flat_buffer buffer_;
};

// LAS_TEST_AMQP_URL; FAILs the test with a clear message when unset.
std::string test_amqp_url();

// A realistic Lemlist event with a distinct `_id`.
std::string lemlist_event(const std::string& id, const std::string& secret = {});

}  // namespace las::gateway::test
