#include "gateway_process.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <csignal>
#include <cstdlib>

#include <catch2/catch.hpp>

namespace las::gateway::test {

namespace {

// A clean environment: PATH and HOME, then what the test gives (later entries win).
las::test::child_options gateway_options(const env_list& env) { return {env, false}; }

}  // namespace

gateway_process::gateway_process(env_list env) {
    env.insert(env.begin(), {"GATEWAY_LISTEN", "127.0.0.1:0"});
    process_ = std::make_unique<las::test::child>(std::vector<std::string>{LAS_GATEWAY_BIN}, gateway_options(env));
    try {
        port_ = process_->announced_port("ingest-gateway listening on ", std::chrono::seconds(15));
    } catch (const std::exception& e) {
        FAIL("ingest-gateway did not start: " << e.what());
    }
}

// SIGKILL, as a crash would: a test's leftover gateway must not drain or linger.
gateway_process::~gateway_process() {
    if (process_) process_->kill();
}

pid_t gateway_process::pid() const { return process_->pid(); }

int gateway_process::stop(int signal, std::chrono::milliseconds timeout) {
    const auto code = process_->signal_and_wait(signal, timeout);
    if (!code) return -2;
    return *code < 0 ? -1 : *code;
}

void gateway_process::kill_now() { process_->kill(); }

std::string gateway_process::log() const { return process_->err(); }

run_result run_gateway(const std::vector<std::string>& args, const env_list& env, std::chrono::milliseconds timeout) {
    std::vector<std::string> argv{LAS_GATEWAY_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return las::test::run(std::move(argv), gateway_options(env), timeout);
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
