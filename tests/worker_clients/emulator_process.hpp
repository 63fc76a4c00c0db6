#pragma once
// Runs an emulator executable (attio-emulator, lemlist-emulator) as a child process for one
// test: `--listen 127.0.0.1:0`, waits for "<name> listening on 127.0.0.1:PORT" on its stdout,
// and always stops it (SIGTERM, then SIGKILL) when the object goes away.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace las::test {

// The executable `name` under LAS_BINARY_DIR (searched recursively), if built.
std::optional<std::filesystem::path> find_binary(const std::string& name);

class emulator_process {
public:
    // Throws std::runtime_error saying what is missing or what went wrong.
    explicit emulator_process(const std::string& name, std::vector<std::string> extra_args = {},
                              std::chrono::seconds startup_timeout = std::chrono::seconds(20));
    ~emulator_process();
    emulator_process(const emulator_process&) = delete;
    emulator_process& operator=(const emulator_process&) = delete;

    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    void stop();

    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread drain_;  // keeps reading the child's stdout so it never blocks on a full pipe
};

}  // namespace las::test
