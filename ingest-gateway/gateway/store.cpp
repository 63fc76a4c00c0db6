#include "gateway/store.hpp"

#include "amqp/async_publish.hpp"
#include "core/log.hpp"

namespace las::gateway {
namespace {

// Runs `start(callback)` and resumes the awaiting coroutine with the callback's value, on
// its own executor (whichever thread the callback runs on). Deliberately not a coroutine
// itself: g++ 12 mishandles by-value lambda parameters of coroutines (they were destroyed
// twice), so the initiation is handed to Asio directly.
template <class R, class Start>
awaitable<R> await_callback(Start&& start) {
    return asio::async_initiate<decltype(use_awaitable) const, void(R)>(
        [](auto handler, std::decay_t<Start> begin) {
            auto parked = std::make_shared<amqp::detail::parked_handler<decltype(handler)>>(std::move(handler));
            begin([parked](R value) { amqp::detail::deliver(parked, std::move(value)); });
        },
        use_awaitable, std::forward<Start>(start));
}

}  // namespace

std::string_view to_string(stored_in s) noexcept {
    switch (s) {
        case stored_in::broker: return "broker";
        case stored_in::spool: return "spool";
        case stored_in::nowhere: return "nowhere";
    }
    return "unknown";
}

awaitable<store_result> durable_store::store(const amqp::publish_request& message) {
    amqp::publish_outcome outcome = amqp::publish_outcome::rejected_not_connected;
    if (broker_.connected()) {
        // The publisher takes its own copy; `message` stays for the spool fallback.
        const auto started = std::chrono::steady_clock::now();
        outcome = co_await await_callback<amqp::publish_outcome>(
            [this, &message](auto done) { broker_.publish(message, std::move(done)); });
        metrics_.publish_seconds.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        metrics_.outcome(outcome).inc();
        if (amqp::is_confirmed(outcome)) {
            metrics_.stored_broker.inc();
            co_return store_result{stored_in::broker, outcome, append_status::closed};
        }
        if (outcome != amqp::publish_outcome::rejected_not_connected)
            log::warn("gateway.publish_not_confirmed", {{"message_id", message.message_id},
                                                       {"outcome", amqp::to_string(outcome)}});
    }
    co_return co_await spool_only(message, outcome);
}

awaitable<store_result> durable_store::spool_only(const amqp::publish_request& message, amqp::publish_outcome outcome) {
    const append_status st = co_await await_callback<append_status>(
        [this, &message](auto done) { spool_.append(message, std::move(done)); });
    if (st == append_status::stored) {
        metrics_.stored_spool.inc();
        co_return store_result{stored_in::spool, outcome, st};
    }
    metrics_.refused.inc();
    log::error("gateway.not_stored", {{"message_id", message.message_id},
                                      {"broker", amqp::to_string(outcome)},
                                      {"spool", to_string(st)}});
    co_return store_result{stored_in::nowhere, outcome, st};
}

awaitable<amqp::call_result> durable_store::call(const amqp::publish_request& message,
                                                 std::chrono::milliseconds timeout) {
    co_return co_await await_callback<amqp::call_result>(
        [this, &message, timeout](auto done) { broker_.call(message, timeout, std::move(done)); });
}

}  // namespace las::gateway
