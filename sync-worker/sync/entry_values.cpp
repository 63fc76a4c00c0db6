#include "sync/entry_values.hpp"

#include <cmath>

#include "core/json.hpp"
#include "core/time.hpp"
#include "sync/attio_schema.hpp"
#include "sync/mapped_value.hpp"

namespace las::sync {
namespace {

class values_writer {
public:
    void raw(std::string_view slug, std::string_view json_value) {
        out_ += out_.size() > 1 ? "," : "";
        json::append_quoted(out_, slug);
        out_ += ':';
        out_ += json_value;
    }
    void text(std::string_view slug, const std::optional<std::string>& v) {
        if (v && !v->empty()) raw(slug, json::quoted(*v));
    }
    std::string finish() { return out_ + "}"; }

private:
    std::string out_ = "{";
};

void add_mappings(values_writer& w, const lemlist::event& ev, std::span<const attribute_mapping> mappings,
                  attribute_mapping::target on) {
    if (!ev.body) return;
    for (const auto& m : mappings) {
        if (m.on != on) continue;
        const auto* field = find_mapped_field(*ev.body, m.lemlist_field);
        if (field == nullptr) continue;
        if (const auto v = coerce_mapped_value(*field, m)) w.raw(m.attio_attribute, *v);
    }
}

}  // namespace

event_time event_time_of(const lemlist::event& ev, event_time received_at) {
    return ev.occurred_at ? *ev.occurred_at : received_at;
}

std::string entry_values_json(const lemlist::event& ev, event_time occurred_at,
                              std::span<const attribute_mapping> mappings) {
    values_writer w;
    w.text(entry_attr::event_type, ev.type);
    w.raw(entry_attr::event_category, json::quoted(lemlist::to_string(ev.cls.category)));
    w.raw(entry_attr::channel, json::quoted(lemlist::to_string(ev.cls.chan)));
    w.text(entry_attr::activity_id, ev.idempotency_key);
    w.text(entry_attr::campaign_id, ev.campaign_id);
    w.text(entry_attr::campaign_name, ev.campaign_name);
    w.text(entry_attr::lead_id, ev.lead_id);
    w.text(entry_attr::sequence_id, ev.sequence_id);
    if (ev.sequence_step && std::isfinite(*ev.sequence_step)) {
        rapidjson::Value step(*ev.sequence_step);
        w.raw(entry_attr::sequence_step, json::to_string(step));
    }
    w.raw(entry_attr::occurred_at, json::quoted(format_iso8601(occurred_at)));
    w.text(entry_attr::subject, ev.subject);
    w.text(entry_attr::sender_email, ev.sender_email);
    add_mappings(w, ev, mappings, attribute_mapping::target::entry);
    return w.finish();
}

event_facts facts_of(const lemlist::event& ev, event_time occurred_at) {
    event_facts f;
    f.type = ev.type;
    f.category = ev.cls.category;
    f.occurred_at = occurred_at;
    f.lead_id = ev.lead_id;
    f.campaign = ev.campaign_name ? ev.campaign_name : ev.campaign_id;
    return f;
}

std::string person_mapping_values(const lemlist::event& ev, std::span<const attribute_mapping> mappings) {
    values_writer w;
    add_mappings(w, ev, mappings, attribute_mapping::target::person);
    return w.finish();
}

}  // namespace las::sync
