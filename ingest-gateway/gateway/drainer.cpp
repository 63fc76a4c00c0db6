#include "gateway/drainer.hpp"

#include <memory>
#include <optional>
#include <vector>

#include "core/log.hpp"
#include "gateway/spool_message.hpp"

namespace las::gateway {

spool_drainer::spool_drainer(spool& s, broker_port& broker, gateway_metrics& metrics, drainer_options options)
    : spool_(s), broker_(broker), metrics_(metrics), options_(options) {}

spool_drainer::~spool_drainer() { stop(); }

void spool_drainer::start() { thread_ = std::thread([this] { run(); }); }

void spool_drainer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void spool_drainer::notify() {
    {
        std::lock_guard lock(mutex_);
        poked_ = true;
    }
    cv_.notify_all();
}

void spool_drainer::run() {
    bool backing_off = false;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            const auto wait = backing_off ? options_.retry_delay : options_.poll;
            // After a failure, wait the whole delay unless stopping; otherwise a poke ends the wait.
            cv_.wait_for(lock, wait, [&] { return stopping_ || (!backing_off && poked_); });
            if (stopping_) return;
            poked_ = false;
        }
        backing_off = false;
        while (spool_.events() > 0 && broker_.connected()) {
            if (!drain_window()) {
                backing_off = true;
                break;
            }
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
    }
}

bool spool_drainer::drain_window() {
    auto records = spool_.peek(options_.window);
    if (!records) {
        log::error("spool.read_failed", {{"error", records.error()}});
        return false;
    }
    const std::size_t n = records->size();
    if (n == 0) return true;

    // Outcomes arrive on the publisher thread (or inline when refused at once).
    struct window_state {
        std::mutex mutex;
        std::condition_variable cv;
        std::size_t remaining = 0;
        std::vector<std::optional<amqp::publish_outcome>> outcomes;
    };
    auto state = std::make_shared<window_state>();
    state->remaining = n;
    state->outcomes.resize(n);
    std::vector<bool> undecodable(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        auto message = decode_message((*records)[i].payload);
        if (!message) {
            // Never publishable: keeping it would block the spool forever.
            log::error("spool.undecodable_record", {{"segment", (*records)[i].segment}, {"offset", (*records)[i].offset}});
            undecodable[i] = true;
            std::lock_guard lock(state->mutex);
            --state->remaining;
            continue;
        }
        broker_.publish(std::move(*message), [state, i](amqp::publish_outcome o) {
            std::lock_guard lock(state->mutex);
            state->outcomes[i] = o;
            if (--state->remaining == 0) state->cv.notify_all();
        });
    }
    {
        std::unique_lock lock(state->mutex);
        state->cv.wait(lock, [&] { return state->remaining == 0; });
    }

    std::size_t confirmed = 0;
    std::optional<amqp::publish_outcome> first_failure;
    for (std::size_t i = 0; i < n; ++i) {
        if (undecodable[i] || (state->outcomes[i] && amqp::is_confirmed(*state->outcomes[i]))) {
            ++confirmed;
            continue;
        }
        first_failure = state->outcomes[i];
        break;
    }
    if (confirmed > 0) {
        if (auto removed = spool_.remove_front(confirmed); !removed) {
            log::error("spool.remove_failed", {{"error", removed.error()}});
            return false;
        }
        metrics_.drained.inc(confirmed);
        drained_.fetch_add(confirmed);
    }
    if (confirmed < n) {
        metrics_.drain_failures.inc();
        log::warn("spool.drain_incomplete", {{"confirmed", confirmed}, {"window", n},
                                             {"outcome", first_failure ? amqp::to_string(*first_failure) : "none"},
                                             {"pending", spool_.events()}});
        return false;
    }
    if (spool_.events() == 0) log::info("spool.drained", {{"total", drained_.load()}});
    return true;
}

}  // namespace las::gateway
