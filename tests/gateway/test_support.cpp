#include "test_support.hpp"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

namespace las::gateway::test {

temp_dir::temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "las-gateway-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) FAIL("mkdtemp failed");
    path_ = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return done();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

http::request post(std::string target, std::string body, std::string content_type) {
    http::request r{http_proto::verb::post, target, 11};
    if (!content_type.empty()) r.set(http_proto::field::content_type, content_type);
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

http::request get(std::string target) { return http::request{http_proto::verb::get, target, 11}; }

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) FAIL("cannot read " << p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError()) FAIL("not JSON: " << text);
    return d;
}

void fake_broker::publish(amqp::publish_request m, std::function<void(amqp::publish_outcome)> done) {
    if (!up) return done(amqp::publish_outcome::rejected_not_connected);
    const auto outcome = decide(m);
    {
        std::lock_guard lock(mutex_);
        published_.push_back(std::move(m));
    }
    done(outcome);
}

void fake_broker::call(amqp::publish_request m, std::chrono::milliseconds, std::function<void(amqp::call_result)> done) {
    if (!up || !reply) return done(amqp::call_result{amqp::publish_outcome::rejected_not_connected, std::nullopt});
    auto r = reply(m);
    {
        std::lock_guard lock(mutex_);
        published_.push_back(std::move(m));
    }
    done(std::move(r));
}

std::vector<amqp::publish_request> fake_broker::published() const {
    std::lock_guard lock(mutex_);
    return published_;
}

void fake_spool::append(const amqp::publish_request& m, std::function<void(append_status)> done) {
    const append_status s = next.load();
    if (s == append_status::stored) {
        std::lock_guard lock(mutex_);
        stored_.push_back(m);
    }
    done(s);
}

std::uint64_t fake_spool::events() const {
    std::lock_guard lock(mutex_);
    return stored_.size();
}

std::vector<amqp::publish_request> fake_spool::stored() const {
    std::lock_guard lock(mutex_);
    return stored_;
}

}  // namespace las::gateway::test
