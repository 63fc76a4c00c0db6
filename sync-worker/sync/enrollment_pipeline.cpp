#include "sync/enrollment_pipeline.hpp"

#include <algorithm>

#include "amqp/async_publish.hpp"
#include "amqp/topology.hpp"
#include "core/log.hpp"
#include "sync/attio_schema.hpp"
#include "sync/disposition.hpp"
#include "sync/enrollment_batch.hpp"
#include "sync/enrollment_entry.hpp"
#include "sync/offload.hpp"

namespace las::sync {
namespace {

processing_outcome make(processing_outcome::kind k, std::string reason, std::string detail) {
    processing_outcome o;
    o.what = k;
    o.reason = std::move(reason);
    o.detail = std::move(detail);
    return o;
}

std::string metric_label(const record_outcome& r) {
    if (r.status) return std::string(to_string(*r.status));
    return std::string(to_string(r.what));
}

}  // namespace

processing_outcome job_outcome(const std::vector<record_outcome>& records) {
    using kind = record_outcome::kind;
    const record_outcome* first[4] = {nullptr, nullptr, nullptr, nullptr};  // by kind
    std::optional<std::chrono::milliseconds> retry_after;
    for (const auto& r : records) {
        auto& slot = first[static_cast<int>(r.what)];
        if (!slot) slot = &r;
        if (r.what == kind::retry && r.retry_after) retry_after = std::max(retry_after.value_or(r.retry_after->zero()), *r.retry_after);
    }
    if (const auto* r = first[static_cast<int>(kind::retry)]) {
        auto o = make(processing_outcome::kind::retry, r->reason, r->record_id + ": " + r->message);
        o.retry_after = retry_after;
        return o;
    }
    if (const auto* r = first[static_cast<int>(kind::deferred)])
        return make(processing_outcome::kind::deferred, r->reason, r->record_id + ": " + r->message);
    if (const auto* r = first[static_cast<int>(kind::dead_letter)])
        return make(processing_outcome::kind::dead_letter, r->reason, r->record_id + ": " + r->message);
    return make(processing_outcome::kind::done, {}, {});
}

std::vector<reply_item> reply_items(const std::vector<record_outcome>& records) {
    std::vector<reply_item> items;
    items.reserve(records.size());
    for (const auto& r : records) {
        reply_item item;
        item.record_id = r.record_id;
        item.status = std::string(to_string(r.status.value_or(enrollment_status::failed)));
        if (r.status == enrollment_status::enrolled) item.lead_id = r.lead_id;
        item.message = r.message;
        items.push_back(std::move(item));
    }
    return items;
}

struct enrollment_pipeline::job_run {
    std::string job_id;
    std::optional<processing_outcome> failure;  // the job itself could not be processed
    std::vector<record_outcome> records;
};

enrollment_pipeline::enrollment_pipeline(asio::io_context& io, amqp::connection_settings broker,
                                         amqp::publisher& publisher, enrollment_processor& processor,
                                         attio::client& attio, metrics::registry& registry,
                                         enrollment_pipeline_settings settings)
    : io_(io),
      broker_(std::move(broker)),
      publisher_(publisher),
      processor_(processor),
      attio_(attio),
      settings_(std::move(settings)),
      jobs_(registry.counter_family("worker_enrollment_jobs_total", "Enrollment jobs settled, by disposition",
                                    {"disposition"})),
      records_(registry.counter_family("worker_enrollments_total",
                                       "Records of settled enrollment jobs, by enrollment status", {"status"})),
      republish_failures_(registry.add_counter("worker_enrollment_republish_failures_total",
                                               "Enrollment retry/DLQ publishes not confirmed (the job was requeued)")) {
    registry.add_callback_gauge("worker_enrollment_jobs_in_flight", "Enrollment jobs being processed",
                                [this] { return static_cast<double>(in_flight_.load()); });
}

enrollment_pipeline::~enrollment_pipeline() { stop(std::chrono::milliseconds(0)); }

void enrollment_pipeline::track_jobs(state::job_store& jobs, asio::thread_pool& blocking) {
    job_store_ = &jobs;
    blocking_ = &blocking;
}

bool enrollment_pipeline::tracked(const std::string& job_id) const {
    // The gateway's jobs only: nobody polls an Attio webhook's.
    return job_store_ != nullptr && job_id.starts_with("job_");
}

awaitable<void> enrollment_pipeline::note_begin(const std::string& job_id, std::size_t total) {
    if (!tracked(job_id)) co_return;
    auto r = co_await offload(*blocking_, [&] { return job_store_->begin_job(job_id, total); });
    if (!r) log::warn("enrollment.progress_not_recorded", {{"job_id", job_id}, {"error", r.error().message}});
}

awaitable<void> enrollment_pipeline::note_settled(const std::string& job_id, const reply_item& item) {
    if (!tracked(job_id)) co_return;
    const std::string json = reply_item_json(item);
    auto r = co_await offload(*blocking_, [&] { return job_store_->settle_record(job_id, item.record_id, json); });
    if (!r) log::warn("enrollment.progress_not_recorded", {{"job_id", job_id}, {"error", r.error().message}});
}

awaitable<void> enrollment_pipeline::note_state(const std::string& job_id, state::job_state s) {
    if (!tracked(job_id)) co_return;
    auto r = co_await offload(*blocking_, [&] { return job_store_->set_job_state(job_id, s); });
    if (!r) log::warn("enrollment.progress_not_recorded", {{"job_id", job_id}, {"error", r.error().message}});
}

void enrollment_pipeline::start() {
    amqp::consumer_options options;
    options.queue = amqp::attio_enrollments().queue();
    options.prefetch = settings_.prefetch;
    options.connection_name = "sync-worker-enrollments";
    options.on_connect = [](amqp::connection& c) { return amqp::declare_topology(c); };
    options.on_delivery = [this](amqp::delivery d) {
        ++in_flight_;
        asio::co_spawn(io_, handle(std::move(d)), asio::detached);
    };
    options.on_state_change = [](amqp::consumer_state s, std::string_view reason) {
        if (s == amqp::consumer_state::consuming) log::info("consumer.consuming", {{"queue", amqp::attio_enrollments_name}});
        else log::warn("consumer.state", {{"queue", amqp::attio_enrollments_name}, {"state", amqp::to_string(s)},
                                          {"reason", reason}});
    };
    consumer_ = std::make_unique<amqp::consumer>(broker_, std::move(options));
}

void enrollment_pipeline::stop(std::chrono::milliseconds drain) {
    if (consumer_) consumer_->stop(drain);
}

bool enrollment_pipeline::consuming() const { return consumer_ && consumer_->consuming(); }

awaitable<std::vector<record_outcome>> enrollment_pipeline::run_records(std::vector<record_request> requests) {
    std::vector<record_outcome> results(requests.size());
    co_await for_each_bounded(requests.size(), settings_.record_concurrency, [&](std::size_t i) -> awaitable<void> {
        try {
            results[i] = co_await processor_.process(requests[i]);
        } catch (const std::exception& e) {
            // A bug, not an outcome: retry rather than lose the record, and say so loudly.
            log::error("enrollment.exception", {{"record_id", requests[i].record_id}, {"error", e.what()}});
            results[i].what = record_outcome::kind::retry;
            results[i].reason = "internal_error";
            results[i].message = e.what();
        }
        results[i].record_id = requests[i].record_id;
        if (results[i].what == record_outcome::kind::done && results[i].status) {
            // Named: g++ 12 mishandles temporaries held across a co_await.
            const std::vector<record_outcome> one{results[i]};
            const auto item = reply_items(one).front();
            co_await note_settled(requests[i].job_id, item);
        }
    });
    co_return results;
}

awaitable<enrollment_pipeline::job_run> enrollment_pipeline::run_api_job(const amqp::delivery& delivery) {
    job_run run;
    run.job_id = delivery.message_id;
    auto job = parse_enrollment_job(delivery.body, delivery.message_id, settings_.defaults);
    if (!job) {
        run.failure = make(processing_outcome::kind::dead_letter, "invalid_job", job.error());
        co_return run;
    }
    run.job_id = job->job_id;
    co_await note_begin(run.job_id, job->record_ids.size());
    std::vector<record_request> requests;
    requests.reserve(job->record_ids.size());
    for (const auto& id : job->record_ids)
        requests.push_back(record_request{job->job_id, job->campaign_id, id, job->flags, job->icebreaker});
    run.records = co_await run_records(std::move(requests));
    co_return run;
}

awaitable<std::optional<record_outcome>> enrollment_pipeline::resolve_entry(const attio_entry_event& event,
                                                                            std::vector<record_request>& requests,
                                                                            const std::string& job_id, bool replay) {
    auto failure = [&](const outbound::call_error& e, std::string_view doing) {
        record_outcome o;
        o.record_id = event.parent_record_id;
        o.message = "Attio " + std::string(doing) + ": " + e.describe();
        o.reason = e.kind == outbound::failure::permanent ? "attio_rejected" : std::string(outbound::to_string(e.kind));
        o.what = e.kind == outbound::failure::permanent ? record_outcome::kind::dead_letter : record_outcome::kind::retry;
        o.retry_after = e.retry_after;
        return o;
    };
    auto ignored = [&](std::string_view why) {
        log::debug("enrollment.entry_ignored", {{"entry_id", event.entry_id}, {"reason", why}});
        return std::nullopt;
    };
    if (settings_.enrollment_list.empty()) {
        log::warn("enrollment.entry_ignored", {{"entry_id", event.entry_id}, {"reason", "no enrollment list configured"}});
        co_return std::nullopt;
    }
    if (!list_id_) {
        auto list = co_await attio_.get_list(settings_.enrollment_list);
        if (!list) co_return failure(list.error(), "read the enrollment list " + settings_.enrollment_list);
        list_id_ = list->list_id;
    }
    if (event.list_id != *list_id_ && event.list_id != settings_.enrollment_list) co_return ignored("another list");
    auto entry = co_await attio_.get_entry(settings_.enrollment_list, event.entry_id);
    if (!entry) {
        // Removed from the list since: nothing to enroll.
        if (attio::is_not_found(entry.error())) co_return ignored("entry gone");
        co_return failure(entry.error(), "read entry " + event.entry_id);
    }
    const std::string record_id = entry->parent_record_id.empty() ? event.parent_record_id : entry->parent_record_id;
    if (!entry->parent_object.empty() && entry->parent_object != people_object) {
        log::warn("enrollment.entry_ignored", {{"entry_id", event.entry_id}, {"reason", "parent is not a Person"},
                                               {"parent_object", entry->parent_object}});
        co_return std::nullopt;
    }
    auto decision = decide_entry(entry->values, settings_.campaign_attribute, settings_.defaults, replay);
    entry_ref where{settings_.enrollment_list, event.entry_id};
    switch (decision.what) {
        case entry_decision::kind::wait: co_return ignored("no campaign id yet");
        case entry_decision::kind::answered: co_return ignored("already answered for this campaign");
        case entry_decision::kind::invalid_campaign: {
            // The rep sees why on the entry; fixing the id (an update) enrolls. Nothing for an operator.
            record_outcome o;
            o.record_id = record_id;
            o.campaign_id = decision.campaign_id;
            o.entry = where;
            o.status = enrollment_status::failed;
            o.reason = "invalid_campaign";
            o.message = decision.message;
            auto refusal = co_await processor_.answer_entry(where, enrollment_status::failed, decision.message,
                                                            decision.campaign_id);
            if (refusal) {
                auto f = failure(*refusal, "write the answer on entry " + event.entry_id);
                f.record_id = record_id;
                co_return f;
            }
            o.written_back = true;
            co_return o;
        }
        case entry_decision::kind::enroll: break;
    }
    // Two events of one entry in one delivery enroll once.
    for (const auto& r : requests) {
        const bool same = r.entry && r.entry->entry_id == event.entry_id && r.campaign_id == decision.campaign_id;
        if (same) co_return std::nullopt;
    }
    requests.push_back(record_request{job_id, decision.campaign_id, record_id, decision.options.flags,
                                      decision.options.icebreaker, where});
    co_return std::nullopt;
}

awaitable<enrollment_pipeline::job_run> enrollment_pipeline::run_attio_webhook(const amqp::delivery& delivery) {
    job_run run;
    run.job_id = delivery.message_id;
    auto hook = parse_attio_webhook(delivery.body);
    if (!hook) {
        run.failure = make(processing_outcome::kind::dead_letter, "invalid_job", "Attio webhook: " + hook.error());
        co_return run;
    }
    if (run.job_id.empty()) run.job_id = "attio:" + hook->webhook_id;
    // An operator's DLQ replay asks again for an entry whose answer is `failed`.
    const bool replay = amqp::header_string(delivery.headers, amqp::header::source) == "replay";
    std::vector<record_request> requests;
    for (const auto& event : hook->entries) {
        auto settled = co_await resolve_entry(event, requests, run.job_id, replay);
        if (settled) run.records.push_back(std::move(*settled));
    }
    auto results = co_await run_records(std::move(requests));
    run.records.insert(run.records.end(), std::make_move_iterator(results.begin()), std::make_move_iterator(results.end()));
    co_return run;
}

void enrollment_pipeline::reply(const amqp::delivery& delivery, std::string body) {
    // Not awaited: the caller may be gone, and the job's ack must not wait on its reply.
    publisher_.publish(amqp::reply_message(delivery, std::move(body)), [job = delivery.message_id](amqp::publish_outcome o) {
        if (o != amqp::publish_outcome::confirmed)
            log::warn("enrollment.reply_failed", {{"job_id", job}, {"publish", amqp::to_string(o)}});
    });
}

awaitable<void> enrollment_pipeline::handle(amqp::delivery delivery) {
    const auto started = std::chrono::steady_clock::now();
    const bool from_attio = is_attio_webhook(delivery);
    job_run run;
    try {
        // Not a conditional expression: g++ 12 mishandles co_await inside `?:`.
        if (from_attio) run = co_await run_attio_webhook(delivery);
        else run = co_await run_api_job(delivery);
    } catch (const std::exception& e) {
        log::error("enrollment.exception", {{"job_id", delivery.message_id}, {"error", e.what()}});
        run.job_id = delivery.message_id;
        run.failure = make(processing_outcome::kind::retry, "internal_error", e.what());
    }
    const processing_outcome outcome = run.failure ? *run.failure : job_outcome(run.records);
    auto plan = plan_disposition(outcome, delivery, amqp::attio_enrollments(), settings_.max_attempts,
                                 std::chrono::system_clock::now());

    if (plan.what == disposition::kind::dead_letter && outcome.what == processing_outcome::kind::retry) {
        // Retries exhausted: what kept failing ends as `failed` on its Person. A record another
        // worker holds right now is left to that worker (it is reported failed here, pending).
        for (auto& r : run.records) {
            if (r.what != record_outcome::kind::retry) continue;
            r.what = record_outcome::kind::dead_letter;
            r.status = enrollment_status::failed;
            r.message = "gave up after " + std::to_string(plan.attempts) + " attempts: " + r.message;
            r.written_back = co_await processor_.mark_failed(r);
        }
    }
    const bool terminal = plan.what == disposition::kind::ack || plan.what == disposition::kind::dead_letter;
    if (plan.republish && !terminal && !delivery.reply_to.empty()) {
        // A caller still waiting gets the result of a later attempt, if it comes in time.
        plan.republish->reply_to = delivery.reply_to;
        plan.republish->correlation_id = delivery.correlation_id;
    }

    bool settled = true;
    if (plan.republish) {
        const auto published = co_await amqp::async_publish(publisher_, *plan.republish, use_awaitable);
        if (published != amqp::publish_outcome::confirmed) {
            settled = false;
            republish_failures_.inc();
            consumer_->reject(delivery, true);
            co_await note_state(run.job_id, state::job_state::queued);
            log::warn("enrollment.job_requeued", {{"job_id", run.job_id}, {"plan", to_string(plan.what)},
                                                  {"publish", amqp::to_string(published)}});
        }
    }
    if (settled) {
        if (terminal && !delivery.reply_to.empty()) {
            const std::string error = run.failure ? run.failure->detail : std::string();
            reply(delivery, reply_body(run.job_id, reply_items(run.records), error));
        }
        if (terminal) {
            const auto items = reply_items(run.records);
            for (const auto& item : items) co_await note_settled(run.job_id, item);
            co_await note_state(run.job_id, state::job_state::done);
        } else {
            co_await note_state(run.job_id, state::job_state::queued);
        }
        consumer_->ack(delivery);
        jobs_.with({std::string(to_string(plan.what))}).inc();
        if (terminal) {
            for (const auto& r : run.records) records_.with({metric_label(r)}).inc();
        }
    }
    for (const auto& r : run.records) {
        const auto level = r.what == record_outcome::kind::done ? log::level::info : log::level::warn;
        log::write(level, "enrollment.record",
                   {{"job_id", run.job_id}, {"record_id", r.record_id}, {"outcome", to_string(r.what)},
                    {"status", r.status ? to_string(*r.status) : std::string_view("pending")},
                    {"lead_id", r.lead_id.value_or("")}, {"reason", r.reason}, {"message", r.message},
                    {"written_back", r.written_back}});
    }
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log::write(outcome.what == processing_outcome::kind::dead_letter ? log::level::warn : log::level::info,
               "enrollment.job_settled",
               {{"job_id", run.job_id}, {"source", from_attio ? "attio_webhook" : "api"},
                {"records", run.records.size()}, {"outcome", to_string(outcome.what)}, {"disposition", to_string(plan.what)},
                {"attempts", plan.attempts}, {"reason", outcome.reason}, {"error", outcome.detail},
                {"ms", elapsed * 1000.0}});
    --in_flight_;
}

}  // namespace las::sync
