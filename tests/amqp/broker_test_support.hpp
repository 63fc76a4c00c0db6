#pragma once
// Shared helpers for the tests that need a real RabbitMQ (LAS_TEST_AMQP_URL).

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "amqp/sync_channel.hpp"
#include "amqp/topology.hpp"
#include "amqp/url.hpp"

namespace las::amqp::test {

// Settings from LAS_TEST_AMQP_URL; FAILs the test with a clear message when unset or bad.
connection_settings broker_settings();

// A name no other test (or test run) uses: "<prefix>.<pid>.<n>.<random>".
std::string unique_name(const std::string& prefix);

// Polls `done` every 20 ms until it is true or `timeout` passes; returns the last value.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// A private pipeline (exchange, quorum queue, retry ladder, DLQ) declared for one test and
// deleted afterwards, so tests never touch the contract queues' contents.
class scratch_pipeline {
public:
    explicit scratch_pipeline(const std::string& prefix = "test");
    ~scratch_pipeline();
    scratch_pipeline(const scratch_pipeline&) = delete;
    scratch_pipeline& operator=(const scratch_pipeline&) = delete;

    const pipeline& names() const { return names_; }
    // A request routed to the main queue through the exchange.
    publish_request request(std::string message_id, std::string body = "{}") const;
    // Ready messages in the main queue (FAILs on error).
    std::uint32_t depth() const { return depth_of(names_.queue()); }
    std::uint32_t depth_of(const std::string& queue) const;
    sync_channel& channel() const { return *channel_; }

private:
    pipeline names_;
    std::unique_ptr<sync_channel> channel_;
};

// Runs `deploy/rabbitmq.sh <verb>` for the broker at LAS_TEST_RABBITMQ_PORT (FAILs when
// unset); returns the exit status.
int rabbitmq_script(const std::string& verb);
// The broker's OS pid for LAS_TEST_RABBITMQ_PORT (from deploy/rabbitmq.sh's pid file).
int rabbitmq_pid();

}  // namespace las::amqp::test
