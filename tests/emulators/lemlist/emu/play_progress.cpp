#include "emu/play_progress.hpp"

#include "emu/json_out.hpp"

namespace las::lemlist_emu {

play_progress::play_progress(job_summary summary) : summary_(std::move(summary)) {}

void play_progress::started(sys_ms now) {
    std::lock_guard lock(mutex_);
    started_at_ = now;
    has_started_ = true;
}

void play_progress::finished_delivery(bool ok, bool duplicate, bool out_of_order) {
    (ok ? delivered_ : failed_).fetch_add(1);
    if (ok && duplicate) duplicates_sent_.fetch_add(1);
    if (ok && out_of_order && !duplicate) out_of_order_sent_.fetch_add(1);
    completed_.fetch_add(1);
}

void play_progress::attempt(unsigned status) {
    attempts_.fetch_add(1);
    if (status == 0) return;
    std::lock_guard lock(mutex_);
    ++statuses_[status];
}

void play_progress::transport_error(const std::string& kind) {
    std::lock_guard lock(mutex_);
    ++errors_[kind];
}

void play_progress::finished(sys_ms now) {
    {
        std::lock_guard lock(mutex_);
        finished_at_ = now;
        has_finished_ = true;
    }
    done_.store(true);
}

std::string play_progress::to_json() const {
    json_out o;
    o.begin_object();
    o.field("id", summary_.id).field("kind", summary_.kind);
    const bool is_done = done_.load();
    o.field("state", is_done ? (cancelled_.load() ? "cancelled" : "done") : "running");
    o.field_if("campaignId", summary_.campaign_id);
    o.field("seed", static_cast<std::size_t>(summary_.seed));
    o.field("leads", summary_.leads).field("generated", summary_.generated).field("hooks", summary_.hooks);
    o.field("planned", summary_.planned).field("duplicates_planned", summary_.duplicates_planned)
        .field("out_of_order_pairs", summary_.out_of_order_pairs);
    o.field("completed", completed_.load()).field("delivered", delivered_.load()).field("failed", failed_.load())
        .field("duplicates_sent", duplicates_sent_.load()).field("out_of_order_sent", out_of_order_sent_.load())
        .field("retries", retries_.load()).field("attempts", attempts_.load())
        .field("in_flight", static_cast<std::int64_t>(in_flight_.load()));
    std::lock_guard lock(mutex_);
    o.key("statuses").begin_object();
    for (const auto& [status, n] : statuses_) o.field(std::to_string(status), n);
    o.end_object();
    o.key("transport_errors").begin_object();
    for (const auto& [kind, n] : errors_) o.field(kind, n);
    o.end_object();
    if (has_started_) o.field("started_at", iso8601(started_at_));
    if (has_finished_) {
        o.field("finished_at", iso8601(finished_at_));
        if (has_started_) o.field("duration_ms", static_cast<std::int64_t>((finished_at_ - started_at_).count()));
    }
    o.end_object();
    return o.take();
}

}  // namespace las::lemlist_emu
