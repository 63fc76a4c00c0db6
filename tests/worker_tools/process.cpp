#include "process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace las::tools_test {
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

}  // namespace

std::filesystem::path binary(const std::string& name) {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(LAS_BINARY_DIR, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().filename() == name && it->is_regular_file(ec) && ::access(it->path().c_str(), X_OK) == 0)
            return it->path();
    }
    throw std::runtime_error(name + " is not built under " + std::string(LAS_BINARY_DIR));
}

child::child(std::vector<std::string> args, const env_list& env) {
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        const std::string kv(*e);
        const auto eq = kv.find('=');
        if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) merged[k] = v;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
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
    while (out_.find(text) == std::string::npos && err_.find(text) == std::string::npos) {
        if (output_cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100))) ==
                std::cv_status::timeout &&
            std::chrono::steady_clock::now() >= deadline)
            return false;
        if (!exit_code_) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                reap(status);
            }
        }
        if (exit_code_ && out_.find(text) == std::string::npos && err_.find(text) == std::string::npos) return false;
    }
    return true;
}

std::optional<int> child::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        const auto r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            reap(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            reap(status);
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (out_reader_.joinable()) out_reader_.join();
    if (err_reader_.joinable()) err_reader_.join();
    return exit_code_;
}

int child::terminate(std::chrono::milliseconds grace) {
    if (exit_code_) return *exit_code_;
    ::kill(pid_, SIGTERM);
    if (auto code = wait(grace)) return *code;
    return exit_code_.value_or(-SIGKILL);
}

std::string child::out() const {
    std::lock_guard lock(mutex_);
    return out_;
}

std::string child::err() const {
    std::lock_guard lock(mutex_);
    return err_;
}

run_result run(std::vector<std::string> args, const env_list& env, std::chrono::milliseconds timeout) {
    child c(std::move(args), env);
    run_result r;
    r.exit_code = c.wait(timeout).value_or(-1);
    r.out = c.out();
    r.err = c.err();
    return r;
}

emulator::emulator(const std::string& name, std::vector<std::string> extra_args) {
    std::vector<std::string> args{binary(name).string(), "--listen", "127.0.0.1:0"};
    for (auto& a : extra_args) args.push_back(std::move(a));
    process_ = std::make_unique<child>(std::move(args), env_list{});
    const std::string marker = name + " listening on 127.0.0.1:";
    if (!process_->wait_for_output(marker, std::chrono::seconds(20)))
        throw std::runtime_error(name + " did not announce its port; output: " + process_->out() + process_->err());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
        const auto text = process_->out() + process_->err();
        const auto at = text.find(marker) + marker.size();
        const auto end = text.find_first_not_of("0123456789", at);
        if (end != std::string::npos && end > at) port_ = static_cast<std::uint16_t>(std::stoul(text.substr(at, end - at)));
        else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (port_ == 0) throw std::runtime_error(name + ": no port in its announcement");
}

}  // namespace las::tools_test
