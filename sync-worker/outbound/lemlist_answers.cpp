#include "outbound/lemlist_answers.hpp"

#include <algorithm>
#include <cctype>

#include "core/json.hpp"

namespace las::outbound {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool is_html(std::string_view content_type, std::string_view body) {
    if (lower(content_type).find("html") != std::string::npos) return true;
    const auto head = lower(trim(body).substr(0, 64));
    return head.starts_with("<!doctype") || head.starts_with("<html");
}

std::string string_member(const rapidjson::Value& object, std::string_view key) {
    if (auto s = json::get_string(object, key)) return std::string(*s);
    return {};
}

result<rapidjson::Document, std::string> parse_json(std::string_view body) {
    auto doc = json::parse(body);
    if (!doc) return fail("invalid JSON: " + doc.error().message);
    return std::move(doc).value();
}

lemlist_hook hook_from(const rapidjson::Value& v) {
    lemlist_hook h;
    h.id = string_member(v, "_id");
    h.target_url = string_member(v, "targetUrl");
    h.type = string_member(v, "type");
    h.campaign_id = string_member(v, "campaignId");
    h.created_at = string_member(v, "createdAt");
    return h;
}

}  // namespace

bool is_json_answer(std::string_view content_type, std::string_view body) {
    const auto type = lower(content_type);
    if (type.find("json") != std::string::npos) return true;
    if (!trim(type).empty()) return false;
    const auto t = trim(body);
    return !t.empty() && (t.front() == '{' || t.front() == '[');
}

std::string error_text(std::string_view content_type, std::string_view body) {
    if (trim(body).empty()) return {};
    if (is_html(content_type, body)) return "an HTML page instead of an API answer";
    if (is_json_answer(content_type, body)) {
        if (auto doc = json::parse(body); doc && doc->IsObject()) {
            // {"error":"…","message":"…"} or {"success":false,"error":{"code","message"}}
            if (auto m = json::get_string(*doc, "message")) return short_text(*m);
            if (auto e = json::get_string(*doc, "error")) return short_text(*e);
            if (const auto* e = json::find(*doc, "error"); e && e->IsObject()) {
                if (auto m = json::get_string(*e, "message")) return short_text(*m);
            }
        }
    }
    return short_text(body);
}

call_error error_from_answer(unsigned status, std::string_view content_type, std::string_view body,
                             bool replay_safe) {
    call_error e;
    e.kind = classify_status(status, replay_safe);
    e.status = status;
    e.message = error_text(content_type, body);
    if (status == 402) e.code = "plan_gated";
    if (e.message.empty()) e.message = "HTTP " + std::to_string(status);
    return e;
}

call_error not_json_error(unsigned status, std::string_view content_type, std::string_view what) {
    call_error e;
    e.kind = failure::permanent;
    e.status = status;
    e.code = "not_json";
    e.message = std::string(what) + " answered " + std::to_string(status) + " with " +
                (content_type.empty() ? std::string("no content type") : short_text(content_type, 80)) +
                ", not JSON (an unknown route answers with the web app's HTML: check LEMLIST_BASE_URL)";
    return e;
}

call_error unexpected_answer(unsigned status, std::string_view what) {
    call_error e;
    e.kind = failure::permanent;
    e.status = status;
    e.code = "unexpected_answer";
    e.message = short_text(what);
    return e;
}

std::optional<duplicate_lead::scope> duplicate_scope(std::string_view body) {
    const auto text = lower(body);
    if (text.find("lead already in the campaign") != std::string::npos) return duplicate_lead::scope::this_campaign;
    if (text.find("lead already in other campaign") != std::string::npos) return duplicate_lead::scope::other_campaign;
    return std::nullopt;
}

call_result<enrollment> classify_enrollment(unsigned status, std::string_view content_type, std::string_view body) {
    if (status >= 200 && status < 300) {
        if (!is_json_answer(content_type, body) || is_html(content_type, body))
            return fail(not_json_error(status, content_type, "POST /campaigns/{id}/leads/"));
        auto doc = json::parse(body);
        if (!doc || !doc->IsObject())
            return fail(unexpected_answer(status, "create lead answered 2xx with a body that is not a JSON object"));
        auto id = json::get_nonempty_string(*doc, "_id");
        if (!id) return fail(unexpected_answer(status, "create lead answered 2xx without the lead's _id"));
        return enrollment{enrolled{std::string(*id), string_member(*doc, "contactId")}};
    }
    // Text first: the duplicate answers changed status over time (400, 409, 500).
    if (auto where = duplicate_scope(body)) {
        return enrollment{duplicate_lead{*where, status, error_text(content_type, body)}};
    }
    if (status == 429 || status == 408 || status >= 500) return fail(error_from_answer(status, content_type, body, false));
    if (status >= 400) {
        auto message = error_text(content_type, body);
        if (message.empty()) message = "HTTP " + std::to_string(status);
        return enrollment{rejected_lead{status, std::move(message)}};
    }
    return fail(unexpected_answer(status, "create lead answered HTTP " + std::to_string(status)));
}

result<std::vector<lemlist_hook>, std::string> parse_hooks(std::string_view body) {
    auto doc = parse_json(body);
    if (!doc) return fail(std::move(doc.error()));
    const rapidjson::Value* array = &doc.value();
    if (array->IsObject()) {  // tolerate a {hooks:[…]} or {data:[…]} wrapper
        array = json::find(doc.value(), "hooks");
        if (!array) array = json::find(doc.value(), "data");
    }
    if (!array || !array->IsArray()) return fail(std::string("hooks: expected a JSON array"));
    std::vector<lemlist_hook> out;
    for (const auto& v : array->GetArray()) {
        if (!v.IsObject()) return fail(std::string("hooks: an element is not an object"));
        auto h = hook_from(v);
        if (h.id.empty()) return fail(std::string("hooks: an element has no _id"));
        out.push_back(std::move(h));
    }
    return out;
}

result<lemlist_hook, std::string> parse_hook(std::string_view body) {
    auto doc = parse_json(body);
    if (!doc) return fail(std::move(doc.error()));
    if (!doc->IsObject()) return fail(std::string("hook: expected a JSON object"));
    auto h = hook_from(doc.value());
    if (h.id.empty()) return fail(std::string("hook: no _id in the answer"));
    return h;
}

result<campaign_page, std::string> parse_campaigns(std::string_view body) {
    auto doc = parse_json(body);
    if (!doc) return fail(std::move(doc.error()));
    campaign_page page;
    const rapidjson::Value* array = &doc.value();
    if (array->IsObject()) {
        array = json::find(doc.value(), "campaigns");
        if (!array) array = json::find(doc.value(), "data");
        if (const auto* p = json::find(doc.value(), "pagination"); p && p->IsObject()) {
            if (auto total = json::get_int(*p, "totalPage")) page.total_pages = static_cast<long>(*total);
        }
    }
    if (!array || !array->IsArray()) return fail(std::string("campaigns: expected an array or {campaigns:[…]}"));
    for (const auto& v : array->GetArray()) {
        if (!v.IsObject()) return fail(std::string("campaigns: an element is not an object"));
        lemlist_campaign c{string_member(v, "_id"), string_member(v, "name"), string_member(v, "status")};
        if (c.id.empty()) return fail(std::string("campaigns: an element has no _id"));
        page.campaigns.push_back(std::move(c));
    }
    return page;
}

result<rapidjson::Document, std::string> parse_activities(std::string_view body) {
    auto doc = parse_json(body);
    if (!doc) return fail(std::move(doc.error()));
    if (!doc->IsArray()) return fail(std::string("activities: expected a JSON array"));
    return std::move(doc).value();
}

}  // namespace las::outbound
