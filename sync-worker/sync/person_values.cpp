#include "sync/person_values.hpp"

#include "core/json.hpp"
#include "core/time.hpp"
#include "sync/attio_schema.hpp"

namespace las::sync {
namespace {

// The first current value object of an attribute, or nullptr.
const rapidjson::Value* first_value(const rapidjson::Value& values, std::string_view slug) {
    const auto* arr = json::find(values, slug);
    if (arr == nullptr || !arr->IsArray() || arr->Empty()) return nullptr;
    const auto& v = (*arr)[0];
    return v.IsObject() ? &v : nullptr;
}

std::optional<std::string> read_text(const rapidjson::Value& values, std::string_view slug) {
    const auto* v = first_value(values, slug);
    if (v == nullptr) return std::nullopt;
    if (const auto s = json::get_string(*v, "value")) return std::string(*s);
    return std::nullopt;
}

std::optional<std::string> read_select(const rapidjson::Value& values, std::string_view slug) {
    const auto* v = first_value(values, slug);
    if (v == nullptr) return std::nullopt;
    const auto* option = json::find(*v, "option");
    if (option == nullptr) return std::nullopt;
    if (const auto title = json::get_string(*option, "title")) return std::string(*title);
    return std::nullopt;
}

std::optional<event_time> read_time(const rapidjson::Value& values, std::string_view slug) {
    const auto text = read_text(values, slug);
    if (!text) return std::nullopt;
    return parse_iso8601(*text);
}

class patch_writer {
public:
    explicit patch_writer(std::string& out) : out_(out) {}

    void field(std::string_view slug, std::string_view raw_json) {
        out_ += out_.size() > 1 ? "," : "";
        json::append_quoted(out_, slug);
        out_ += ':';
        out_ += raw_json;
    }
    void text(std::string_view slug, const std::optional<std::string>& before, const std::optional<std::string>& after) {
        if (before == after) return;
        field(slug, after ? json::quoted(*after) : "[]");
    }
    void time(std::string_view slug, const std::optional<event_time>& before, const std::optional<event_time>& after) {
        if (before == after) return;
        field(slug, after ? json::quoted(format_iso8601(*after)) : "[]");
    }

private:
    std::string& out_;
};

}  // namespace

person_state person_state_from_values(const rapidjson::Value& values) {
    person_state s;
    s.status = read_select(values, person_attr::status);
    s.interest = read_select(values, person_attr::interest);
    s.interest_at = read_time(values, person_attr::interest_at);
    s.last_paused_at = read_time(values, person_attr::last_paused_at);
    s.last_resumed_at = read_time(values, person_attr::last_resumed_at);
    s.unsubscribed_at = read_time(values, person_attr::unsubscribed_at);
    s.bounced_at = read_time(values, person_attr::bounced_at);
    s.last_event_at = read_time(values, person_attr::last_event_at);
    s.last_event_type = read_text(values, person_attr::last_event_type);
    s.last_campaign_at = read_time(values, person_attr::last_campaign_at);
    s.last_campaign = read_text(values, person_attr::last_campaign);
    s.lead_id = read_text(values, person_attr::lead_id);
    return s;
}

std::string person_patch_values(const person_state& before, const person_state& after, event_time now) {
    std::string out = "{";
    patch_writer w(out);
    w.text(person_attr::status, before.status, after.status);
    w.text(person_attr::interest, before.interest, after.interest);
    w.time(person_attr::interest_at, before.interest_at, after.interest_at);
    w.time(person_attr::last_paused_at, before.last_paused_at, after.last_paused_at);
    w.time(person_attr::last_resumed_at, before.last_resumed_at, after.last_resumed_at);
    w.time(person_attr::unsubscribed_at, before.unsubscribed_at, after.unsubscribed_at);
    w.time(person_attr::bounced_at, before.bounced_at, after.bounced_at);
    w.time(person_attr::last_event_at, before.last_event_at, after.last_event_at);
    w.text(person_attr::last_event_type, before.last_event_type, after.last_event_type);
    w.time(person_attr::last_campaign_at, before.last_campaign_at, after.last_campaign_at);
    w.text(person_attr::last_campaign, before.last_campaign, after.last_campaign);
    w.text(person_attr::lead_id, before.lead_id, after.lead_id);
    if (out.size() == 1) return {};
    // The checkbox is derived from the two timestamps; write it whenever they moved.
    if (before.paused() != after.paused() || before.last_paused_at != after.last_paused_at ||
        before.last_resumed_at != after.last_resumed_at) {
        w.field(person_attr::paused, after.paused() ? "true" : "false");
    }
    w.field(person_attr::last_synced_at, json::quoted(format_iso8601(now)));
    out += '}';
    return out;
}

}  // namespace las::sync
