#include "outbound/gated_caller.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/retry_after.hpp"

namespace las::outbound {

using std::chrono::milliseconds;

transport http_transport(http::client& client) {
    return [&client](http::client_request request) { return client.send(std::move(request)); };
}

std::string header_of(const http::client_response& response, std::string_view name) {
    const auto it = response.headers.find(name);
    if (it == response.headers.end()) return {};
    return std::string(it->value());
}

milliseconds retry_after_of(const http::client_response& response, const call_policy& policy,
                            std::chrono::system_clock::time_point now) {
    const auto value = header_of(response, "Retry-After");
    const auto parsed = value.empty() ? std::nullopt : parse_retry_after(value, now);
    const auto wait = parsed.value_or(policy.default_retry_after);
    return std::clamp(wait, policy.min_retry_after, std::max(policy.min_retry_after, policy.max_retry_after));
}

gated_caller::gated_caller(std::string provider, transport send, call_policy policy, call_metrics* metrics)
    : provider_(std::move(provider)), send_(std::move(send)), policy_(policy), metrics_(metrics) {}

awaitable<std::optional<call_error>> gated_caller::acquire(const call_spec& spec, milliseconds& waited) {
    std::optional<asio::steady_timer> timer;
    bool counted = false;
    for (;;) {
        const auto answer = spec.gate.try_acquire();
        if (answer.granted()) co_return std::nullopt;
        if (!counted) {
            if (metrics_) metrics_->count_gate_wait(spec.operation);
            counted = true;
        }
        // A failing shared store answers with a back-off; never spin on a zero wait.
        const auto wait = std::max(answer.wait, milliseconds(answer.error ? 10 : 1));
        if (waited + wait > policy_.max_gate_wait) {
            call_error e;
            e.retry_after = wait;
            if (answer.error) {
                e.kind = failure::transient;
                e.code = "rate_gate_unavailable";
                e.message = short_text("the shared rate gate cannot answer: " + answer.error->to_string());
            } else {
                e.kind = failure::rate_limited;
                e.code = "rate_gate_wait";
                e.message = "the " + provider_ + " rate gate asks to wait " + std::to_string(wait.count()) +
                            " ms, past the " + std::to_string(policy_.max_gate_wait.count()) +
                            " ms this call may wait";
            }
            co_return e;
        }
        if (!timer) timer.emplace(co_await asio::this_coro::executor);
        timer->expires_after(wait);
        co_await timer->async_wait(use_awaitable);
        waited += wait;
    }
}

awaitable<result<http::client_response, call_error>> gated_caller::send(http::client_request request,
                                                                        call_spec spec) {
    milliseconds waited{0};
    for (unsigned attempt = 1;; ++attempt) {
        if (auto refused = co_await acquire(spec, waited)) co_return fail(std::move(*refused));

        auto answer = co_await send_(request);  // a copy: the same request may go again after a 429
        if (!answer) {
            const auto& error = answer.error();
            if (metrics_) metrics_->count_call(spec.operation, http::to_string(error.kind));
            auto classified = from_transport(error, spec.replay_safe);
            log::warn(provider_ + ".call_failed", {{"operation", spec.operation},
                                                   {"error", http::to_string(error.kind)},
                                                   {"failure", to_string(classified.kind)},
                                                   {"attempt", attempt}});
            co_return fail(std::move(classified));
        }
        const unsigned status = answer->status;
        if (metrics_) metrics_->count_call(spec.operation, std::to_string(status));
        if (status != 429) co_return std::move(answer).value();

        // Not processed: slow everyone down, then try the same request again.
        if (metrics_) metrics_->count_rate_limited(spec.operation);
        const auto wait = retry_after_of(*answer, policy_, std::chrono::system_clock::now());
        if (auto shared = spec.gate.pause_for(wait)) {
            log::warn(provider_ + ".pause_not_shared", {{"operation", spec.operation}, {"error", shared->to_string()}});
        }
        log::warn(provider_ + ".rate_limited", {{"operation", spec.operation},
                                                {"retry_after_ms", static_cast<std::int64_t>(wait.count())},
                                                {"attempt", attempt}});
        if (attempt > policy_.max_rate_limit_retries) {
            call_error e;
            e.kind = failure::rate_limited;
            e.status = 429;
            e.code = "rate_limit_exceeded";
            e.message = "still rate limited after " + std::to_string(attempt) + " attempts";
            e.retry_after = wait;
            co_return fail(std::move(e));
        }
    }
}

}  // namespace las::outbound
