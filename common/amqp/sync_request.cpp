#include "amqp/sync_request.hpp"

#include "amqp/topology.hpp"
#include "core/json.hpp"

namespace las::amqp {
namespace {

constexpr std::size_t max_categories = 64;

}  // namespace

std::string_view to_string(request_kind k) noexcept {
    switch (k) {
        case request_kind::campaigns: return "campaigns";
        case request_kind::enrollment_job: return "enrollment_job";
        case request_kind::subscriptions_sync: return "subscriptions_sync";
    }
    return "unknown";
}

std::string encode_request(const sync_request& request) {
    std::string out = "{\"request\":";
    json::append_quoted(out, to_string(request.kind));
    if (request.kind == request_kind::enrollment_job) {
        out += ",\"job_id\":";
        json::append_quoted(out, request.job_id);
    }
    if (request.kind == request_kind::subscriptions_sync) {
        out += ",\"categories\":[";
        for (std::size_t i = 0; i < request.categories.size(); ++i) {
            if (i) out += ',';
            json::append_quoted(out, request.categories[i]);
        }
        out += ']';
    }
    out += '}';
    return out;
}

result<sync_request, std::string> parse_request(std::string_view body) {
    auto doc = json::parse(body, json::parse_limits{4});
    if (!doc) return fail("not JSON: " + doc.error().message);
    if (!doc->IsObject()) return fail(std::string("not a JSON object"));
    const auto kind = json::get_string(*doc, "request");
    if (!kind) return fail(std::string("request: missing"));
    sync_request out;
    if (*kind == "campaigns") {
        out.kind = request_kind::campaigns;
    } else if (*kind == "enrollment_job") {
        out.kind = request_kind::enrollment_job;
        const auto id = json::get_nonempty_string(*doc, "job_id");
        if (!id) return fail(std::string("job_id: missing"));
        out.job_id = std::string(*id);
    } else if (*kind == "subscriptions_sync") {
        out.kind = request_kind::subscriptions_sync;
        const auto* list = json::find(*doc, "categories");
        if (list == nullptr || !list->IsArray()) return fail(std::string("categories: must be an array"));
        if (list->Size() > max_categories) return fail(std::string("categories: too many"));
        for (const auto& c : list->GetArray()) {
            if (!c.IsString()) return fail(std::string("categories: must be strings"));
            out.categories.emplace_back(c.GetString(), c.GetStringLength());
        }
    } else {
        return fail("request: unknown kind '" + std::string(*kind) + "'");
    }
    return out;
}

publish_request request_message(const sync_request& request, std::string_view message_id,
                                std::chrono::milliseconds wait) {
    publish_request m;
    m.exchange = "";
    m.routing_key = std::string(sync_requests_name);
    m.body = encode_request(request);
    m.message_id = std::string(message_id);
    m.expiration = std::to_string(wait.count());
    m.persistent = false;
    m.mandatory = true;  // no queue (not declared yet) → returned → the caller answers 503
    m.headers.emplace("x-request", std::string(to_string(request.kind)));
    return m;
}

std::string encode_reply(const sync_reply& reply) {
    std::string out = "{\"status\":";
    out += std::to_string(reply.status);
    out += ",\"body\":";
    out += reply.body.empty() ? std::string("{}") : reply.body;
    out += '}';
    return out;
}

result<sync_reply, std::string> parse_reply(std::string_view body) {
    auto doc = json::parse(body, json::parse_limits{32});
    if (!doc) return fail("reply is not JSON: " + doc.error().message);
    if (!doc->IsObject()) return fail(std::string("reply is not a JSON object"));
    const auto code = json::get_int(*doc, "status");
    if (!code || *code < 100 || *code > 599) return fail(std::string("reply: status must be an HTTP status"));
    const auto* answer = json::find(*doc, "body");
    if (answer == nullptr || !answer->IsObject()) return fail(std::string("reply: body must be a JSON object"));
    sync_reply out;
    out.status = static_cast<unsigned>(*code);
    out.body = json::to_string(*answer);
    return out;
}

}  // namespace las::amqp
