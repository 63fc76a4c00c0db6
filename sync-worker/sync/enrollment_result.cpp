#include "sync/enrollment_result.hpp"

#include <type_traits>
#include <variant>

#include "core/json.hpp"
#include "sync/attio_schema.hpp"

namespace las::sync {
namespace {

record_outcome final_status(enrollment_status s, std::string message = {}) {
    record_outcome o;
    o.what = record_outcome::kind::done;
    o.status = s;
    o.message = std::move(message);
    return o;
}

std::optional<enrollment_status> status_named(std::string_view name) {
    for (auto s : {enrollment_status::enrolled, enrollment_status::duplicate, enrollment_status::rejected,
                   enrollment_status::failed}) {
        if (to_string(s) == name) return s;
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(enrollment_status s) {
    switch (s) {
        case enrollment_status::enrolled: return "enrolled";
        case enrollment_status::duplicate: return "duplicate";
        case enrollment_status::rejected: return "rejected";
        case enrollment_status::failed: return "failed";
    }
    return "failed";
}

std::string_view to_string(record_outcome::kind k) {
    switch (k) {
        case record_outcome::kind::done: return "done";
        case record_outcome::kind::retry: return "retry";
        case record_outcome::kind::dead_letter: return "dead_letter";
        case record_outcome::kind::deferred: return "deferred";
    }
    return "unknown";
}

record_outcome lemlist_verdict(const outbound::call_result<outbound::enrollment>& answer, bool earlier_attempt) {
    using outbound::failure;
    if (!answer) {
        const auto& e = answer.error();
        record_outcome o;
        o.message = "Lemlist: " + e.describe();
        if (e.kind == failure::permanent) {
            // A 2xx that is not the documented answer: nothing sensible was created, and the
            // next attempt would get the same. The Person says failed; an operator looks.
            o.what = record_outcome::kind::dead_letter;
            o.status = enrollment_status::failed;
            o.reason = "lemlist_error";
            return o;
        }
        o.what = record_outcome::kind::retry;
        o.reason = std::string(outbound::to_string(e.kind));
        o.retry_after = e.retry_after;
        return o;
    }
    return std::visit(
        [&](const auto& v) -> record_outcome {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, outbound::enrolled>) {
                auto o = final_status(enrollment_status::enrolled);
                o.lead_id = v.lead_id;
                return o;
            } else if constexpr (std::is_same_v<T, outbound::duplicate_lead>) {
                std::string message = v.message.empty() ? std::string("Lead already in the campaign") : v.message;
                if (v.where == outbound::duplicate_lead::scope::this_campaign && earlier_attempt)
                    message += " (most likely created by an earlier attempt of this job)";
                return final_status(enrollment_status::duplicate, std::move(message));
            } else {
                return final_status(enrollment_status::rejected,
                                    "HTTP " + std::to_string(v.status) + ": " + v.message);
            }
        },
        answer.value());
}

std::string encode_verdict(const record_outcome& verdict) {
    std::string out = "{\"status\":";
    json::append_quoted(out, verdict.status ? to_string(*verdict.status) : std::string_view("failed"));
    if (verdict.lead_id) {
        out += ",\"lead_id\":";
        json::append_quoted(out, *verdict.lead_id);
    }
    out += ",\"message\":";
    json::append_quoted(out, verdict.message);
    out += '}';
    return out;
}

std::optional<record_outcome> decode_verdict(std::string_view recorded) {
    auto doc = json::parse(recorded, json::parse_limits{4});
    if (!doc || !doc->IsObject()) return std::nullopt;
    const auto status = status_named(json::get_string(*doc, "status").value_or(""));
    if (!status) return std::nullopt;
    auto o = final_status(*status, std::string(json::get_string(*doc, "message").value_or("")));
    if (auto lead = json::get_nonempty_string(*doc, "lead_id")) o.lead_id = std::string(*lead);
    return o;
}

std::string reason_text(const record_outcome& verdict, std::string_view campaign_id) {
    const auto status = verdict.status.value_or(enrollment_status::failed);
    std::string text = verdict.message;
    if (status == enrollment_status::enrolled) {
        text = verdict.lead_id ? "enrolled as lead " + *verdict.lead_id : std::string("enrolled");
    } else if (text.empty()) {
        text = status == enrollment_status::duplicate ? "Lead already in the campaign"
               : status == enrollment_status::rejected ? "rejected by Lemlist"
                                                        : "failed";
    }
    if (!campaign_id.empty()) text = std::string(campaign_id) + ": " + text;
    if (text.size() > max_reason_bytes) {
        std::size_t cut = max_reason_bytes - 3;
        // Back to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text.resize(cut);
        text += "…";
    }
    return text;
}

std::string writeback_values(enrollment_status status, const std::optional<std::string>& lead_id,
                             std::string_view reason) {
    std::string out = "{";
    json::append_quoted(out, person_attr::enrollment_status);
    out += ':';
    json::append_quoted(out, to_string(status));
    out += ',';
    json::append_quoted(out, person_attr::enrollment_reason);
    out += ':';
    json::append_quoted(out, reason);
    if (status == enrollment_status::enrolled && lead_id && !lead_id->empty()) {
        out += ',';
        json::append_quoted(out, person_attr::lead_id);
        out += ':';
        json::append_quoted(out, *lead_id);
    }
    out += '}';
    return out;
}

}  // namespace las::sync
