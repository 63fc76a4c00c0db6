#include "gateway/routes.hpp"

#include <algorithm>
#include <cctype>

#include "amqp/topology.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "gateway/enrollment.hpp"
#include "lemlist/event.hpp"
#include "lemlist/event_type.hpp"
#include "lemlist/idempotency_key.hpp"

namespace las::gateway {
namespace {

using status = http_proto::status;
using verb = http_proto::verb;

immediate_response answer(status s, std::string body) { return immediate_response{s, std::move(body), {}}; }

immediate_response error(status s, std::string_view code, std::string_view message, std::string_view field = {}) {
    return answer(s, error_body(code, message, field));
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

using beast::iequals;

// The value of `name` in the query string ("" when absent).
std::string_view query_param(std::string_view target, std::string_view name) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view("true") : pair.substr(eq + 1);
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return {};
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// AMQP shortstr, visible ASCII: what may become a message_id verbatim.
bool usable_message_id(std::string_view id) {
    return !id.empty() && id.size() <= 255 &&
           std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::optional<immediate_response> body_checks(const http::request& req, const route_config& config) {
    if (!is_json_content_type(req[http_proto::field::content_type]))
        return error(status::unsupported_media_type, "unsupported_media_type", "Content-Type must be application/json");
    // The server enforces the limit while reading; this keeps the route honest on its own.
    if (req.body().size() > config.max_body_bytes)
        return error(status::payload_too_large, "payload_too_large", "request body too large");
    return std::nullopt;
}

decision lemlist_webhook(const http::request& req, const route_config& config, const request_context& ctx) {
    if (auto refused = body_checks(req, config)) return *refused;
    auto doc = lemlist::parse_body(req.body());
    if (!doc) return error(status::bad_request, doc.error().code, doc.error().message);
    if (config.lemlist_secret) {
        const auto secret = lemlist::secret_of(*doc);
        if (!secret || !crypto::constant_time_equal(*secret, *config.lemlist_secret))
            return error(status::unauthorized, "invalid_secret", "missing or wrong webhook secret");
    }
    auto ev = lemlist::event_from_document(std::move(*doc));  // strips `secret`
    if (!ev) return error(status::bad_request, ev.error().code, ev.error().message);

    publish_action action;
    const auto& names = amqp::lemlist_events();
    action.message.exchange = names.exchange();
    action.message.routing_key = names.routing_key();
    action.message.body = lemlist::serialize_body(*ev);
    action.message.message_id = ev->idempotency_key;
    action.message.headers = contract_headers(ctx.now, webhook_source);
    action.id = ev->idempotency_key;
    // Our hooks carry their type in the query (one targetUrl per hook); the key never does, so
    // an activity reaching a group hook and its own type's hook stays one event.
    if (const auto hook_type = query_param(req.target(), "type"); !hook_type.empty() && !lemlist::hook_delivers(hook_type, ev->type))
        action.unexpected_hook_type = std::string(hook_type);
    return action;
}

decision attio_webhook(const http::request& req, const route_config& config, const request_context& ctx) {
    if (auto refused = body_checks(req, config)) return *refused;
    if (config.attio_secret) {
        std::string_view signature;
        if (const auto it = req.find("Attio-Signature"); it != req.end()) signature = it->value();
        else if (const auto legacy = req.find("X-Attio-Signature"); legacy != req.end()) signature = legacy->value();
        const std::string expected = crypto::hmac_sha256_hex(*config.attio_secret, req.body());
        if (signature.empty() || !crypto::constant_time_equal(lowercase(trim(signature)), expected))
            return error(status::unauthorized, "invalid_signature", "missing or wrong Attio-Signature");
    }
    auto doc = json::parse(req.body(), json::parse_limits{32});
    if (!doc) return error(status::bad_request, "invalid_json", "body is not valid JSON: " + doc.error().message);
    if (!doc->IsObject()) return error(status::bad_request, "not_an_object", "body must be a JSON object");

    publish_action action;
    const auto& names = amqp::attio_enrollments();
    action.message.exchange = names.exchange();
    action.message.routing_key = names.routing_key();
    action.message.body = req.body();  // as received: the signature covers these bytes
    const std::string_view key = trim(req["Idempotency-Key"]);
    if (!key.empty() && !usable_message_id(key))
        return error(status::bad_request, "invalid_idempotency_key",
                     "Idempotency-Key must be at most 255 visible ASCII characters");
    action.message.message_id = key.empty() ? "attio:" + crypto::sha256_hex(req.body()) : std::string(key);
    action.message.headers = contract_headers(ctx.now, attio_source);
    action.id = action.message.message_id;
    return action;
}

// The admin routes' bearer check (constant-time); the 401 when it fails.
std::optional<immediate_response> admin_refusal(const http::request& req, const route_config& config) {
    const std::string_view authorization = req[http_proto::field::authorization];
    constexpr std::string_view bearer = "Bearer ";
    const bool authorized = config.admin_token && authorization.size() > bearer.size() &&
                            iequals(authorization.substr(0, bearer.size()), bearer) &&
                            crypto::constant_time_equal(trim(authorization.substr(bearer.size())), *config.admin_token);
    if (!authorized) return error(status::unauthorized, "unauthorized", "missing or wrong bearer token");
    return std::nullopt;
}

decision enrollments(const http::request& req, const route_config& config, const request_context& ctx) {
    // Authentication first: an unauthenticated caller learns nothing about the body rules.
    if (auto refused = admin_refusal(req, config)) return *refused;
    if (auto refused = body_checks(req, config)) return *refused;

    auto parsed = parse_enrollment(req.body());
    if (!parsed) {
        const auto& e = parsed.error();
        return error(static_cast<status>(e.status), e.code, e.message, e.field);
    }
    const std::string_view wait = query_param(req.target(), "wait");
    const bool wants_wait = wait == "true" || wait == "1";

    publish_action action;
    action.id = ctx.new_job_id();
    const auto& names = amqp::attio_enrollments();
    action.message.exchange = names.exchange();
    action.message.routing_key = names.routing_key();
    action.message.body = job_body(*parsed, action.id, ctx.now);
    action.message.message_id = action.id;
    action.message.headers = contract_headers(ctx.now, api_source);
    action.answer = answer_kind::job_accepted;
    action.wait_for_reply = wants_wait && parsed->record_ids.size() == 1;
    return action;
}

decision enrollment_job(const http::request& req, const route_config& config) {
    if (auto refused = admin_refusal(req, config)) return *refused;
    const std::string_view id = path_of(req.target()).substr(enrollment_job_prefix.size());
    if (!is_job_id(id))
        return error(status::bad_request, "invalid_field", "job_id must be job_ followed by hex digits", "job_id");
    query_action q;
    q.request.kind = amqp::request_kind::enrollment_job;
    q.request.job_id = std::string(id);
    return q;
}

decision campaigns(const http::request& req, const route_config& config) {
    if (auto refused = admin_refusal(req, config)) return *refused;
    query_action q;
    q.request.kind = amqp::request_kind::campaigns;
    return q;
}

std::string known_categories() {
    std::string out;
    for (auto c : lemlist::all_categories()) {
        if (!is_subscribable_category(lemlist::to_string(c))) continue;
        if (!out.empty()) out += ", ";
        out += lemlist::to_string(c);
    }
    return out;
}

decision subscriptions_sync(const http::request& req, const route_config& config) {
    if (auto refused = admin_refusal(req, config)) return *refused;
    if (auto refused = body_checks(req, config)) return *refused;
    auto doc = json::parse(req.body(), json::parse_limits{4});
    if (!doc) return error(status::bad_request, "invalid_json", "body is not valid JSON: " + doc.error().message);
    if (!doc->IsObject()) return error(status::bad_request, "invalid_json", "body must be a JSON object");
    for (auto m = doc->MemberBegin(); m != doc->MemberEnd(); ++m) {
        const std::string_view name(m->name.GetString(), m->name.GetStringLength());
        if (name != "categories")
            return error(status::bad_request, "unknown_field", "unknown field (expected categories)", name);
    }
    const auto* list = json::find(*doc, "categories");
    if (list == nullptr) return error(status::bad_request, "missing_field", "categories is required", "categories");
    if (!list->IsArray())
        return error(status::bad_request, "invalid_field", "categories must be an array of category names", "categories");
    query_action q;
    q.request.kind = amqp::request_kind::subscriptions_sync;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const auto& c = (*list)[i];
        const std::string field = "categories[" + std::to_string(i) + "]";
        if (!c.IsString())
            return error(status::bad_request, "invalid_field", "each category must be a string", field);
        const std::string_view slug(c.GetString(), c.GetStringLength());
        if (!is_subscribable_category(slug))
            return error(status::bad_request, "invalid_field",
                         "unknown category '" + std::string(slug) + "' (known: " + known_categories() + ")", field);
        // Given twice is the same choice: kept once.
        if (std::find(q.request.categories.begin(), q.request.categories.end(), slug) == q.request.categories.end())
            q.request.categories.emplace_back(slug);
    }
    return q;
}

immediate_response method_not_allowed(std::string allow) {
    auto r = error(status::method_not_allowed, "method_not_allowed", "method not allowed; allowed: " + allow);
    r.allow = std::move(allow);
    return r;
}

}  // namespace

decision route(const http::request& req, const route_config& config, const request_context& ctx) {
    const std::string_view path = path_of(req.target());
    const verb method = req.method();
    const bool get = method == verb::get || method == verb::head;

    if (path == lemlist_path || path == attio_path || path == enrollments_path) {
        if (method != verb::post) return method_not_allowed("POST");
        if (path == lemlist_path) return lemlist_webhook(req, config, ctx);
        if (path == attio_path) return attio_webhook(req, config, ctx);
        return enrollments(req, config, ctx);
    }
    if (path.starts_with(enrollment_job_prefix) || path == campaigns_path) {
        if (method != verb::get) return method_not_allowed("GET");
        if (path == campaigns_path) return campaigns(req, config);
        return enrollment_job(req, config);
    }
    if (path == subscriptions_sync_path) {
        if (method != verb::post) return method_not_allowed("POST");
        return subscriptions_sync(req, config);
    }
    if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
        if (!get) return method_not_allowed("GET, HEAD");
        if (path == "/healthz") return probe::health;
        if (path == "/readyz") return probe::ready;
        return probe::metrics;
    }
    return error(status::not_found, "not_found", "no such route");
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

bool is_job_id(std::string_view id) {
    constexpr std::string_view prefix = "job_";
    if (!id.starts_with(prefix) || id.size() == prefix.size() || id.size() > prefix.size() + 64) return false;
    return std::all_of(id.begin() + prefix.size(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

bool is_subscribable_category(std::string_view slug) {
    const auto c = lemlist::category_from_string(slug);
    return c && *c != lemlist::event_category::other;
}

std::string_view route_label(std::string_view target) {
    const std::string_view path = path_of(target);
    for (std::string_view known : {lemlist_path, attio_path, enrollments_path, campaigns_path, subscriptions_sync_path,
                                   std::string_view("/healthz"), std::string_view("/readyz"), std::string_view("/metrics")})
        if (path == known) return known;
    if (path.starts_with(enrollment_job_prefix)) return "/v1/enrollments/{job_id}";
    return "other";
}

std::string error_body(std::string_view code, std::string_view message, std::string_view field) {
    std::string out = "{\"error\":";
    json::append_quoted(out, code);
    out += ",\"message\":";
    json::append_quoted(out, message);
    if (!field.empty()) {
        out += ",\"field\":";
        json::append_quoted(out, field);
    }
    out += '}';
    return out;
}

bool is_json_content_type(std::string_view value) {
    return iequals(trim(value.substr(0, value.find(';'))), "application/json");
}

amqp::header_table contract_headers(sys_ms received_at, std::string_view source) {
    amqp::header_table h;
    h.emplace(amqp::header::received_at, format_iso8601(received_at));
    h.emplace(amqp::header::source, std::string(source));
    h.emplace(amqp::header::attempts, std::int64_t{0});
    return h;
}

}  // namespace las::gateway
