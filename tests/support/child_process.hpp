#pragma once
// The tests' one way to run a built executable as a child process: the sync-worker, the
// gateway, the emulators. Output (stdout and stderr) is captured in memory by reader
// threads, so a chatty child never blocks on a full pipe; a child still running when its
// object goes away is stopped (SIGTERM, then SIGKILL), and one whose test runner dies is
// killed by the kernel (PR_SET_PDEATHSIG).

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

namespace las::test {

using env_list = std::vector<std::pair<std::string, std::string>>;

// The executable `name` under LAS_BINARY_DIR (searched recursively); throws when not built.
std::filesystem::path binary(const std::string& name);

struct child_options {
    env_list env;                     // on top of the environment; later entries win
    bool inherit_environment = true;  // false: only PATH and HOME are kept, then `env`
};

class child {
public:
    // Starts `args[0]` with `args`.
    child(std::vector<std::string> args, child_options options);
    child(std::vector<std::string> args, const env_list& env) : child(std::move(args), child_options{env}) {}
    ~child();
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    // Waits until stdout+stderr contain `text`; false at the deadline or when the child exited first.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
    // The PORT of a "<marker>HOST:PORT" line once printed (the marker ends before HOST);
    // throws, with the child's output, when none comes within `timeout`.
    std::uint16_t announced_port(const std::string& marker, std::chrono::milliseconds timeout);
    // Waits for the exit: the exit code, or -signal. nullopt at the deadline (the child is then killed).
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // Sends `signal`, then waits up to `timeout` (SIGKILL after): the exit code, or -signal;
    // nullopt when it had to be killed.
    std::optional<int> signal_and_wait(int signal, std::chrono::milliseconds timeout);
    // SIGTERM, then waits up to `grace` (SIGKILL after): the exit code, or -signal.
    int terminate(std::chrono::milliseconds grace = std::chrono::seconds(10));
    void kill();  // SIGKILL, reaped

    std::string out() const;
    std::string err() const;
    pid_t pid() const { return pid_; }

private:
    void reap(int status);
    void join_readers();

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
run_result run(std::vector<std::string> args, child_options options,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));
inline run_result run(std::vector<std::string> args, const env_list& env,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    return run(std::move(args), child_options{env}, timeout);
}

// An emulator (attio-emulator, lemlist-emulator) on an ephemeral port: started with
// `--listen 127.0.0.1:0`, ready once it printed "<name> listening on 127.0.0.1:PORT".
class emulator {
public:
    explicit emulator(const std::string& name, std::vector<std::string> extra_args = {});
    // The same, for an executable given by path.
    emulator(const std::filesystem::path& executable, const std::string& name, std::vector<std::string> extra_args);
    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    child& process() { return *process_; }

private:
    std::unique_ptr<child> process_;
    std::uint16_t port_ = 0;
};

}  // namespace las::test
