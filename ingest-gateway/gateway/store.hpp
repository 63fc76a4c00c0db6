#pragma once
// Publish-or-spool: the one place that decides whether a message is durably stored.
//
//   broker connected → publish (mandatory, persistent, confirmed); `confirmed` → stored.
//   anything else (not connected, nack, return, channel closed, connection lost or timed
//   out with the fate unknown) → append to the spool; stored once it is fdatasync'ed.
//   The spool refuses (full, I/O error) → not stored: the caller answers 503.
// A message whose fate was unknown may end up in the queue twice (broker + spool drain):
// the worker dedupes by message_id.

#include <chrono>

#include "amqp/publisher.hpp"
#include "gateway/metrics.hpp"
#include "gateway/ports.hpp"
#include "core/asio.hpp"

namespace las::gateway {

enum class stored_in { broker, spool, nowhere };
std::string_view to_string(stored_in s) noexcept;

struct store_result {
    stored_in where = stored_in::nowhere;
    // The broker's answer (rejected_not_connected when it was not tried).
    amqp::publish_outcome outcome = amqp::publish_outcome::rejected_not_connected;
    append_status spool = append_status::closed;  // meaningful when the spool was tried
};

class durable_store {
public:
    durable_store(broker_port& broker, spool_port& spool, gateway_metrics& metrics)
        : broker_(broker), spool_(spool), metrics_(metrics) {}

    // Resumes on the calling coroutine's executor. `message` must outlive the co_await
    // (callers pass a member of their own frame).
    awaitable<store_result> store(const amqp::publish_request& message);
    // Spool only (the broker already failed this message).
    awaitable<store_result> spool_only(const amqp::publish_request& message,
                                       amqp::publish_outcome outcome = amqp::publish_outcome::rejected_not_connected);
    // Direct reply-to request/reply through the broker (no spool fallback here).
    awaitable<amqp::call_result> call(const amqp::publish_request& message, std::chrono::milliseconds timeout);

    bool ready() const { return broker_connected() || spool_writable(); }
    bool broker_connected() const { return broker_.connected(); }
    bool spool_writable() const { return spool_.writable(); }

private:
    broker_port& broker_;
    spool_port& spool_;
    gateway_metrics& metrics_;
};

}  // namespace las::gateway
