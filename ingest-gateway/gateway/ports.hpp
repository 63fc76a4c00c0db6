#pragma once
// The two places an accepted message can be stored, as small interfaces so the service,
// the store and the drainer are unit-tested with fakes; the adapters over the real
// publisher and spool are below. Completions may run on any thread, exactly once.

#include <chrono>
#include <cstdint>
#include <functional>

#include "amqp/message.hpp"
#include "amqp/publish_outcome.hpp"
#include "amqp/publisher.hpp"
#include "gateway/spool.hpp"

namespace las::gateway {

class broker_port {
public:
    virtual ~broker_port() = default;
    virtual bool connected() const = 0;
    // Accepted publishes not completed yet (the confirms outstanding).
    virtual std::size_t outstanding() const = 0;
    virtual void publish(amqp::publish_request message, std::function<void(amqp::publish_outcome)> done) = 0;
    // Request/reply over direct reply-to; completes by `timeout` at the latest.
    virtual void call(amqp::publish_request message, std::chrono::milliseconds timeout,
                      std::function<void(amqp::call_result)> done) = 0;
};

class spool_port {
public:
    virtual ~spool_port() = default;
    virtual void append(const amqp::publish_request& message, std::function<void(append_status)> done) = 0;
    virtual bool writable() const = 0;
    virtual std::uint64_t events() const = 0;
    virtual std::uint64_t bytes() const = 0;
};

class publisher_broker final : public broker_port {
public:
    explicit publisher_broker(amqp::publisher& pub) : pub_(pub) {}
    bool connected() const override { return pub_.connected(); }
    std::size_t outstanding() const override { return pub_.outstanding(); }
    void publish(amqp::publish_request message, std::function<void(amqp::publish_outcome)> done) override {
        pub_.publish(std::move(message), std::move(done));
    }
    void call(amqp::publish_request message, std::chrono::milliseconds timeout,
              std::function<void(amqp::call_result)> done) override {
        pub_.call(std::move(message), timeout, std::move(done));
    }

private:
    amqp::publisher& pub_;
};

// Stores messages in the spool in the spool_message format.
class message_spool final : public spool_port {
public:
    explicit message_spool(spool& s) : spool_(s) {}
    void append(const amqp::publish_request& message, std::function<void(append_status)> done) override;
    bool writable() const override { return spool_.writable(); }
    std::uint64_t events() const override { return spool_.events(); }
    std::uint64_t bytes() const override { return spool_.bytes(); }

private:
    spool& spool_;
};

}  // namespace las::gateway
