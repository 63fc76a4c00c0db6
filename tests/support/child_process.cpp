#include "support/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace las::test {
namespace {

void read_all(int fd, std::mutex& mutex, std::condition_variable& cv, std::string& into) {
    char chunk[4096];
    while (true) {
        const auto n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        {
            std::lock_guard lock(mutex);
            into.append(chunk, static_cast<std::size_t>(n));
        }
        cv.notify_all();
    }
    ::close(fd);
    cv.notify_all();
}

std::vector<std::string> environment_of(const child_options& options) {
    std::map<std::string, std::string> merged;
    if (options.inherit_environment) {
        for (char** e = environ; *e; ++e) {
            const std::string kv(*e);
            const auto eq = kv.find('=');
            if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
    } else {
        for (const char* keep : {"PATH", "HOME"})
            if (const char* v = std::getenv(keep)) merged[keep] = v;
    }
    for (const auto& [k, v] : options.env) merged[k] = v;
    std::vector<std::string> out;
    for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
    return out;
}

}  // namespace

std::filesystem::path binary(const std::string& name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(LAS_BINARY_DIR, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().filename() == name && it->is_regular_file(ec) && ::access(it->path().c_str(), X_OK) == 0)
            return it->path();
    }
    throw std::runtime_error(name + " is not built under " + std::string(LAS_BINARY_DIR) + " (build the target " +
                             name + " first)");
}

child::child(std::vector<std::string> args, child_options options) {
    auto env_strings = environment_of(options);
    std::vector<char*> envp, argv;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int out_pipe[2], err_pipe[2];
    if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::dup2(err_pipe[1], STDERR_FILENO);
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        ::close(err_pipe[0]);
        ::close(err_pipe[1]);
        // A test runner that dies (a crash, a closed pipe) must not leave children behind.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    out_reader_ = std::thread(read_all, out_pipe[0], std::ref(mutex_), std::ref(output_cv_), std::ref(out_));
    err_reader_ = std::thread(read_all, err_pipe[0], std::ref(mutex_), std::ref(output_cv_), std::ref(err_));
}

child::~child() {
    if (!exit_code_) terminate(std::chrono::seconds(5));
    join_readers();
}

void child::join_readers() {
    if (out_reader_.joinable()) out_reader_.join();
    if (err_reader_.joinable()) err_reader_.join();
}

void child::reap(int status) {
    if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) exit_code_ = -WTERMSIG(status);
    else exit_code_ = -1;
}

bool child::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    auto seen = [&] { return out_.find(text) != std::string::npos || err_.find(text) != std::string::npos; };
    while (!seen()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        output_cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100)));
        if (!exit_code_) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) reap(status);
        }
        if (exit_code_ && !seen()) return false;
    }
    return true;
}

std::uint16_t child::announced_port(const std::string& marker, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto fail = [&](const std::string& why) {
        return std::runtime_error(why + "; its output: " + out() + err());
    };
    if (!wait_for_output(marker, timeout)) throw fail("no \"" + marker + "\" line");
    while (true) {
        for (const auto& text : {out(), err()}) {
            const auto at = text.find(marker);
            const auto line_end = at == std::string::npos ? at : text.find('\n', at);
            if (line_end == std::string::npos) continue;
            const auto line = text.substr(at, line_end - at);
            const auto colon = line.rfind(':');
            const auto digits = colon == std::string::npos ? std::string() : line.substr(colon + 1);
            if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
                throw fail("no port in \"" + line + "\"");
            return static_cast<std::uint16_t>(std::stoul(digits));
        }
        if (std::chrono::steady_clock::now() >= deadline) throw fail("an unfinished \"" + marker + "\" line");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::optional<int> child::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            reap(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            kill();
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    join_readers();
    return exit_code_;
}

std::optional<int> child::signal_and_wait(int signal, std::chrono::milliseconds timeout) {
    if (exit_code_) return exit_code_;
    ::kill(pid_, signal);
    return wait(timeout);
}

int child::terminate(std::chrono::milliseconds grace) {
    if (auto code = signal_and_wait(SIGTERM, grace)) return *code;
    return exit_code_.value_or(-SIGKILL);
}

void child::kill() {
    if (exit_code_) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reap(status);
    join_readers();
}

std::string child::out() const {
    std::lock_guard lock(mutex_);
    return out_;
}

std::string child::err() const {
    std::lock_guard lock(mutex_);
    return err_;
}

run_result run(std::vector<std::string> args, child_options options, std::chrono::milliseconds timeout) {
    child c(std::move(args), std::move(options));
    run_result r;
    r.exit_code = c.wait(timeout).value_or(-1);
    r.out = c.out();
    r.err = c.err();
    return r;
}

emulator::emulator(const std::string& name, std::vector<std::string> extra_args)
    : emulator(binary(name), name, std::move(extra_args)) {}

emulator::emulator(const std::filesystem::path& executable, const std::string& name,
                   std::vector<std::string> extra_args) {
    std::vector<std::string> args{executable.string(), "--listen", "127.0.0.1:0"};
    for (auto& a : extra_args) args.push_back(std::move(a));
    process_ = std::make_unique<child>(std::move(args), env_list{});
    try {
        port_ = process_->announced_port(name + " listening on ", std::chrono::seconds(20));
    } catch (const std::exception& e) {
        throw std::runtime_error(name + " did not start: " + e.what());
    }
}

}  // namespace las::test
