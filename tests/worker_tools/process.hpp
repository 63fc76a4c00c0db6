#pragma once
// Child processes for the worker_tools integration tests: the sync-worker binary (the
// contract under test) and the emulators, run from LAS_BINARY_DIR with extra environment,
// their stdout and stderr captured. A background process is always stopped (SIGTERM, then
// SIGKILL) when its object goes away.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <utility>
#include <vector>

namespace las::tools_test {

using env_list = std::vector<std::pair<std::string, std::string>>;

// The executable `name` under LAS_BINARY_DIR (searched recursively); throws when not built.
std::filesystem::path binary(const std::string& name);

class child {
public:
    // Starts `args[0]` with `args`, the current environment plus `env` (which wins).
    child(std::vector<std::string> args, const env_list& env);
    ~child();
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    // Waits until stdout+stderr contain `text`; false at the deadline or when the child exited first.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
    // Waits for the exit; nullopt at the deadline (the child is then killed).
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // SIGTERM, then waits up to `grace` (SIGKILL after): the exit code, or -signal.
    int terminate(std::chrono::milliseconds grace = std::chrono::seconds(10));

    std::string out() const;
    std::string err() const;
    pid_t pid() const { return pid_; }

private:
    void reap(int status);

    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    mutable std::mutex mutex_;
    std::condition_variable output_cv_;
    std::string out_, err_;
    std::thread out_reader_, err_reader_;
};

struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs to completion (killed after `timeout`, exit code -1 then).
run_result run(std::vector<std::string> args, const env_list& env,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

// An emulator on an ephemeral port ("<name> listening on 127.0.0.1:PORT").
class emulator {
public:
    explicit emulator(const std::string& name, std::vector<std::string> extra_args = {});
    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    std::unique_ptr<child> process_;
    std::uint16_t port_ = 0;
};

}  // namespace las::tools_test
