#pragma once
// Helpers shared by the state-layer tests: a fake wall clock, a temporary directory that
// removes itself, and the Redis URL of the integration tier with a per-run key prefix.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/crypto.hpp"

namespace las::state::test {

class fake_clock {
public:
    using time_point = std::chrono::system_clock::time_point;

    time_point now() const { return time_point(std::chrono::milliseconds(ms_.load())); }
    void advance(std::chrono::milliseconds d) { ms_ += d.count(); }
    auto fn() {
        return [this] { return now(); };
    }

private:
    std::atomic<long long> ms_{1'700'000'000'000};
};

class temp_dir {
public:
    temp_dir() : path_(std::filesystem::temp_directory_path() / ("las-state-test-" + crypto::random_hex(6))) {}
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The integration tier fails loudly without a Redis: a skipped test would hide a regression.
inline std::string redis_url() {
    const char* url = std::getenv("LAS_TEST_REDIS_URL");
    if (url == nullptr || *url == '\0') {
        FAIL("LAS_TEST_REDIS_URL is not set: start Redis (REDIS_PORT=6391 deploy/redis.sh start) and export "
             "LAS_TEST_REDIS_URL=redis://127.0.0.1:6391/ (deploy/test.sh does both)");
    }
    return url;
}

// Keys of one run never collide with an earlier run's leftovers.
inline std::string unique_prefix() { return "las:test:" + crypto::random_hex(6) + ":"; }

}  // namespace las::state::test
