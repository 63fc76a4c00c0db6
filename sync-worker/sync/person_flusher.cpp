#include "sync/person_flusher.hpp"

#include <algorithm>
#include <thread>

#include <boost/asio/post.hpp>

#include "core/log.hpp"
#include "sync/offload.hpp"

namespace las::sync {
namespace {

using state::pending_priority;
using sys_clock = std::chrono::system_clock;

constexpr std::size_t known_limit = 100'000;  // Persons whose last state we remember

double seconds_between(sys_clock::time_point from, sys_clock::time_point to) {
    return std::max(0.0, std::chrono::duration<double>(to - from).count());
}

}  // namespace

person_flusher::person_flusher(asio::io_context& io, state::pending_state_store& store, person_writer& writer,
                               write_demand& demand, asio::thread_pool& blocking, metrics::registry& registry,
                               flusher_settings settings)
    : io_(io), store_(store), writer_(writer), demand_(demand), blocking_(blocking), settings_(settings),
      flushes_(registry.counter_family("worker_person_writes_total",
                                       "Person flushes: written, skipped as unchanged, failed (kept pending), "
                                       "dropped (the Person is gone or Attio refused the write)",
                                       {"result"})),
      updates_(registry.counter_family("worker_person_updates_total", "Event updates made pending, by priority",
                                       {"priority"})),
      pending_(registry.gauge_family("worker_person_state_pending", "People with Person state not yet written",
                                     {"priority"})),
      lag_(registry.histogram_family("worker_person_state_lag_seconds",
                                     "From a Person's oldest pending update to the write carrying it",
                                     {"priority"}, {0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800})),
      worst_lag_(registry.gauge_family("worker_person_state_worst_lag_seconds",
                                       "The longest Person-state lag seen since the worker started", {"priority"})) {}

person_flusher::~person_flusher() { stop(std::chrono::milliseconds(0)); }

void person_flusher::remember(const std::string& record_id, const person_state& state) {
    if (known_.size() >= known_limit && !known_.contains(record_id)) known_.clear();
    known_.insert_or_assign(record_id, state);
}

void person_flusher::created(const std::string& record_id, const person_state& state) { remember(record_id, state); }

awaitable<result<bool, state::store_error>> person_flusher::add(const std::string& record_id,
                                                                const person_update& update) {
    const auto contribution = pending_of(update);
    const auto it = known_.find(record_id);
    const person_state before = it != known_.end() ? it->second : person_state{};
    const person_state after = join(before, contribution.state);
    // A Person we know nothing of (found, or written before a restart) is treated as news.
    const auto priority = moves_rep_state(before, after) ? pending_priority::rep : pending_priority::background;
    const std::string body = to_json(contribution);
    auto added = co_await offload(blocking_, [&] { return store_.add(record_id, body, priority, sys_clock::now()); });
    if (added) {
        remember(record_id, after);
        const std::string label(state::to_string(priority));
        updates_.with({label}).inc();
        // Never read "nothing pending" between this add and the next count from the store.
        if (auto& g = pending_.with({label}); g.value() < 1) g.set(1);
    }
    co_return added;
}

void person_flusher::start() {
    if (running_.exchange(true)) return;
    wake_ = std::make_unique<asio::steady_timer>(io_);
    asio::co_spawn(io_, run(), asio::detached);
}

void person_flusher::stop(std::chrono::milliseconds drain) {
    if (!running_.exchange(false)) return;
    asio::post(io_, [this] {
        if (wake_) wake_->cancel();
    });
    const auto deadline = std::chrono::steady_clock::now() + drain;
    while (flushing_.load() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

bool person_flusher::take_share_token(std::chrono::steady_clock::time_point now, bool overdue) {
    // Rep state past its lag bound doubles the share until it is caught up.
    const double rate = settings_.contended_share * settings_.writes_per_second * (overdue ? 2.0 : 1.0);
    if (share_refilled_at_ != std::chrono::steady_clock::time_point{}) {
        share_tokens_ += rate * std::chrono::duration<double>(now - share_refilled_at_).count();
    }
    share_tokens_ = std::min(share_tokens_, 1.0);
    share_refilled_at_ = now;
    if (share_tokens_ < 1.0) return false;
    share_tokens_ -= 1.0;
    return true;
}

awaitable<void> person_flusher::run() {
    while (running_) {
        co_await launch_due();
        co_await refresh_gauges();
        wake_->expires_after(settings_.poll);
        boost::system::error_code ec;
        co_await wake_->async_wait(asio::redirect_error(use_awaitable, ec));
    }
}

awaitable<void> person_flusher::refresh_gauges() {
    const auto now = std::chrono::steady_clock::now();
    if (now - gauges_at_ < std::chrono::seconds(1)) co_return;
    gauges_at_ = now;
    for (auto priority : {pending_priority::rep, pending_priority::background}) {
        auto n = co_await offload(blocking_, [&] { return store_.pending_people(priority); });
        if (n) pending_.with({std::string(state::to_string(priority))}).set(static_cast<double>(*n));
    }
}

awaitable<void> person_flusher::launch_due() {
    const auto steady_now = std::chrono::steady_clock::now();
    const auto now = sys_clock::now();
    const bool contended = demand_.contended();
    bool overdue = false;
    for (auto priority : {pending_priority::rep, pending_priority::background}) {
        if (in_flight_.size() >= settings_.concurrency) co_return;
        const std::size_t want = settings_.concurrency * 2 + in_flight_.size();
        auto waiting = co_await offload(blocking_, [&] { return store_.oldest(priority, want); });
        if (!waiting) {
            log::warn("person.pending_read_failed", {{"error", waiting.error().message}});
            co_return;
        }
        for (auto& who : *waiting) {
            if (!running_ || in_flight_.size() >= settings_.concurrency) co_return;
            if (in_flight_.contains(who.record_id)) continue;
            if (const auto r = retry_at_.find(who.record_id); r != retry_at_.end()) {
                if (r->second > steady_now) continue;
                retry_at_.erase(r);
            }
            const auto waited = now - who.since;
            const bool rep = priority == pending_priority::rep;
            if (rep && waited > settings_.max_lag) overdue = true;
            // Oldest first: once one is too young, the rest are younger.
            if (waited < std::min(settings_.settle_delay, rep ? settings_.max_lag : settings_.settle_delay)) break;
            if (contended) {
                if (!rep && waited < settings_.background_bound) break;
                if (!take_share_token(steady_now, overdue)) co_return;
            }
            in_flight_.insert(who.record_id);
            ++flushing_;
            asio::co_spawn(io_, flush(std::move(who), priority), asio::detached);
        }
    }
}

awaitable<void> person_flusher::flush(state::waiting_person who, pending_priority priority) {
    const std::string& id = who.record_id;
    auto finish = [this, &id](std::optional<std::chrono::milliseconds> retry) {
        if (retry) retry_at_.insert_or_assign(id, std::chrono::steady_clock::now() + *retry);
        in_flight_.erase(id);
        --flushing_;
    };
    auto token = co_await writer_.lock(id);
    if (!token) {
        log::warn("person.flush_failed", {{"record_id", id}, {"error", token.error().describe()}});
        flushes_.with({"failed"}).inc();
        finish(settings_.retry_delay);
        co_return;
    }
    std::optional<std::chrono::milliseconds> retry = co_await flush_locked(who, priority);
    if (*token) co_await writer_.unlock(id, std::move(**token));
    finish(retry);
}

awaitable<std::optional<std::chrono::milliseconds>> person_flusher::flush_locked(const state::waiting_person& who,
                                                                                 pending_priority priority) {
    const std::string& id = who.record_id;
    auto loaded = co_await offload(blocking_, [&] { return store_.load(id); });
    if (!loaded) {
        log::warn("person.pending_read_failed", {{"record_id", id}, {"error", loaded.error().message}});
        flushes_.with({"failed"}).inc();
        co_return settings_.retry_delay;
    }
    pending_state merged;
    // The state written last goes in again: Attio may have lost it since (an assert's race, an edit).
    if (loaded->written) {
        if (auto p = pending_state_from_json(*loaded->written)) absorb(merged, *p);
    }
    for (const auto& u : loaded->updates) {
        if (auto p = pending_state_from_json(u)) absorb(merged, *p);
        else log::error("person.pending_unreadable", {{"record_id", id}});
    }
    std::string result_label = "skipped";
    if (!loaded->updates.empty()) {
        auto written = co_await writer_.write(id, merged);
        if (!written) {
            const auto& error = written.error();
            const bool gone = attio::is_not_found(error);
            if (!gone && error.kind != outbound::failure::permanent) {
                log::warn("person.flush_failed", {{"record_id", id}, {"error", error.describe()}});
                flushes_.with({"failed"}).inc();
                co_return error.retry_after.value_or(settings_.retry_delay);
            }
            // Retrying cannot help: the Person was deleted or merged in Attio (its next event
            // matches afresh), or Attio refuses the write itself.
            log::error("person.state_dropped", {{"record_id", id}, {"updates", loaded->updates.size()},
                                                {"error", error.describe()}});
            known_.erase(id);
            result_label = "dropped";
        } else {
            remember(id, written->after);
            result_label = written->written ? "written" : "skipped";
        }
    }
    const auto now = sys_clock::now();
    auto settled = co_await offload(blocking_, [&] { return store_.settle(id, loaded->upto, to_json(merged), now); });
    if (!settled) {
        // The write landed; the updates stay pending and the next flush finds nothing to move.
        log::warn("person.pending_settle_failed", {{"record_id", id}, {"error", settled.error().message}});
        co_return settings_.retry_delay;
    }
    flushes_.with({result_label}).inc();
    const auto label = std::string(state::to_string(priority));
    const double lag = seconds_between(who.since, now);
    lag_.with({label}).observe(lag);
    auto& worst = worst_lag_.with({label});
    if (lag > worst.value()) worst.set(lag);
    co_return std::nullopt;
}

}  // namespace las::sync
