#include "sync/event_pipeline.hpp"

#include <thread>

#include "amqp/async_publish.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "lemlist/event.hpp"
#include "sync/disposition.hpp"

namespace las::sync {
namespace {

event_time now_ms() { return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

}  // namespace

std::string trace_line(const processing_outcome& outcome, std::string_view disposition, std::string_view type,
                       std::string_view source, std::string_view received_at, unsigned attempt, sys_ms at) {
    std::string out = "{\"at\":" + json::quoted(format_iso8601(at));
    auto field = [&out](std::string_view name, std::string_view value) {
        if (value.empty()) return;
        out += ',';
        json::append_quoted(out, name);
        out += ':';
        json::append_quoted(out, value);
    };
    field("source", source.empty() ? std::string_view("webhook") : source);
    field("received_at", received_at);
    out += ",\"attempt\":" + std::to_string(attempt);
    field("type", type);
    field("outcome", to_string(outcome.what));
    field("disposition", disposition);
    field("reason", outcome.reason);
    field("error", outcome.detail);
    field("record_id", outcome.record_id);
    field("entry_id", outcome.entry_id);
    return out + "}";
}

event_pipeline::event_pipeline(asio::io_context& io, amqp::connection_settings broker, amqp::publisher& publisher,
                               event_processor& processor, metrics::registry& registry, pipeline_settings settings)
    : io_(io),
      broker_(std::move(broker)),
      publisher_(publisher),
      processor_(processor),
      settings_(settings),
      outcomes_(registry.counter_family("worker_events_total", "Lemlist events settled, by outcome", {"outcome"})),
      dead_letters_(registry.counter_family("worker_dlq_publishes_total", "Events dead-lettered, by reason", {"reason"})),
      republish_failures_(registry.add_counter("worker_republish_failures_total",
                                               "Retry/DLQ publishes not confirmed (the original was requeued)")),
      people_created_(registry.add_counter("worker_people_created_total", "Attio People auto-created")),
      lag_(registry.add_histogram("worker_queue_lag_seconds", "From gateway receipt to processing start",
                                  {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600})),
      duration_(registry.add_histogram("worker_event_duration_seconds", "Processing time of one event")) {
    registry.add_callback_gauge("worker_in_flight", "Deliveries being processed", [this] {
        return static_cast<double>(in_flight_.load());
    });
}

event_pipeline::~event_pipeline() { stop(std::chrono::milliseconds(0)); }

void event_pipeline::start() {
    amqp::consumer_options options;
    options.queue = amqp::lemlist_events().queue();
    options.prefetch = settings_.prefetch;
    options.connection_name = "sync-worker";
    options.on_connect = [](amqp::connection& c) { return amqp::declare_topology(c); };
    options.on_delivery = [this](amqp::delivery d) {
        ++in_flight_;
        asio::co_spawn(io_, handle(std::move(d)), asio::detached);
    };
    options.on_state_change = [](amqp::consumer_state s, std::string_view reason) {
        if (s == amqp::consumer_state::consuming) log::info("consumer.consuming", {{"queue", amqp::lemlist_events_name}});
        else log::warn("consumer.state", {{"state", amqp::to_string(s)}, {"reason", reason}});
    };
    consumer_ = std::make_unique<amqp::consumer>(broker_, std::move(options));
}

void event_pipeline::stop(std::chrono::milliseconds drain) {
    if (!consumer_) return;
    consumer_->stop(drain);
}

bool event_pipeline::consuming() const { return consumer_ && consumer_->consuming(); }

awaitable<void> event_pipeline::handle(amqp::delivery delivery) {
    const auto started = std::chrono::steady_clock::now();
    const auto received_header = amqp::header_string(delivery.headers, amqp::header::received_at);
    const auto received_at = received_header ? parse_iso8601(*received_header).value_or(now_ms()) : now_ms();
    lag_.observe(std::chrono::duration<double>(now_ms() - received_at).count());
    const std::string_view source = amqp::header_string(delivery.headers, amqp::header::source).value_or("");

    processing_outcome outcome;
    std::string type = "?";
    auto parsed = lemlist::parse_event(delivery.body);
    if (!parsed) {
        outcome.what = processing_outcome::kind::dead_letter;
        outcome.reason = "invalid_event";
        outcome.detail = parsed.error().code + ": " + parsed.error().message;
    } else {
        auto& ev = parsed.value();
        type = ev.type;
        // The message id is the key the gateway (or reconcile) derived; keep it authoritative
        // so a change in derivation never splits one event into two keys mid-flight.
        if (!delivery.message_id.empty()) ev.idempotency_key = delivery.message_id;
        try {
            outcome = co_await processor_.process(ev, received_at, source);
        } catch (const std::exception& e) {
            // A bug, not an outcome: retry it rather than lose it, and say so loudly.
            log::error("event.exception", {{"key", ev.idempotency_key}, {"error", e.what()}});
            outcome.what = processing_outcome::kind::retry;
            outcome.reason = "internal_error";
            outcome.detail = e.what();
        }
    }

    const auto plan = plan_disposition(outcome, delivery, amqp::lemlist_events(), settings_.max_attempts,
                                       std::chrono::system_clock::now());
    bool settled = true;
    if (plan.republish) {
        const auto published = co_await amqp::async_publish(publisher_, *plan.republish, use_awaitable);
        if (published != amqp::publish_outcome::confirmed) {
            // Not stored elsewhere: leave the original with the broker.
            settled = false;
            republish_failures_.inc();
            consumer_->reject(delivery, true);
            log::warn("event.requeued", {{"key", delivery.message_id}, {"plan", to_string(plan.what)},
                                         {"publish", amqp::to_string(published)}});
        }
    }
    if (settled) {
        consumer_->ack(delivery);
        outcomes_.with({std::string(to_string(outcome.what))}).inc();
        if (plan.what == disposition::kind::dead_letter) {
            const auto reason = amqp::header_string(plan.republish->headers, amqp::header::dlq_reason);
            dead_letters_.with({std::string(reason.value_or("unknown"))}).inc();
        }
        if (outcome.person_created) people_created_.inc();
    }
    if (settings_.trace && !delivery.message_id.empty()) {
        const auto attempt = static_cast<unsigned>(amqp::header_int(delivery.headers, amqp::header::attempts).value_or(0)) + 1;
        const std::string_view settled_as = settled ? to_string(plan.what) : std::string_view("requeued");
        settings_.trace(delivery.message_id, trace_line(outcome, settled_as, type, source,
                                                        received_header.value_or(""), attempt, now_ms()));
    }
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    duration_.observe(elapsed);
    const auto level = outcome.what == processing_outcome::kind::dead_letter ? log::level::warn
                       : outcome.what == processing_outcome::kind::retry ? log::level::info
                                                                         : log::level::debug;
    log::write(level, "event.settled",
               {{"key", delivery.message_id}, {"type", type}, {"outcome", to_string(outcome.what)},
                {"disposition", to_string(plan.what)}, {"attempts", plan.attempts}, {"reason", outcome.reason},
                {"error", outcome.detail}, {"ms", elapsed * 1000.0}});
    --in_flight_;
}

}  // namespace las::sync
