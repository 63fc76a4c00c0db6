#include "sync/pending_state.hpp"

#include <algorithm>
#include <tuple>

#include "core/json.hpp"
#include "lemlist/event_type.hpp"
#include "sync/person_writer.hpp"

namespace las::sync {
namespace {

std::tuple<bool, std::string_view> key(const std::optional<std::string>& s) {
    return {s.has_value(), s ? std::string_view(*s) : std::string_view()};
}

void later(std::optional<event_time>& into, const std::optional<event_time>& from) {
    if (from && (!into || *from > *into)) into = from;
}

bool same_email(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

void add_email(std::vector<std::string>& emails, const std::string& email) {
    if (std::none_of(emails.begin(), emails.end(), [&](const auto& e) { return same_email(e, email); }))
        emails.push_back(email);
}

std::int64_t ms(event_time t) { return t.time_since_epoch().count(); }
event_time at_ms(std::int64_t v) { return event_time(std::chrono::milliseconds(v)); }

void put_raw(std::string& out, std::string_view name, std::string_view raw) {
    out += out.size() > 1 ? "," : "";
    json::append_quoted(out, name);
    out += ':';
    out += raw;
}
void put(std::string& out, std::string_view name, const std::optional<std::string>& v) {
    if (v) put_raw(out, name, json::quoted(*v));
}
void put(std::string& out, std::string_view name, const std::optional<event_time>& v) {
    if (v) put_raw(out, name, std::to_string(ms(*v)));
}

std::optional<std::string> text(const rapidjson::Value& o, std::string_view name) {
    if (auto s = json::get_string(o, name)) return std::string(*s);
    return std::nullopt;
}
std::optional<event_time> time(const rapidjson::Value& o, std::string_view name) {
    if (auto v = json::get_int(o, name)) return at_ms(*v);
    return std::nullopt;
}

std::string state_json(const person_state& s) {
    std::string out = "{";
    put(out, "status", s.status);
    put(out, "interest", s.interest);
    put(out, "interest_at", s.interest_at);
    put(out, "paused_at", s.last_paused_at);
    put(out, "resumed_at", s.last_resumed_at);
    put(out, "unsubscribed_at", s.unsubscribed_at);
    put(out, "bounced_at", s.bounced_at);
    put(out, "event_at", s.last_event_at);
    put(out, "event_type", s.last_event_type);
    put(out, "campaign_at", s.last_campaign_at);
    put(out, "campaign", s.last_campaign);
    put(out, "lead_id", s.lead_id);
    return out + "}";
}

person_state state_from(const rapidjson::Value& o) {
    person_state s;
    s.status = text(o, "status");
    s.interest = text(o, "interest");
    s.interest_at = time(o, "interest_at");
    s.last_paused_at = time(o, "paused_at");
    s.last_resumed_at = time(o, "resumed_at");
    s.unsubscribed_at = time(o, "unsubscribed_at");
    s.bounced_at = time(o, "bounced_at");
    s.last_event_at = time(o, "event_at");
    s.last_event_type = text(o, "event_type");
    s.last_campaign_at = time(o, "campaign_at");
    s.last_campaign = text(o, "campaign");
    s.lead_id = text(o, "lead_id");
    return s;
}

}  // namespace

person_state join(person_state a, const person_state& b) {
    if (status_rank(b.status) > status_rank(a.status)) a.status = b.status;
    if (b.interest_at && (!a.interest_at || std::make_tuple(*b.interest_at, key(b.interest)) >
                                                std::make_tuple(*a.interest_at, key(a.interest)))) {
        a.interest = b.interest;
        a.interest_at = b.interest_at;
    }
    later(a.last_paused_at, b.last_paused_at);
    later(a.last_resumed_at, b.last_resumed_at);
    later(a.unsubscribed_at, b.unsubscribed_at);
    later(a.bounced_at, b.bounced_at);
    if (b.last_event_at && (!a.last_event_at || std::make_tuple(*b.last_event_at, key(b.last_event_type)) >
                                                    std::make_tuple(*a.last_event_at, key(a.last_event_type)))) {
        a.last_event_at = b.last_event_at;
        a.last_event_type = b.last_event_type;
    }
    if (b.last_campaign_at &&
        (!a.last_campaign_at ||
         std::make_tuple(*b.last_campaign_at, key(b.last_campaign), key(b.lead_id)) >
             std::make_tuple(*a.last_campaign_at, key(a.last_campaign), key(a.lead_id)))) {
        a.last_campaign_at = b.last_campaign_at;
        a.last_campaign = b.last_campaign;
        a.lead_id = b.lead_id;
    }
    return a;
}

bool moves_rep_state(const person_state& before, const person_state& after) {
    return before.status != after.status || before.interest != after.interest ||
           before.paused() != after.paused() || before.unsubscribed_at != after.unsubscribed_at ||
           before.bounced_at != after.bounced_at;
}

pending_state pending_of(const person_update& u) {
    pending_state p;
    p.state = merge(person_state{}, u.facts);
    if (const auto doc = json::parse(u.mapping_values); doc && doc->IsObject()) {
        for (const auto& m : doc->GetObject())
            p.mappings.insert_or_assign(std::string(m.name.GetString(), m.name.GetStringLength()),
                                        mapped_at{u.facts.occurred_at, json::to_string(m.value)});
    }
    if (u.email) p.emails.push_back(*u.email);
    p.linkedin_url = u.linkedin_url;
    return p;
}

void absorb(pending_state& into, const pending_state& from) {
    into.state = join(std::move(into.state), from.state);
    for (const auto& [slug, v] : from.mappings) {
        const auto it = into.mappings.find(slug);
        // Newest event wins; a tie is broken by the value so the order of folding never matters.
        if (it == into.mappings.end() || std::tie(it->second.at, it->second.value) < std::tie(v.at, v.value))
            into.mappings.insert_or_assign(slug, v);
    }
    for (const auto& e : from.emails) add_email(into.emails, e);
    if (from.linkedin_url && (!into.linkedin_url || *from.linkedin_url < *into.linkedin_url))
        into.linkedin_url = from.linkedin_url;
}

std::string to_json(const pending_state& p) {
    std::string out = "{";
    put_raw(out, "state", state_json(p.state));
    std::string mappings = "{";
    for (const auto& [slug, v] : p.mappings)
        put_raw(mappings, slug, "{\"at\":" + std::to_string(ms(v.at)) + ",\"value\":" + v.value + "}");
    put_raw(out, "mappings", mappings + "}");
    std::string emails = "[";
    for (const auto& e : p.emails) emails += (emails.size() > 1 ? "," : "") + json::quoted(e);
    put_raw(out, "emails", emails + "]");
    put(out, "linkedin_url", p.linkedin_url);
    return out + "}";
}

std::optional<pending_state> pending_state_from_json(std::string_view text_in) {
    auto doc = json::parse(text_in);
    if (!doc || !doc->IsObject()) return std::nullopt;
    const auto* state = json::find(*doc, "state");
    if (state == nullptr || !state->IsObject()) return std::nullopt;
    pending_state p;
    p.state = state_from(*state);
    if (const auto* m = json::find(*doc, "mappings"); m != nullptr && m->IsObject()) {
        for (const auto& e : m->GetObject()) {
            const auto at = json::get_int(e.value, "at");
            const auto* value = json::find(e.value, "value");
            if (!at || value == nullptr) return std::nullopt;
            p.mappings.insert_or_assign(std::string(e.name.GetString(), e.name.GetStringLength()),
                                        mapped_at{at_ms(*at), json::to_string(*value)});
        }
    }
    if (const auto* e = json::find(*doc, "emails"); e != nullptr && e->IsArray()) {
        for (const auto& v : e->GetArray())
            if (v.IsString()) add_email(p.emails, std::string(v.GetString(), v.GetStringLength()));
    }
    p.linkedin_url = text(*doc, "linkedin_url");
    return p;
}

}  // namespace las::sync
