#pragma once
// Asio adapters for the publisher: `co_await async_publish(pub, request)` from a coroutine
// (or any Asio completion token). The completion is posted to the caller's associated
// executor, so the coroutine resumes on its own executor, never on the publisher thread;
// a work guard keeps that executor's io_context alive while the publish is outstanding.
//
// Cancellation is not supported: the publish has its own deadline (confirm_timeout) and
// always completes.

#include <memory>

#include "amqp/publisher.hpp"
#include "core/asio.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace las::amqp {

namespace detail {

// A completion handler parked while the publisher works, plus a work guard so its
// executor's io_context keeps running until the result is delivered.
template <class Handler>
struct parked_handler {
    explicit parked_handler(Handler&& h)
        : handler(std::move(h)), work(asio::make_work_guard(asio::get_associated_executor(handler))) {}

    Handler handler;
    asio::executor_work_guard<asio::associated_executor_t<Handler>> work;
};

// Called on the publisher thread: hands `result` to the handler on its own executor.
template <class Handler, class Result>
void deliver(std::shared_ptr<parked_handler<Handler>> parked, Result result) {
    auto ex = parked->work.get_executor();
    asio::post(ex, [parked = std::move(parked), result = std::move(result)]() mutable {
        auto handler = std::move(parked->handler);
        parked->work.reset();
        std::move(handler)(std::move(result));
    });
}

}  // namespace detail

// Publishes through `pub` and completes with void(publish_outcome) on the token's executor.
template <class CompletionToken>
auto async_publish(publisher& pub, publish_request request, CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, void(publish_outcome)>(
        [&pub](auto handler, publish_request req) {
            using handler_type = decltype(handler);
            auto parked = std::make_shared<detail::parked_handler<handler_type>>(std::move(handler));
            pub.publish(std::move(req), [parked](publish_outcome outcome) { detail::deliver(parked, outcome); });
        },
        token, std::move(request));
}

// The coroutine form: `publish_outcome o = co_await async_publish(pub, std::move(req));`
inline awaitable<publish_outcome> async_publish(publisher& pub, publish_request request) {
    co_return co_await async_publish(pub, std::move(request), use_awaitable);
}

// Request/reply over direct reply-to (publisher::call), completing with void(call_result).
template <class CompletionToken>
auto async_call(publisher& pub, publish_request request, std::chrono::milliseconds timeout, CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, void(call_result)>(
        [&pub, timeout](auto handler, publish_request req) {
            using handler_type = decltype(handler);
            auto parked = std::make_shared<detail::parked_handler<handler_type>>(std::move(handler));
            pub.call(std::move(req), timeout, [parked](call_result result) { detail::deliver(parked, std::move(result)); });
        },
        token, std::move(request));
}

inline awaitable<call_result> async_call(publisher& pub, publish_request request, std::chrono::milliseconds timeout) {
    co_return co_await async_call(pub, std::move(request), timeout, use_awaitable);
}

}  // namespace las::amqp
