#include "broker_test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

namespace las::amqp::test {

connection_settings broker_settings() {
    const char* url = std::getenv("LAS_TEST_AMQP_URL");
    if (url == nullptr || *url == '\0') {
        FAIL("LAS_TEST_AMQP_URL is not set: point it at a RabbitMQ, e.g. amqp://guest:guest@127.0.0.1:5702/ "
             "(RABBITMQ_PORT=5702 deploy/rabbitmq.sh start)");
    }
    auto settings = parse_url(url);
    if (!settings) FAIL("LAS_TEST_AMQP_URL: " << settings.error());
    return *settings;
}

std::string unique_name(const std::string& prefix) {
    static std::atomic<unsigned> counter{0};
    static const unsigned salt = std::random_device{}();
    return prefix + "." + std::to_string(::getpid()) + "." + std::to_string(++counter) + "." + std::to_string(salt % 100000);
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= until) return done();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

scratch_pipeline::scratch_pipeline(const std::string& prefix) : names_(unique_name(prefix)) {
    auto ch = sync_channel::open(broker_settings(), "las-test-setup");
    if (!ch) FAIL("cannot connect to the test broker: " << ch.error().message);
    channel_ = std::make_unique<sync_channel>(std::move(*ch));
    const auto st = declare(channel_->conn(), plan_for(names_));
    if (!st) FAIL("declare " << names_.queue() << ": " << st.error().message);
}

scratch_pipeline::~scratch_pipeline() {
    // Best effort: a test that failed mid-way must not fail again here.
    channel_->delete_queue(names_.queue());
    channel_->delete_queue(names_.dlq());
    for (const auto& q : names_.retry_queues()) channel_->delete_queue(q);
    channel_->delete_exchange(names_.exchange());
}

publish_request scratch_pipeline::request(std::string message_id, std::string body) const {
    publish_request r;
    r.exchange = names_.exchange();
    r.routing_key = names_.routing_key();
    r.message_id = std::move(message_id);
    r.body = std::move(body);
    return r;
}

std::uint32_t scratch_pipeline::depth_of(const std::string& queue) const {
    auto d = channel_->queue_depth(queue);
    if (!d) FAIL("queue_depth " << queue << ": " << d.error().message);
    return *d;
}

namespace {
std::string rabbitmq_port() {
    const char* port = std::getenv("LAS_TEST_RABBITMQ_PORT");
    if (port == nullptr || *port == '\0') {
        FAIL("LAS_TEST_RABBITMQ_PORT is not set: the fault tests stop and restart the broker on that port "
             "(and LAS_TEST_AMQP_URL must point at it)");
    }
    return port;
}
}  // namespace

int rabbitmq_script(const std::string& verb) {
    const std::string cmd = "RABBITMQ_PORT=" + rabbitmq_port() + " " LAS_SOURCE_DIR "/deploy/rabbitmq.sh " + verb +
                            " >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int rabbitmq_pid() {
    const char* dir = std::getenv("RABBITMQ_DIR");
    const std::string base = dir != nullptr && *dir != '\0' ? std::string(dir) : "/tmp/las-rabbitmq-" + rabbitmq_port();
    std::ifstream in(base + "/rabbitmq.pid");
    int pid = 0;
    in >> pid;
    return pid;
}

}  // namespace las::amqp::test
