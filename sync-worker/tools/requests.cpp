#include "tools/requests.hpp"

#include "amqp/topology.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "sync/offload.hpp"

namespace las::tools {
namespace {

// A sync lists Lemlist's hooks, then writes: two at once (two admins, or a double click)
// would plan against the same listing. One at a time across the pool, by a named lock.
constexpr std::string_view sync_lock_name = "subscriptions_sync";
constexpr auto sync_lock_lease = std::chrono::minutes(2);

void hook_fields(std::string& out, std::string_view type, std::string_view hook_id, std::string_view target_url) {
    out += "{\"type\":";
    json::append_quoted(out, type);
    out += ",\"hook_id\":";
    json::append_quoted(out, hook_id);
    out += ",\"target_url\":";
    json::append_quoted(out, target_url);
}

void append_item(std::string& list, const std::string& item) {
    if (list.size() > 1) list += ',';
    list += item;
}

}  // namespace

amqp::sync_reply error_reply(unsigned status, std::string_view code, std::string_view message, std::string_view field) {
    std::string body = "{\"error\":";
    json::append_quoted(body, code);
    body += ",\"message\":";
    json::append_quoted(body, message);
    if (!field.empty()) {
        body += ",\"field\":";
        json::append_quoted(body, field);
    }
    body += '}';
    return amqp::sync_reply{status, std::move(body)};
}

amqp::sync_reply campaigns_reply(const std::vector<outbound::lemlist_campaign>& campaigns) {
    std::string body = "{\"campaigns\":[";
    for (std::size_t i = 0; i < campaigns.size(); ++i) {
        const auto& c = campaigns[i];
        if (i) body += ',';
        body += "{\"id\":";
        json::append_quoted(body, c.id);
        body += ",\"name\":";
        json::append_quoted(body, c.name);
        body += ",\"status\":";
        json::append_quoted(body, c.status);
        body += '}';
    }
    body += "]}";
    return amqp::sync_reply{200, std::move(body)};
}

amqp::sync_reply lemlist_refused_reply(const outbound::call_error& error) {
    return error_reply(502, "lemlist_refused", describe_refusal(error));
}

amqp::sync_reply job_reply(std::string_view job_id, const std::optional<state::job_progress>& progress) {
    if (!progress) return error_reply(404, "not_found", "no such enrollment job");
    std::string body = "{\"job_id\":";
    json::append_quoted(body, job_id);
    body += ",\"state\":";
    json::append_quoted(body, state::to_string(progress->state));
    body += ",\"results\":[";
    for (std::size_t i = 0; i < progress->results.size(); ++i) {
        if (i) body += ',';
        body += progress->results[i].second;  // written by reply_item_json
    }
    body += "]}";
    return amqp::sync_reply{200, std::move(body)};
}

amqp::sync_reply subscriptions_reply(const subscription_report& report, hook_mode mode, std::string_view target_url) {
    if (report.listing_error) return lemlist_refused_reply(*report.listing_error);
    std::string created = "[", deleted = "[", kept = "[", refused = "[", skipped = "[";
    for (const auto& o : report.outcomes) {
        const auto& a = o.action;
        if (a.step == hook_step::foreign) continue;  // never touched, never listed
        std::string item;
        if (a.step == hook_step::keep) {
            hook_fields(item, a.type, a.hook_id, a.target_url);
            item += '}';
            append_item(kept, item);
            continue;
        }
        const std::string_view action = a.step == hook_step::create ? "create" : "delete";
        if (o.error) {
            item = "{\"action\":";
            json::append_quoted(item, action);
            item += ",\"type\":";
            json::append_quoted(item, a.type);
            item += ",\"status\":" + std::to_string(o.error->status) + ",\"message\":";
            // Lemlist's own text when it answered; what happened instead when it did not.
            json::append_quoted(item, o.error->status != 0 ? o.error->message : describe_refusal(*o.error));
            item += '}';
            append_item(refused, item);
        } else if (o.applied) {
            hook_fields(item, a.type, a.hook_id, a.target_url);
            if (a.step == hook_step::remove) {
                item += ",\"reason\":";
                json::append_quoted(item, a.detail);
            }
            item += '}';
            append_item(a.step == hook_step::create ? created : deleted, item);
        } else {
            item = "{\"action\":";
            json::append_quoted(item, action);
            item += ",\"type\":";
            json::append_quoted(item, a.type);
            item += ",\"reason\":";
            json::append_quoted(item, o.note.empty() ? std::string("not applied") : o.note);
            item += '}';
            append_item(skipped, item);
        }
    }
    std::string body = "{\"mode\":";
    json::append_quoted(body, to_string(mode));
    body += ",\"target_url\":";
    json::append_quoted(body, target_url);
    body += ",\"created\":" + created + "],\"deleted\":" + deleted + "],\"kept\":" + kept + "],\"refused\":" + refused +
            "],\"skipped\":" + skipped + "]}";
    return amqp::sync_reply{200, std::move(body)};
}

request_consumer::request_consumer(runtime& rt, const amqp::connection_settings& broker, amqp::publisher& publisher)
    : rt_(rt), publisher_(publisher) {
    if (rt.settings().lemlist_api_key) lemlist_ = &rt.lemlist("run");
    amqp::consumer_options options;
    options.queue = std::string(amqp::sync_requests_name);
    options.prefetch = 8;
    options.connection_name = "sync-worker-requests";
    options.on_connect = [](amqp::connection& c) { return amqp::declare_topology(c); };
    options.on_delivery = [this](amqp::delivery d) { asio::co_spawn(rt_.io(), handle(std::move(d)), asio::detached); };
    options.on_state_change = [](amqp::consumer_state s, std::string_view reason) {
        if (s == amqp::consumer_state::consuming) log::info("consumer.consuming", {{"queue", amqp::sync_requests_name}});
        else log::warn("consumer.state", {{"queue", amqp::sync_requests_name}, {"state", amqp::to_string(s)},
                                          {"reason", reason}});
    };
    consumer_ = std::make_unique<amqp::consumer>(broker, std::move(options));
}

request_consumer::~request_consumer() { stop(std::chrono::milliseconds(0)); }

void request_consumer::stop(std::chrono::milliseconds drain) {
    if (consumer_) consumer_->stop(drain);
}

bool request_consumer::ready() const { return consumer_ && consumer_->consuming(); }

awaitable<amqp::sync_reply> request_consumer::sync_hooks(const std::vector<std::string>& categories) {
    const auto& s = rt_.settings();
    if (!lemlist_) co_return error_reply(503, "not_configured", "LEMLIST_API_KEY is not set on the worker");
    if (!s.public_webhook_url) co_return error_reply(503, "not_configured", "PUBLIC_WEBHOOK_URL is not set on the worker");
    file_settings chosen = s.file;
    chosen.enabled_categories = categories;
    auto types = desired_hook_types(chosen);
    if (!types) co_return error_reply(400, "invalid_field", types.error(), "categories");

    auto& locks = *rt_.state().locks;
    auto token = co_await sync::offload(rt_.blocking(), [&] { return locks.try_lock(sync_lock_name, sync_lock_lease); });
    if (!token) co_return error_reply(503, "unavailable", "the worker's state store is unreachable: " + token.error().message);
    if (!token.value()) co_return error_reply(409, "busy", "another subscriptions sync is running; try again shortly");

    auto settings = subscription_settings_for(s, std::move(types.value()));
    amqp::sync_reply reply;
    try {
        const auto report = co_await sync_subscriptions(*lemlist_, std::move(settings));
        for (const auto& line : report.lines()) log::info("subscriptions.sync", {{"line", line}});
        reply = subscriptions_reply(report, s.file.events_mode, *s.public_webhook_url);
    } catch (const std::exception& e) {
        reply = error_reply(500, "internal_error", e.what());
    }
    const std::string held = *token.value();
    auto unlocked = co_await sync::offload(rt_.blocking(), [&] { return locks.unlock(sync_lock_name, held); });
    if (!unlocked) log::warn("subscriptions.unlock_failed", {{"error", unlocked.error().message}});
    co_return reply;
}

awaitable<amqp::sync_reply> request_consumer::answer(const amqp::sync_request& request) {
    switch (request.kind) {
        case amqp::request_kind::campaigns: {
            if (!lemlist_) co_return error_reply(503, "not_configured", "LEMLIST_API_KEY is not set on the worker");
            auto listed = co_await lemlist_->list_campaigns();
            if (!listed) co_return lemlist_refused_reply(listed.error());
            co_return campaigns_reply(listed.value());
        }
        case amqp::request_kind::enrollment_job: {
            auto& jobs = *rt_.state().jobs;
            auto progress = co_await sync::offload(rt_.blocking(), [&] { return jobs.get_job(request.job_id); });
            if (!progress)
                co_return error_reply(503, "unavailable", "the worker's state store is unreachable: " + progress.error().message);
            co_return job_reply(request.job_id, progress.value());
        }
        case amqp::request_kind::subscriptions_sync: co_return co_await sync_hooks(request.categories);
    }
    co_return error_reply(400, "invalid_request", "unknown request");
}

awaitable<void> request_consumer::handle(amqp::delivery delivery) {
    const auto started = std::chrono::steady_clock::now();
    auto request = amqp::parse_request(delivery.body);
    amqp::sync_reply reply;
    std::string kind = "invalid";
    if (!request) {
        reply = error_reply(400, "invalid_request", request.error());
    } else {
        kind = std::string(amqp::to_string(request->kind));
        try {
            reply = co_await answer(request.value());
        } catch (const std::exception& e) {
            log::error("requests.exception", {{"request", kind}, {"error", e.what()}});
            reply = error_reply(500, "internal_error", e.what());
        }
    }
    if (!delivery.reply_to.empty()) {
        publisher_.publish(amqp::reply_message(delivery, amqp::encode_reply(reply)), [kind](amqp::publish_outcome o) {
            if (o != amqp::publish_outcome::confirmed)
                log::warn("requests.reply_failed", {{"request", kind}, {"publish", amqp::to_string(o)}});
        });
    }
    // Answered (or unanswerable): a redelivery would only run it twice.
    consumer_->ack(delivery);
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log::info("requests.answered", {{"request", kind}, {"status", reply.status}, {"ms", elapsed * 1000.0}});
}

}  // namespace las::tools
