#include "lemlist/event.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "lemlist/idempotency_key.hpp"
#include "lemlist/text.hpp"

namespace las::lemlist {
namespace {

using rapidjson::Value;

constexpr std::size_t max_type_bytes = 128;

validation_error invalid(std::string_view code, std::string message) {
    return {std::string(code), std::move(message)};
}

// Event types end up in logs, metric labels and Attio; Lemlist's are camelCase words.
bool is_type_char(char c) {
    return text::is_ascii_alnum(c) || c == '_' || c == '-' || c == '.';
}

std::optional<std::string> string_field(const Value& object, std::string_view key) {
    const auto s = json::get_nonempty_string(object, key);
    if (!s) return std::nullopt;
    return std::string(*s);
}

// `sequenceStep` is a number; some senders stringify it.
std::optional<double> step_field(const Value& body) {
    if (const auto n = json::get_number(body, "sequenceStep")) return n;
    const auto s = json::get_nonempty_string(body, "sequenceStep");
    if (!s || s->size() > 9 || !std::all_of(s->begin(), s->end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    double step = 0;
    for (const char c : *s) step = step * 10 + (c - '0');
    return step;
}

// Every copy (JSON allows a repeated key); EraseMember keeps the other members' order.
void remove_secrets(rapidjson::Document& doc) {
    for (auto it = doc.FindMember("secret"); it != doc.MemberEnd(); it = doc.FindMember("secret")) {
        doc.EraseMember(it);
    }
}

}  // namespace

result<rapidjson::Document, validation_error> parse_body(std::string_view raw_json, parse_options options) {
    // json::parse checks both as well; checking first tells the caller which one failed.
    if (!text::is_valid_utf8(raw_json)) {
        return fail(invalid(validation_code::invalid_utf8, "body is not valid UTF-8"));
    }
    if (const auto depth = json::nesting_depth(raw_json); depth > options.max_depth) {
        return fail(invalid(validation_code::too_deep, "JSON nested " + std::to_string(depth) +
                                                          " levels deep; the limit is " +
                                                          std::to_string(options.max_depth)));
    }
    auto doc = json::parse(raw_json, {.max_depth = options.max_depth});
    if (!doc) {
        return fail(invalid(validation_code::invalid_json, doc.error().message + " at byte " +
                                                              std::to_string(doc.error().offset)));
    }
    return std::move(doc).value();
}

result<event, validation_error> event_from_document(rapidjson::Document doc) {
    if (doc.HasParseError() || !doc.IsObject()) {
        return fail(invalid(validation_code::not_an_object, "body must be a JSON object"));
    }
    const auto* type_value = json::find(doc, "type");
    if (type_value == nullptr) return fail(invalid(validation_code::missing_type, "field `type` is missing"));
    if (!type_value->IsString()) return fail(invalid(validation_code::type_not_string, "field `type` must be a string"));
    const std::string_view type(type_value->GetString(), type_value->GetStringLength());
    if (text::trim(type).empty()) return fail(invalid(validation_code::empty_type, "field `type` is empty"));
    if (type.size() > max_type_bytes || !std::all_of(type.begin(), type.end(), is_type_char)) {
        return fail(invalid(validation_code::invalid_type, "field `type` must be at most 128 characters of [A-Za-z0-9_.-]"));
    }

    remove_secrets(doc);
    event ev;
    ev.type = std::string(type);
    ev.cls = classify(ev.type);
    ev.idempotency_key = derive_idempotency_key(doc, ev.type);
    ev.activity_id = string_field(doc, "_id");
    ev.campaign_id = string_field(doc, "campaignId");
    ev.campaign_name = string_field(doc, "campaignName");
    if (!ev.campaign_name) ev.campaign_name = string_field(doc, "name");
    ev.lead_id = string_field(doc, "leadId");
    if (const auto* lead = json::find(doc, "lead"); !ev.lead_id && lead != nullptr) {
        ev.lead_id = string_field(*lead, "_id");  // GET /activities v2 nests the lead
    }
    ev.sequence_id = string_field(doc, "sequenceId");
    ev.subject = string_field(doc, "subject");
    ev.sender_email = string_field(doc, "sendUserEmail");
    ev.team_id = string_field(doc, "teamId");
    ev.sequence_step = step_field(doc);
    ev.created_at = string_field(doc, "createdAt");
    if (ev.created_at) ev.occurred_at = parse_iso8601(*ev.created_at);
    ev.lead = extract_lead_identity(doc);
    ev.body = std::make_shared<const rapidjson::Document>(std::move(doc));
    return ev;
}

result<event, validation_error> parse_event(std::string_view raw_json, parse_options options) {
    auto doc = parse_body(raw_json, options);
    if (!doc) return fail(std::move(doc.error()));
    return event_from_document(std::move(doc).value());
}

std::string serialize_body(const event& ev) {
    return ev.body ? json::to_string(*ev.body) : std::string("{}");
}

std::optional<std::string_view> secret_of(const Value& body) {
    return json::get_string(body, "secret");
}

}  // namespace las::lemlist
