#include "gateway/service.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/log.hpp"

namespace las::gateway {
namespace {

using status = http_proto::status;

http::response json_response(const http::request& req, status s, std::string body) {
    return http::make_response(req, s, std::move(body));
}

std::string accepted_body(const publish_action& action, stored_in where) {
    std::string out;
    if (action.answer == answer_kind::job_accepted) {
        out = "{\"job_id\":";
        json::append_quoted(out, action.id);
    } else {
        out = "{\"status\":\"accepted\",\"message_id\":";
        json::append_quoted(out, action.id);
    }
    out += ",\"stored\":";
    json::append_quoted(out, to_string(where));
    out += '}';
    return out;
}

std::string path_for_log(std::string_view target) {
    std::string_view path = path_of(target);
    if (path.size() > 200) path = path.substr(0, 200);
    return std::string(path);
}

}  // namespace

service::service(service_options options, durable_store& store, gateway_metrics& metrics, clock now)
    : options_(std::move(options)), store_(store), metrics_(metrics), now_(std::move(now)) {}

sys_ms service::system_now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

awaitable<http::response> service::handle(http::request& req, const http::request_info&) {
    const request_context ctx{now_(), [] { return "job_" + crypto::random_hex(12); }};
    decision d = route(req, options_.routes, ctx);

    if (auto* immediate = std::get_if<immediate_response>(&d)) {
        auto res = json_response(req, immediate->status, std::move(immediate->body));
        if (!immediate->allow.empty()) res.set(http_proto::field::allow, immediate->allow);
        co_return res;
    }
    if (const auto* p = std::get_if<probe>(&d)) co_return probe_response(req, *p);
    if (const auto* q = std::get_if<query_action>(&d)) co_return co_await ask_worker(req, *q);

    auto& action = std::get<publish_action>(d);
    if (!action.unexpected_hook_type.empty()) {
        metrics_.hook_type_mismatches.inc();
        log::warn("webhook.hook_type_mismatch",
                  {{"hook_type", action.unexpected_hook_type}, {"message_id", action.id}});
    }
    if (action.wait_for_reply) co_return co_await wait_for_reply(req, action);
    const store_result r = co_await store_.store(action.message);
    co_return answer_stored(req, action, r);
}

http::response service::answer_stored(const http::request& req, const publish_action& action,
                                      const store_result& r) const {
    if (r.where == stored_in::nowhere) {
        auto res = json_response(req, status::service_unavailable,
                                 error_body("unavailable", "neither the broker nor the local spool can store it now"));
        res.set(http_proto::field::retry_after, "5");
        return res;
    }
    const status s = action.answer == answer_kind::job_accepted ? status::accepted : status::ok;
    return json_response(req, s, accepted_body(action, r.where));
}

awaitable<http::response> service::wait_for_reply(const http::request& req, publish_action& action) {
    // The call's copy carries reply_to/correlation_id; the original is what a fallback spools.
    amqp::call_result r = co_await store_.call(action.message, options_.wait_timeout);
    if (r.reply) {
        metrics_.stored_broker.inc();
        std::string body = "{\"result\":";
        if (json::parse(r.reply->body)) body += r.reply->body;
        else json::append_quoted(body, r.reply->body);
        body += '}';
        co_return json_response(req, status::ok, std::move(body));
    }
    if (amqp::is_confirmed(r.publish)) {
        metrics_.stored_broker.inc();
        std::string body = "{\"job_id\":";
        json::append_quoted(body, action.id);
        body += ",\"stored\":\"broker\",\"message\":\"no result within the wait deadline; the job continues\"}";
        co_return json_response(req, status::accepted, std::move(body));
    }
    // Not (certainly) queued: store it the ordinary way and answer 202 without a result.
    log::warn("gateway.call_not_confirmed", {{"job_id", action.id}, {"outcome", amqp::to_string(r.publish)}});
    const store_result stored = co_await store_.spool_only(action.message, r.publish);
    co_return answer_stored(req, action, stored);
}

awaitable<http::response> service::ask_worker(const http::request& req, const query_action& query) {
    const auto timeout =
        query.request.kind == amqp::request_kind::subscriptions_sync ? options_.command_timeout : options_.query_timeout;
    // A member of this frame: the store's call reads it until it completes.
    const amqp::publish_request message = amqp::request_message(query.request, "req_" + crypto::random_hex(12), timeout);
    const amqp::call_result r = co_await store_.call(message, timeout);
    const auto kind = amqp::to_string(query.request.kind);
    if (r.reply) {
        auto reply = amqp::parse_reply(r.reply->body);
        if (!reply) {
            log::error("gateway.worker_reply_invalid", {{"request", kind}, {"error", reply.error()}});
            co_return json_response(req, status::bad_gateway,
                                    error_body("bad_worker_reply", "the worker's answer was unreadable: " + reply.error()));
        }
        co_return json_response(req, static_cast<status>(reply->status), std::move(reply->body));
    }
    if (amqp::is_confirmed(r.publish)) {
        log::warn("gateway.worker_timeout", {{"request", kind}, {"timeout_ms", static_cast<std::int64_t>(timeout.count())}});
        const auto seconds = std::to_string((timeout.count() + 999) / 1000);
        co_return json_response(req, status::gateway_timeout,
                                error_body("timeout", "the worker did not answer within " + seconds + " s"));
    }
    // Not queued: a waiting caller is better told now than spooled for later.
    log::warn("gateway.request_not_queued", {{"request", kind}, {"outcome", amqp::to_string(r.publish)}});
    auto res = json_response(req, status::service_unavailable,
                             error_body("unavailable", "the broker cannot take the request now; try again shortly"));
    res.set(http_proto::field::retry_after, "5");
    co_return res;
}

http::response service::probe_response(const http::request& req, probe p) const {
    switch (p) {
        case probe::health: return json_response(req, status::ok, "{\"status\":\"ok\"}");
        case probe::ready: {
            const bool ready = store_.ready();
            std::string body = ready ? "{\"status\":\"ready\"" : "{\"status\":\"not_ready\"";
            body += ",\"broker_connected\":";
            body += store_.broker_connected() ? "true" : "false";
            body += ",\"spool_writable\":";
            body += store_.spool_writable() ? "true" : "false";
            body += '}';
            return json_response(req, ready ? status::ok : status::service_unavailable, std::move(body));
        }
        case probe::metrics:
            return http::make_response(req, status::ok, metrics_.registry.render(), "text/plain; version=0.0.4");
    }
    return json_response(req, status::internal_server_error, error_body("internal_error", "unknown probe"));
}

void service::on_access(const http::access_record& r) {
    metrics_.requests.with({std::string(route_label(r.target)), std::to_string(r.status)}).inc();
    if (!options_.access_log) return;
    log::info("http.access", {{"method", r.method},
                              {"path", path_for_log(r.target)},
                              {"status", r.status},
                              {"request_bytes", r.request_bytes},
                              {"response_bytes", r.response_bytes},
                              {"duration_us", static_cast<std::int64_t>(r.duration.count())},
                              {"remote", r.remote.address().to_string()}});
}

}  // namespace las::gateway
