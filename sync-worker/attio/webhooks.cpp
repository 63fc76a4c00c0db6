#include "attio/webhooks.hpp"

#include <algorithm>

#include "core/json.hpp"

namespace las::attio {
namespace {

std::string str(const rapidjson::Value& object, std::string_view key) {
    if (auto s = json::get_string(object, key)) return std::string(*s);
    return {};
}

// A canonical text per subscription, so lists compare as sets.
std::string canonical(const webhook_subscription& s) {
    std::string out = s.event_type + "|";
    if (!s.filter) return out + "null";
    std::vector<std::string> conditions;
    for (const auto& c : s.filter->conditions) conditions.push_back(c.field + "\x1f" + c.op + "\x1f" + c.value);
    std::sort(conditions.begin(), conditions.end());
    conditions.erase(std::unique(conditions.begin(), conditions.end()), conditions.end());
    out += s.filter->combinator;
    for (const auto& c : conditions) out += "\x1e" + c;
    return out;
}

result<webhook_filter, std::string> filter_from(const rapidjson::Value& v) {
    if (!v.IsObject()) return fail(std::string("filter: not an object or null"));
    webhook_filter f;
    const rapidjson::Value* list = nullptr;
    for (const char* combinator : {"$and", "$or"}) {
        if (const auto* l = json::find(v, combinator)) {
            f.combinator = combinator;
            list = l;
        }
    }
    if (!list || !list->IsArray()) return fail(std::string("filter: no $and or $or array"));
    for (const auto& c : list->GetArray()) {
        if (!c.IsObject()) return fail(std::string("filter: a condition is not an object"));
        f.conditions.push_back({str(c, "field"), str(c, "operator"), str(c, "value")});
    }
    return f;
}

result<webhook_info, std::string> webhook_from(const rapidjson::Value& v) {
    if (!v.IsObject()) return fail(std::string("webhook: not an object"));
    webhook_info w;
    if (const auto* id = json::find(v, "id"); id && id->IsObject()) w.webhook_id = str(*id, "webhook_id");
    if (w.webhook_id.empty()) return fail(std::string("webhook: no id.webhook_id"));
    w.target_url = str(v, "target_url");
    w.status = str(v, "status");
    w.created_at = str(v, "created_at");
    if (auto secret = json::get_nonempty_string(v, "secret")) w.secret = std::string(*secret);
    const auto* subs = json::find(v, "subscriptions");
    if (!subs || !subs->IsArray()) return fail(std::string("webhook: no subscriptions array"));
    for (const auto& s : subs->GetArray()) {
        if (!s.IsObject()) return fail(std::string("webhook: a subscription is not an object"));
        webhook_subscription sub;
        sub.event_type = str(s, "event_type");
        if (const auto* f = json::find(s, "filter"); f && !f->IsNull()) {
            auto filter = filter_from(*f);
            if (!filter) return fail("webhook " + w.webhook_id + ": " + filter.error());
            sub.filter = std::move(filter).value();
        }
        w.subscriptions.push_back(std::move(sub));
    }
    return w;
}

result<rapidjson::Document, std::string> data_of(std::string_view body) {
    auto doc = json::parse(body);
    if (!doc) return fail("invalid JSON: " + doc.error().message);
    if (!doc->IsObject() || !json::find(*doc, "data")) return fail(std::string("no \"data\" in the answer"));
    return std::move(doc).value();
}

}  // namespace

bool same_subscriptions(const std::vector<webhook_subscription>& a, const std::vector<webhook_subscription>& b) {
    auto texts = [](const std::vector<webhook_subscription>& list) {
        std::vector<std::string> out;
        for (const auto& s : list) out.push_back(canonical(s));
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    };
    return texts(a) == texts(b);
}

std::string describe(const webhook_subscription& s) {
    std::string out = s.event_type;
    if (!s.filter) return out + " (no filter)";
    const std::string joiner = s.filter->combinator == "$or" ? " or " : " and ";
    for (std::size_t i = 0; i < s.filter->conditions.size(); ++i) {
        const auto& c = s.filter->conditions[i];
        out += (i == 0 ? " where " : joiner) + c.field + " " + c.op + " " + c.value;
    }
    return out;
}

std::string webhook_body(std::string_view target_url, const std::vector<webhook_subscription>& subscriptions) {
    std::string out = "{\"data\":{";
    if (!target_url.empty()) {
        out += "\"target_url\":";
        json::append_quoted(out, target_url);
        out += ',';
    }
    out += "\"subscriptions\":[";
    for (std::size_t i = 0; i < subscriptions.size(); ++i) {
        const auto& s = subscriptions[i];
        if (i) out += ',';
        out += "{\"event_type\":";
        json::append_quoted(out, s.event_type);
        out += ",\"filter\":";
        if (!s.filter) {
            out += "null";
        } else {
            out += '{';
            json::append_quoted(out, s.filter->combinator);
            out += ":[";
            for (std::size_t j = 0; j < s.filter->conditions.size(); ++j) {
                const auto& c = s.filter->conditions[j];
                if (j) out += ',';
                out += "{\"field\":";
                json::append_quoted(out, c.field);
                out += ",\"operator\":";
                json::append_quoted(out, c.op);
                out += ",\"value\":";
                json::append_quoted(out, c.value);
                out += '}';
            }
            out += "]}";
        }
        out += '}';
    }
    out += "]}}";
    return out;
}

result<webhook_info, std::string> parse_webhook_answer(std::string_view body) {
    auto doc = data_of(body);
    if (!doc) return fail(std::move(doc.error()));
    return webhook_from(*json::find(doc.value(), "data"));
}

result<std::vector<webhook_info>, std::string> parse_webhook_list(std::string_view body) {
    auto doc = data_of(body);
    if (!doc) return fail(std::move(doc.error()));
    const auto& data = *json::find(doc.value(), "data");
    if (!data.IsArray()) return fail(std::string("\"data\" is not an array"));
    std::vector<webhook_info> out;
    for (const auto& v : data.GetArray()) {
        auto one = webhook_from(v);
        if (!one) return fail(std::move(one.error()));
        out.push_back(std::move(one).value());
    }
    return out;
}

}  // namespace las::attio
