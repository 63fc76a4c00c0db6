#pragma once
// A small blocking Redis client over hiredis 0.14, for the worker's state: a connection with
// a connect timeout and a command timeout, AUTH/SELECT from the URL, and a reconnect on the
// next call after any I/O error (the old context is dropped: after a timeout its pending reply
// would answer the wrong command). redis_client is a small pool of such connections, so the
// worker's io threads do not queue behind one socket. Server error replies come back as
// values (type error); transport failures as store_error. Never throws after construction.
// SIGPIPE from a peer that closed is blocked and consumed around each command.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "state/store_error.hpp"

struct redisContext;

namespace las::state {

struct redis_endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::optional<std::string> user;      // Redis 6 ACL user; AUTH user password
    std::optional<std::string> password;  // AUTH password
    unsigned db = 0;                      // SELECT db when not 0
};

// redis://[[user]:password@]host[:port][/db]  (host may be [v6]; user and password are
// percent-decoded). The error names what is wrong, never the password.
result<redis_endpoint, std::string> parse_redis_url(std::string_view url);

struct redis_options {
    std::chrono::milliseconds connect_timeout{1'000};
    std::chrono::milliseconds command_timeout{1'000};
    // After a failed connect, calls fail at once for this long instead of each waiting for
    // its own connect timeout while Redis is down.
    std::chrono::milliseconds reconnect_backoff{200};
    unsigned pool_size = 4;
};

// A reply copied out of hiredis (replies here are small).
struct redis_value {
    enum class type { nil, string, integer, array, status, error };
    type kind = type::nil;
    std::string str;  // string, status, error
    long long integer = 0;
    std::vector<redis_value> elements;

    bool is_error() const { return kind == type::error; }
};

// A Lua script: its SHA1 is computed locally, so EVALSHA needs no round trip first.
class redis_script {
public:
    explicit redis_script(std::string source);
    const std::string& source() const { return source_; }
    const std::string& sha1() const { return sha1_; }

private:
    std::string source_;
    std::string sha1_;
};

class redis_connection {
public:
    redis_connection(redis_endpoint endpoint, redis_options options);
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    // Sends one command (binary-safe arguments) and waits at most the command timeout.
    result<redis_value, store_error> command(const std::vector<std::string_view>& args);

private:
    struct context_free {
        void operator()(redisContext* c) const;
    };
    result<bool, store_error> connect_locked();
    result<redis_value, store_error> send_locked(const std::vector<std::string_view>& args);

    redis_endpoint endpoint_;
    redis_options options_;
    std::mutex mutex_;
    std::unique_ptr<redisContext, context_free> context_;
    std::chrono::steady_clock::time_point next_connect_{};
    store_error last_error_;
    bool reported_down_ = false;
};

class redis_client {
public:
    // Throws std::invalid_argument naming REDIS_URL when the URL is malformed (start-up).
    explicit redis_client(std::string_view url, redis_options options = {});

    result<redis_value, store_error> command(const std::vector<std::string_view>& args);
    result<redis_value, store_error> command(std::initializer_list<std::string_view> args) {
        return command(std::vector<std::string_view>(args));
    }

    // EVALSHA, falling back to EVAL when the server does not know the script (restarted,
    // flushed). An error reply from the script becomes a store_error (kind failed).
    result<redis_value, store_error> eval(const redis_script& script, const std::vector<std::string_view>& keys,
                                          const std::vector<std::string_view>& args);

    // SCRIPT LOAD on one connection (they share the server's cache); fails when the SHA1
    // the server reports differs from ours.
    result<bool, store_error> load(const redis_script& script);

    // PING.
    result<bool, store_error> ping();

private:
    redis_connection& pick();

    std::vector<std::unique_ptr<redis_connection>> pool_;
    std::atomic<unsigned> next_{0};
};

}  // namespace las::state
