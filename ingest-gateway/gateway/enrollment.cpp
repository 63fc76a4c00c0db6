#include "gateway/enrollment.hpp"

#include <algorithm>

#include "core/json.hpp"

namespace las::gateway {
namespace {

enrollment_error bad(std::string code, std::string field, std::string message, unsigned status = 400) {
    return enrollment_error{status, std::move(code), std::move(field), std::move(message)};
}

bool known_option(std::string_view name) {
    return std::find(enrollment_option_names.begin(), enrollment_option_names.end(), name) !=
           enrollment_option_names.end();
}

std::string_view view_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

}  // namespace

result<enrollment_request, enrollment_error> parse_enrollment(std::string_view body) {
    auto parsed = json::parse(body, json::parse_limits{8});
    if (!parsed) return fail(bad("invalid_json", "", "body is not valid JSON: " + parsed.error().message));
    const rapidjson::Document& doc = *parsed;
    if (!doc.IsObject()) return fail(bad("invalid_json", "", "body must be a JSON object"));

    enrollment_request req;
    for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
        const std::string_view name = view_of(m->name);
        if (name != "campaign_id" && name != "record_ids" && name != "options" && name != "icebreaker")
            return fail(bad("unknown_field", std::string(name),
                            "unknown field (expected campaign_id, record_ids, options, icebreaker)"));
    }

    const auto* campaign = json::find(doc, "campaign_id");
    if (campaign == nullptr) return fail(bad("missing_field", "campaign_id", "campaign_id is required"));
    if (!campaign->IsString() || !view_of(*campaign).starts_with("cam_") || campaign->GetStringLength() <= 4 ||
        campaign->GetStringLength() > 128)
        return fail(bad("invalid_field", "campaign_id", "campaign_id must be a Lemlist campaign id (cam_…)"));
    req.campaign_id = std::string(view_of(*campaign));

    const auto* records = json::find(doc, "record_ids");
    if (records == nullptr) return fail(bad("missing_field", "record_ids", "record_ids is required"));
    if (!records->IsArray()) return fail(bad("invalid_field", "record_ids", "record_ids must be an array of strings"));
    if (records->Empty()) return fail(bad("invalid_field", "record_ids", "record_ids must not be empty"));
    if (records->Size() > max_record_ids)
        return fail(bad("too_many_records", "record_ids",
                        "at most " + std::to_string(max_record_ids) + " record_ids per request, got " +
                            std::to_string(records->Size()),
                        422));
    req.record_ids.reserve(records->Size());
    for (rapidjson::SizeType i = 0; i < records->Size(); ++i) {
        const auto& id = (*records)[i];
        const std::string field = "record_ids[" + std::to_string(i) + "]";
        if (!id.IsString() || id.GetStringLength() == 0 || id.GetStringLength() > max_record_id_bytes)
            return fail(bad("invalid_field", field,
                            "each record id must be a non-empty string of at most " +
                                std::to_string(max_record_id_bytes) + " bytes"));
        req.record_ids.emplace_back(view_of(id));
    }

    if (const auto* options = json::find(doc, "options")) {
        if (!options->IsObject()) return fail(bad("invalid_field", "options", "options must be an object"));
        for (auto m = options->MemberBegin(); m != options->MemberEnd(); ++m) {
            const std::string name(view_of(m->name));
            if (!known_option(name))
                return fail(bad("unknown_field", "options." + name,
                                "unknown option (expected findEmail, verifyEmail, findPhone, linkedinEnrichment, "
                                "deduplicate)"));
            if (!m->value.IsBool()) return fail(bad("invalid_field", "options." + name, "options must be booleans"));
            if (std::any_of(req.options.begin(), req.options.end(), [&](const auto& o) { return o.first == name; }))
                return fail(bad("invalid_field", "options." + name, "option given twice"));
            req.options.emplace_back(name, m->value.GetBool());
        }
    }

    if (const auto* icebreaker = json::find(doc, "icebreaker")) {
        if (!icebreaker->IsString() || icebreaker->GetStringLength() > max_icebreaker_bytes)
            return fail(bad("invalid_field", "icebreaker",
                            "icebreaker must be a string of at most " + std::to_string(max_icebreaker_bytes) + " bytes"));
        req.icebreaker = std::string(view_of(*icebreaker));
    }
    return req;
}

std::string job_body(const enrollment_request& req, std::string_view job_id, sys_ms requested_at) {
    std::string out;
    out.reserve(128 + req.record_ids.size() * 40 + (req.icebreaker ? req.icebreaker->size() : 0));
    out += "{\"job_id\":";
    json::append_quoted(out, job_id);
    out += ",\"source\":\"api\",\"campaign_id\":";
    json::append_quoted(out, req.campaign_id);
    out += ",\"record_ids\":[";
    for (std::size_t i = 0; i < req.record_ids.size(); ++i) {
        if (i) out += ',';
        json::append_quoted(out, req.record_ids[i]);
    }
    out += "],\"options\":{";
    for (std::size_t i = 0; i < req.options.size(); ++i) {
        if (i) out += ',';
        json::append_quoted(out, req.options[i].first);
        out += req.options[i].second ? ":true" : ":false";
    }
    out += '}';
    if (req.icebreaker) {
        out += ",\"icebreaker\":";
        json::append_quoted(out, *req.icebreaker);
    }
    out += ",\"requested_at\":";
    json::append_quoted(out, format_iso8601(requested_at));
    out += '}';
    return out;
}

}  // namespace las::gateway
