#include "attio_emulator/webhooks.hpp"

#include <algorithm>
#include <array>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "attio_emulator/render.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"

namespace las::attio_emulator {
namespace {

using rapidjson::Value;

constexpr std::string_view body_error = "Body payload validation error.";

constexpr std::array<std::string_view, 27> event_types{
    "call-recording.created", "comment.created",         "comment.resolved",
    "comment.unresolved",     "comment.deleted",         "list.created",
    "list.updated",           "list.deleted",            "list-attribute.created",
    "list-attribute.updated", "list-entry.created",      "list-entry.updated",
    "list-entry.deleted",     "object-attribute.created", "object-attribute.updated",
    "note.created",           "note-content.updated",    "note.updated",
    "note.deleted",           "record.created",          "record.merged",
    "record.updated",         "record.deleted",          "task.created",
    "task.updated",           "task.deleted",            "workspace-member.created"};

api_error invalid(std::vector<std::string> path, std::string message, std::string expected = {},
                  std::string received = {}) {
    return validation_error(std::string(body_error),
                            {validation_issue{"invalid_type", std::move(path), std::move(message), std::move(expected),
                                              std::move(received)}});
}

std::string received_type(const Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsString()) return "string";
    if (v.IsArray()) return "array";
    if (v.IsObject()) return "object";
    if (v.IsBool()) return "boolean";
    return "number";
}

std::optional<api_error> check_target_url(const Value& data) {
    const Value* url = json::find(data, "target_url");
    if (!url) return invalid({"data", "target_url"}, "Required", "string", "undefined");
    if (!url->IsString()) return invalid({"data", "target_url"}, "Expected string", "string", received_type(*url));
    const std::string_view s(url->GetString(), url->GetStringLength());
    if (!s.starts_with("https://") || s.size() <= 8)
        return validation_error(std::string(body_error),
                                {validation_issue{"invalid_string", {"data", "target_url"}, "Invalid url: must match ^https:\\/\\/.*", "", ""}});
    return std::nullopt;
}

// Validates `data.subscriptions` and writes it normalised (only event_type and filter).
result<std::string, api_error> normalised_subscriptions(const Value& data) {
    const Value* subs = json::find(data, "subscriptions");
    if (!subs) return fail(invalid({"data", "subscriptions"}, "Required", "array", "undefined"));
    if (!subs->IsArray()) return fail(invalid({"data", "subscriptions"}, "Expected array", "array", received_type(*subs)));
    rapidjson::StringBuffer buf;
    json_writer w(buf);
    w.StartArray();
    for (rapidjson::SizeType i = 0; i < subs->Size(); ++i) {
        const Value& s = (*subs)[i];
        const std::string index = std::to_string(i);
        if (!s.IsObject()) return fail(invalid({"data", "subscriptions", index}, "Expected object", "object", received_type(s)));
        const Value* type = json::find(s, "event_type");
        if (!type) return fail(invalid({"data", "subscriptions", index, "event_type"}, "Required", "string", "undefined"));
        if (!type->IsString() || !is_webhook_event_type({type->GetString(), type->GetStringLength()}))
            return fail(validation_error(std::string(body_error),
                                         {validation_issue{"invalid_enum_value", {"data", "subscriptions", index, "event_type"},
                                                           "Invalid enum value", "", ""}}));
        const Value* filter = json::find(s, "filter");
        if (!filter) return fail(invalid({"data", "subscriptions", index, "filter"}, "Required", "object", "undefined"));
        w.StartObject();
        w.Key("event_type");
        write_sv(w, {type->GetString(), type->GetStringLength()});
        w.Key("filter");
        if (filter->IsNull()) {
            w.Null();
        } else {
            const std::vector<std::string> path{"data", "subscriptions", index, "filter"};
            if (!filter->IsObject()) return fail(invalid(path, "Expected object or null", "object", received_type(*filter)));
            const Value* list = nullptr;
            std::string_view combinator;
            for (std::string_view c : {"$and", "$or"}) {
                if (const Value* l = json::find(*filter, c)) {
                    if (list) return fail(invalid(path, "Expected exactly one of $and, $or"));
                    list = l;
                    combinator = c;
                }
            }
            if (!list || !list->IsArray()) return fail(invalid(path, "Expected an $and or $or array", "array"));
            w.StartObject();
            write_sv(w, combinator);
            w.StartArray();
            for (rapidjson::SizeType j = 0; j < list->Size(); ++j) {
                const Value& c = (*list)[j];
                auto cpath = path;
                cpath.push_back(std::string(combinator));
                cpath.push_back(std::to_string(j));
                if (!c.IsObject()) return fail(invalid(cpath, "Expected object", "object", received_type(c)));
                for (const char* key : {"field", "operator", "value"}) {
                    const Value* v = json::find(c, key);
                    auto kpath = cpath;
                    kpath.emplace_back(key);
                    if (!v) return fail(invalid(kpath, "Required", "string", "undefined"));
                    if (!v->IsString()) return fail(invalid(kpath, "Expected string", "string", received_type(*v)));
                }
                const std::string_view op = json::get_string(c, "operator").value_or("");
                if (op != "equals" && op != "not_equals") {
                    auto kpath = cpath;
                    kpath.emplace_back("operator");
                    return fail(validation_error(std::string(body_error),
                                                 {validation_issue{"invalid_enum_value", kpath, "Invalid enum value", "", ""}}));
                }
                w.StartObject();
                for (const char* key : {"field", "operator", "value"}) {
                    w.Key(key);
                    write_sv(w, json::get_string(c, key).value_or(""));
                }
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        }
        w.EndObject();
    }
    w.EndArray();
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

bool is_webhook_event_type(std::string_view type) {
    return std::find(event_types.begin(), event_types.end(), type) != event_types.end();
}

api_error webhook_not_found(std::string_view id) {
    return not_found("Webhook with ID \"" + std::string(id) + "\" was not found.");
}

result<const webhook*, api_error> webhook_registry::create(const rapidjson::Value& data, const std::string& now) {
    if (auto e = check_target_url(data)) return fail(std::move(*e));
    auto subs = normalised_subscriptions(data);
    if (!subs) return fail(std::move(subs.error()));
    webhook h;
    h.id = ids_.next_uuid();
    h.target_url = json::get_string(data, "target_url").value_or("");
    h.created_at = now;
    h.secret = crypto::random_hex(32);
    h.subscriptions_json = std::move(subs).value();
    hooks_.push_back(std::move(h));
    return &hooks_.back();
}

result<const webhook*, api_error> webhook_registry::update(std::string_view id, const rapidjson::Value& data) {
    const auto it = std::find_if(hooks_.begin(), hooks_.end(), [&](const webhook& h) { return h.id == id; });
    if (it == hooks_.end()) return fail(webhook_not_found(id));
    // Both members are optional on PATCH; what is given is validated before anything changes.
    std::optional<std::string> url;
    std::optional<std::string> subs;
    if (json::find(data, "target_url")) {
        if (auto e = check_target_url(data)) return fail(std::move(*e));
        url = std::string(json::get_string(data, "target_url").value_or(""));
    }
    if (json::find(data, "subscriptions")) {
        auto s = normalised_subscriptions(data);
        if (!s) return fail(std::move(s.error()));
        subs = std::move(s).value();
    }
    if (url) it->target_url = std::move(*url);
    if (subs) it->subscriptions_json = std::move(*subs);
    return &*it;
}

std::optional<api_error> webhook_registry::remove(std::string_view id) {
    const auto it = std::find_if(hooks_.begin(), hooks_.end(), [&](const webhook& h) { return h.id == id; });
    if (it == hooks_.end()) return not_found("Webhook not found");  // the spec's DELETE wording
    hooks_.erase(it);
    return std::nullopt;
}

const webhook* webhook_registry::find(std::string_view id) const {
    const auto it = std::find_if(hooks_.begin(), hooks_.end(), [&](const webhook& h) { return h.id == id; });
    return it == hooks_.end() ? nullptr : &*it;
}

void write_webhook(json_writer& w, std::string_view workspace_id, const webhook& h, bool with_secret) {
    w.StartObject();
    w.Key("target_url");
    write_sv(w, h.target_url);
    w.Key("subscriptions");
    w.RawValue(h.subscriptions_json.data(), h.subscriptions_json.size(), rapidjson::kArrayType);
    w.Key("id");
    w.StartObject();
    w.Key("workspace_id");
    write_sv(w, workspace_id);
    w.Key("webhook_id");
    write_sv(w, h.id);
    w.EndObject();
    w.Key("status");
    write_sv(w, h.status);
    w.Key("created_at");
    write_sv(w, h.created_at);
    if (with_secret) {
        w.Key("secret");
        write_sv(w, h.secret);
    }
    w.EndObject();
}

}  // namespace las::attio_emulator
