#include "gateway_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

namespace las::gateway::test {
namespace {

std::filesystem::path temp_file(const std::string& stem) {
    std::string pattern = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX")).string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) FAIL("mkstemp failed");
    ::close(fd);
    return pattern;
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// fork + exec with a clean environment: PATH and HOME kept, then `env`. stdout and stderr
// go to files.
pid_t spawn(const std::vector<std::string>& args, const env_list& env, const std::filesystem::path& out,
            const std::filesystem::path& err) {
    std::vector<std::string> envs;
    for (const char* keep : {"PATH", "HOME"})
        if (const char* v = std::getenv(keep)) envs.push_back(std::string(keep) + "=" + v);
    for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) FAIL("fork failed");
    if (pid == 0) {
        const int o = ::open(out.c_str(), O_WRONLY | O_TRUNC);
        const int e = ::open(err.c_str(), O_WRONLY | O_TRUNC);
        if (o < 0 || e < 0) ::_exit(126);
        ::dup2(o, 1);
        ::dup2(e, 2);
        ::close(o);
        ::close(e);
        // A test runner that dies (a crash, a closed pipe) must not leave gateways behind.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    return pid;
}

// waitpid with a deadline; returns the exit code, -1 if killed by a signal, -2 on timeout.
int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r < 0) return -1;
        if (std::chrono::steady_clock::now() >= until) return -2;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

gateway_process::gateway_process(env_list env) {
    env.insert(env.begin(), {"GATEWAY_LISTEN", "127.0.0.1:0"});
    // Later entries win: drop earlier duplicates.
    env_list unique;
    for (auto it = env.rbegin(); it != env.rend(); ++it) {
        bool seen = false;
        for (const auto& u : unique) seen = seen || u.first == it->first;
        if (!seen) unique.insert(unique.begin(), *it);
    }
    const auto out = temp_file("las-gateway-out");
    log_path_ = temp_file("las-gateway-log");
    pid_ = spawn({LAS_GATEWAY_BIN}, unique, out, log_path_);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    constexpr std::string_view marker = "ingest-gateway listening on ";
    while (port_ == 0) {
        const std::string text = slurp(out);
        if (const auto at = text.find(marker); at != std::string::npos && text.find('\n', at) != std::string::npos) {
            const auto line = text.substr(at + marker.size(), text.find('\n', at) - at - marker.size());
            port_ = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
            break;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            FAIL("ingest-gateway exited at start-up: " << slurp(log_path_));
        }
        if (std::chrono::steady_clock::now() > until) FAIL("ingest-gateway did not start: " << slurp(log_path_));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::filesystem::remove(out);
}

gateway_process::~gateway_process() {
    if (pid_ > 0) kill_now();
    std::error_code ec;
    std::filesystem::remove(log_path_, ec);
}

int gateway_process::stop(int signal, std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    const int code = wait_for(pid_, timeout);
    if (code == -2) {
        kill_now();
        return -2;
    }
    pid_ = -1;
    return code;
}

void gateway_process::kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_for(pid_, std::chrono::seconds(10));
    pid_ = -1;
}

std::string gateway_process::log() const { return slurp(log_path_); }

run_result run_gateway(const std::vector<std::string>& args, const env_list& env, std::chrono::milliseconds timeout) {
    const auto out = temp_file("las-gateway-out");
    const auto err = temp_file("las-gateway-err");
    std::vector<std::string> argv{LAS_GATEWAY_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    const pid_t pid = spawn(argv, env, out, err);
    run_result r;
    r.exit_code = wait_for(pid, timeout);
    if (r.exit_code == -2) {
        ::kill(pid, SIGKILL);
        wait_for(pid, std::chrono::seconds(5));
    }
    r.out = slurp(out);
    r.err = slurp(err);
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    return r;
}

http_client::http_client(std::uint16_t port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}

bool http_client::connect() {
    socket_.emplace(ioc_);
    boost::system::error_code ec;
    socket_->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    if (ec) {
        socket_.reset();
        return false;
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000);
    ::setsockopt(socket_->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket_->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    buffer_.clear();
    return true;
}

http_reply http_client::request(http_proto::verb method, const std::string& target, const std::string& body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
    http_proto::request<http_proto::string_body> req{method, target, 11};
    req.set(http_proto::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(true);

    http_reply reply;
    // One retry on a fresh connection when a reused one turns out to be closed before any
    // byte was written (the server closed an idle keep-alive connection).
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = socket_.has_value();
        if (!socket_ && !connect()) {
            reply.error = "connect failed";
            return reply;
        }
        boost::system::error_code ec;
        http_proto::write(*socket_, req, ec);
        http_proto::response<http_proto::string_body> res;
        if (!ec) http_proto::read(*socket_, buffer_, res, ec);
        if (ec) {
            socket_.reset();
            reply.error = ec.message();
            if (reused && (ec == http_proto::error::end_of_stream || ec == asio::error::connection_reset ||
                           ec == asio::error::broken_pipe))
                continue;
            return reply;
        }
        reply.status = res.result_int();
        reply.body = res.body();
        for (const auto& f : res) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            reply.headers[name] = std::string(f.value());
        }
        reply.error.clear();
        if (!res.keep_alive()) socket_.reset();
        return reply;
    }
    return reply;
}

std::string test_amqp_url() {
    const char* url = std::getenv("LAS_TEST_AMQP_URL");
    if (url == nullptr || *url == '\0') FAIL("LAS_TEST_AMQP_URL is not set (deploy/test.sh sets it)");
    return url;
}

std::string lemlist_event(const std::string& id, const std::string& secret) {
    std::string body = R"({"_id":")" + id +
                       R"(","type":"emailsOpened","campaignId":"cam_test","campaignName":"Outbound Q4",)"
                       R"("leadId":"lea_)" + id + R"(","leadEmail":"lead-)" + id + R"(@example.com",)"
                       R"("leadFirstName":"Ada","leadLastName":"Lovelace","sequenceId":"seq_1","sequenceStep":1,)"
                       R"("sendUserEmail":"rep@example.com","teamId":"tea_1","createdAt":"2025-11-18T23:11:26.000Z")";
    if (!secret.empty()) body += R"(,"secret":")" + secret + "\"";
    return body + "}";
}

}  // namespace las::gateway::test
