#include "http_client.hpp"

#include <csignal>
#include <cstring>
#include <stdexcept>

namespace attio_test {

using namespace las;

test_client::test_client(std::string host, unsigned short port)
    : stream_(ioc_), host_(std::move(host)), port_(port) {}

test_client::~test_client() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
}

http_reply test_client::send(const std::string& method, const std::string& target, const std::string& body,
                             const std::string& authorization, std::chrono::milliseconds timeout) {
    http_reply out;
    bool done = false;
    boost::system::error_code ec;
    http_proto::request<http_proto::string_body> req{http_proto::string_to_verb(method), target, 11};
    req.set(http_proto::field::host, host_);
    if (!authorization.empty()) req.set(http_proto::field::authorization, authorization);
    if (!body.empty()) req.set(http_proto::field::content_type, "application/json");
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    http_proto::response<http_proto::string_body> res;

    const auto on_read = [&](boost::system::error_code e, std::size_t) {
        ec = e;
        done = true;
    };
    const auto on_write = [&](boost::system::error_code e, std::size_t) {
        if (e) {
            ec = e;
            done = true;
            return;
        }
        http_proto::async_read(stream_, buffer_, res, on_read);
    };
    const auto start = [&] {
        stream_.expires_after(timeout);
        http_proto::async_write(stream_, req, on_write);
    };
    if (!connected_) {
        stream_.expires_after(timeout);
        stream_.async_connect(tcp::endpoint(asio::ip::make_address(host_), port_), [&](boost::system::error_code e) {
            if (e) {
                ec = e;
                done = true;
                return;
            }
            connected_ = true;
            start();
        });
    } else {
        start();
    }
    ioc_.restart();
    ioc_.run();  // every operation has the stream's deadline
    if (!done || ec) {
        out.error = ec ? ec.message() : "no answer";
        connected_ = false;
        boost::system::error_code ignored;
        stream_.socket().close(ignored);
        buffer_.clear();
        return out;
    }
    out.status = res.result_int();
    out.body = res.body();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
    }
    if (!res.keep_alive()) {
        connected_ = false;
        boost::system::error_code ignored;
        stream_.socket().close(ignored);
        buffer_.clear();
    }
    return out;
}

emulator_process::emulator_process(std::vector<std::string> args) {
    args.insert(args.begin(), ATTIO_EMULATOR_EXE);
    process_ = std::make_unique<las::test::child>(std::move(args), las::test::env_list{});
    port_ = process_->announced_port("attio-emulator listening on ", std::chrono::seconds(10));
}

std::string emulator_process::banner() const {
    const auto out = process_->out();
    return out.substr(0, out.find('\n'));
}

int emulator_process::stop() {
    const auto code = process_->signal_and_wait(SIGTERM, std::chrono::seconds(10));
    return code && *code >= 0 ? *code : -1;
}

}  // namespace attio_test
