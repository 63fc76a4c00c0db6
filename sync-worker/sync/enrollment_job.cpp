#include "sync/enrollment_job.hpp"

#include <algorithm>
#include <set>

#include "core/json.hpp"

namespace las::sync {
namespace {

std::string_view view_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

bool visible_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

constexpr std::size_t max_id_bytes = 128;

}  // namespace

outbound::enrollment_flags flags_from(const enrollment_defaults& d) {
    outbound::enrollment_flags f;
    f.deduplicate = d.deduplicate;
    f.find_email = d.find_email;
    f.verify_email = d.verify_email;
    f.find_phone = d.find_phone;
    f.linkedin_enrichment = d.linkedin_enrichment;
    return f;
}

bool is_campaign_id(std::string_view id) {
    return id.size() > 4 && id.size() <= max_id_bytes && id.starts_with("cam_") && visible_ascii(id);
}

result<enrollment_job, std::string> parse_enrollment_job(std::string_view body, std::string_view message_id,
                                                         const enrollment_defaults& defaults) {
    auto parsed = json::parse(body, json::parse_limits{8});
    if (!parsed) return fail("not JSON: " + parsed.error().message);
    const auto& doc = *parsed;
    if (!doc.IsObject()) return fail(std::string("not a JSON object"));

    enrollment_job job;
    const auto job_id = json::get_nonempty_string(doc, "job_id");
    if (!job_id) return fail(std::string("job_id: missing or not a non-empty string"));
    if (job_id->size() > 255 || !visible_ascii(*job_id)) return fail(std::string("job_id: not a usable id"));
    job.job_id = std::string(*job_id);
    if (!message_id.empty() && message_id != job.job_id)
        return fail("job_id: \"" + job.job_id + "\" differs from the message id \"" + std::string(message_id) + "\"");
    job.source = std::string(json::get_string(doc, "source").value_or("api"));

    const auto campaign = json::get_string(doc, "campaign_id");
    if (!campaign) return fail(std::string("campaign_id: missing or not a string"));
    if (!is_campaign_id(*campaign)) return fail(std::string("campaign_id: not a Lemlist campaign id (cam_…)"));
    job.campaign_id = std::string(*campaign);

    const auto* records = json::find(doc, "record_ids");
    if (!records || !records->IsArray()) return fail(std::string("record_ids: missing or not an array"));
    if (records->Empty()) return fail(std::string("record_ids: empty"));
    if (records->Size() > max_job_records)
        return fail("record_ids: " + std::to_string(records->Size()) + " ids, at most " +
                    std::to_string(max_job_records));
    std::set<std::string, std::less<>> seen;
    for (rapidjson::SizeType i = 0; i < records->Size(); ++i) {
        const auto& v = (*records)[i];
        const std::string field = "record_ids[" + std::to_string(i) + "]";
        if (!v.IsString() || v.GetStringLength() == 0 || v.GetStringLength() > max_id_bytes || !visible_ascii(view_of(v)))
            return fail(field + ": not a record id");
        if (seen.emplace(view_of(v)).second) job.record_ids.emplace_back(view_of(v));
    }

    job.flags = flags_from(defaults);
    if (const auto* options = json::find(doc, "options")) {
        if (!options->IsObject()) return fail(std::string("options: not an object"));
        struct named {
            std::string_view name;
            bool outbound::enrollment_flags::*flag;
        };
        const named known[] = {{"findEmail", &outbound::enrollment_flags::find_email},
                               {"verifyEmail", &outbound::enrollment_flags::verify_email},
                               {"findPhone", &outbound::enrollment_flags::find_phone},
                               {"linkedinEnrichment", &outbound::enrollment_flags::linkedin_enrichment},
                               {"deduplicate", &outbound::enrollment_flags::deduplicate}};
        for (const auto& k : known) {
            const auto* v = json::find(*options, k.name);
            if (!v) continue;
            if (!v->IsBool()) return fail("options." + std::string(k.name) + ": not a boolean");
            job.flags.*(k.flag) = v->GetBool();
        }
    }
    if (const auto* icebreaker = json::find(doc, "icebreaker"); icebreaker && !icebreaker->IsNull()) {
        if (!icebreaker->IsString()) return fail(std::string("icebreaker: not a string"));
        job.icebreaker = std::string(view_of(*icebreaker));
    }
    if (const auto at = json::get_string(doc, "requested_at")) job.requested_at = std::string(*at);
    return job;
}

result<attio_webhook, std::string> parse_attio_webhook(std::string_view body) {
    auto parsed = json::parse(body, json::parse_limits{32});
    if (!parsed) return fail("not JSON: " + parsed.error().message);
    const auto& doc = *parsed;
    if (!doc.IsObject()) return fail(std::string("not a JSON object"));
    attio_webhook hook;
    hook.webhook_id = std::string(json::get_string(doc, "webhook_id").value_or(""));
    const auto* events = json::find(doc, "events");
    if (!events || !events->IsArray()) return fail(std::string("events: missing or not an array"));
    for (rapidjson::SizeType i = 0; i < events->Size(); ++i) {
        const auto& e = (*events)[i];
        const std::string field = "events[" + std::to_string(i) + "]";
        if (!e.IsObject()) return fail(field + ": not an object");
        const auto type = json::get_string(e, "event_type").value_or("");
        if (type != "list-entry.created" && type != "list-entry.updated") {
            ++hook.ignored;
            continue;
        }
        const auto* id = json::find(e, "id");
        if (!id || !id->IsObject()) return fail(field + ".id: missing or not an object");
        attio_entry_event c;
        c.updated = type == "list-entry.updated";
        c.attribute_id = std::string(json::get_string(*id, "attribute_id").value_or(""));
        const auto list = json::get_nonempty_string(*id, "list_id");
        const auto entry = json::get_nonempty_string(*id, "entry_id");
        if (!list) return fail(field + ".id.list_id: missing");
        if (!entry) return fail(field + ".id.entry_id: missing");
        c.list_id = std::string(*list);
        c.entry_id = std::string(*entry);
        c.parent_record_id = std::string(json::get_string(e, "parent_record_id").value_or(""));
        auto parent = json::get_string(e, "parent_object_id");
        if (!parent) parent = json::get_string(e, "parent_object");
        c.parent_object = std::string(parent.value_or(""));
        hook.entries.push_back(std::move(c));
    }
    return hook;
}

bool is_attio_webhook(const amqp::delivery& d) {
    // The gateway's label decides; a replayed copy (x-source=replay) is told by its shape.
    if (const auto source = amqp::header_string(d.headers, amqp::header::source)) {
        if (*source == attio_webhook_source) return true;
        if (*source == "api") return false;
    }
    auto parsed = json::parse(d.body, json::parse_limits{32});
    return parsed && parsed->IsObject() && json::find(*parsed, "events") && !json::find(*parsed, "job_id");
}

std::optional<std::string> entry_text(const rapidjson::Value& values, std::string_view slug) {
    if (!values.IsObject()) return std::nullopt;
    const auto* list = json::find(values, slug);
    if (!list) return std::nullopt;
    // Attio's output form is an array of value objects; tolerate a bare value too.
    const rapidjson::Value* first = list;
    if (list->IsArray()) {
        if (list->Empty()) return std::nullopt;
        first = &(*list)[0];
    }
    std::optional<std::string_view> text;
    if (first->IsString()) text = view_of(*first);
    else if (first->IsObject()) text = json::get_nonempty_string(*first, "value");
    if (!text) return std::nullopt;
    std::string_view t = *text;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (t.empty()) return std::nullopt;
    return std::string(t);
}

std::string reply_body(std::string_view job_id, const std::vector<reply_item>& items, std::string_view error) {
    std::string out = "{\"job_id\":";
    json::append_quoted(out, job_id);
    out += ",\"results\":[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        out += reply_item_json(items[i]);
    }
    out += ']';
    if (!error.empty()) {
        out += ",\"error\":";
        json::append_quoted(out, error);
    }
    out += '}';
    return out;
}

std::string reply_item_json(const reply_item& r) {
    std::string out = "{\"record_id\":";
    json::append_quoted(out, r.record_id);
    out += ",\"status\":";
    json::append_quoted(out, r.status);
    if (r.lead_id) {
        out += ",\"lead_id\":";
        json::append_quoted(out, *r.lead_id);
    }
    if (!r.message.empty()) {
        out += ",\"message\":";
        json::append_quoted(out, r.message);
    }
    out += '}';
    return out;
}

}  // namespace las::sync
